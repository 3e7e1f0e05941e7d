import { ELBV2_QUOTAS } from '../model/quotas.js'
import { canonicalHostedZoneId, loadBalancerDnsName, newIds, regionOfArn } from '../model/ids.js'
import { DEFAULT_SSL_POLICY, listenerSpec, mutualAuthenticationSpec, SSL_POLICY_NAMES, type Listener, type ListenerSpec, type MutualAuthenticationSpec } from '../model/listener.js'
import type { MutualAuthentication } from '../model/trust-store.js'
import { attributeProblem, listenerAttributesSpec, storedAttributes, type ListenerAttributes, type ListenerAttributesSpec } from '../model/listener-attributes.js'
import { loadBalancerAttributesSpec, loadBalancerSpec, type LoadBalancer, type LoadBalancerSpec } from '../model/load-balancer.js'
import { ruleSpec, type Rule, type RuleSpec, type Transform } from '../model/rule.js'
import type { Action } from '../model/action.js'
import { actionToSpec, resolveActions } from './actions.js'
import {
  DuplicateError,
  DuplicateListenerError,
  LimitExceededError,
  NotFoundError,
  OperationNotPermittedError,
  PriorityInUseError,
  SslPolicyNotFoundError,
  UnsupportedProtocolError,
  ValidationFailed,
} from './errors.js'
import { validate, type Draft } from './draft.js'
import { balancerSubnets } from './networks.js'

/** AWS's defaults (model/quotas.ts); control enforces the quotas in force, Draft.quota(). */
export const MAX_LISTENERS_PER_LB = ELBV2_QUOTAS['listeners-per-application-load-balancer']
export const MAX_RULES_PER_LB = ELBV2_QUOTAS['rules-per-application-load-balancer']
export const MAX_CERTIFICATES_PER_LB = ELBV2_QUOTAS['certificates-per-application-load-balancer']
/** The network listener protocols the data plane serves today; the others are refused, not accepted and ignored. */
const NLB_SERVED_PROTOCOLS: readonly string[] = ['TCP', 'TLS', 'UDP', 'TCP_UDP']

/**
 * A new balancer, in `region` (the API caller's signature region; YAML and the CLI: the node's own).
 * Its ARN and DNS name carry the region, its subnets are that region's, and the ARN is where later
 * changes find the region again.
 */
export function createLoadBalancer(d: Draft, input: Omit<LoadBalancerSpec, 'listeners'>, region: string = d.partition.region): LoadBalancer {
  const spec = validate(loadBalancerSpec, input, 'loadBalancer')
  if (d.list('load-balancer').some((l) => l.name === spec.name)) throw new DuplicateError('load-balancer', spec.name)
  const typeQuota = spec.type === 'network' ? 'network-load-balancers' : 'application-load-balancers'
  const ofType = d.list('load-balancer').filter((l) => l.type === spec.type && regionOfArn(l.arn) === region).length
  if (ofType >= d.quota(typeQuota)) throw new LimitExceededError(typeQuota, d.quota(typeQuota), `${spec.type} load balancers in ${region}`)
  const partition = { ...d.partition, region }
  const arn = newIds.loadBalancerArn(partition, spec.name, spec.type)
  const net = balancerSubnets(d, spec.subnets, spec.type, region)
  return d.put({
    kind: 'load-balancer',
    arn,
    name: spec.name,
    type: spec.type,
    scheme: spec.scheme,
    ipAddressType: spec.ipAddressType,
    subnets: net.subnets,
    availabilityZones: net.availabilityZones,
    securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    bindAddress: spec.bindAddress,
    attributes: spec.attributes,
    dnsName: loadBalancerDnsName(partition, spec.name, arn, spec.scheme),
    canonicalHostedZoneId: canonicalHostedZoneId(region, spec.type),
    vpcId: net.vpcId,
    createdTime: d.nowIso(),
    tags: spec.tags,
  })
}

/** Full update from a spec (config apply); name, type and scheme cannot change in place. */
export function updateLoadBalancer(d: Draft, ref: string, input: Omit<LoadBalancerSpec, 'listeners'>): LoadBalancer {
  const current = d.resolve('load-balancer', ref)
  const spec = validate(loadBalancerSpec, input, 'loadBalancer')
  for (const field of ['type', 'scheme'] as const) {
    if (spec[field] !== current[field]) {
      throw new OperationNotPermittedError(`load balancer '${current.name}': ${field} cannot be changed (${current[field]} -> ${spec[field]})`)
    }
  }
  const net = balancerSubnets(d, spec.subnets, current.type, regionOfArn(current.arn))
  return d.put({
    ...current,
    ipAddressType: spec.ipAddressType,
    subnets: net.subnets,
    availabilityZones: net.availabilityZones,
    vpcId: net.vpcId,
    securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    bindAddress: spec.bindAddress,
    attributes: spec.attributes,
    tags: spec.tags,
  })
}

/** SetSecurityGroups, SetSubnets, SetIpAddressType and ModifyLoadBalancerAttributes, as one patch. */
export function modifyLoadBalancer(
  d: Draft,
  ref: string,
  patch: { securityGroups?: readonly string[]; subnets?: readonly string[]; ipAddressType?: string; attributes?: Record<string, unknown> },
): LoadBalancer {
  const current = d.resolve('load-balancer', ref)
  const accessLogs = { ...current.attributes.accessLogs, ...((patch.attributes?.accessLogs as object | undefined) ?? {}) }
  const attributes = validate(loadBalancerAttributesSpec, { ...current.attributes, ...patch.attributes, accessLogs }, 'attributes')
  const subnets = patch.subnets ? [...patch.subnets] : [...current.subnets]
  validate(loadBalancerSpec, { name: current.name, type: current.type, subnets, attributes, ipAddressType: patch.ipAddressType ?? current.ipAddressType, ...(patch.securityGroups ? { securityGroups: [...patch.securityGroups] } : {}) }, 'loadBalancer')
  const net = balancerSubnets(d, subnets, current.type, regionOfArn(current.arn))
  return d.put({
    ...current,
    attributes,
    subnets: net.subnets,
    availabilityZones: net.availabilityZones,
    vpcId: net.vpcId,
    ipAddressType: (patch.ipAddressType ?? current.ipAddressType) as LoadBalancer['ipAddressType'],
    securityGroups: patch.securityGroups ? patch.securityGroups.map((g) => d.resolve('security-group', g).id) : current.securityGroups,
  })
}

export function deleteLoadBalancer(d: Draft, ref: string): void {
  const lb = d.resolve('load-balancer', ref)
  if (lb.attributes.deletionProtection) {
    throw new OperationNotPermittedError(`load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`)
  }
  // Deleting a balancer deletes its listeners and their rules, as on AWS.
  for (const l of d.list('listener')) if (l.loadBalancerArn === lb.arn) deleteListener(d, l.arn)
  // Route 53 alias records pointing at it stay, as on AWS: they answer nothing until deleted or changed.
  d.remove('load-balancer', lb.arn)
}

/** Finds a listener by ARN, or by "BALANCER:PORT" (web-alb:8080). */
export function findListener(d: Draft, ref: string): Listener {
  const direct = d.get('listener', ref)
  if (direct) return direct
  const m = /^(.+):(\d+)$/.exec(ref)
  if (m && !ref.startsWith('arn:')) {
    const lb = d.find('load-balancer', m[1] ?? '')
    const l = lb && d.list('listener').find((x) => x.loadBalancerArn === lb.arn && x.port === Number(m[2]))
    if (l) return l
  }
  throw new NotFoundError('listener', ref)
}

function resolveCertificates(d: Draft, refs: readonly string[]): { arn: string; isDefault: boolean }[] {
  return refs.map((ref, i) => ({ arn: d.resolve('certificate', ref).arn, isDefault: i === 0 }))
}

function checkListener(d: Draft, lb: LoadBalancer, protocol: string, certificates: readonly unknown[], sslPolicy: string | undefined, alpnPolicy?: string): void {
  const app = lb.type === 'application'
  if (app && !['HTTP', 'HTTPS'].includes(protocol)) {
    throw new ValidationFailed([{ path: '', message: `Listener protocol '${protocol}' must be one of 'HTTPS, HTTP'` }])
  }
  if (!app && !['TCP', 'TLS', 'UDP', 'TCP_UDP'].includes(protocol)) {
    throw new ValidationFailed([{ path: '', message: `Listener protocol '${protocol}' must be one of 'TLS, TCP, TCP_UDP, UDP'` }])
  }
  if (!app && !NLB_SERVED_PROTOCOLS.includes(protocol)) {
    throw new UnsupportedProtocolError(`openalb does not serve ${protocol} listeners yet (network load balancers: ${NLB_SERVED_PROTOCOLS.join(', ')})`)
  }
  const secure = protocol === 'HTTPS' || protocol === 'TLS'
  if (secure && certificates.length === 0) {
    throw new ValidationFailed([{ path: 'certificates', message: `a certificate must be specified for ${protocol} listeners` }], 'listener')
  }
  if (!secure && certificates.length > 0) {
    throw new ValidationFailed([{ path: 'certificates', message: `certificates can only be given for HTTPS and TLS listeners` }], 'listener')
  }
  if (sslPolicy !== undefined && !SSL_POLICY_NAMES.includes(sslPolicy)) throw new SslPolicyNotFoundError(sslPolicy)
  // AWS: "[TLS listeners] The name of the Application-Layer Protocol Negotiation (ALPN) policy."
  if (alpnPolicy !== undefined && protocol !== 'TLS') {
    throw new ValidationFailed([{ path: 'alpnPolicy', message: `an ALPN policy can only be given for TLS listeners, not ${protocol}` }], 'listener')
  }
}

/**
 * A listener's MutualAuthentication as stored: HTTPS only; verify names an existing trust store,
 * the other modes none; mode off is kept as absent.
 */
function mutualAuthenticationOf(d: Draft, protocol: string, spec: MutualAuthenticationSpec | undefined): { mutualAuthentication?: MutualAuthentication } {
  if (spec === undefined) return {}
  const m = validate(mutualAuthenticationSpec, spec, 'listener.mutualAuthentication')
  const fail = (path: string, message: string) => new ValidationFailed([{ path, message }], 'listener.mutualAuthentication')
  if (protocol !== 'HTTPS' && m.mode !== 'off') throw fail('mode', `mutual authentication is only for HTTPS listeners, not ${protocol}`)
  if (m.mode !== 'verify') {
    if (m.trustStore !== undefined) throw fail('trustStore', `a trust store is only used in verify mode, not ${m.mode}`)
    if (m.ignoreClientCertificateExpiry !== undefined || m.advertiseTrustStoreCaNames !== undefined) {
      throw fail(m.ignoreClientCertificateExpiry !== undefined ? 'ignoreClientCertificateExpiry' : 'advertiseTrustStoreCaNames', `is only used in verify mode, not ${m.mode}`)
    }
    return m.mode === 'off' ? {} : { mutualAuthentication: { mode: m.mode } }
  }
  if (m.trustStore === undefined) throw fail('trustStore', 'verify mode needs a trust store')
  const store = d.get('trust-store', m.trustStore) ?? d.list('trust-store').find((t) => t.name === m.trustStore)
  if (!store) throw new NotFoundError('trust-store', m.trustStore)
  return {
    mutualAuthentication: {
      mode: 'verify',
      trustStoreArn: store.arn,
      ignoreClientCertificateExpiry: m.ignoreClientCertificateExpiry ?? false,
      advertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames ?? 'off',
    },
  }
}

/** A listener's attributes as stored (defaults dropped), checked against its protocol. */
function attributesOf(protocol: string, spec: ListenerAttributesSpec | undefined): { attributes?: ListenerAttributes } {
  if (spec === undefined) return {}
  const a = validate(listenerAttributesSpec, spec, 'listener.attributes')
  const problem = attributeProblem(protocol, a)
  if (problem) throw new ValidationFailed([problem], 'listener.attributes')
  const stored = storedAttributes(a)
  return Object.keys(stored).length > 0 ? { attributes: stored } : {}
}

/** The attributes kept when a listener changes protocol: those the new protocol has (HTTPS -> HTTP drops HSTS and the mTLS names). */
function keptAttributes(protocol: string, a: ListenerAttributes | undefined): { attributes?: ListenerAttributes } {
  if (a === undefined) return {}
  const { strictTransportSecurity: _hsts, ...headers } = a.responseHeaders ?? {}
  const fit: ListenerAttributesSpec =
    protocol === 'HTTPS' ? a : protocol === 'HTTP' ? { ...(a.serverEnabled !== undefined ? { serverEnabled: a.serverEnabled } : {}), ...(Object.keys(headers).length > 0 ? { responseHeaders: headers } : {}) } : {}
  return attributesOf(protocol, fit)
}

/** ModifyListenerAttributes: the attributes given replace the current ones (one header or name at a time), the rest stay. */
export function modifyListenerAttributes(d: Draft, ref: string, patch: ListenerAttributesSpec): Listener {
  const current = findListener(d, ref)
  const cur = current.attributes ?? {}
  const merged: ListenerAttributesSpec = {
    ...cur,
    ...patch,
    ...(cur.responseHeaders || patch.responseHeaders ? { responseHeaders: { ...cur.responseHeaders, ...patch.responseHeaders } } : {}),
    ...(cur.mtlsHeaderNames || patch.mtlsHeaderNames ? { mtlsHeaderNames: { ...cur.mtlsHeaderNames, ...patch.mtlsHeaderNames } } : {}),
  }
  const { attributes: _old, ...rest } = current
  return d.put({ ...rest, ...attributesOf(current.protocol, merged) })
}

export function createListener(d: Draft, lbRef: string, input: Omit<ListenerSpec, 'rules'>): Listener {
  const lb = d.resolve('load-balancer', lbRef)
  const spec = validate(listenerSpec, { ...input, rules: [] }, 'listener')
  const mine = d.list('listener').filter((l) => l.loadBalancerArn === lb.arn)
  if (mine.some((l) => l.port === spec.port)) throw new DuplicateListenerError(spec.port)
  const listenerQuota = lb.type === 'network' ? 'listeners-per-network-load-balancer' : 'listeners-per-application-load-balancer'
  if (mine.length >= d.quota(listenerQuota)) throw new LimitExceededError(listenerQuota, d.quota(listenerQuota), `load balancer '${lb.name}'`)
  checkListener(d, lb, spec.protocol, spec.certificates, spec.sslPolicy, spec.alpnPolicy)
  const secure = spec.protocol === 'HTTPS' || spec.protocol === 'TLS'
  const arn = newIds.listenerArn(d.partition, lb.arn)
  return d.put({
    kind: 'listener',
    arn,
    loadBalancerArn: lb.arn,
    port: spec.port,
    protocol: spec.protocol,
    certificates: resolveCertificates(d, spec.certificates),
    sslPolicy: secure ? (spec.sslPolicy ?? DEFAULT_SSL_POLICY) : undefined,
    ...(spec.protocol === 'TLS' ? { alpnPolicy: spec.alpnPolicy ?? 'None' } : {}),
    ...mutualAuthenticationOf(d, spec.protocol, spec.mutualAuthentication),
    ...attributesOf(spec.protocol, spec.attributes),
    defaultActions: resolveActions(d, spec.defaultActions, lb, spec.protocol, 'listener.defaultActions'),
    tags: spec.tags,
  })
}

/** ModifyListener and config updates: every field given replaces the current one. */
export function modifyListener(
  d: Draft,
  ref: string,
  patch: { port?: number; protocol?: string; certificates?: readonly string[]; sslPolicy?: string; alpnPolicy?: string; mutualAuthentication?: MutualAuthenticationSpec | null; attributes?: ListenerAttributesSpec | null; defaultActions?: unknown; tags?: Record<string, string> },
): Listener {
  const current = findListener(d, ref)
  const lb = d.resolve('load-balancer', current.loadBalancerArn)
  const port = patch.port ?? current.port
  const protocol = patch.protocol ?? current.protocol
  const switchingToPlain = protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP'
  const certRefs = patch.certificates ?? (switchingToPlain ? [] : current.certificates.filter((c) => c.isDefault).map((c) => c.arn))
  validate(listenerSpec, { port, protocol, certificates: certRefs, sslPolicy: patch.sslPolicy, alpnPolicy: patch.alpnPolicy, defaultActions: [{ type: 'fixed-response', fixedResponse: { statusCode: '200' } }] }, 'listener')
  if (port !== current.port && d.list('listener').some((l) => l.loadBalancerArn === lb.arn && l.port === port)) throw new DuplicateListenerError(port)
  checkListener(d, lb, protocol, certRefs, patch.sslPolicy, patch.alpnPolicy)
  const secure = protocol === 'HTTPS' || protocol === 'TLS'
  const extra = patch.certificates ? [] : secure ? current.certificates.filter((c) => !c.isDefault) : []
  const { alpnPolicy: _previous, mutualAuthentication: _mtls, attributes: _attrs, ...rest } = current
  // Given: replaces (null: off, as config apply without the key); not given: kept while the listener stays HTTPS.
  const mtls =
    patch.mutualAuthentication === null
      ? {}
      : patch.mutualAuthentication !== undefined
        ? mutualAuthenticationOf(d, protocol, patch.mutualAuthentication)
        : protocol === 'HTTPS' && current.mutualAuthentication
          ? { mutualAuthentication: current.mutualAuthentication }
          : {}
  return d.put({
    ...rest,
    ...(protocol === 'TLS' ? { alpnPolicy: (patch.alpnPolicy ?? current.alpnPolicy ?? 'None') as Listener['alpnPolicy'] } : {}),
    ...mtls,
    // Given: replaces (null: defaults); not given: kept, as far as the protocol has them.
    ...(patch.attributes === null ? {} : patch.attributes !== undefined ? attributesOf(protocol, patch.attributes) : keptAttributes(protocol, current.attributes)),
    port,
    protocol: protocol as Listener['protocol'],
    certificates: [...resolveCertificates(d, certRefs), ...extra],
    sslPolicy: secure ? (patch.sslPolicy ?? current.sslPolicy ?? DEFAULT_SSL_POLICY) : undefined,
    defaultActions: resolveActions(d, patch.defaultActions ?? current.defaultActions.map(actionToSpec), lb, protocol, 'listener.defaultActions', current.defaultActions),
    tags: patch.tags ?? current.tags,
  })
}

export function addListenerCertificates(d: Draft, ref: string, certs: readonly string[]): Listener {
  const current = findListener(d, ref)
  const added = certs.map((c) => d.resolve('certificate', c).arn).filter((arn) => !current.certificates.some((c) => c.arn === arn))
  const total = d
    .list('listener')
    .filter((l) => l.loadBalancerArn === current.loadBalancerArn)
    .reduce((n, l) => n + l.certificates.filter((c) => !c.isDefault).length, 0)
  const max = d.quota('certificates-per-application-load-balancer')
  if (total + added.length > max) throw new LimitExceededError('certificates-per-application-load-balancer', max, 'listener certificates')
  return d.put({ ...current, certificates: [...current.certificates, ...added.map((arn) => ({ arn, isDefault: false }))] })
}

export function removeListenerCertificates(d: Draft, ref: string, certs: readonly string[]): Listener {
  const current = findListener(d, ref)
  const arns = certs.map((c) => d.resolve('certificate', c).arn)
  if (current.certificates.some((c) => c.isDefault && arns.includes(c.arn))) {
    throw new OperationNotPermittedError('the default certificate of a listener cannot be removed; use ModifyListener to replace it')
  }
  return d.put({ ...current, certificates: current.certificates.filter((c) => !arns.includes(c.arn)) })
}

export function deleteListener(d: Draft, ref: string): void {
  const l = findListener(d, ref)
  for (const r of d.list('rule')) if (r.listenerArn === l.arn) d.remove('rule', r.arn)
  d.remove('listener', l.arn)
}

/** Finds a rule by ARN, or by "BALANCER:PORT:PRIORITY". */
export function findRule(d: Draft, ref: string): Rule {
  const direct = d.get('rule', ref)
  if (direct) return direct
  const m = /^(.+):(\d+)$/.exec(ref)
  if (m && !ref.startsWith('arn:')) {
    try {
      const l = findListener(d, m[1] ?? '')
      const r = d.list('rule').find((x) => x.listenerArn === l.arn && x.priority === Number(m[2]))
      if (r) return r
    } catch {
      // fall through to not found
    }
  }
  throw new NotFoundError('rule', ref)
}

function rulesOfBalancer(d: Draft, lbArn: string): Rule[] {
  const listeners = new Set(d.list('listener').filter((l) => l.loadBalancerArn === lbArn).map((l) => l.arn))
  return d.list('rule').filter((r) => listeners.has(r.listenerArn))
}

export function createRule(d: Draft, listenerRef: string, input: RuleSpec): Rule {
  const listener = findListener(d, listenerRef)
  const lb = d.resolve('load-balancer', listener.loadBalancerArn)
  // A network listener has its default action only: no rules (AWS: rules are for ALB listeners).
  if (lb.type !== 'application') {
    throw new ValidationFailed([{ path: '', message: `Listener rules are not supported for load balancers of type '${lb.type}'` }])
  }
  const spec = validate(ruleSpec, input, 'rule')
  if (d.list('rule').some((r) => r.listenerArn === listener.arn && r.priority === spec.priority)) throw new PriorityInUseError(spec.priority)
  const maxRules = d.quota('rules-per-application-load-balancer')
  if (rulesOfBalancer(d, lb.arn).length >= maxRules) throw new LimitExceededError('rules-per-application-load-balancer', maxRules, `load balancer '${lb.name}'`)
  const actions = resolveActions(d, spec.actions, lb, listener.protocol, 'rule.actions')
  transformsNeedForward(spec.transforms, actions)
  return d.put({
    kind: 'rule',
    arn: newIds.ruleArn(d.partition, listener.arn),
    listenerArn: listener.arn,
    priority: spec.priority,
    conditions: spec.conditions,
    actions,
    transforms: spec.transforms,
    tags: spec.tags,
  })
}

/**
 * Transforms rewrite what a forward sends its target; on a redirect or fixed-response rule they
 * would do nothing, so they are refused there.
 */
function transformsNeedForward(transforms: readonly Transform[], actions: readonly Action[]): void {
  if (transforms.length > 0 && !actions.some((a) => a.type === 'forward')) {
    throw new ValidationFailed([{ path: 'transforms', message: 'transforms apply to requests forwarded to targets: the rule needs a forward action' }], 'rule')
  }
}

/**
 * ModifyRule: what the patch names is replaced, the rest kept. `transforms` replaces the rule's
 * transforms ([] or ResetTransforms removes them all).
 */
export function modifyRule(d: Draft, ref: string, patch: { conditions?: unknown; actions?: unknown; transforms?: unknown; tags?: Record<string, string> }): Rule {
  const current = findRule(d, ref)
  const listener = findListener(d, current.listenerArn)
  const lb = d.resolve('load-balancer', listener.loadBalancerArn)
  const spec = validate(
    ruleSpec,
    {
      priority: current.priority,
      conditions: patch.conditions ?? current.conditions,
      actions: [{ type: 'fixed-response', fixedResponse: { statusCode: '200' } }],
      transforms: patch.transforms ?? current.transforms ?? [],
    },
    'rule',
  )
  const actions = patch.actions !== undefined ? resolveActions(d, patch.actions, lb, listener.protocol, 'rule.actions', current.actions) : current.actions
  transformsNeedForward(spec.transforms, actions)
  return d.put({
    ...current,
    conditions: spec.conditions,
    actions,
    transforms: spec.transforms,
    tags: patch.tags ?? current.tags,
  })
}

/** SetRulePriorities: all moves at once; the result must keep priorities unique per listener. */
export function setRulePriorities(d: Draft, moves: readonly { rule: string; priority: number }[]): Rule[] {
  const moved = moves.map((m) => {
    if (!Number.isInteger(m.priority) || m.priority < 1 || m.priority > 50000) {
      throw new ValidationFailed([{ path: 'priority', message: 'must be between 1 and 50000' }], 'rule')
    }
    return { ...findRule(d, m.rule), priority: m.priority }
  })
  const byListener = new Map<string, Map<number, string>>()
  for (const r of d.list('rule')) {
    const final = moved.find((m) => m.arn === r.arn) ?? r
    let m = byListener.get(final.listenerArn)
    if (!m) byListener.set(final.listenerArn, (m = new Map()))
    if (m.has(final.priority)) throw new PriorityInUseError(final.priority)
    m.set(final.priority, final.arn)
  }
  return moved.map((r) => d.put(r))
}

export function deleteRule(d: Draft, ref: string): void {
  d.remove('rule', findRule(d, ref).arn)
}
