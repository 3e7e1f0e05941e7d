import {
  configureClassicHealthCheck,
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
import type { ClassicLoadBalancer } from '../../../model/classic-load-balancer.js'
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
      OtherPolicies: [],
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
