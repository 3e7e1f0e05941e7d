import { CidrSet, parseCidr, type CidrRange } from '../lib/cidr.js'
import { isReachable, type Instance } from '../model/instance.js'
import { alpnProtocols, NLB_TCP_IDLE_TIMEOUT_SECONDS, NLB_UDP_IDLE_TIMEOUT_SECONDS, type Listener } from '../model/listener.js'
import { crossZoneEnabled, type LoadBalancer } from '../model/load-balancer.js'
import type { Failure } from '../model/result.js'
import type { Rule } from '../model/rule.js'
import { connectionTerminationEnabled, targetKey, type Target, type TargetGroup } from '../model/target-group.js'
import { compileRouter, type LocalAnswer } from '../dataplane/router/router.js'
import { HTTP01_PATH_PREFIX, type AcmeAlpnChallenge } from '../model/acme.js'
import type {
  BalancerSnapshot,
  L4ListenerSnapshot,
  ListenerSnapshot,
  Snapshot,
  TargetGroupSnapshot,
  TargetSnapshot,
} from '../dataplane/snapshot.js'
import type { StateView } from '../model/state-view.js'
import type { ListenerCertificate } from '../dataplane/tls/sni.js'
import { compileMtls } from '../dataplane/tls/client-cert.js'
import { compileResponseHeaders } from '../dataplane/exchange/response-headers.js'
import { findSslPolicy } from '../model/ssl-policy.js'
import { classicHealthGroup, compileClassic } from './classic.js'

export type { Snapshot } from '../dataplane/snapshot.js'

export type CompileResult = { readonly ok: true; readonly value: Snapshot } | { readonly ok: false; readonly failures: readonly Failure[] }

/** What makes one fleet node's snapshot its own. */
export interface NodeView {
  /** Every listener binds this address instead of the balancer's. */
  readonly bindAddress?: string | undefined
  /** The node's zone: a group with cross-zone off forwards only to targets of this zone. */
  readonly zone?: string | undefined
  /** Where a lambda group's target is reached: the data plane's gateway socket for the group (without it, lambda targets are unresolved). */
  readonly lambdaSocket?: ((groupArn: string) => string) | undefined
}

/** What the node's other followers need of one revision, worked out once with the data plane's snapshot. */
export interface RevisionPlan {
  /** Health: every group, its targets resolved by the same rule as the snapshot's. */
  readonly groups: readonly TargetGroup[]
  readonly resolveAddress: (group: TargetGroup, target: Target) => string | undefined
  /** Groups some listener or rule forwards to; the others' targets are unused and unchecked. */
  readonly groupsInUse: ReadonlySet<string>
  /** DNS (EvaluateTargetHealth): the target groups behind each balancer. */
  readonly groupsByBalancer: ReadonlyMap<string, readonly string[]>
}

/** One revision for every follower of a node: the data plane's snapshot (or why not) and the plan for the rest. */
export interface CompiledRevision {
  readonly revision: number
  readonly snapshot: CompileResult
  readonly plan: RevisionPlan
}

/** Compiles a revision once for the whole node: instances are indexed and targets resolved by one rule. */
export function compileRevision(state: StateView, node: NodeView = {}): CompiledRevision {
  const instances = indexInstances(state.list('instance'))
  return { revision: state.revision, snapshot: compileSnapshot(state, node, instances), plan: planRevision(state, instances, node.lambdaSocket) }
}

function planRevision(state: StateView, instances: InstanceIndex, lambdaSocket?: (groupArn: string) => string): RevisionPlan {
  const groupsInUse = new Set<string>()
  const byBalancer = new Map<string, Set<string>>()
  const add = (lbArn: string, arns: readonly string[]) => {
    let set = byBalancer.get(lbArn)
    if (!set) byBalancer.set(lbArn, (set = new Set()))
    for (const a of arns) {
      set.add(a)
      groupsInUse.add(a)
    }
  }
  const rules = new Map<string, Rule[]>()
  for (const rule of state.list('rule')) {
    const list = rules.get(rule.listenerArn)
    if (list) list.push(rule)
    else rules.set(rule.listenerArn, [rule])
  }
  for (const l of state.list('listener')) add(l.loadBalancerArn, forwardedGroups(l, rules.get(l.arn) ?? []))
  // A Classic balancer's one health check is a group under its own ARN, always in use.
  const classicGroups: TargetGroup[] = []
  for (const lb of state.list('classic-load-balancer')) {
    const group = classicHealthGroup(lb)
    if (!group) continue
    classicGroups.push(group)
    add(lb.arn, [group.arn])
  }
  return {
    groups: [...state.list('target-group'), ...classicGroups],
    resolveAddress: (group, target) => resolveTarget(group, target, instances, lambdaSocket).address,
    groupsInUse,
    groupsByBalancer: new Map([...byBalancer].map(([k, v]) => [k, [...v]])),
  }
}

/**
 * Compiles one revision into a frozen Snapshot, or the list of what is wrong with it; never throws
 * for bad data. The caller keeps its last good snapshot when this fails.
 */
export function tryCompile(state: StateView, node: NodeView = {}): CompileResult {
  return compileSnapshot(state, node, indexInstances(state.list('instance')))
}

function compileSnapshot(state: StateView, node: NodeView, instances: InstanceIndex): CompileResult {
  const bindAddress = node.bindAddress
  const failures: Failure[] = []

  // Cross-zone "use_load_balancer_configuration" follows the balancer that forwards to the group.
  const lbCrossZone = balancerCrossZoneByGroup(state)
  const targetGroups = new Map<string, TargetGroupSnapshot>()
  for (const tg of state.list('target-group')) targetGroups.set(tg.arn, compileTargetGroup(tg, instances, node, lbCrossZone.get(tg.arn) ?? true))

  const rulesByListener = new Map<string, Rule[]>()
  for (const rule of state.list('rule')) {
    const list = rulesByListener.get(rule.listenerArn)
    if (list) list.push(rule)
    else rulesByListener.set(rule.listenerArn, [rule])
  }

  const balancers = new Map<string, { lb: LoadBalancer; snapshot: BalancerSnapshot }>()
  const networkBalancers = new Map<string, LoadBalancer>()
  for (const lb of state.list('load-balancer')) {
    if (lb.type !== 'application') {
      networkBalancers.set(lb.arn, lb)
      continue
    }
    balancers.set(lb.arn, { lb, snapshot: Object.freeze({ arn: lb.arn, name: lb.name, logName: logName(lb.arn), attributes: lb.attributes }) })
  }

  // ACME HTTP-01 and TLS-ALPN-01: answered by every HTTP (HTTPS) listener while an order waits (none, nearly always).
  const challenges: LocalAnswer[] = []
  const alpnChallenges: AcmeAlpnChallenge[] = []
  for (const c of state.list('certificate')) {
    for (const ch of c.acmeHttpChallenges ?? []) challenges.push({ host: ch.host, path: `${HTTP01_PATH_PREFIX}${ch.token}`, body: ch.keyAuthorization })
    alpnChallenges.push(...(c.acmeAlpnChallenges ?? []))
  }

  const listeners = new Map<string, ListenerSnapshot>()
  const l4Listeners = new Map<string, L4ListenerSnapshot>()
  for (const listener of state.list('listener')) {
    const path = `listener ${listener.arn}`
    const network = networkBalancers.get(listener.loadBalancerArn)
    if (network) {
      for (const l4 of compileL4Listener(state, network, listener, bindAddress, targetGroups, instances, failures)) {
        const taken = listeners.get(l4.bindKey) ?? l4Listeners.get(l4.bindKey)
        if (taken) {
          failures.push({ path, message: `${l4.bindKey} is already bound by listener ${taken.arn}` })
          continue
        }
        l4Listeners.set(l4.bindKey, l4)
      }
      continue
    }
    const owner = balancers.get(listener.loadBalancerArn)
    if (!owner) continue // a listener whose balancer is going away
    if (listener.protocol !== 'HTTP' && listener.protocol !== 'HTTPS') {
      failures.push({ path, message: `protocol ${listener.protocol} is not served by an application balancer` })
      continue
    }
    const rules = rulesByListener.get(listener.arn) ?? []
    const router = compileRouter(listener.defaultActions, rules, listener.protocol === 'HTTP' ? challenges : [], listener.loadBalancerArn)
    if (!router.ok) {
      for (const e of router.errors) failures.push({ path, message: e })
      continue
    }
    for (const arn of forwardedGroups(listener, rules)) {
      if (!targetGroups.has(arn)) failures.push({ path, message: `forwards to unknown target group ${arn}` })
    }
    if (listener.sslPolicy !== undefined && findSslPolicy(listener.sslPolicy) === undefined) {
      failures.push({ path, message: `unknown SSL policy ${listener.sslPolicy}` })
      continue
    }
    const auth = listener.protocol === 'HTTPS' ? listener.mutualAuthentication : undefined
    const store = auth?.trustStoreArn !== undefined ? state.get('trust-store', auth.trustStoreArn) : undefined
    if (auth?.mode === 'verify' && !store) {
      failures.push({ path, message: `mutual authentication names unknown trust store ${auth.trustStoreArn ?? ''}` })
      continue
    }
    const mtls = auth && auth.mode !== 'off' ? compileMtls(auth.mode, store, { ignoreExpiry: auth.ignoreClientCertificateExpiry ?? false, advertiseCaNames: auth.advertiseTrustStoreCaNames === 'on', headerNames: listener.attributes?.mtlsHeaderNames }) : undefined
    const allowed = compileAllowList(state, owner.lb, listener.port, instances, failures)
    const responseHeaders = compileResponseHeaders(listener.protocol, listener.attributes)
    const bindTo = bindAddress ?? owner.lb.bindAddress
    const bindKey = `${bindTo}:${listener.port}`
    if (listeners.has(bindKey) || l4Listeners.has(bindKey)) {
      failures.push({ path, message: `${bindKey} is already bound by listener ${(listeners.get(bindKey) ?? l4Listeners.get(bindKey))?.arn}` })
      continue
    }
    listeners.set(
      bindKey,
      Object.freeze({
        bindKey,
        arn: listener.arn,
        balancer: owner.snapshot,
        bindAddress: bindTo,
        port: listener.port,
        protocol: listener.protocol,
        forwardedProtoPort: `x-forwarded-proto: ${listener.protocol === 'HTTPS' ? 'https' : 'http'}\r\nx-forwarded-port: ${listener.port}\r\n`,
        ...hostPortRule(listener.protocol, listener.port, owner.snapshot.attributes.preserveHostHeader),
        certificateArns: listener.certificates.map((c) => c.arn),
        sslPolicy: listener.sslPolicy,
        tlsCertificates: listener.protocol === 'HTTPS' ? usableCertificates(state, listener) : [],
        ...(listener.protocol === 'HTTPS' && alpnChallenges.length > 0 ? { acmeAlpnChallenges: Object.freeze([...alpnChallenges]) } : {}),
        ...(mtls ? { mtls } : {}),
        ...(responseHeaders ? { responseHeaders } : {}),
        ...(listener.attributes?.serverEnabled === false ? { serverHeader: false as const } : {}),
        router: router.value,
        allowedSources: allowed,
      }),
    )
  }

  for (const lb of state.list('classic-load-balancer')) {
    const compiled = compileClassic(
      lb,
      {
        bindAddress,
        nodeZone: node.zone,
        challenges,
        resolveInstance: (id) => {
          const i = instances.byId.get(id)
          return i ? { address: i.address, zone: i.availabilityZone } : undefined
        },
        allowList: (b, port, transport) => compileAllowList(state, b, port, instances, failures, transport),
        certificates: (arns) => usableCertificates(state, { certificates: arns.map((arn, i) => ({ arn, isDefault: i === 0 })) }),
      },
      failures,
    )
    for (const g of compiled.targetGroups) targetGroups.set(g.arn, g)
    for (const l of [...compiled.listeners, ...compiled.l4Listeners]) {
      const taken = listeners.get(l.bindKey) ?? l4Listeners.get(l.bindKey)
      if (taken) {
        failures.push({ path: `classic-load-balancer ${lb.name}`, message: `${l.bindKey} is already bound by listener ${taken.arn}` })
        continue
      }
      if ('router' in l) listeners.set(l.bindKey, l)
      else l4Listeners.set(l.bindKey, l)
    }
  }

  if (failures.length > 0) return { ok: false, failures }
  return { ok: true, value: Object.freeze({ revision: state.revision, listeners, targetGroups, l4Listeners }) }
}

/** Which target group protocols each network listener protocol forwards to (AWS's pairs). */
const FORWARDABLE: Record<string, readonly string[]> = {
  TCP: ['TCP', 'TCP_UDP'],
  TLS: ['TCP', 'TLS'],
  UDP: ['UDP', 'TCP_UDP'],
  TCP_UDP: ['TCP_UDP'],
}

/**
 * A network balancer's listener as the layer-4 data plane serves it: one entry, or two for
 * TCP_UDP (a TCP socket and a UDP socket on the same port); none, with a failure, when it cannot be.
 */
function compileL4Listener(
  state: StateView,
  lb: LoadBalancer,
  listener: Listener,
  nodeBindAddress: string | undefined,
  targetGroups: ReadonlyMap<string, TargetGroupSnapshot>,
  instances: InstanceIndex,
  failures: Failure[],
): L4ListenerSnapshot[] {
  const path = `listener ${listener.arn}`
  const forwardable = FORWARDABLE[listener.protocol]
  if (!forwardable) {
    failures.push({ path, message: `protocol ${listener.protocol} is not served by a network balancer` })
    return []
  }
  const tls = listener.protocol === 'TLS'
  const forward = listener.defaultActions.find((a) => a.type === 'forward')
  const groupArn = forward?.type === 'forward' && forward.targetGroups.length === 1 ? forward.targetGroups[0]?.targetGroupArn : undefined
  if (groupArn === undefined) {
    failures.push({ path, message: 'a network listener forwards to exactly one target group' })
    return []
  }
  const group = targetGroups.get(groupArn)
  if (!group) {
    failures.push({ path, message: `forwards to unknown target group ${groupArn}` })
    return []
  }
  if (!forwardable.includes(group.protocol)) {
    failures.push({ path, message: `a ${listener.protocol} listener cannot forward to the ${group.protocol} target group ${group.name}` })
    return []
  }
  if (tls && listener.sslPolicy !== undefined && findSslPolicy(listener.sslPolicy) === undefined) {
    failures.push({ path, message: `unknown SSL policy ${listener.sslPolicy}` })
    return []
  }
  const bindAddress = nodeBindAddress ?? lb.bindAddress
  const entry = (protocol: 'TCP' | 'TLS' | 'UDP'): L4ListenerSnapshot =>
    Object.freeze({
      bindKey: protocol === 'UDP' ? `udp ${bindAddress}:${listener.port}` : `${bindAddress}:${listener.port}`,
      arn: listener.arn,
      balancerArn: lb.arn,
      bindAddress,
      port: listener.port,
      protocol,
      tlsCertificates: tls ? usableCertificates(state, listener) : Object.freeze([]),
      sslPolicy: listener.sslPolicy,
      alpnProtocols: Object.freeze([...alpnProtocols(listener.alpnPolicy)]),
      targetGroupArn: groupArn,
      idleTimeoutMs: (protocol === 'UDP' ? NLB_UDP_IDLE_TIMEOUT_SECONDS : (listener.attributes?.tcpIdleTimeoutSeconds ?? NLB_TCP_IDLE_TIMEOUT_SECONDS)) * 1000,
      // Security groups: the inbound rules of the listener's own transport.
      allowedSources: compileAllowList(state, lb, listener.port, instances, failures, protocol === 'UDP' ? 'udp' : 'tcp'),
      ...(protocol === 'TLS' && lb.attributes.accessLogs.enabled
        ? { accessLog: Object.freeze({ bucket: lb.attributes.accessLogs.bucket, elb: logName(lb.arn), listenerId: listener.arn.slice(listener.arn.lastIndexOf('/') + 1) }) }
        : {}),
    })
  switch (listener.protocol) {
    case 'TCP_UDP':
      return [entry('TCP'), entry('UDP')]
    case 'UDP':
      return [entry('UDP')]
    default:
      return [entry(tls ? 'TLS' : 'TCP')]
  }
}

/** For each group some balancer forwards to, that balancer's cross-zone setting (AWS: one balancer per group). */
function balancerCrossZoneByGroup(state: StateView): Map<string, boolean> {
  const listenerLb = new Map<string, string>()
  const out = new Map<string, boolean>()
  const note = (lbArn: string, actions: Listener['defaultActions']) => {
    const lb = state.get('load-balancer', lbArn)
    if (!lb) return
    for (const a of actions) if (a.type === 'forward') for (const g of a.targetGroups) out.set(g.targetGroupArn, crossZoneEnabled(lb))
  }
  for (const l of state.list('listener')) {
    listenerLb.set(l.arn, l.loadBalancerArn)
    note(l.loadBalancerArn, l.defaultActions)
  }
  for (const r of state.list('rule')) {
    const lbArn = listenerLb.get(r.listenerArn)
    if (lbArn) note(lbArn, r.actions)
  }
  return out
}

/**
 * The listener's certificates that can be served now. A certificate still being issued (openalb's
 * CA writes it back a moment after the config is applied) is left out; without its default the
 * list is empty and the listener refuses handshakes until the next revision brings it.
 */
function usableCertificates(state: StateView, listener: Pick<Listener, 'certificates'>): readonly ListenerCertificate[] {
  const out: ListenerCertificate[] = []
  const refs = [...listener.certificates].sort((a, b) => Number(b.isDefault) - Number(a.isDefault))
  for (const [i, ref] of refs.entries()) {
    const c = state.get('certificate', ref.arn)
    const usable = c !== undefined && c.status === 'ISSUED' && c.certificatePem !== undefined && c.privateKeyPem !== undefined
    if (!usable) {
      if (i === 0) return Object.freeze([])
      continue
    }
    out.push(
      Object.freeze({
        arn: c.arn,
        isDefault: i === 0,
        certificatePem: c.certificatePem ?? '',
        chainPem: c.chainPem,
        privateKeyPem: c.privateKeyPem ?? '',
        names: Object.freeze([c.domainName, ...c.subjectAlternativeNames].filter((n) => n !== '')),
      }),
    )
  }
  return Object.freeze(out)
}

function logName(arn: string): string {
  const i = arn.indexOf(':loadbalancer/')
  return i < 0 ? arn : arn.slice(i + ':loadbalancer/'.length)
}

interface InstanceIndex {
  byId: Map<string, Instance>
  byName: Map<string, Instance>
  byGroup: Map<string, Instance[]>
}

function indexInstances(list: readonly Instance[]): InstanceIndex {
  const index: InstanceIndex = { byId: new Map(), byName: new Map(), byGroup: new Map() }
  // Only running instances are reached: a stopped or terminated one's targets are unused (Target.InvalidState).
  for (const i of list) {
    if (!isReachable(i)) continue
    index.byId.set(i.id, i)
    index.byName.set(i.name, i)
    for (const g of i.securityGroups) {
      const members = index.byGroup.get(g)
      if (members) members.push(i)
      else index.byGroup.set(g, [i])
    }
  }
  return index
}

/**
 * Where a registered target is reached and its zone: an ip target is its own address; an instance
 * target is its instance's (by id or name), undefined when there is no such instance. The one rule
 * for the data plane and for health checks.
 */
function resolveTarget(tg: TargetGroup, t: Target, instances: InstanceIndex, lambdaSocket?: (groupArn: string) => string): { address: string | undefined; zone: string | undefined } {
  // A function is reached through its group's gateway, in every zone.
  if (tg.targetType === 'lambda') return { address: lambdaSocket?.(tg.arn), zone: 'all' }
  if (tg.targetType !== 'instance') return { address: t.id, zone: t.availabilityZone }
  const instance = instances.byId.get(t.id) ?? instances.byName.get(t.id)
  return { address: instance?.address, zone: t.availabilityZone ?? instance?.availabilityZone }
}

function compileTargetGroup(tg: TargetGroup, instances: InstanceIndex, node: NodeView, balancerCrossZone: boolean): TargetGroupSnapshot {
  const nodeZone = node.zone
  // Cross-zone off: this node forwards only to its own zone's targets (and to those of unknown or "all" zone).
  const crossZone = tg.attributes.crossZone === 'use_load_balancer_configuration' ? balancerCrossZone : tg.attributes.crossZone === 'true'
  const inZone = (zone: string | undefined) => crossZone || nodeZone === undefined || zone === undefined || zone === 'all' || zone === nodeZone
  const targets: TargetSnapshot[] = []
  const unresolved: string[] = []
  for (const t of tg.targets) {
    const { address, zone } = resolveTarget(tg, t, instances, node.lambdaSocket)
    if (address === undefined) {
      unresolved.push(t.id)
      continue
    }
    if (!inZone(zone)) continue
    targets.push(Object.freeze({ key: targetKey(address, t.port), id: t.id, address, port: t.port, availabilityZone: zone }))
  }
  const s = tg.attributes.stickiness
  return Object.freeze({
    arn: tg.arn,
    name: tg.name,
    protocol: tg.protocol,
    protocolVersion: tg.protocolVersion,
    port: tg.port,
    targetType: tg.targetType,
    ...(tg.targetType === 'lambda' ? { lambdaMultiValueHeaders: tg.attributes.lambdaMultiValueHeaders ?? false } : {}),
    algorithm: tg.attributes.algorithm,
    slowStartSeconds: tg.attributes.slowStartSeconds,
    deregistrationDelaySeconds: tg.attributes.deregistrationDelaySeconds,
    proxyProtocolV2: tg.attributes.proxyProtocolV2,
    connectionTermination: connectionTerminationEnabled(tg),
    stickiness: Object.freeze({ enabled: s.enabled, type: s.type, durationSeconds: s.durationSeconds, cookieName: s.cookieName }),
    healthCheck: tg.healthCheck,
    targets: Object.freeze(targets),
    unresolved: Object.freeze(unresolved),
  })
}

function forwardedGroups(listener: Listener, rules: readonly Rule[]): string[] {
  const out: string[] = []
  for (const actions of [listener.defaultActions, ...rules.map((r) => r.actions)]) {
    for (const a of actions) if (a.type === 'forward') for (const g of a.targetGroups) out.push(g.targetGroupArn)
  }
  return out
}

/**
 * The sources the balancer's security groups let in on one port. No security groups: everyone,
 * as the brief for local use wants; otherwise only what some inbound rule allows (EC2 semantics).
 */
function compileAllowList(
  state: StateView,
  lb: Pick<LoadBalancer, 'arn' | 'securityGroups'>,
  port: number,
  instances: InstanceIndex,
  failures: Failure[],
  transport: 'tcp' | 'udp' = 'tcp',
): CidrSet | undefined {
  if (lb.securityGroups.length === 0) return undefined
  const ranges: CidrRange[] = []
  const groups = state.list('security-group')
  for (const ref of lb.securityGroups) {
    const sg = state.get('security-group', ref) ?? groups.find((g) => g.name === ref)
    if (!sg) {
      failures.push({ path: `load-balancer ${lb.arn}`, message: `unknown security group ${ref}` })
      continue
    }
    for (const rule of sg.ingress) {
      if (rule.protocol !== transport && rule.protocol !== '-1') continue
      if (rule.protocol === transport && (port < rule.fromPort || port > rule.toPort)) continue
      for (const c of rule.cidrs) {
        const r = parseCidr(c)
        if (r) ranges.push(r)
        else failures.push({ path: `security-group ${sg.id}`, message: `invalid CIDR ${c}` })
      }
      for (const source of rule.sourceGroups) {
        const sourceGroup = state.get('security-group', source) ?? groups.find((g) => g.name === source)
        const members = [...(instances.byGroup.get(source) ?? []), ...(sourceGroup ? (instances.byGroup.get(sourceGroup.name) ?? []) : [])]
        for (const m of members) {
          const r = parseCidr(m.address.includes(':') ? `${m.address}/128` : `${m.address}/32`)
          if (r) ranges.push(r)
        }
        if (sourceGroup && sourceGroup.id !== source) {
          for (const m of instances.byGroup.get(sourceGroup.id) ?? []) {
            const r = parseCidr(m.address.includes(':') ? `${m.address}/128` : `${m.address}/32`)
            if (r) ranges.push(r)
          }
        }
      }
    }
  }
  return new CidrSet(ranges)
}

/**
 * ALB's Host rule (routing.http.preserve_host_header.enabled false, the default): on a listener
 * port that is not the protocol's own (80, 443), a Host without a port gets the listener's;
 * on 80 and 443 a port the client put in Host is removed. With the attribute on, Host goes as
 * it came. Port 0 is a test listener's ephemeral bind: nothing to add.
 */
export function hostPortRule(protocol: string, port: number, preserve: boolean): { hostPortSuffix: string; hostPortStrip: boolean } {
  if (preserve || port === 0) return { hostPortSuffix: '', hostPortStrip: false }
  if ((protocol === 'HTTP' && port === 80) || (protocol === 'HTTPS' && port === 443)) return { hostPortSuffix: '', hostPortStrip: true }
  return { hostPortSuffix: `:${port}`, hostPortStrip: false }
}
