import {
  addClassicTags,
  attachClassicSubnets,
  CLASSIC_LIMITS,
  configureClassicHealthCheck,
  createClassicPolicy,
  deleteClassicPolicy,
  detachClassicSubnets,
  disableClassicZones,
  enableClassicZones,
  modifyClassicAttributes,
  removeClassicTags,
  setClassicListenerPolicies,
  setClassicSecurityGroups,
  createClassicListeners,
  createClassicLoadBalancer,
  deleteClassicListeners,
  deleteClassicLoadBalancer,
  deregisterClassicInstances,
  findClassic,
  registerClassicInstances,
  setClassicListenerCertificate,
  type ClassicListenerInput,
} from '../../../control/classic-load-balancers.js'
import type { Draft } from '../../../control/draft.js'
import type { ClassicAttributes, ClassicLoadBalancer, ClassicPolicy } from '../../../model/classic-load-balancer.js'
import type { Call, TargetHealthDescription } from '../deps.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import type { XmlValue } from '../protocol/xml.js'

/** The Classic Load Balancer API (elb): Query protocol, told apart from ELBv2 (2015-12-01) by its Version only. */
export const ELB_CLASSIC_VERSION = '2012-06-01'
export const ELB_CLASSIC_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/'

export type ClassicResult = Record<string, XmlValue> | undefined
export type ClassicHandler = (call: Call) => Promise<ClassicResult>

async function mutate<T>(call: Call, fn: (d: Draft) => T): Promise<T> {
  return (await call.deps.control.mutate(fn)).value
}

/** Parameters an operation does not read are refused by name, never accepted and ignored. */
function only(p: Params, action: string, keys: readonly string[]): void {
  for (const k of Object.keys(p.raw)) {
    if (!keys.includes(k)) throw new AwsError('ValidationError', `openalb does not support the parameter ${k} of ${action}`)
  }
}

function listenersIn(p: Params): ClassicListenerInput[] {
  return p.objs('Listeners').map((l) => ({
    protocol: l.required('Protocol'),
    loadBalancerPort: l.int('LoadBalancerPort') ?? Number.NaN,
    instanceProtocol: l.str('InstanceProtocol'),
    instancePort: l.int('InstancePort') ?? Number.NaN,
    sslCertificateId: l.str('SSLCertificateId'),
  }))
}

function tagsIn(p: Params): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of p.objs('Tags')) out[t.required('Key')] = t.str('Value') ?? ''
  return out
}

function instanceIds(p: Params): string[] {
  return p.objs('Instances').map((i) => i.required('InstanceId'))
}

export function loadBalancerDescription(lb: ClassicLoadBalancer): Record<string, XmlValue> {
  const lbCookies = lb.policies.filter((x) => x.type === 'LBCookieStickinessPolicyType')
  const appCookies = lb.policies.filter((x) => x.type === 'AppCookieStickinessPolicyType')
  return {
    LoadBalancerName: lb.name,
    DNSName: lb.dnsName,
    CanonicalHostedZoneName: lb.dnsName,
    CanonicalHostedZoneNameID: lb.canonicalHostedZoneNameId,
    ListenerDescriptions: lb.listeners.map((l) => ({
      Listener: {
        Protocol: l.protocol,
        LoadBalancerPort: l.loadBalancerPort,
        InstanceProtocol: l.instanceProtocol,
        InstancePort: l.instancePort,
        ...(l.sslCertificateId ? { SSLCertificateId: l.sslCertificateId } : {}),
      },
      PolicyNames: [...l.policyNames],
    })),
    Policies: {
      AppCookieStickinessPolicies: appCookies.map((x) => ({ PolicyName: x.name, CookieName: x.type === 'AppCookieStickinessPolicyType' ? x.cookieName : '' })),
      LBCookieStickinessPolicies: lbCookies.map((x) => ({
        PolicyName: x.name,
        ...(x.type === 'LBCookieStickinessPolicyType' && x.cookieExpirationPeriod !== undefined ? { CookieExpirationPeriod: x.cookieExpirationPeriod } : {}),
      })),
      OtherPolicies: lb.policies.filter((x) => x.type === 'SSLNegotiationPolicyType').map((x) => x.name),
    },
    BackendServerDescriptions: [],
    AvailabilityZones: [...lb.availabilityZones],
    Subnets: [...lb.subnets],
    VPCId: lb.vpcId,
    Instances: lb.instances.map((id) => ({ InstanceId: id })),
    HealthCheck: { ...healthCheckOut(lb) },
    SourceSecurityGroup: { OwnerAlias: lb.arn.split(':')[4] ?? '', GroupName: lb.securityGroups[0] ?? 'default' },
    SecurityGroups: [...lb.securityGroups],
    CreatedTime: lb.createdTime,
    Scheme: lb.scheme,
  }
}

function healthCheckOut(lb: ClassicLoadBalancer): Record<string, XmlValue> {
  const hc = lb.healthCheck
  return { Target: hc.target, Interval: hc.interval, Timeout: hc.timeout, UnhealthyThreshold: hc.unhealthyThreshold, HealthyThreshold: hc.healthyThreshold }
}

/** DescribeLoadBalancers' page size (AWS: 1-400, default 400). */
function paged<T>(items: readonly T[], marker: string | undefined, size: number): { page: T[]; next?: string } {
  const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64').toString('utf8'))
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new AwsError('ValidationError', 'Invalid Marker')
  const page = items.slice(start, start + size)
  return start + size < items.length ? { page, next: Buffer.from(String(start + size)).toString('base64') } : { page }
}

export const CreateLoadBalancer: ClassicHandler = async (call) => {
  const p = call.params
  only(p, 'CreateLoadBalancer', ['LoadBalancerName', 'Listeners', 'AvailabilityZones', 'Subnets', 'SecurityGroups', 'Scheme', 'Tags'])
  const name = p.required('LoadBalancerName')
  const input = {
    name,
    listeners: listenersIn(p),
    availabilityZones: p.strings('AvailabilityZones'),
    subnets: p.strings('Subnets'),
    securityGroups: p.strings('SecurityGroups'),
    scheme: p.str('Scheme'),
    tags: tagsIn(p),
  }
  const lb = await mutate(call, (d) => createClassicLoadBalancer(d, input))
  return { DNSName: lb.dnsName }
}

export const DeleteLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'DeleteLoadBalancer', ['LoadBalancerName'])
  const name = call.params.required('LoadBalancerName')
  await mutate(call, (d) => deleteClassicLoadBalancer(d, name))
  return {}
}

export const DescribeLoadBalancers: ClassicHandler = async (call) => {
  const p = call.params
  only(p, 'DescribeLoadBalancers', ['LoadBalancerNames', 'Marker', 'PageSize'])
  const names = p.strings('LoadBalancerNames')
  const d = await call.deps.control.view()
  const all = names && names.length > 0 ? names.map((n) => findClassic(d, n)) : d.list('classic-load-balancer').sort((a, b) => a.createdTime.localeCompare(b.createdTime))
  const { page, next } = paged(all, p.str('Marker'), p.int('PageSize') ?? 400)
  return { LoadBalancerDescriptions: page.map(loadBalancerDescription), ...(next ? { NextMarker: next } : {}) }
}

export const CreateLoadBalancerListeners: ClassicHandler = async (call) => {
  only(call.params, 'CreateLoadBalancerListeners', ['LoadBalancerName', 'Listeners'])
  const name = call.params.required('LoadBalancerName')
  const listeners = listenersIn(call.params)
  await mutate(call, (d) => createClassicListeners(d, name, listeners))
  return {}
}

export const DeleteLoadBalancerListeners: ClassicHandler = async (call) => {
  only(call.params, 'DeleteLoadBalancerListeners', ['LoadBalancerName', 'LoadBalancerPorts'])
  const name = call.params.required('LoadBalancerName')
  const ports = (call.params.strings('LoadBalancerPorts') ?? []).map(Number)
  await mutate(call, (d) => deleteClassicListeners(d, name, ports))
  return {}
}

export const ConfigureHealthCheck: ClassicHandler = async (call) => {
  only(call.params, 'ConfigureHealthCheck', ['LoadBalancerName', 'HealthCheck'])
  const name = call.params.required('LoadBalancerName')
  const hc = call.params.obj('HealthCheck')
  if (!hc) throw new AwsError('ValidationError', 'HealthCheck is required')
  const input = {
    target: hc.required('Target'),
    interval: hc.int('Interval') ?? Number.NaN,
    timeout: hc.int('Timeout') ?? Number.NaN,
    unhealthyThreshold: hc.int('UnhealthyThreshold') ?? Number.NaN,
    healthyThreshold: hc.int('HealthyThreshold') ?? Number.NaN,
  }
  const lb = await mutate(call, (d) => configureClassicHealthCheck(d, name, input))
  return { HealthCheck: healthCheckOut(lb) }
}

export const RegisterInstancesWithLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'RegisterInstancesWithLoadBalancer', ['LoadBalancerName', 'Instances'])
  const name = call.params.required('LoadBalancerName')
  const ids = instanceIds(call.params)
  const lb = await mutate(call, (d) => registerClassicInstances(d, name, ids))
  return { Instances: lb.instances.map((id) => ({ InstanceId: id })) }
}

export const DeregisterInstancesFromLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'DeregisterInstancesFromLoadBalancer', ['LoadBalancerName', 'Instances'])
  const name = call.params.required('LoadBalancerName')
  const ids = instanceIds(call.params)
  const lb = await mutate(call, (d) => deregisterClassicInstances(d, name, ids))
  return { Instances: lb.instances.map((id) => ({ InstanceId: id })) }
}

/** Classic's words for the health checker's states (InstanceState's documented descriptions). */
function instanceState(d: Draft, id: string, h: TargetHealthDescription | undefined, registered: boolean): Record<string, XmlValue> {
  const out = (State: string, ReasonCode: string, Description: string) => ({ InstanceId: id, State, ReasonCode, Description })
  if (!registered && h?.state !== 'draining') return out('OutOfService', 'Instance', 'Instance is not currently registered with the LoadBalancer.')
  const instance = d.get('instance', id)
  if (instance && instance.state !== 'running') return out('OutOfService', 'Instance', `Instance is in ${instance.state} state.`)
  switch (h?.state) {
    case 'healthy':
      return out('InService', 'N/A', 'N/A')
    case 'unhealthy':
      return out('OutOfService', 'Instance', 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.')
    case 'draining':
      return out('InService', 'N/A', 'Instance deregistration currently in progress.')
    case 'initial':
      if (h.reason === 'Elb.InitialHealthChecking') return out('OutOfService', 'Instance', 'Instance has not passed the configured HealthyThreshold number of health checks consecutively.')
      return out('OutOfService', 'ELB', 'Instance registration is still in progress.')
    default:
      return out('Unknown', 'ELB', 'A transient error occurred. Please try again later.')
  }
}

export const DescribeInstanceHealth: ClassicHandler = async (call) => {
  only(call.params, 'DescribeInstanceHealth', ['LoadBalancerName', 'Instances'])
  const name = call.params.required('LoadBalancerName')
  const asked = instanceIds(call.params)
  const d = await call.deps.control.view()
  const lb = findClassic(d, name)
  const unknown = asked.filter((id) => !d.get('instance', id))
  if (unknown.length > 0) throw new AwsError('InvalidInstance', `Could not find EC2 instance ${unknown.join(', ')}.`)
  const health = await call.deps.targetHealth(lb.arn)
  const draining = health.filter((h) => h.state === 'draining' && !lb.instances.includes(h.targetId)).map((h) => h.targetId)
  // AWS: without Instances, every registered one; the state of terminated instances is not returned.
  const ids = asked.length > 0 ? asked : [...lb.instances, ...draining.filter((id, i) => draining.indexOf(id) === i)]
  const states = ids
    .filter((id) => d.get('instance', id)?.state !== 'terminated')
    .map((id) => {
      const registered = lb.instances.includes(id)
      const h = registered ? health.find((x) => x.targetId === id && x.state !== 'draining') : health.find((x) => x.targetId === id && x.state === 'draining')
      return instanceState(d, id, h, registered)
    })
  return { InstanceStates: states }
}

export const SetLoadBalancerListenerSSLCertificate: ClassicHandler = async (call) => {
  only(call.params, 'SetLoadBalancerListenerSSLCertificate', ['LoadBalancerName', 'LoadBalancerPort', 'SSLCertificateId'])
  const name = call.params.required('LoadBalancerName')
  const port = call.params.int('LoadBalancerPort') ?? Number.NaN
  const cert = call.params.required('SSLCertificateId')
  await mutate(call, (d) => setClassicListenerCertificate(d, name, port, cert))
  return {}
}


export const CreateLBCookieStickinessPolicy: ClassicHandler = async (call) => {
  only(call.params, 'CreateLBCookieStickinessPolicy', ['LoadBalancerName', 'PolicyName', 'CookieExpirationPeriod'])
  const name = call.params.required('LoadBalancerName')
  const period = call.params.int('CookieExpirationPeriod')
  const policy: ClassicPolicy = { name: call.params.required('PolicyName'), type: 'LBCookieStickinessPolicyType', ...(period !== undefined ? { cookieExpirationPeriod: period } : {}) }
  await mutate(call, (d) => createClassicPolicy(d, name, policy))
  return {}
}

export const CreateAppCookieStickinessPolicy: ClassicHandler = async (call) => {
  only(call.params, 'CreateAppCookieStickinessPolicy', ['LoadBalancerName', 'PolicyName', 'CookieName'])
  const name = call.params.required('LoadBalancerName')
  const policy: ClassicPolicy = { name: call.params.required('PolicyName'), type: 'AppCookieStickinessPolicyType', cookieName: call.params.required('CookieName') }
  await mutate(call, (d) => createClassicPolicy(d, name, policy))
  return {}
}

/** SSLNegotiationPolicyType by Reference-Security-Policy only: a predefined policy openalb serves; custom protocol and cipher lists are refused. */
export const CreateLoadBalancerPolicy: ClassicHandler = async (call) => {
  only(call.params, 'CreateLoadBalancerPolicy', ['LoadBalancerName', 'PolicyName', 'PolicyTypeName', 'PolicyAttributes'])
  const name = call.params.required('LoadBalancerName')
  const type = call.params.required('PolicyTypeName')
  if (type !== 'SSLNegotiationPolicyType') {
    throw new AwsError('PolicyTypeNotFound', `openalb does not support the policy type ${type} with CreateLoadBalancerPolicy (it supports SSLNegotiationPolicyType with Reference-Security-Policy)`)
  }
  const attributes = call.params.objs('PolicyAttributes').map((a) => ({ name: a.str('AttributeName') ?? '', value: a.str('AttributeValue') ?? '' }))
  const other = attributes.find((a) => a.name !== 'Reference-Security-Policy')
  if (other) throw new AwsError('InvalidConfigurationRequest', `openalb supports SSL negotiation policies by Reference-Security-Policy only, not the attribute ${other.name}`, 409)
  const reference = attributes.find((a) => a.name === 'Reference-Security-Policy')?.value
  if (!reference) throw new AwsError('InvalidConfigurationRequest', 'The Reference-Security-Policy attribute (a predefined policy such as ELBSecurityPolicy-TLS-1-2-2017-01) is required', 409)
  const policy: ClassicPolicy = { name: call.params.required('PolicyName'), type: 'SSLNegotiationPolicyType', referenceSecurityPolicy: reference }
  await mutate(call, (d) => createClassicPolicy(d, name, policy))
  return {}
}

export const SetLoadBalancerPoliciesOfListener: ClassicHandler = async (call) => {
  only(call.params, 'SetLoadBalancerPoliciesOfListener', ['LoadBalancerName', 'LoadBalancerPort', 'PolicyNames'])
  const name = call.params.required('LoadBalancerName')
  const port = call.params.int('LoadBalancerPort') ?? Number.NaN
  const names = call.params.strings('PolicyNames') ?? []
  await mutate(call, (d) => setClassicListenerPolicies(d, name, port, names))
  return {}
}

export const DeleteLoadBalancerPolicy: ClassicHandler = async (call) => {
  only(call.params, 'DeleteLoadBalancerPolicy', ['LoadBalancerName', 'PolicyName'])
  const name = call.params.required('LoadBalancerName')
  const policy = call.params.required('PolicyName')
  await mutate(call, (d) => deleteClassicPolicy(d, name, policy))
  return {}
}

/** The policy types openalb applies (stickiness); the others of AWS are PolicyTypeNotFound here. */
const POLICY_TYPES: Record<string, Record<string, XmlValue>> = {
  LBCookieStickinessPolicyType: {
    PolicyTypeName: 'LBCookieStickinessPolicyType',
    Description: 'Stickiness policy with session lifetimes controlled by the lifetime of the browser (user-agent) or a specified expiration period. This policy can be associated only with HTTP/HTTPS listeners.',
    PolicyAttributeTypeDescriptions: [{ AttributeName: 'CookieExpirationPeriod', AttributeType: 'Long', Description: 'The time period, in seconds, after which the cookie should be considered stale. 0 (the default) lasts for the browser session.', DefaultValue: '0', Cardinality: 'ZERO_OR_ONE' }],
  },
  SSLNegotiationPolicyType: {
    PolicyTypeName: 'SSLNegotiationPolicyType',
    Description: 'Listener policy that defines the ciphers and protocols that will be accepted by the load balancer. This policy can be associated only with HTTPS/SSL listeners.',
    PolicyAttributeTypeDescriptions: [{ AttributeName: 'Reference-Security-Policy', AttributeType: 'String', Description: 'The name of the predefined security policy the listener uses (openalb: no custom protocol or cipher attributes).', Cardinality: 'ZERO_OR_ONE' }],
  },
  AppCookieStickinessPolicyType: {
    PolicyTypeName: 'AppCookieStickinessPolicyType',
    Description: 'Stickiness policy with session lifetimes controlled by the lifetime of the application-generated cookie. This policy can be associated only with HTTP/HTTPS listeners.',
    PolicyAttributeTypeDescriptions: [{ AttributeName: 'CookieName', AttributeType: 'String', Description: 'The name of the application cookie used for stickiness.', Cardinality: 'ONE' }],
  },
}

export const DescribeLoadBalancerPolicyTypes: ClassicHandler = async (call) => {
  only(call.params, 'DescribeLoadBalancerPolicyTypes', ['PolicyTypeNames'])
  const names = call.params.strings('PolicyTypeNames') ?? []
  for (const n of names) if (!POLICY_TYPES[n]) throw new AwsError('PolicyTypeNotFound', `openalb does not support the policy type ${n} (it applies LBCookieStickinessPolicyType, AppCookieStickinessPolicyType and SSLNegotiationPolicyType by reference)`)
  return { PolicyTypeDescriptions: (names.length > 0 ? names : Object.keys(POLICY_TYPES)).map((n) => POLICY_TYPES[n] ?? {}) }
}

function policyDescription(p: ClassicPolicy): Record<string, XmlValue> {
  const attributes =
    p.type === 'LBCookieStickinessPolicyType'
      ? [{ AttributeName: 'CookieExpirationPeriod', AttributeValue: String(p.cookieExpirationPeriod ?? 0) }]
      : p.type === 'AppCookieStickinessPolicyType'
        ? [{ AttributeName: 'CookieName', AttributeValue: p.cookieName }]
        : [{ AttributeName: 'Reference-Security-Policy', AttributeValue: p.referenceSecurityPolicy }]
  return { PolicyName: p.name, PolicyTypeName: p.type, PolicyAttributeDescriptions: attributes }
}

export const DescribeLoadBalancerPolicies: ClassicHandler = async (call) => {
  only(call.params, 'DescribeLoadBalancerPolicies', ['LoadBalancerName', 'PolicyNames'])
  const name = call.params.str('LoadBalancerName')
  const names = call.params.strings('PolicyNames') ?? []
  // AWS lists its sample SSL negotiation policies without a balancer; openalb has none to apply.
  if (name === undefined) {
    if (names.length > 0) throw new AwsError('PolicyNotFound', `There is no policy with name ${names[0]}: openalb has no sample policies (SSL negotiation policies are not supported)`)
    return { PolicyDescriptions: [] }
  }
  const d = await call.deps.control.view()
  const lb = findClassic(d, name)
  for (const n of names) if (!lb.policies.some((p) => p.name === n)) throw new AwsError('PolicyNotFound', `There is no policy with name ${n} for the load balancer`)
  return { PolicyDescriptions: lb.policies.filter((p) => names.length === 0 || names.includes(p.name)).map(policyDescription) }
}

function attributesOut(a: ClassicAttributes): Record<string, XmlValue> {
  return {
    CrossZoneLoadBalancing: { Enabled: a.crossZoneLoadBalancing },
    AccessLog: { Enabled: a.accessLog.enabled, ...(a.accessLog.s3BucketName ? { S3BucketName: a.accessLog.s3BucketName } : {}), EmitInterval: a.accessLog.emitInterval },
    ConnectionDraining: { Enabled: a.connectionDraining.enabled, Timeout: a.connectionDraining.timeout },
    ConnectionSettings: { IdleTimeout: a.idleTimeout },
    AdditionalAttributes: [{ Key: 'elb.http.desyncmitigationmode', Value: a.desyncMitigationMode }],
  }
}

export const DescribeLoadBalancerAttributes: ClassicHandler = async (call) => {
  only(call.params, 'DescribeLoadBalancerAttributes', ['LoadBalancerName'])
  const d = await call.deps.control.view()
  return { LoadBalancerAttributes: attributesOut(findClassic(d, call.params.required('LoadBalancerName')).attributes) }
}

const badAttribute = (message: string) => new AwsError('InvalidConfigurationRequest', message, 409)

/** The attributes a ModifyLoadBalancerAttributes asks for, over the current ones; what openalb cannot do is refused by name. */
function attributesIn(p: Params, current: ClassicAttributes): ClassicAttributes {
  const a = p.obj('LoadBalancerAttributes')
  if (!a) throw new AwsError('ValidationError', 'LoadBalancerAttributes is required')
  let next = current
  const cross = a.obj('CrossZoneLoadBalancing')
  if (cross) next = { ...next, crossZoneLoadBalancing: cross.bool('Enabled') ?? false }
  const draining = a.obj('ConnectionDraining')
  if (draining) {
    const timeout = draining.int('Timeout') ?? next.connectionDraining.timeout
    if (timeout < 1 || timeout > 3600) throw new AwsError('ValidationError', `ConnectionDraining Timeout must be between 1 and 3600 seconds, not ${timeout}`)
    next = { ...next, connectionDraining: { enabled: draining.bool('Enabled') ?? false, timeout } }
  }
  const settings = a.obj('ConnectionSettings')
  if (settings) next = { ...next, idleTimeout: settings.int('IdleTimeout') ?? next.idleTimeout }
  const log = a.obj('AccessLog')
  if (log) {
    const enabled = log.bool('Enabled') ?? false
    const bucket = log.str('S3BucketName') ?? next.accessLog.s3BucketName
    const interval = log.int('EmitInterval') ?? 60
    if (log.str('S3BucketPrefix')) throw badAttribute('openalb writes access logs to the file S3BucketName names and has no prefixes: leave S3BucketPrefix empty')
    // Lines are written as requests end; a 5-minute publishing interval would be a setting that does nothing.
    if (interval !== 60) throw badAttribute(`openalb writes access log lines as requests end: EmitInterval can only be 60, not ${interval}`)
    if (enabled && !bucket) throw badAttribute('S3BucketName (a file path, or - for standard output) is required to enable access logs')
    next = { ...next, accessLog: { enabled, emitInterval: interval, ...(bucket ? { s3BucketName: bucket } : {}) } }
  }
  for (const extra of a.objs('AdditionalAttributes')) {
    const key = extra.required('Key')
    const value = extra.str('Value') ?? ''
    if (key !== 'elb.http.desyncmitigationmode') throw new AwsError('LoadBalancerAttributeNotFound', `The attribute ${key} does not exist (openalb knows elb.http.desyncmitigationmode)`)
    if (value !== 'monitor' && value !== 'defensive' && value !== 'strictest') throw badAttribute(`elb.http.desyncmitigationmode must be monitor, defensive or strictest, not '${value}'`)
    next = { ...next, desyncMitigationMode: value }
  }
  return next
}

export const ModifyLoadBalancerAttributes: ClassicHandler = async (call) => {
  only(call.params, 'ModifyLoadBalancerAttributes', ['LoadBalancerName', 'LoadBalancerAttributes'])
  const name = call.params.required('LoadBalancerName')
  const lb = await mutate(call, (d) => modifyClassicAttributes(d, name, attributesIn(call.params, findClassic(d, name).attributes)))
  return { LoadBalancerName: lb.name, LoadBalancerAttributes: attributesOut(lb.attributes) }
}

export const EnableAvailabilityZonesForLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'EnableAvailabilityZonesForLoadBalancer', ['LoadBalancerName', 'AvailabilityZones'])
  const name = call.params.required('LoadBalancerName')
  const zones = call.params.strings('AvailabilityZones') ?? []
  const lb = await mutate(call, (d) => enableClassicZones(d, name, zones))
  return { AvailabilityZones: [...lb.availabilityZones] }
}

export const DisableAvailabilityZonesForLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'DisableAvailabilityZonesForLoadBalancer', ['LoadBalancerName', 'AvailabilityZones'])
  const name = call.params.required('LoadBalancerName')
  const zones = call.params.strings('AvailabilityZones') ?? []
  const lb = await mutate(call, (d) => disableClassicZones(d, name, zones))
  return { AvailabilityZones: [...lb.availabilityZones] }
}

export const AttachLoadBalancerToSubnets: ClassicHandler = async (call) => {
  only(call.params, 'AttachLoadBalancerToSubnets', ['LoadBalancerName', 'Subnets'])
  const name = call.params.required('LoadBalancerName')
  const subnets = call.params.strings('Subnets') ?? []
  const lb = await mutate(call, (d) => attachClassicSubnets(d, name, subnets))
  return { Subnets: [...lb.subnets] }
}

export const DetachLoadBalancerFromSubnets: ClassicHandler = async (call) => {
  only(call.params, 'DetachLoadBalancerFromSubnets', ['LoadBalancerName', 'Subnets'])
  const name = call.params.required('LoadBalancerName')
  const subnets = call.params.strings('Subnets') ?? []
  const lb = await mutate(call, (d) => detachClassicSubnets(d, name, subnets))
  return { Subnets: [...lb.subnets] }
}

export const ApplySecurityGroupsToLoadBalancer: ClassicHandler = async (call) => {
  only(call.params, 'ApplySecurityGroupsToLoadBalancer', ['LoadBalancerName', 'SecurityGroups'])
  const name = call.params.required('LoadBalancerName')
  const groups = call.params.strings('SecurityGroups') ?? []
  const lb = await mutate(call, (d) => setClassicSecurityGroups(d, name, groups))
  return { SecurityGroups: [...lb.securityGroups] }
}

function tagNames(p: Params, action: string, max: number): string[] {
  const names = p.strings('LoadBalancerNames') ?? []
  if (names.length === 0 || names.length > max) throw new AwsError('ValidationError', `${action} takes ${max === 1 ? 'one load balancer name' : `1 to ${max} load balancer names`}, not ${names.length}`)
  return names
}

export const AddTags: ClassicHandler = async (call) => {
  only(call.params, 'AddTags', ['LoadBalancerNames', 'Tags'])
  // AWS: "You can specify one load balancer only."
  const names = tagNames(call.params, 'AddTags', 1)
  const keys = call.params.objs('Tags').map((t) => t.required('Key'))
  const dup = keys.find((k, i) => keys.indexOf(k) !== i)
  if (dup !== undefined) throw new AwsError('DuplicateTagKeys', `Tag key '${dup}' was specified more than once`)
  const tags = tagsIn(call.params)
  await mutate(call, (d) => addClassicTags(d, names, tags))
  return {}
}

export const RemoveTags: ClassicHandler = async (call) => {
  only(call.params, 'RemoveTags', ['LoadBalancerNames', 'Tags'])
  const names = tagNames(call.params, 'RemoveTags', 1)
  const keys = call.params.objs('Tags').map((t) => t.required('Key'))
  await mutate(call, (d) => removeClassicTags(d, names, keys))
  return {}
}

export const DescribeTags: ClassicHandler = async (call) => {
  only(call.params, 'DescribeTags', ['LoadBalancerNames'])
  const names = tagNames(call.params, 'DescribeTags', 20)
  const d = await call.deps.control.view()
  return {
    TagDescriptions: names.map((n) => {
      const lb = findClassic(d, n)
      return { LoadBalancerName: lb.name, Tags: Object.entries(lb.tags).map(([Key, Value]) => ({ Key, Value })) }
    }),
  }
}

/** Classic's quotas as DescribeAccountLimits names them. */
export const DescribeAccountLimits: ClassicHandler = async (call) => {
  only(call.params, 'DescribeAccountLimits', ['Marker', 'PageSize'])
  const limits = [
    { Name: 'classic-load-balancers', Max: String(CLASSIC_LIMITS['classic-load-balancers']) },
    { Name: 'classic-listeners', Max: String(CLASSIC_LIMITS['classic-listeners']) },
    { Name: 'classic-registered-instances', Max: String(CLASSIC_LIMITS['classic-registered-instances']) },
  ]
  const { page, next } = paged(limits, call.params.str('Marker'), call.params.int('PageSize') ?? 400)
  return { Limits: page, ...(next ? { NextMarker: next } : {}) }
}

/** Every Classic operation openalb answers, by its Action name. */
export const ELB_OPERATIONS: Readonly<Record<string, ClassicHandler>> = {
  CreateLoadBalancer,
  DeleteLoadBalancer,
  DescribeLoadBalancers,
  CreateLoadBalancerListeners,
  DeleteLoadBalancerListeners,
  ConfigureHealthCheck,
  RegisterInstancesWithLoadBalancer,
  DeregisterInstancesFromLoadBalancer,
  DescribeInstanceHealth,
  SetLoadBalancerListenerSSLCertificate,
  CreateLBCookieStickinessPolicy,
  CreateAppCookieStickinessPolicy,
  SetLoadBalancerPoliciesOfListener,
  CreateLoadBalancerPolicy,
  DeleteLoadBalancerPolicy,
  DescribeLoadBalancerPolicies,
  DescribeLoadBalancerPolicyTypes,
  DescribeLoadBalancerAttributes,
  ModifyLoadBalancerAttributes,
  EnableAvailabilityZonesForLoadBalancer,
  DisableAvailabilityZonesForLoadBalancer,
  AttachLoadBalancerToSubnets,
  DetachLoadBalancerFromSubnets,
  ApplySecurityGroupsToLoadBalancer,
  AddTags,
  RemoveTags,
  DescribeTags,
  DescribeAccountLimits,
}

/** The operations of botocore's elb/2012-06-01 model. */
const CLASSIC_OPERATIONS = new Set([
  'AddTags', 'ApplySecurityGroupsToLoadBalancer', 'AttachLoadBalancerToSubnets', 'ConfigureHealthCheck', 'CreateAppCookieStickinessPolicy',
  'CreateLBCookieStickinessPolicy', 'CreateLoadBalancer', 'CreateLoadBalancerListeners', 'CreateLoadBalancerPolicy', 'DeleteLoadBalancer',
  'DeleteLoadBalancerListeners', 'DeleteLoadBalancerPolicy', 'DeregisterInstancesFromLoadBalancer', 'DescribeAccountLimits', 'DescribeInstanceHealth',
  'DescribeLoadBalancerAttributes', 'DescribeLoadBalancerPolicies', 'DescribeLoadBalancerPolicyTypes', 'DescribeLoadBalancers', 'DescribeTags',
  'DetachLoadBalancerFromSubnets', 'DisableAvailabilityZonesForLoadBalancer', 'EnableAvailabilityZonesForLoadBalancer', 'ModifyLoadBalancerAttributes',
  'RegisterInstancesWithLoadBalancer', 'RemoveTags', 'SetLoadBalancerListenerSSLCertificate', 'SetLoadBalancerPoliciesForBackendServer',
  'SetLoadBalancerPoliciesOfListener',
])

/** An elb operation openalb does not answer: InvalidAction that names it, rather than an ELBv2 answer. */
export function classicRefusal(action: string): AwsError {
  if (!CLASSIC_OPERATIONS.has(action)) return new AwsError('InvalidAction', `The action ${action} is not valid for this web service`)
  return new AwsError('InvalidAction', `openalb does not implement ${action} of the Classic Load Balancer API (elb, Version ${ELB_CLASSIC_VERSION}) yet`)
}
