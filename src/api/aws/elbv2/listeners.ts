import {
  addListenerCertificates,
  createListener,
  createRule,
  deleteListener,
  deleteRule,
  findListener,
  modifyListener,
  modifyListenerAttributes,
  modifyRule,
  removeListenerCertificates,
  setRulePriorities,
} from '../../../control/load-balancers.js'
import type { Draft } from '../../../control/draft.js'
import { ALPN_POLICIES, type Listener, type MutualAuthenticationSpec } from '../../../model/listener.js'
import { MTLS_MODES } from '../../../model/trust-store.js'
import type { Rule } from '../../../model/rule.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { listenerAttributesIn, listenerAttributesOut } from './attributes.js'
import { mutate, view, type ElbHandler } from './handler.js'
import { actionsFromInput, conditionsFromInput, tagsFromInput, transformsFromInput } from './inputs.js'
import { defaultRuleArn, defaultRuleShape, listenerShape, ruleShape } from './shapes.js'

const certificateArns = (p: Params): string[] | undefined => (p.has('Certificates') ? p.objs('Certificates').map((c) => c.required('CertificateArn')) : undefined)

/** AlpnPolicy (one name, AWS: "You can specify one policy name") for TLS listeners. */
function alpn(p: Params): string | undefined {
  const policies = p.strings('AlpnPolicy') ?? []
  const bad = policies.find((x) => !(ALPN_POLICIES as readonly string[]).includes(x))
  if (bad) throw new AwsError('ALPNPolicyNotFound', `ALPN policy '${bad}' not found`)
  if (policies.length > 1) throw new AwsError('ValidationError', 'You can specify only one ALPN policy')
  return policies[0]
}

/** MutualAuthentication (Mode off, passthrough or verify; verify's trust store and options) as control takes it. */
function mutualAuthentication(p: Params): MutualAuthenticationSpec | undefined {
  const m = p.obj('MutualAuthentication')
  if (!m) return undefined
  const mode = m.str('Mode') ?? 'off'
  if (!(MTLS_MODES as readonly string[]).includes(mode)) throw new AwsError('ValidationError', `Mutual authentication mode '${mode}' is not valid: off, passthrough or verify`)
  const trustStore = m.str('TrustStoreArn')
  const ignore = m.bool('IgnoreClientCertificateExpiry')
  const advertise = m.str('AdvertiseTrustStoreCaNames')
  if (trustStore !== undefined && mode === 'verify') {
    if (!trustStore.includes(':truststore/')) throw new AwsError('ValidationError', `'${trustStore}' is not a valid trust store ARN`)
  }
  return {
    mode: mode as MutualAuthenticationSpec['mode'],
    ...(trustStore !== undefined ? { trustStore } : {}),
    ...(ignore !== undefined ? { ignoreClientCertificateExpiry: ignore } : {}),
    ...(advertise !== undefined ? { advertiseTrustStoreCaNames: advertise as 'on' | 'off' } : {}),
  }
}

export const CreateListener: ElbHandler = async (call) => {
  const p = call.params
  const lbArn = p.required('LoadBalancerArn')
  const alpnPolicy = alpn(p)
  const port = p.int('Port')
  if (port === undefined) throw new AwsError('ValidationError', 'Port is required')
  const spec: Record<string, unknown> = { port, defaultActions: actionsFromInput(p.objs('DefaultActions')) }
  const protocol = p.str('Protocol')
  if (protocol !== undefined) spec.protocol = protocol
  const certs = certificateArns(p)
  if (certs) spec.certificates = certs.slice(0, 1)
  if (certs && certs.length > 1) throw new AwsError('ValidationError', 'A listener takes one default certificate; add more with AddListenerCertificates')
  const policy = p.str('SslPolicy')
  if (policy !== undefined) spec.sslPolicy = policy
  if (alpnPolicy !== undefined) spec.alpnPolicy = alpnPolicy
  const mtls = mutualAuthentication(p)
  if (mtls !== undefined) spec.mutualAuthentication = mtls
  const tags = tagsFromInput(p)
  if (tags) spec.tags = tags
  const l = await mutate(call, (d) => createListener(d, lbArn, spec as unknown as Parameters<typeof createListener>[2]))
  return { Listeners: [listenerShape(l)] }
}

export const DescribeListeners: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  const lbArn = p.str('LoadBalancerArn')
  const arns = p.strings('ListenerArns') ?? []
  if (lbArn === undefined && arns.length === 0) throw new AwsError('ValidationError', 'You must specify either listener ARNs or a load balancer ARN')
  if (lbArn !== undefined && arns.length > 0) throw new AwsError('ValidationError', 'Listener ARNs and a load balancer ARN cannot be specified at the same time')
  let listeners: Listener[]
  if (lbArn !== undefined) {
    d.resolve('load-balancer', lbArn)
    listeners = d.list('listener').filter((l) => l.loadBalancerArn === lbArn).sort((a, b) => a.port - b.port)
  } else {
    listeners = arns.map((a) => findListener(d, a))
  }
  const pg = page(listeners, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { Listeners: pg.items.map(listenerShape), NextMarker: pg.next }
}

export const ModifyListener: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('ListenerArn')
  const alpnPolicy = alpn(p)
  const patch: Parameters<typeof modifyListener>[2] = {}
  if (alpnPolicy !== undefined) patch.alpnPolicy = alpnPolicy
  const port = p.int('Port')
  if (port !== undefined) patch.port = port
  const protocol = p.str('Protocol')
  if (protocol !== undefined) patch.protocol = protocol
  const certs = certificateArns(p)
  if (certs) patch.certificates = certs.slice(0, 1)
  const policy = p.str('SslPolicy')
  if (policy !== undefined) patch.sslPolicy = policy
  const mtls = mutualAuthentication(p)
  if (mtls !== undefined) patch.mutualAuthentication = mtls
  if (p.has('DefaultActions')) patch.defaultActions = actionsFromInput(p.objs('DefaultActions'))
  const l = await mutate(call, (d) => modifyListener(d, arn, patch))
  return { Listeners: [listenerShape(l)] }
}

export const DeleteListener: ElbHandler = async (call) => {
  const arn = call.params.required('ListenerArn')
  await mutate(call, (d) => deleteListener(d, arn))
  return {}
}

export const DescribeListenerCertificates: ElbHandler = async (call) => {
  const p = call.params
  const l = findListener(await view(call), p.required('ListenerArn'))
  const pg = page(l.certificates, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { Certificates: pg.items.map((c) => ({ CertificateArn: c.arn, IsDefault: c.isDefault })), NextMarker: pg.next }
}

export const AddListenerCertificates: ElbHandler = async (call) => {
  const arn = call.params.required('ListenerArn')
  const certs = certificateArns(call.params) ?? []
  if (certs.length === 0) throw new AwsError('ValidationError', 'Certificates must contain at least one certificate')
  const l = await mutate(call, (d) => addListenerCertificates(d, arn, certs))
  return { Certificates: l.certificates.filter((c) => !c.isDefault).map((c) => ({ CertificateArn: c.arn, IsDefault: false })) }
}

export const RemoveListenerCertificates: ElbHandler = async (call) => {
  const arn = call.params.required('ListenerArn')
  const certs = certificateArns(call.params) ?? []
  if (certs.length === 0) throw new AwsError('ValidationError', 'Certificates must contain at least one certificate')
  await mutate(call, (d) => removeListenerCertificates(d, arn, certs))
  return {}
}

export const DescribeListenerAttributes: ElbHandler = async (call) => {
  return { Attributes: listenerAttributesOut(findListener(await view(call), call.params.required('ListenerArn'))) }
}

export const ModifyListenerAttributes: ElbHandler = async (call) => {
  const arn = call.params.required('ListenerArn')
  const l = await mutate(call, (d) => modifyListenerAttributes(d, arn, listenerAttributesIn(call.params, findListener(d, arn))))
  return { Attributes: listenerAttributesOut(l) }
}

export const CreateRule: ElbHandler = async (call) => {
  const p = call.params
  const listenerArn = p.required('ListenerArn')
  const priority = p.int('Priority')
  if (priority === undefined) throw new AwsError('ValidationError', 'Priority is required')
  const spec: Record<string, unknown> = {
    priority,
    conditions: conditionsFromInput(p.objs('Conditions')),
    actions: actionsFromInput(p.objs('Actions')),
    transforms: transformsFromInput(p.objs('Transforms')),
  }
  const tags = tagsFromInput(p)
  if (tags) spec.tags = tags
  const r = await mutate(call, (d) => createRule(d, listenerArn, spec as unknown as Parameters<typeof createRule>[2]))
  return { Rules: [ruleShape(r)] }
}

/** The listener whose default rule an ARN names, if it does. */
function defaultRuleOwner(d: Draft, arn: string): Listener | undefined {
  if (!arn.includes(':listener-rule/')) return undefined
  const listenerArn = arn.replace(':listener-rule/', ':listener/').replace(/\/[0-9a-f]+$/, '')
  const l = d.get('listener', listenerArn)
  return l && defaultRuleArn(l.arn) === arn ? l : undefined
}

export const DescribeRules: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  const listenerArn = p.str('ListenerArn')
  const arns = p.strings('RuleArns') ?? []
  if (listenerArn === undefined && arns.length === 0) throw new AwsError('ValidationError', 'You must specify either listener rule ARNs or a listener ARN')
  if (listenerArn !== undefined && arns.length > 0) throw new AwsError('ValidationError', 'Listener rule ARNs and a listener ARN cannot be specified at the same time')
  type Entry = { rule: Rule } | { listener: Listener }
  let entries: Entry[]
  if (listenerArn !== undefined) {
    const l = findListener(d, listenerArn)
    const rules = d.list('rule').filter((r) => r.listenerArn === l.arn).sort((a, b) => a.priority - b.priority)
    entries = [...rules.map((rule) => ({ rule })), { listener: l }]
  } else {
    entries = arns.map((arn) => {
      const rule = d.get('rule', arn)
      if (rule) return { rule }
      const listener = defaultRuleOwner(d, arn)
      if (listener) return { listener }
      throw new AwsError('RuleNotFound', 'One or more rules not found')
    })
  }
  const pg = page(entries, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { Rules: pg.items.map((e) => ('rule' in e ? ruleShape(e.rule) : defaultRuleShape(e.listener))), NextMarker: pg.next }
}

export const ModifyRule: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('RuleArn')
  const conditions = p.has('Conditions') ? conditionsFromInput(p.objs('Conditions')) : undefined
  const actions = p.has('Actions') ? actionsFromInput(p.objs('Actions')) : undefined
  const reset = p.bool('ResetTransforms') === true
  if (reset && p.has('Transforms')) throw new AwsError('ValidationError', 'You cannot specify both Transforms and ResetTransforms')
  const transforms = reset ? [] : p.has('Transforms') ? transformsFromInput(p.objs('Transforms')) : undefined
  const shape = await mutate(call, (d) => {
    const owner = defaultRuleOwner(d, arn)
    if (owner) {
      if (conditions && conditions.length > 0) throw new AwsError('OperationNotPermitted', 'The default rule of a listener cannot have conditions')
      if (transforms && transforms.length > 0) throw new AwsError('OperationNotPermitted', 'The default rule of a listener cannot have transforms')
      const l = actions ? modifyListener(d, owner.arn, { defaultActions: actions }) : owner
      return defaultRuleShape(l)
    }
    return ruleShape(modifyRule(d, arn, { ...(conditions ? { conditions } : {}), ...(actions ? { actions } : {}), ...(transforms ? { transforms } : {}) }))
  })
  return { Rules: [shape] }
}

export const SetRulePriorities: ElbHandler = async (call) => {
  const moves = call.params.objs('RulePriorities').map((m) => {
    const priority = m.int('Priority')
    if (priority === undefined) throw new AwsError('ValidationError', 'Priority is required')
    return { rule: m.required('RuleArn'), priority }
  })
  const rules = await mutate(call, (d) => {
    for (const m of moves) if (defaultRuleOwner(d, m.rule)) throw new AwsError('OperationNotPermitted', 'The priority of the default rule cannot be changed')
    return setRulePriorities(d, moves)
  })
  return { Rules: rules.map(ruleShape) }
}

export const DeleteRule: ElbHandler = async (call) => {
  const arn = call.params.required('RuleArn')
  await mutate(call, (d) => {
    if (defaultRuleOwner(d, arn)) throw new AwsError('OperationNotPermitted', 'The default rule of a listener cannot be deleted')
    deleteRule(d, arn)
  })
  return {}
}
