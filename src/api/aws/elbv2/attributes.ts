import { crossZoneEnabled, type LoadBalancer } from '../../../model/load-balancer.js'
import type { TargetGroup } from '../../../model/target-group.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import { connectionTerminationEnabled, isNetworkProtocol } from '../../../model/target-group.js'
import type { Listener } from '../../../model/listener.js'
import {
  attributeProblem,
  headerNameProblem,
  MTLS_HEADER_NAMES,
  responseHeaderProblem,
  TCP_IDLE_TIMEOUT_RANGE,
  type ListenerAttributesSpec,
  type ResponseHeaderField,
} from '../../../model/listener-attributes.js'
import {
  LB_ATTRIBUTES,
  LB_FIXED,
  LISTENER_ATTRIBUTES,
  LISTENER_FIXED,
  NLB_LISTENER_ATTRIBUTES,
  NLB_ATTRIBUTES,
  NLB_FIXED,
  NLB_TG_ATTRIBUTES,
  NLB_TG_FIXED,
  TG_ATTRIBUTES,
  TG_FIXED,
  LAMBDA_TG_ATTRIBUTES,
  type Kind,
  type Mapped,
} from './attribute-keys.js'

const invalid = (message: string) => new AwsError('ValidationError', message)

function read(obj: unknown, path: readonly string[]): string {
  let v: unknown = obj
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p]
  return v === undefined || v === null ? '' : String(v)
}

function attributesOut(mapped: readonly Mapped[], fixed: Record<string, string>, attrs: unknown): { Key: string; Value: string }[] {
  return [...mapped.map(([Key, path]) => ({ Key, Value: read(attrs, path) })), ...Object.entries(fixed).map(([Key, Value]) => ({ Key, Value }))]
}

/** The attribute tables of a balancer's type and of a group's protocol. */
const lbTables = (lb: Pick<LoadBalancer, 'type' | 'scheme'>): readonly [readonly Mapped[], Record<string, string>] => {
  const [mapped, fixed] = lb.type === 'application' ? ([LB_ATTRIBUTES, LB_FIXED] as const) : ([NLB_ATTRIBUTES, NLB_FIXED] as const)
  // AWS: internet gateway traffic is denied to internal balancers, allowed to internet-facing ones.
  return [mapped, { ...fixed, 'ipv6.deny_all_igw_traffic': lb.scheme === 'internal' ? 'true' : 'false' }]
}
const tgTables = (tg: Pick<TargetGroup, 'protocol' | 'targetType'>): readonly [readonly Mapped[], Record<string, string>] =>
  tg.targetType === 'lambda' ? ([LAMBDA_TG_ATTRIBUTES, {}] as const) : isNetworkProtocol(tg.protocol) ? ([NLB_TG_ATTRIBUTES, NLB_TG_FIXED] as const) : ([TG_ATTRIBUTES, TG_FIXED] as const)
const listenerTables = (l: Pick<Listener, 'protocol'>): readonly [readonly Mapped[], Record<string, string>] =>
  l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? [LISTENER_ATTRIBUTES, LISTENER_FIXED] : [NLB_LISTENER_ATTRIBUTES, {}]

export function loadBalancerAttributesOut(lb: LoadBalancer): { Key: string; Value: string }[] {
  const [mapped, fixed] = lbTables(lb)
  // cross-zone is stored only when set: show the type's default (NLB false).
  return attributesOut(mapped, fixed, { ...lb.attributes, crossZoneEnabled: crossZoneEnabled(lb) })
}

export const targetGroupAttributesOut = (tg: TargetGroup) =>
  // connection termination is stored only when set: show the protocol's default.
  attributesOut(
    ...tgTables(tg),
    tg.targetType === 'lambda'
      ? { lambdaMultiValueHeaders: tg.attributes.lambdaMultiValueHeaders ?? false }
      : isNetworkProtocol(tg.protocol) ? { ...tg.attributes, connectionTermination: connectionTerminationEnabled(tg) } : tg.attributes,
  )

function convert(key: string, kind: Kind, value: string): unknown {
  if (kind === 'bool') {
    if (value !== 'true' && value !== 'false') throw invalid(`Attribute '${key}' must be 'true' or 'false'`)
    return value === 'true'
  }
  if (kind === 'int') {
    if (!/^-?\d+$/.test(value)) throw invalid(`Attribute '${key}' must be an integer`)
    return Number(value)
  }
  return value
}

/** Attributes.member.N.Key/Value -> a patch of the model's attributes (nested objects merged by control/). */
function attributesIn(p: Params, mapped: readonly Mapped[], fixed: Record<string, string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  const list = p.objs('Attributes')
  if (list.length === 0) throw invalid('Attributes must contain at least one attribute')
  for (const a of list) {
    const key = a.required('Key')
    const value = a.str('Value') ?? ''
    const m = mapped.find(([k]) => k === key)
    if (m) {
      const [, path, kind] = m
      let node = patch
      for (const seg of path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>
      node[path[path.length - 1] ?? ''] = convert(key, kind, value)
      continue
    }
    const f = fixed[key]
    // AWS: an attribute the resource does not have is InvalidConfigurationRequest "Key ... not valid".
    if (f === undefined) throw new AwsError('InvalidConfigurationRequest', `Key ${key} not valid`)
    // An AWS attribute openalb has no behaviour for: its default only, never stored and ignored.
    if (f !== value) throw new AwsError('InvalidConfigurationRequest', `Attribute '${key}' can only be '${f}': openalb does not implement other values yet`)
  }
  return patch
}

export const loadBalancerAttributesIn = (p: Params, lb: Pick<LoadBalancer, 'type' | 'scheme'>) => attributesIn(p, ...lbTables(lb))
export const targetGroupAttributesIn = (p: Params, tg: Pick<TargetGroup, 'protocol' | 'targetType'>) => attributesIn(p, ...tgTables(tg))

/** A listener's attributes as AWS lists them, defaults filled in. */
export function listenerAttributesOut(l: Pick<Listener, 'protocol' | 'attributes'>): { Key: string; Value: string }[] {
  const a = l.attributes ?? {}
  return attributesOut(...listenerTables(l), {
    serverEnabled: a.serverEnabled ?? true,
    responseHeaders: a.responseHeaders ?? {},
    mtlsHeaderNames: { ...MTLS_HEADER_NAMES, ...a.mtlsHeaderNames },
    tcpIdleTimeoutSeconds: a.tcpIdleTimeoutSeconds ?? 350,
  })
}

/**
 * ModifyListenerAttributes' Attributes -> the patch control merges. A value the attribute cannot
 * hold (model/listener-attributes.ts has the rules) is InvalidConfigurationRequest naming the key,
 * the one error botocore gives the operation besides ListenerNotFound.
 */
export function listenerAttributesIn(p: Params, l: Pick<Listener, 'protocol'>): ListenerAttributesSpec {
  const refuse = (key: string, value: string, why: string) => new AwsError('InvalidConfigurationRequest', `The value '${value}' of attribute '${key}' is not valid: ${why}`)
  let patch: ListenerAttributesSpec
  try {
    patch = attributesIn(p, ...listenerTables(l)) as ListenerAttributesSpec
  } catch (e) {
    if (e instanceof AwsError && e.code === 'ValidationError') throw new AwsError('InvalidConfigurationRequest', e.message)
    throw e
  }
  const keyOf = (path: string): string => [...LISTENER_ATTRIBUTES, ...NLB_LISTENER_ATTRIBUTES].find(([, q]) => q.join('.') === path)?.[0] ?? path
  for (const [field, value] of Object.entries(patch.responseHeaders ?? {})) {
    const problem = responseHeaderProblem(field as ResponseHeaderField, value ?? '')
    if (problem) throw refuse(keyOf(`responseHeaders.${field}`), value ?? '', problem)
  }
  for (const [field, value] of Object.entries(patch.mtlsHeaderNames ?? {})) {
    const problem = headerNameProblem(value ?? '')
    if (problem) throw refuse(keyOf(`mtlsHeaderNames.${field}`), value ?? '', problem)
  }
  const idle = patch.tcpIdleTimeoutSeconds
  if (idle !== undefined && (idle < TCP_IDLE_TIMEOUT_RANGE[0] || idle > TCP_IDLE_TIMEOUT_RANGE[1])) {
    throw refuse('tcp.idle_timeout.seconds', String(idle), `must be from ${TCP_IDLE_TIMEOUT_RANGE[0]} to ${TCP_IDLE_TIMEOUT_RANGE[1]} seconds`)
  }
  const problem = attributeProblem(l.protocol, patch)
  if (problem) {
    const key = keyOf(problem.path)
    const value = p.objs('Attributes').find((a) => a.str('Key') === key)?.str('Value') ?? ''
    throw refuse(key, value, problem.message)
  }
  return patch
}
