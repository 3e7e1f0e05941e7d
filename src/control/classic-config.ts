import {
  CLASSIC_DEFAULT_ATTRIBUTES,
  classicLoadBalancerArn,
  defaultClassicHealthCheck,
  type ClassicListener,
  type ClassicLoadBalancer,
  type ClassicLoadBalancerSpec,
  type ClassicPolicy,
} from '../model/classic-load-balancer.js'
import { canonicalHostedZoneId } from '../model/ids.js'
import {
  addClassicListeners,
  checkClassicInstances,
  checkClassicName,
  checkClassicPolicy,
  checkedClassicHealthCheck,
  checkedListenerPolicies,
  classicPlacement,
  classicSecurityGroupIds,
  CLASSIC_LIMITS,
  newClassicDnsName,
} from './classic-load-balancers.js'
import type { Draft } from './draft.js'
import { InvalidValueError, LimitExceededError, NotFoundError, ValidationFailed } from './errors.js'

/**
 * A part of the file's balancer, by its path inside the balancer (`['listeners', 1]`): the caller
 * (config) runs each part through it, so a control error is said at that part's line.
 */
export type PartScope = <T>(path: readonly (string | number)[], fn: () => T) => T

const whole: PartScope = (_path, fn) => fn()

/**
 * A file's `type: classic` balancer, applied as the file says: the same checks as the elb API's
 * operations, one balancer resource the API then sees (and the API's changes are what the next
 * apply replaces). An existing balancer keeps its ARN, DNS name and creation time.
 */
export function applyClassicConfig(d: Draft, spec: ClassicLoadBalancerSpec, at: PartScope = whole, extraInstances: readonly string[] = []): ClassicLoadBalancer {
  at(['name'], () => checkClassicName(spec.name))
  const arn = classicLoadBalancerArn(d.partition, spec.name)
  const existing = d.get('classic-load-balancer', arn)
  if (!existing && d.list('classic-load-balancer').length >= CLASSIC_LIMITS['classic-load-balancers']) {
    throw new LimitExceededError('classic-load-balancers', CLASSIC_LIMITS['classic-load-balancers'], 'Classic load balancers')
  }
  at(['tags'], () => {
    for (const k of Object.keys(spec.tags)) if (k.toLowerCase().startsWith('aws:')) throw new ValidationFailed([{ path: '', message: `tag keys starting with 'aws:' are reserved: ${k}` }])
  })

  let listeners: ClassicListener[] = []
  spec.listeners.forEach((l, j) => {
    listeners = at(['listeners', j], () =>
      addClassicListeners(d, spec.name, listeners, [
        { protocol: l.protocol, loadBalancerPort: l.loadBalancerPort, instanceProtocol: l.instanceProtocol, instancePort: l.instancePort, sslCertificateId: l.certificate },
      ]),
    )
  })

  const net = at([spec.availabilityZones ? 'availabilityZones' : 'subnets'], () =>
    classicPlacement(d, spec.availabilityZones ? undefined : (spec.subnets ?? ['subnet-a', 'subnet-b']), spec.availabilityZones),
  )
  if (existing && existing.vpcId !== net.vpcId) {
    at(['subnets'], () => {
      throw new InvalidValueError(`a Classic load balancer stays in its VPC ${existing.vpcId}: delete it to move it to ${net.vpcId}`)
    })
  }
  const securityGroups = spec.securityGroups.map((ref, k) => at(['securityGroups', k], () => classicSecurityGroupIds(d, [ref], net.vpcId)[0] ?? ref))

  const healthCheck = spec.healthCheck
    ? at(['healthCheck'], () =>
        checkedClassicHealthCheck({
          target: spec.healthCheck?.target ?? '',
          interval: spec.healthCheck?.intervalSeconds ?? 30,
          timeout: spec.healthCheck?.timeoutSeconds ?? 5,
          unhealthyThreshold: spec.healthCheck?.unhealthyThreshold ?? 2,
          healthyThreshold: spec.healthCheck?.healthyThreshold ?? 10,
        }),
      )
    : defaultClassicHealthCheck(listeners[0]?.instancePort ?? 80)

  const instances: string[] = []
  spec.instances.forEach((ref, k) =>
    at(['instances', k], () => {
      // A terminated instance keeps its name for an hour (as EC2 lists it); the file means the live one.
      const found = d.get('instance', ref) ?? d.list('instance').find((i) => i.name === ref && i.state !== 'terminated' && i.state !== 'shutting-down')
      if (!found) throw new NotFoundError('instance', ref)
      checkClassicInstances(d, net.vpcId, [found.id])
      if (!instances.includes(found.id)) instances.push(found.id)
    }),
  )
  // What another owner registered (an Auto Scaling group's members) stays registered.
  for (const id of extraInstances) if (!instances.includes(id)) instances.push(id)
  if (instances.length > CLASSIC_LIMITS['classic-registered-instances']) {
    throw new LimitExceededError('classic-registered-instances', CLASSIC_LIMITS['classic-registered-instances'], `load balancer '${spec.name}'`)
  }

  const policies: ClassicPolicy[] = []
  spec.policies.forEach((p, k) =>
    at(['policies', k], () => {
      const policy: ClassicPolicy =
        p.type === 'LBCookieStickinessPolicyType'
          ? { name: p.name, type: p.type, ...(p.cookieExpirationSeconds !== undefined ? { cookieExpirationPeriod: p.cookieExpirationSeconds } : {}) }
          : p.type === 'AppCookieStickinessPolicyType'
            ? { name: p.name, type: p.type, cookieName: p.cookieName }
            : { name: p.name, type: p.type, referenceSecurityPolicy: p.referenceSecurityPolicy }
      checkClassicPolicy(policies, policy)
      policies.push(policy)
    }),
  )
  listeners = listeners.map((l, j) => {
    const names = spec.listeners[j]?.policies ?? []
    return names.length === 0 ? l : { ...l, policyNames: at(['listeners', j, 'policies'], () => checkedListenerPolicies(policies, l, names)) }
  })

  const a = spec.attributes
  return d.put({
    kind: 'classic-load-balancer',
    arn,
    name: spec.name,
    scheme: spec.scheme,
    dnsName: existing && existing.scheme === spec.scheme ? existing.dnsName : newClassicDnsName(d, spec.name, spec.scheme),
    canonicalHostedZoneNameId: canonicalHostedZoneId(d.partition.region, 'classic'),
    vpcId: net.vpcId,
    subnets: net.subnets,
    availabilityZones: net.availabilityZones,
    securityGroups,
    bindAddress: existing?.bindAddress ?? '127.0.0.1',
    listeners,
    healthCheck,
    instances,
    policies,
    attributes: {
      ...CLASSIC_DEFAULT_ATTRIBUTES,
      crossZoneLoadBalancing: a.crossZoneLoadBalancing,
      connectionDraining: { enabled: a.connectionDraining.enabled, timeout: a.connectionDraining.timeoutSeconds },
      idleTimeout: a.idleTimeoutSeconds,
      accessLog: { enabled: a.accessLog.enabled, emitInterval: a.accessLog.emitIntervalMinutes, ...(a.accessLog.bucket ? { s3BucketName: a.accessLog.bucket } : {}) },
      desyncMitigationMode: a.desyncMitigationMode,
    },
    createdTime: existing?.createdTime ?? d.nowIso(),
    tags: { ...spec.tags },
  })
}
