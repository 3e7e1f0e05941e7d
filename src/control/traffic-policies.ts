import { randomUUID } from 'node:crypto'
import { absoluteName, ROUTE53_ACCOUNT_LIMITS } from '../model/hosted-zone.js'
import { healthChecksOf, MAX_TRAFFIC_POLICY_VERSIONS, parseTrafficPolicyDocument, type TrafficPolicy, type TrafficPolicyInstance, type TrafficPolicyVersion } from '../model/traffic-policy.js'
import { DuplicateError, InUseError, LimitExceededError, NotFoundError, TrafficPolicyError, ValidationFailed } from './errors.js'
import type { Draft } from './draft.js'
import { findZone } from './hosted-zones.js'

const NAME = /^.{1,512}$/s

export function findTrafficPolicy(d: Draft, id: string): TrafficPolicy {
  const p = d.get('traffic-policy', id)
  if (!p) throw new NotFoundError('traffic-policy', id)
  return p
}

export function findPolicyVersion(d: Draft, id: string, version: number): { policy: TrafficPolicy; version: TrafficPolicyVersion } {
  const policy = findTrafficPolicy(d, id)
  const v = policy.versions.find((x) => x.version === version)
  if (!v) throw new NotFoundError('traffic-policy', `${id} version ${version}`)
  return { policy, version: v }
}

/** The document's tree, or Route 53's InvalidTrafficPolicyDocument; its health checks must exist. */
function checkedDocument(d: Draft, document: string) {
  const parsed = parseTrafficPolicyDocument(document)
  if (!parsed.ok) throw new TrafficPolicyError('invalid-document', parsed.message)
  for (const id of healthChecksOf(parsed.tree)) if (!d.get('health-check', id)) throw new TrafficPolicyError('invalid-document', `The health check ${id} does not exist`)
  return parsed
}

export function createTrafficPolicy(d: Draft, name: string, document: string, comment = ''): TrafficPolicy {
  if (!NAME.test(name)) throw new ValidationFailed([{ path: 'Name', message: 'Name must be 1-512 characters' }])
  const all = d.list('traffic-policy')
  if (all.some((p) => p.name === name)) throw new DuplicateError('traffic-policy', name)
  const max = ROUTE53_ACCOUNT_LIMITS.MAX_TRAFFIC_POLICIES_BY_OWNER
  if (all.length >= max) throw new LimitExceededError('MAX_TRAFFIC_POLICIES_BY_OWNER', max, 'traffic policies')
  const parsed = checkedDocument(d, document)
  return d.put({ kind: 'traffic-policy', id: randomUUID(), name, type: parsed.type, versions: [{ version: 1, document, comment }], latestVersion: 1 })
}

/** CreateTrafficPolicyVersion: a new version of the same DNS type. */
export function createTrafficPolicyVersion(d: Draft, id: string, document: string, comment = ''): { policy: TrafficPolicy; version: TrafficPolicyVersion } {
  const policy = findTrafficPolicy(d, id)
  if (policy.latestVersion >= MAX_TRAFFIC_POLICY_VERSIONS) throw new LimitExceededError('MAX_TRAFFIC_POLICY_VERSIONS', MAX_TRAFFIC_POLICY_VERSIONS, `versions of traffic policy ${policy.name}`)
  const parsed = checkedDocument(d, document)
  if (parsed.type !== policy.type) throw new TrafficPolicyError('invalid-document', `RecordType ${parsed.type} differs from the policy's type ${policy.type}`)
  const version = { version: policy.latestVersion + 1, document, comment }
  return { policy: d.put({ ...policy, versions: [...policy.versions, version], latestVersion: version.version }), version }
}

export function updateTrafficPolicyComment(d: Draft, id: string, versionNumber: number, comment: string): { policy: TrafficPolicy; version: TrafficPolicyVersion } {
  const { policy } = findPolicyVersion(d, id, versionNumber)
  const versions = policy.versions.map((v) => (v.version === versionNumber ? { ...v, comment } : v))
  const saved = d.put({ ...policy, versions })
  return { policy: saved, version: versions.find((v) => v.version === versionNumber) as TrafficPolicyVersion }
}

/** DeleteTrafficPolicy deletes one version; refused while an instance uses it. The policy goes with its last version. */
export function deleteTrafficPolicyVersion(d: Draft, id: string, versionNumber: number): void {
  const { policy } = findPolicyVersion(d, id, versionNumber)
  const user = d.list('traffic-policy-instance').find((i) => i.policyId === policy.id && i.policyVersion === versionNumber)
  if (user) throw new InUseError('traffic-policy', `${policy.id} version ${versionNumber}`, `traffic policy instance ${user.id}`)
  const versions = policy.versions.filter((v) => v.version !== versionNumber)
  if (versions.length === 0) d.remove('traffic-policy', policy.id)
  else d.put({ ...policy, versions })
}

/** The instance that answers a name and type of a zone, if any (ChangeResourceRecordSets keeps clear of it). */
export function instanceAt(d: Draft, zoneId: string, name: string, type: string): TrafficPolicyInstance | undefined {
  return d.list('traffic-policy-instance').find((i) => i.hostedZoneId === zoneId && i.name === name && i.type === type)
}

/** CreateTrafficPolicyInstance: the zone's name now answers by the policy version (a record set of that name and type must not exist). */
export function createTrafficPolicyInstance(d: Draft, input: { zoneId: string; name: string; ttl: number; policyId: string; policyVersion: number }): TrafficPolicyInstance {
  const zone = findZone(d, input.zoneId)
  const { policy } = findPolicyVersion(d, input.policyId, input.policyVersion)
  const name = absoluteName(zone.name, input.name)
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) throw new ValidationFailed([{ path: 'Name', message: `${name} is not in hosted zone ${zone.name}` }])
  if (!Number.isInteger(input.ttl) || input.ttl < 0 || input.ttl > 2147483647) throw new ValidationFailed([{ path: 'TTL', message: 'TTL must be 0-2147483647' }])
  if (instanceAt(d, zone.id, name, policy.type)) throw new DuplicateError('traffic-policy-instance', `${name} ${policy.type}`)
  const taken = d.list('record-set').find((r) => r.zoneId === zone.id && r.name === name && (r.type === policy.type || r.type === 'CNAME' || policy.type === 'CNAME'))
  if (taken) throw new ValidationFailed([{ path: 'Name', message: `Tried to create resource record set [name='${name}', type='${policy.type}'] but a record set of type ${taken.type} already exists at that name` }])
  const max = ROUTE53_ACCOUNT_LIMITS.MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER
  if (d.list('traffic-policy-instance').length >= max) throw new LimitExceededError('MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER', max, 'traffic policy instances')
  return d.put({ kind: 'traffic-policy-instance', id: randomUUID(), hostedZoneId: zone.id, name, ttl: input.ttl, type: policy.type, policyId: policy.id, policyVersion: input.policyVersion })
}

export function findTrafficPolicyInstance(d: Draft, id: string): TrafficPolicyInstance {
  const i = d.get('traffic-policy-instance', id)
  if (!i) throw new NotFoundError('traffic-policy-instance', id)
  return i
}

/** UpdateTrafficPolicyInstance: another policy version (of the same type) and TTL at the same name. */
export function updateTrafficPolicyInstance(d: Draft, id: string, input: { ttl: number; policyId: string; policyVersion: number }): TrafficPolicyInstance {
  const current = findTrafficPolicyInstance(d, id)
  const { policy } = findPolicyVersion(d, input.policyId, input.policyVersion)
  if (policy.type !== current.type) throw new TrafficPolicyError('conflicting-types', `The traffic policy ${policy.id} version ${input.policyVersion} answers ${policy.type}; the instance answers ${current.type}`)
  if (!Number.isInteger(input.ttl) || input.ttl < 0 || input.ttl > 2147483647) throw new ValidationFailed([{ path: 'TTL', message: 'TTL must be 0-2147483647' }])
  return d.put({ ...current, ttl: input.ttl, policyId: policy.id, policyVersion: input.policyVersion })
}

export function deleteTrafficPolicyInstance(d: Draft, id: string): void {
  d.remove('traffic-policy-instance', findTrafficPolicyInstance(d, id).id)
}
