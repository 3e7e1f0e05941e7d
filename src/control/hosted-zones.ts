import type { z } from 'zod'
import { newIds } from '../model/ids.js'
import {
  absoluteName,
  fqdn,
  hostedZoneSpec,
  recordSetId,
  recordSpec,
  type HostedZone,
  type HostedZoneSpec,
  type RecordSet,
  ROUTE53_ACCOUNT_LIMITS,
  ROUTE53_ZONE_LIMITS,
  MAX_ZONES_BY_REUSABLE_DELEGATION_SET,
  NAME_SERVERS,
  type DelegationSet,
  routingPolicyOf,
  isPrivateZone,
  vpcKey,
  type ZoneVpc,
} from '../model/hosted-zone.js'
import { resolveVpc } from './network-lookup.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import { DEFAULT_CIDR_LOCATION } from '../model/cidr-collection.js'
import { HostedZoneVpcError, InUseError, LimitExceededError, DuplicateError, InvalidChangeBatchError, NotEmptyError, NotFoundError, ValidationFailed } from './errors.js'
import { validate, type Draft } from './draft.js'


export function createHostedZone(d: Draft, input: Omit<HostedZoneSpec, 'records'> & { callerReference?: string; delegationSetId?: string; vpc?: ZoneVpc }): HostedZone {
  const { callerReference: _ref, delegationSetId, vpc: vpcRef, ...rest } = input
  const spec = validate(hostedZoneSpec, { ...rest, records: [] }, 'hostedZone')
  const name = fqdn(spec.name)
  const callerReference = input.callerReference ?? `openalb-${name}`
  const zones = d.list('hosted-zone')
  if (zones.some((z) => z.callerReference === callerReference)) throw new DuplicateError('hosted-zone', callerReference, ' (caller reference already used)')
  const vpc = vpcRef === undefined ? undefined : associable(d, vpcRef)
  if (vpc && delegationSetId !== undefined) throw new ValidationFailed([{ path: 'DelegationSetId', message: 'A private hosted zone cannot use a reusable delegation set' }])
  // One public zone a name (openalb's DNS answers one); private zones of one name may not share a VPC.
  if (!vpc && zones.some((z) => !isPrivateZone(z) && z.name === name)) throw new DuplicateError('hosted-zone', name)
  if (vpc) conflictIn(d, name, vpc)
  const set = delegationSetId === undefined ? undefined : findDelegationSet(d, delegationSetId)
  if (set && zones.filter((z) => z.delegationSetId === set.id).length >= MAX_ZONES_BY_REUSABLE_DELEGATION_SET) {
    throw new LimitExceededError('MAX_ZONES_BY_REUSABLE_DELEGATION_SET', MAX_ZONES_BY_REUSABLE_DELEGATION_SET, `zones of delegation set ${set.id}`)
  }
  const maxZones = ROUTE53_ACCOUNT_LIMITS.MAX_HOSTED_ZONES_BY_OWNER
  if (zones.length >= maxZones) throw new LimitExceededError('MAX_HOSTED_ZONES_BY_OWNER', maxZones, 'hosted zones')
  return d.put({
    kind: 'hosted-zone',
    id: newIds.hostedZoneId(),
    name,
    callerReference,
    comment: spec.comment,
    serial: 1,
    nameServers: set?.nameServers ?? NAME_SERVERS,
    ...(set ? { delegationSetId: set.id } : {}),
    ...(vpc ? { vpcs: [vpc] } : {}),
    tags: spec.tags,
  })
}

/** The VPC as stored (or the region's default VPC); InvalidVPCId when the region has no such VPC. */
function associable(d: Draft, vpc: ZoneVpc): ZoneVpc {
  const found = resolveVpc(d, vpc.vpcId, vpc.region)
  if (found.id !== vpc.vpcId) throw new NotFoundError('vpc', vpc.vpcId)
  return { vpcId: found.id, region: found.region }
}

/** Route 53: a VPC sees at most one private zone of a name. */
function conflictIn(d: Draft, name: string, vpc: ZoneVpc, except?: string): void {
  const other = d.list('hosted-zone').find((z) => z.id !== except && z.name === name && z.vpcs?.some((v) => vpcKey(v) === vpcKey(vpc)))
  if (other) throw new HostedZoneVpcError('conflicting-domain', `The VPC ${vpc.vpcId} in ${vpc.region} is already associated with the private hosted zone ${other.id} of the name ${name}`)
}

/** AssociateVPCWithHostedZone: the private zone is answered to that VPC too. */
export function associateVpc(d: Draft, zoneRef: string, vpcRef: ZoneVpc): HostedZone {
  const zone = findZone(d, zoneRef)
  if (!zone.vpcs) throw new HostedZoneVpcError('public-zone', 'You\'re trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn\'t support associating a VPC with a public hosted zone.')
  const vpc = associable(d, vpcRef)
  conflictIn(d, zone.name, vpc)
  const max = ROUTE53_ZONE_LIMITS.MAX_VPCS_ASSOCIATED_BY_ZONE
  if (zone.vpcs.length >= max) throw new LimitExceededError('MAX_VPCS_ASSOCIATED_BY_ZONE', max, `VPCs associated with hosted zone ${zone.id}`)
  return d.put({ ...zone, vpcs: [...zone.vpcs, vpc] })
}

/** DisassociateVPCFromHostedZone: refused for the zone's last VPC, as Route 53. */
export function disassociateVpc(d: Draft, zoneRef: string, vpc: ZoneVpc): HostedZone {
  const zone = findZone(d, zoneRef)
  if (!zone.vpcs) throw new HostedZoneVpcError('not-associated', 'The specified VPC and hosted zone are not currently associated.')
  const left = zone.vpcs.filter((v) => vpcKey(v) !== vpcKey(vpc))
  if (left.length === zone.vpcs.length) throw new HostedZoneVpcError('not-associated', 'The specified VPC and hosted zone are not currently associated.')
  if (left.length === 0) {
    throw new HostedZoneVpcError('last-association', 'The VPC that you\'re trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn\'t support disassociating the last VPC from a hosted zone.')
  }
  return d.put({ ...zone, vpcs: left })
}

/** Finds a zone by id (with or without /hostedzone/), or by name. */
export function findZone(d: Draft, ref: string): HostedZone {
  const id = ref.replace(/^\/?hostedzone\//, '')
  const byName = d.list('hosted-zone').filter((x) => x.name === fqdn(ref))
  const z = d.get('hosted-zone', id) ?? byName.find((x) => !isPrivateZone(x)) ?? byName[0]
  if (!z) throw new NotFoundError('hosted-zone', ref)
  return z
}

/** Config apply: a zone's comment and tags as the file says them. */
export function updateHostedZone(d: Draft, ref: string, input: { readonly comment: string; readonly tags: Readonly<Record<string, string>> }): HostedZone {
  const zone = findZone(d, ref)
  return d.put({ ...zone, comment: input.comment, tags: { ...input.tags } })
}

/**
 * Deletes a zone. Route 53 refuses a zone that holds more than its SOA and NS records
 * (HostedZoneNotEmpty); config apply, which deletes what the file no longer lists, takes the
 * records with it (withRecordSets).
 */
export function deleteHostedZone(d: Draft, ref: string, options: { readonly withRecordSets?: boolean } = {}): void {
  const zone = findZone(d, ref)
  const records = d.list('record-set').filter((r) => r.zoneId === zone.id && !(r.name === zone.name && (r.type === 'SOA' || r.type === 'NS')))
  if (records.length > 0 && !options.withRecordSets) throw new NotEmptyError(`the hosted zone ${zone.name} contains resource record sets other than the default SOA and NS records`)
  const instance = d.list('traffic-policy-instance').find((i) => i.hostedZoneId === zone.id)
  if (instance) throw new NotEmptyError(`the hosted zone ${zone.name} contains the traffic policy instance ${instance.id} (${instance.name} ${instance.type})`)
  for (const r of d.list('record-set')) if (r.zoneId === zone.id) d.remove('record-set', r.id)
  d.remove('hosted-zone', zone.id)
}

export type ChangeAction = 'CREATE' | 'UPSERT' | 'DELETE'
export interface RecordChange {
  readonly action: ChangeAction
  readonly record: unknown
}

/** A balancer (ELBv2 or Classic) by ARN, name or DNS name (Route 53 aliases give "dualstack.NAME..." with a dot). */
export function findBalancerForAlias(d: Draft, ref: string): { readonly arn: string; readonly dnsName: string; readonly canonicalHostedZoneId: string } | undefined {
  const byRef = d.find('load-balancer', ref)
  if (byRef) return byRef
  const dns = ref.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '')
  const lb: LoadBalancer | undefined = d.list('load-balancer').find((b) => b.dnsName === dns)
  if (lb) return lb
  const classic = d.list('classic-load-balancer').find((b) => b.dnsName === dns || b.arn === ref)
  return classic ? { arn: classic.arn, dnsName: classic.dnsName, canonicalHostedZoneId: classic.canonicalHostedZoneNameId } : undefined
}

/** The alias a stored record keeps to a balancer since deleted, when a DELETE names it as stored. */
function danglingAlias(d: Draft, zone: HostedZone, name: string, type: string, ref: string, setIdentifier?: string): RecordSet['alias'] {
  const stored = d.get('record-set', recordSetId(zone.id, name, type, setIdentifier))?.alias
  const bare = (n: string) => n.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '')
  return stored?.loadBalancerArn !== undefined && (bare(stored.dnsName) === bare(ref) || stored.loadBalancerArn === ref) ? stored : undefined
}

function toRecordSet(d: Draft, zone: HostedZone, spec: z.output<typeof recordSpec>, where: string, action: ChangeAction = 'UPSERT'): RecordSet {
  const name = absoluteName(zone.name, spec.name)
  if (name !== zone.name && !name.endsWith(`.${zone.name}`)) {
    throw new InvalidChangeBatchError([`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`])
  }
  let alias: RecordSet['alias']
  if (spec.alias) {
    if (spec.alias.loadBalancer !== undefined) {
      const lb = findBalancerForAlias(d, spec.alias.loadBalancer)
      const gone = !lb && action === 'DELETE' ? danglingAlias(d, zone, name, spec.type, spec.alias.loadBalancer, spec.setIdentifier) : undefined
      if (gone) alias = { ...gone, evaluateTargetHealth: spec.alias.evaluateTargetHealth }
      else if (!lb) throw new InvalidChangeBatchError([`${where}: Tried to create an alias that targets ${spec.alias.loadBalancer}, but the load balancer does not exist`])
      else alias = { loadBalancerArn: lb.arn, dnsName: `${lb.dnsName}.`, hostedZoneId: lb.canonicalHostedZoneId, evaluateTargetHealth: spec.alias.evaluateTargetHealth }
    } else {
      const target = absoluteName(zone.name, spec.alias.record ?? '')
      alias = { recordName: target, dnsName: target, hostedZoneId: zone.id, evaluateTargetHealth: spec.alias.evaluateTargetHealth }
    }
  }
  return {
    kind: 'record-set',
    id: recordSetId(zone.id, name, spec.type, spec.setIdentifier),
    zoneId: zone.id,
    name,
    type: spec.type,
    ttl: spec.alias ? 60 : spec.ttl,
    values: spec.values,
    ...(alias ? { alias } : {}),
    ...(spec.setIdentifier !== undefined ? { setIdentifier: spec.setIdentifier } : {}),
    ...(spec.weight !== undefined ? { weight: spec.weight } : {}),
    ...(spec.failover !== undefined ? { failover: spec.failover } : {}),
    ...(spec.multiValueAnswer !== undefined ? { multiValueAnswer: spec.multiValueAnswer } : {}),
    ...(spec.cidrRouting !== undefined ? { cidrRouting: { ...spec.cidrRouting } } : {}),
    ...(spec.geoLocation !== undefined ? { geoLocation: { ...spec.geoLocation } } : {}),
    ...(spec.healthCheckId !== undefined ? { healthCheckId: spec.healthCheckId } : {}),
  }
}

/** Route 53's rules between record sets of one name and type: one routing policy, distinct failover roles. */
function policyProblem(d: Draft, rs: RecordSet): string | undefined {
  const siblings = d.list('record-set').filter((r) => r.zoneId === rs.zoneId && r.name === rs.name && r.type === rs.type && r.id !== rs.id)
  if (siblings.length === 0) return undefined
  const policy = routingPolicyOf(rs)
  const other = siblings.find((r) => routingPolicyOf(r) !== policy)
  if (other) {
    return policy === 'simple' || routingPolicyOf(other) === 'simple'
      ? `RRSet with DNS name ${rs.name} and type ${rs.type} cannot be created because a non-${policy === 'simple' ? routingPolicyOf(other) : 'simple'} set exists with the same name and type`
      : `RRSet with DNS name ${rs.name} and type ${rs.type} cannot mix ${policy} and ${routingPolicyOf(other)} routing`
  }
  if (policy === 'failover' && siblings.some((r) => r.failover === rs.failover)) return `A ${rs.failover} failover record set already exists for DNS name ${rs.name} and type ${rs.type}`
  if (policy === 'geolocation' && rs.geoLocation) {
    const key = JSON.stringify(rs.geoLocation)
    if (siblings.some((r) => JSON.stringify(r.geoLocation) === key)) return `A record set for this geolocation already exists for DNS name ${rs.name} and type ${rs.type}`
  }
  if (policy === 'cidr' && rs.cidrRouting) {
    const { collectionId, locationName } = rs.cidrRouting
    if (siblings.some((r) => r.cidrRouting?.collectionId !== collectionId)) return `RRSet with DNS name ${rs.name} and type ${rs.type} must use one CIDR collection for all its IP-based record sets`
    if (siblings.some((r) => r.cidrRouting?.locationName === locationName)) return `A record set for CIDR location ${locationName} already exists for DNS name ${rs.name} and type ${rs.type}`
  }
  if (policy === 'multivalue' && siblings.length >= 8) return `A multivalue answer name has at most 8 record sets: ${rs.name} ${rs.type}`
  return undefined
}

const describeSet = (r: { name: string; type: string; setIdentifier?: string | undefined }) =>
  `[name='${r.name}', type='${r.type}'${r.setIdentifier === undefined ? '' : `, set-identifier='${r.setIdentifier}'`}]`

/**
 * ChangeResourceRecordSets: every change applies, or none does. Messages are Route 53's, so
 * api/aws can return them as InvalidChangeBatch unchanged.
 */
export function changeRecordSets(d: Draft, zoneRef: string, changes: readonly RecordChange[]): HostedZone {
  const zone = findZone(d, zoneRef)
  const problems: string[] = []
  for (const [i, change] of changes.entries()) {
    const spec = validate(recordSpec, change.record, `changes[${i}].record`)
    const rs = toRecordSet(d, zone, spec, `changes[${i}]`, change.action)
    const existing = d.get('record-set', rs.id)
    if (change.action === 'CREATE') {
      if (existing) {
        problems.push(`Tried to create resource record set ${describeSet(rs)} but it already exists`)
        continue
      }
    } else if (change.action === 'DELETE') {
      if (!existing) {
        problems.push(`Tried to delete resource record set ${describeSet(rs)} but it was not found`)
        continue
      }
      if (existing.ttl !== rs.ttl || JSON.stringify(existing.values) !== JSON.stringify(rs.values) || JSON.stringify(existing.alias ?? null) !== JSON.stringify(rs.alias ?? null)) {
        problems.push(`Tried to delete resource record set ${describeSet(rs)} but the values provided do not match the current values`)
        continue
      }
      if (rs.name === zone.name && (rs.type === 'SOA' || rs.type === 'NS')) {
        problems.push(`A HostedZone must contain at least one NS record and one SOA record for the zone itself`)
        continue
      }
      d.remove('record-set', rs.id)
      continue
    }
    const sameName = d.list('record-set').filter((r) => r.zoneId === zone.id && r.name === rs.name && r.type !== rs.type)
    if (rs.type === 'CNAME' && sameName.length > 0) {
      problems.push(`RRSet of type CNAME with DNS name ${rs.name} is not permitted because a conflicting RRSet of type ${sameName[0]?.type} with the same DNS name already exists in zone ${zone.name}`)
      continue
    }
    const cname = sameName.find((r) => r.type === 'CNAME')
    if (cname) {
      problems.push(`RRSet of type ${rs.type} with DNS name ${rs.name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zone.name}`)
      continue
    }
    if (rs.type === 'CNAME' && rs.name === zone.name) {
      problems.push(`RRSet of type CNAME with DNS name ${rs.name} is not permitted at apex in zone ${zone.name}`)
      continue
    }
    if (rs.healthCheckId !== undefined && !d.get('health-check', rs.healthCheckId)) {
      problems.push(`The health check ${rs.healthCheckId} of record set ${describeSet(rs)} does not exist`)
      continue
    }
    const byPolicy = d.list('traffic-policy-instance').find((x) => x.hostedZoneId === zone.id && x.name === rs.name && (x.type === rs.type || x.type === 'CNAME' || rs.type === 'CNAME'))
    if (byPolicy) {
      problems.push(`RRSet ${describeSet(rs)} is not permitted: traffic policy instance ${byPolicy.id} answers ${byPolicy.name} ${byPolicy.type}`)
      continue
    }
    const cidr = rs.cidrRouting
    const collection = cidr && d.get('cidr-collection', cidr.collectionId)
    if (cidr && !collection) {
      problems.push(`The CIDR collection ${cidr.collectionId} of record set ${describeSet(rs)} does not exist`)
      continue
    }
    if (cidr && collection && cidr.locationName !== DEFAULT_CIDR_LOCATION && !Object.hasOwn(collection.locations, cidr.locationName)) {
      problems.push(`The CIDR location ${cidr.locationName} of record set ${describeSet(rs)} is not in CIDR collection ${collection.name}`)
      continue
    }
    const policy = policyProblem(d, rs)
    if (policy) {
      problems.push(policy)
      continue
    }
    d.put(rs)
  }
  // The apex SOA and NS count as two of Route 53's record sets.
  const sets = d.list('record-set').filter((r) => r.zoneId === zone.id && !(r.name === zone.name && (r.type === 'SOA' || r.type === 'NS'))).length + 2
  const maxSets = ROUTE53_ZONE_LIMITS.MAX_RRSETS_BY_ZONE
  if (problems.length === 0 && sets > maxSets) problems.push(`The hosted zone ${zone.name} would have ${sets} resource record sets; the limit is ${maxSets}`)
  if (problems.length > 0) throw new InvalidChangeBatchError(problems)
  return d.put({ ...zone, serial: zone.serial + 1 })
}

export function recordsOfZone(d: Draft, zoneRef: string): RecordSet[] {
  const zone = findZone(d, zoneRef)
  return d.list('record-set').filter((r) => r.zoneId === zone.id)
}

/** The public zone that holds a name (ACME's DNS challenges, ACM's validation records): private zones are answered only to their VPCs. */
export function zoneOfName(d: Draft, name: string): HostedZone | undefined {
  const n = fqdn(name)
  return d
    .list('hosted-zone')
    .filter((z) => !isPrivateZone(z) && (n === z.name || n.endsWith(`.${z.name}`)))
    .sort((a, b) => b.name.length - a.name.length)[0]
}

/** Deletes one record set by id (the CLI's delete records); its zone's serial moves on. */
export function deleteRecordSet(d: Draft, id: string): void {
  const rs = d.resolve('record-set', id)
  d.remove('record-set', rs.id)
  const zone = d.get('hosted-zone', rs.zoneId)
  if (zone) d.put({ ...zone, serial: zone.serial + 1 })
}

/**
 * Config apply: makes the zone hold exactly these record sets, removing the others and upserting
 * these with Route 53's rules; the serial moves on once, and only when a record set changed.
 */
export function replaceRecordSets(d: Draft, zoneRef: string, records: readonly { readonly name: string; readonly type: string; readonly setIdentifier?: string | undefined }[]): HostedZone {
  const zone = findZone(d, zoneRef)
  const held = () => JSON.stringify(d.list('record-set').filter((r) => r.zoneId === zone.id).sort((a, b) => a.id.localeCompare(b.id)))
  const before = held()
  const wanted = new Set(records.map((r) => recordSetId(zone.id, absoluteName(zone.name, r.name), r.type, r.setIdentifier)))
  for (const r of d.list('record-set')) if (r.zoneId === zone.id && !wanted.has(r.id)) d.remove('record-set', r.id)
  changeRecordSets(d, zone.id, records.map((record) => ({ action: 'UPSERT', record })))
  const after = findZone(d, zone.id)
  return d.put({ ...after, serial: held() === before ? zone.serial : zone.serial + 1 })
}


export function findDelegationSet(d: Draft, ref: string): DelegationSet {
  const set = d.get('delegation-set', ref.replace(/^\/?delegationset\//, ''))
  if (!set) throw new NotFoundError('delegation-set', ref)
  return set
}

/** CreateReusableDelegationSet; with a zone, the set takes that zone's name servers and the zone joins it. */
export function createDelegationSet(d: Draft, callerReference: string, zoneRef?: string): DelegationSet {
  if (d.list('delegation-set').some((s) => s.callerReference === callerReference)) throw new DuplicateError('delegation-set', callerReference, ' (caller reference already used)')
  const max = ROUTE53_ACCOUNT_LIMITS.MAX_REUSABLE_DELEGATION_SETS_BY_OWNER
  if (d.list('delegation-set').length >= max) throw new LimitExceededError('MAX_REUSABLE_DELEGATION_SETS_BY_OWNER', max, 'reusable delegation sets')
  const zone = zoneRef === undefined ? undefined : findZone(d, zoneRef)
  const set = d.put({ kind: 'delegation-set', id: newIds.delegationSetId(), callerReference, nameServers: zone?.nameServers ?? NAME_SERVERS, createdAt: d.nowIso() })
  if (zone) d.put({ ...zone, delegationSetId: set.id })
  return set
}

/** DeleteReusableDelegationSet: refused while a zone is in it. */
export function deleteDelegationSet(d: Draft, ref: string): void {
  const set = findDelegationSet(d, ref)
  const user = d.list('hosted-zone').find((z) => z.delegationSetId === set.id)
  if (user) throw new InUseError('delegation-set', set.id, `hosted zone ${user.id}`)
  d.remove('delegation-set', set.id)
}
