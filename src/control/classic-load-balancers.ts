import { randomBytes } from 'node:crypto'
import {
  CLASSIC_DEFAULT_ATTRIBUTES,
  CLASSIC_HEALTH_CHECK_RANGES,
  CLASSIC_PROTOCOLS,
  classicDnsName,
  classicLoadBalancerArn,
  defaultClassicHealthCheck,
  isLayer7,
  isSecure,
  parseClassicCheckTarget,
  type ClassicAttributes,
  type ClassicHealthCheck,
  type ClassicListener,
  type ClassicLoadBalancer,
  type ClassicProtocol,
} from '../model/classic-load-balancer.js'
import { canonicalHostedZoneId } from '../model/ids.js'
import type { Failure } from '../model/result.js'
import { CLASSIC_SSL_POLICIES, isStickiness, type ClassicPolicy } from '../model/classic-load-balancer.js'
import type { Draft } from './draft.js'
import {
  DuplicateError,
  DuplicateListenerError,
  InvalidValueError,
  LimitExceededError,
  NotFoundError,
  UnsupportedProtocolError,
  ValidationFailed,
} from './errors.js'
import { listSubnets, resolveSubnet } from './network-lookup.js'
import { balancerSubnets } from './networks.js'

/** AWS's quotas for Classic balancers (DescribeAccountLimits). */
export const CLASSIC_LIMITS = { 'classic-load-balancers': 20, 'classic-listeners': 100, 'classic-registered-instances': 1000 } as const

/** A listener as a caller gives it (the API's Listener shape). */
export interface ClassicListenerInput {
  readonly protocol: string
  readonly loadBalancerPort: number
  readonly instanceProtocol?: string | undefined
  readonly instancePort: number
  readonly sslCertificateId?: string | undefined
}

export interface ClassicLoadBalancerInput {
  readonly name: string
  readonly listeners: readonly ClassicListenerInput[]
  readonly availabilityZones?: readonly string[] | undefined
  readonly subnets?: readonly string[] | undefined
  readonly securityGroups?: readonly string[] | undefined
  readonly scheme?: string | undefined
  readonly tags?: Readonly<Record<string, string>> | undefined
}

const invalid = (message: string, path = ''): ValidationFailed => new ValidationFailed([{ path, message } satisfies Failure])

/** Classic's name rule: 1-32 letters, digits and hyphens, not beginning or ending with a hyphen. */
export function checkClassicName(name: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
    throw invalid(`LoadBalancerName '${name}' must have at most 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`, 'LoadBalancerName')
  }
}

export function findClassic(d: Draft, name: string): ClassicLoadBalancer {
  const lb = d.get('classic-load-balancer', name.startsWith('arn:') ? name : classicLoadBalancerArn(d.partition, name))
  if (!lb) throw new NotFoundError('classic-load-balancer', name)
  return lb
}

function protocolOf(value: string, field: string): ClassicProtocol {
  const p = value.toUpperCase()
  if (!(CLASSIC_PROTOCOLS as readonly string[]).includes(p)) throw new UnsupportedProtocolError(`${field} '${value}' is not supported: use HTTP, HTTPS, TCP or SSL`)
  return p as ClassicProtocol
}

/** The back-end protocol AWS uses when none is given: the front end's, unencrypted (HTTPS -> HTTP, SSL -> TCP). */
function defaultInstanceProtocol(front: ClassicProtocol): ClassicProtocol {
  return front === 'HTTPS' ? 'HTTP' : front === 'SSL' ? 'TCP' : front
}

function checkPort(port: number, field: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(`${field} must be between 1 and 65535, not ${port}`, field)
}

/** One listener, checked by Classic's rules against the balancer's other listeners. */
function buildListener(d: Draft, input: ClassicListenerInput, others: readonly ClassicListener[]): ClassicListener {
  const protocol = protocolOf(input.protocol, 'Protocol')
  const instanceProtocol = input.instanceProtocol === undefined ? defaultInstanceProtocol(protocol) : protocolOf(input.instanceProtocol, 'InstanceProtocol')
  checkPort(input.loadBalancerPort, 'LoadBalancerPort')
  checkPort(input.instancePort, 'InstancePort')
  // AWS: "If the front-end protocol is TCP or SSL, the back-end protocol must be TCP or SSL. If the front-end protocol is HTTP or HTTPS, the back-end protocol must be HTTP or HTTPS."
  if (isLayer7(protocol) !== isLayer7(instanceProtocol)) {
    throw new InvalidValueError(`Invalid listener: a ${protocol} front end needs an ${isLayer7(protocol) ? 'HTTP or HTTPS' : 'TCP or SSL'} InstanceProtocol, not ${instanceProtocol}`)
  }
  // AWS: listeners to one InstancePort are all secure (HTTPS/SSL) or all not (HTTP/TCP).
  const same = others.find((o) => o.instancePort === input.instancePort && isSecure(o.instanceProtocol) !== isSecure(instanceProtocol))
  if (same) {
    throw new InvalidValueError(
      `Invalid listener: InstancePort ${input.instancePort} is already used with InstanceProtocol ${same.instanceProtocol}; listeners to one InstancePort must all use secure (HTTPS, SSL) or all plain (HTTP, TCP) instance protocols`,
    )
  }
  let sslCertificateId: string | undefined
  if (isSecure(protocol)) {
    if (!input.sslCertificateId) throw invalid(`SSLCertificateId is required for ${protocol} listeners`, 'SSLCertificateId')
    sslCertificateId = resolveCertificate(d, input.sslCertificateId)
  } else if (input.sslCertificateId) {
    throw invalid(`SSLCertificateId can only be given for HTTPS and SSL listeners, not ${protocol}`, 'SSLCertificateId')
  }
  return { protocol, loadBalancerPort: input.loadBalancerPort, instanceProtocol, instancePort: input.instancePort, ...(sslCertificateId ? { sslCertificateId } : {}), policyNames: [] }
}

function resolveCertificate(d: Draft, ref: string): string {
  const cert = d.find('certificate', ref)
  if (!cert) throw new NotFoundError('certificate', ref)
  return cert.arn
}

const sameListener = (a: ClassicListener, b: ClassicListener): boolean =>
  a.protocol === b.protocol && a.instanceProtocol === b.instanceProtocol && a.instancePort === b.instancePort && a.sslCertificateId === b.sslCertificateId

/** Adds listeners; one identical to an existing one is no change (AWS), one on a taken port with other settings is DuplicateListener. */
export function addClassicListeners(d: Draft, lbName: string, current: readonly ClassicListener[], inputs: readonly ClassicListenerInput[]): ClassicListener[] {
  const out = [...current]
  for (const input of inputs) {
    const l = buildListener(d, input, out)
    const taken = out.find((o) => o.loadBalancerPort === l.loadBalancerPort)
    if (taken) {
      if (sameListener(taken, l)) continue
      throw new DuplicateListenerError(l.loadBalancerPort, lbName)
    }
    out.push(l)
  }
  if (out.length > CLASSIC_LIMITS['classic-listeners']) throw new LimitExceededError('classic-listeners', CLASSIC_LIMITS['classic-listeners'], `load balancer '${lbName}'`)
  return out
}

/** Subnets for a balancer: the ones named, or each named zone's default subnet (AvailabilityZones). */
export function classicPlacement(d: Draft, subnets: readonly string[] | undefined, zones: readonly string[] | undefined): { subnets: string[]; availabilityZones: string[]; vpcId: string } {
  const hasSubnets = subnets !== undefined && subnets.length > 0
  const hasZones = zones !== undefined && zones.length > 0
  if (hasSubnets && hasZones) throw invalid('Only one of SubnetIds or AvailabilityZones may be specified')
  if (!hasSubnets && !hasZones) throw invalid('Either AvailabilityZones or SubnetIds must be specified')
  const refs = hasSubnets ? subnets : (zones ?? []).map((z) => defaultSubnetOf(d, z))
  const net = balancerSubnets(d, refs, 'network')
  return { subnets: [...net.subnets], availabilityZones: [...net.availabilityZones], vpcId: net.vpcId }
}

function defaultSubnetOf(d: Draft, zone: string): string {
  const s = listSubnets(d).find((x) => x.availabilityZone === zone && x.defaultForAz)
  if (!s) throw invalid(`Invalid Availability Zone: ${zone}`, 'AvailabilityZones')
  return s.id
}

export function classicSecurityGroupIds(d: Draft, refs: readonly string[], vpcId: string): string[] {
  return refs.map((ref) => {
    const sg = d.find('security-group', ref)
    if (!sg || sg.vpcId !== vpcId) throw new NotFoundError('security-group', ref)
    return sg.id
  })
}

/** A new balancer's DNS name: AWS puts a number of its own after the name. */
export function newClassicDnsName(d: Draft, name: string, scheme: string): string {
  const id = (BigInt(`0x${randomBytes(5).toString('hex')}`) % 10_000_000_000n).toString().padStart(10, '1')
  return classicDnsName(d.partition.dnsSuffix, d.partition.region, name, id, scheme)
}

export function createClassicLoadBalancer(d: Draft, input: ClassicLoadBalancerInput): ClassicLoadBalancer {
  checkClassicName(input.name)
  const arn = classicLoadBalancerArn(d.partition, input.name)
  if (d.get('classic-load-balancer', arn)) throw new DuplicateError('classic-load-balancer', input.name)
  if (d.list('classic-load-balancer').length >= CLASSIC_LIMITS['classic-load-balancers']) {
    throw new LimitExceededError('classic-load-balancers', CLASSIC_LIMITS['classic-load-balancers'], 'Classic load balancers')
  }
  if (input.listeners.length === 0) throw invalid('At least one listener must be specified', 'Listeners')
  const scheme = input.scheme ?? 'internet-facing'
  if (scheme !== 'internet-facing' && scheme !== 'internal') throw new InvalidValueError(`Invalid scheme '${scheme}': use internet-facing or internal`)
  if (Object.keys(input.tags ?? {}).length > CLASSIC_MAX_TAGS) throw new LimitExceededError('classic-tags', CLASSIC_MAX_TAGS, `load balancer '${input.name}'`)
  const listeners = addClassicListeners(d, input.name, [], input.listeners)
  const net = classicPlacement(d, input.subnets, input.availabilityZones)
  const securityGroups = classicSecurityGroupIds(d, input.securityGroups ?? [], net.vpcId)
  return d.put({
    kind: 'classic-load-balancer',
    arn,
    name: input.name,
    scheme,
    dnsName: newClassicDnsName(d, input.name, scheme),
    canonicalHostedZoneNameId: canonicalHostedZoneId(d.partition.region, 'classic'),
    vpcId: net.vpcId,
    subnets: net.subnets,
    availabilityZones: net.availabilityZones,
    securityGroups,
    bindAddress: '127.0.0.1',
    listeners,
    healthCheck: defaultClassicHealthCheck(listeners[0]?.instancePort ?? 80),
    instances: [],
    policies: [],
    attributes: CLASSIC_DEFAULT_ATTRIBUTES,
    createdTime: d.nowIso(),
    tags: { ...input.tags },
  })
}

/** AWS: deleting a balancer that does not exist succeeds. */
export function deleteClassicLoadBalancer(d: Draft, name: string): void {
  const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
  if (lb) d.remove('classic-load-balancer', lb.arn)
}

export function createClassicListeners(d: Draft, name: string, inputs: readonly ClassicListenerInput[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  return d.put({ ...lb, listeners: addClassicListeners(d, lb.name, lb.listeners, inputs) })
}

/** Ports with no listener are passed over, as AWS does. */
export function deleteClassicListeners(d: Draft, name: string, ports: readonly number[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  return d.put({ ...lb, listeners: lb.listeners.filter((l) => !ports.includes(l.loadBalancerPort)) })
}

export function configureClassicHealthCheck(d: Draft, name: string, hc: ClassicHealthCheck): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  return d.put({ ...lb, healthCheck: checkedClassicHealthCheck(hc) })
}

/** A health check by Classic's rules, its Target written as AWS writes it (protocol in capitals). */
export function checkedClassicHealthCheck(hc: ClassicHealthCheck): ClassicHealthCheck {
  const target = parseClassicCheckTarget(hc.target)
  if (typeof target === 'string') throw invalid(target, 'HealthCheck.Target')
  for (const [field, [lo, hi]] of Object.entries(CLASSIC_HEALTH_CHECK_RANGES)) {
    const v = hc[field as keyof typeof CLASSIC_HEALTH_CHECK_RANGES]
    if (!Number.isInteger(v) || v < lo || v > hi) throw invalid(`HealthCheck ${field} must be between ${lo} and ${hi}, not ${v}`, `HealthCheck.${field}`)
  }
  // AWS: "This value must be less than the Interval value."
  if (hc.timeout >= hc.interval) throw invalid('HealthCheck Timeout must be less than Interval', 'HealthCheck.Timeout')
  return {
    target: `${target.protocol}:${target.port}${target.path}`,
    interval: hc.interval,
    timeout: hc.timeout,
    unhealthyThreshold: hc.unhealthyThreshold,
    healthyThreshold: hc.healthyThreshold,
  }
}

/** Instances must exist in the balancer's VPC and not be terminated (AWS: InvalidInstance). */
export function checkClassicInstances(d: Draft, vpcId: string, ids: readonly string[]): void {
  const bad = ids.filter((id) => {
    const i = d.get('instance', id)
    return !i || i.vpcId !== vpcId || i.state === 'terminated' || i.state === 'shutting-down'
  })
  if (bad.length > 0) throw new NotFoundError('instance', bad.join(', '))
}

export function registerClassicInstances(d: Draft, name: string, ids: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  checkClassicInstances(d, lb.vpcId, ids)
  const instances = [...lb.instances]
  for (const id of ids) if (!instances.includes(id)) instances.push(id)
  if (instances.length > CLASSIC_LIMITS['classic-registered-instances']) {
    throw new LimitExceededError('classic-registered-instances', CLASSIC_LIMITS['classic-registered-instances'], `load balancer '${lb.name}'`)
  }
  return d.put({ ...lb, instances })
}

/** Ids that are instances but not registered are passed over; ids that are no instance are InvalidInstance. */
export function deregisterClassicInstances(d: Draft, name: string, ids: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const unknown = ids.filter((id) => !d.get('instance', id) && !lb.instances.includes(id))
  if (unknown.length > 0) throw new NotFoundError('instance', unknown.join(', '))
  return d.put({ ...lb, instances: lb.instances.filter((i) => !ids.includes(i)) })
}

export function setClassicListenerCertificate(d: Draft, name: string, port: number, certificate: string): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const l = lb.listeners.find((x) => x.loadBalancerPort === port)
  if (!l) throw new NotFoundError('classic-listener', String(port))
  if (!isSecure(l.protocol)) throw new InvalidValueError(`The listener on port ${port} is ${l.protocol}: only HTTPS and SSL listeners have a certificate`)
  const arn = resolveCertificate(d, certificate)
  return d.put({ ...lb, listeners: lb.listeners.map((x) => (x === l ? { ...x, sslCertificateId: arn } : x)) })
}

/** The attributes after a change; the caller has checked each value's range. */
export function modifyClassicAttributes(d: Draft, name: string, attributes: ClassicAttributes): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  return d.put({ ...lb, attributes })
}

export function setClassicSubnets(d: Draft, name: string, subnets: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  if (subnets.length === 0) throw new InvalidValueError('A load balancer must remain attached to at least one subnet')
  for (const s of subnets) resolveSubnet(d, s)
  const net = balancerSubnets(d, subnets, 'network')
  if (net.vpcId !== lb.vpcId) throw new InvalidValueError(`The subnets must be in the load balancer's VPC ${lb.vpcId}`)
  return d.put({ ...lb, subnets: [...net.subnets], availabilityZones: [...net.availabilityZones] })
}

export function setClassicSecurityGroups(d: Draft, name: string, groups: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  return d.put({ ...lb, securityGroups: classicSecurityGroupIds(d, groups, lb.vpcId) })
}


/** The balancers using a certificate (its deletion is refused while one does). */
export function classicUsersOfCertificate(d: Draft, arn: string): string | undefined {
  const lb = d.list('classic-load-balancer').find((b) => b.listeners.some((l) => l.sslCertificateId === arn))
  return lb ? `Classic load balancer '${lb.name}'` : undefined
}

/** AWS: "Policy names must consist of alphanumeric characters and dashes (-)." */
function checkPolicyName(name: string): void {
  if (!/^[A-Za-z0-9-]{1,255}$/.test(name)) throw invalid(`PolicyName '${name}' must consist of alphanumeric characters and dashes (-)`, 'PolicyName')
}

/** CreateLBCookieStickinessPolicy, CreateAppCookieStickinessPolicy and CreateLoadBalancerPolicy (SSL negotiation by reference). */
export function createClassicPolicy(d: Draft, name: string, policy: ClassicPolicy): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  checkClassicPolicy(lb.policies, policy)
  return d.put({ ...lb, policies: [...lb.policies, policy] })
}

/** A new policy beside a balancer's others: its name, and its values by its type's rules. */
export function checkClassicPolicy(others: readonly ClassicPolicy[], policy: ClassicPolicy): void {
  checkPolicyName(policy.name)
  if (others.some((p) => p.name === policy.name)) throw new DuplicateError('classic-policy', policy.name)
  if (policy.type === 'LBCookieStickinessPolicyType' && policy.cookieExpirationPeriod !== undefined && (!Number.isInteger(policy.cookieExpirationPeriod) || policy.cookieExpirationPeriod < 0)) {
    throw invalid(`CookieExpirationPeriod must be a whole number of seconds, 0 or more, not ${policy.cookieExpirationPeriod}`, 'CookieExpirationPeriod')
  }
  if (policy.type === 'AppCookieStickinessPolicyType' && policy.cookieName === '') throw invalid('CookieName is required', 'CookieName')
  if (policy.type === 'SSLNegotiationPolicyType' && !CLASSIC_SSL_POLICIES.includes(policy.referenceSecurityPolicy)) {
    throw new InvalidValueError(`Reference-Security-Policy '${policy.referenceSecurityPolicy}' is not a predefined Classic security policy openalb serves: ${CLASSIC_SSL_POLICIES.join(', ')}`)
  }
}

/** Replaces a listener's policies; [] removes them. Stickiness is for HTTP and HTTPS listeners, one policy at a time. */
export function setClassicListenerPolicies(d: Draft, name: string, port: number, policyNames: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const l = lb.listeners.find((x) => x.loadBalancerPort === port)
  if (!l) throw new NotFoundError('classic-listener', String(port))
  const names = checkedListenerPolicies(lb.policies, l, policyNames)
  return d.put({ ...lb, listeners: lb.listeners.map((x) => (x === l ? { ...x, policyNames: names } : x)) })
}

/** A listener's policies by name, each one of the balancer's, by Classic's rules (one stickiness policy on HTTP/HTTPS, one SSL policy on HTTPS/SSL). */
export function checkedListenerPolicies(all: readonly ClassicPolicy[], l: ClassicListener, policyNames: readonly string[]): string[] {
  const port = l.loadBalancerPort
  const names = [...new Set(policyNames)]
  const policies = names.map((p) => {
    const found = all.find((x) => x.name === p)
    if (!found) throw new NotFoundError('classic-policy', p)
    return found
  })
  const sticky = policies.filter(isStickiness)
  const ssl = policies.filter((p) => p.type === 'SSLNegotiationPolicyType')
  if (sticky.length > 0 && !isLayer7(l.protocol)) throw new InvalidValueError(`Stickiness policies can only be set on HTTP and HTTPS listeners, not on the ${l.protocol} listener on port ${port}`)
  if (ssl.length > 0 && !isSecure(l.protocol)) throw new InvalidValueError(`SSL negotiation policies can only be set on HTTPS and SSL listeners, not on the ${l.protocol} listener on port ${port}`)
  if (sticky.length > 1) throw new InvalidValueError('A listener can have only one stickiness policy')
  if (ssl.length > 1) throw new InvalidValueError('A listener can have only one SSL negotiation policy')
  return names
}

/** A policy a listener uses cannot be deleted (AWS: InvalidConfigurationRequest). */
export function deleteClassicPolicy(d: Draft, name: string, policyName: string): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  if (!lb.policies.some((p) => p.name === policyName)) throw new NotFoundError('classic-policy', policyName)
  const user = lb.listeners.find((l) => l.policyNames.includes(policyName))
  if (user) throw new InvalidValueError(`Policy ${policyName} is in use by the listener on port ${user.loadBalancerPort}`)
  return d.put({ ...lb, policies: lb.policies.filter((p) => p.name !== policyName) })
}

export function enableClassicZones(d: Draft, name: string, zones: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const added = zones.filter((z) => !lb.availabilityZones.includes(z)).map((z) => defaultSubnetOf(d, z))
  return setClassicSubnets(d, name, [...lb.subnets, ...added])
}

export function disableClassicZones(d: Draft, name: string, zones: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const keep = lb.subnets.filter((_, i) => !zones.includes(lb.availabilityZones[i] ?? ''))
  if (keep.length === 0) throw new InvalidValueError('Cannot remove all Availability Zones from the load balancer: it must remain in at least one')
  return setClassicSubnets(d, name, keep)
}

export function attachClassicSubnets(d: Draft, name: string, subnets: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const ids = subnets.map((s) => resolveSubnet(d, s).id)
  return setClassicSubnets(d, name, [...lb.subnets, ...ids.filter((s) => !lb.subnets.includes(s))])
}

export function detachClassicSubnets(d: Draft, name: string, subnets: readonly string[]): ClassicLoadBalancer {
  const lb = findClassic(d, name)
  const ids = subnets.map((s) => resolveSubnet(d, s).id)
  return setClassicSubnets(d, name, lb.subnets.filter((s) => !ids.includes(s)))
}

/** Classic's tag rules: at most 10 per balancer, keys 1-128 characters, no aws: prefix. */
export const CLASSIC_MAX_TAGS = 10

export function addClassicTags(d: Draft, names: readonly string[], tags: Readonly<Record<string, string>>): void {
  for (const name of names) {
    const lb = findClassic(d, name)
    for (const k of Object.keys(tags)) if (k.toLowerCase().startsWith('aws:')) throw invalid(`Tag keys starting with 'aws:' are reserved: ${k}`, 'Tags')
    const merged = { ...lb.tags, ...tags }
    if (Object.keys(merged).length > CLASSIC_MAX_TAGS) throw new LimitExceededError('classic-tags', CLASSIC_MAX_TAGS, `load balancer '${lb.name}'`)
    d.put({ ...lb, tags: merged })
  }
}

export function removeClassicTags(d: Draft, names: readonly string[], keys: readonly string[]): void {
  for (const name of names) {
    const lb = findClassic(d, name)
    d.put({ ...lb, tags: Object.fromEntries(Object.entries(lb.tags).filter(([k]) => !keys.includes(k))) })
  }
}
