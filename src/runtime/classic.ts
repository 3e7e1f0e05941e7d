import type { CidrSet } from '../lib/cidr.js'
import { isStickiness, parseClassicCheckTarget, type ClassicListener, type ClassicLoadBalancer, type ClassicProtocol } from '../model/classic-load-balancer.js'
import type { ForwardAction } from '../model/action.js'
import type { LoadBalancerAttributes } from '../model/load-balancer.js'
import { defaultHealthCheck, targetGroupAttributesSpec, targetKey, type TargetGroup, type TargetProtocol } from '../model/target-group.js'
import type { Failure } from '../model/result.js'
import { compileRouter, type LocalAnswer } from '../dataplane/router/router.js'
import type { BalancerSnapshot, L4ListenerSnapshot, ListenerSnapshot, StickinessSnapshot, TargetGroupSnapshot, TargetSnapshot } from '../dataplane/snapshot.js'
import type { ListenerCertificate } from '../dataplane/tls/sni.js'

/**
 * How a Classic balancer is served by the one data plane. Its instances and its one health check
 * become a health group under the balancer's ARN (health checks each instance once, on the check's
 * port); each listener forwards to a group of the same instances on its InstancePort, whose
 * targets ask health about the balancer's group. HTTP and HTTPS listeners are the HTTP engine's
 * (X-Forwarded-* added), TCP and SSL ones the layer-4 relay's (bytes as they come).
 */

/** Classic's security policy for HTTPS and SSL listeners that name none (AWS's default predefined policy). */
export const CLASSIC_SSL_POLICY = 'ELBSecurityPolicy-2016-08'

/** The data plane's protocol for a Classic back end: SSL is TLS to the instance. */
const TARGET_PROTOCOL: Record<ClassicProtocol, TargetProtocol> = { HTTP: 'HTTP', HTTPS: 'HTTPS', TCP: 'TCP', SSL: 'TLS' }

/** The balancer's one health check as a target group health/ checks: arn = the balancer's ARN. */
export function classicHealthGroup(lb: ClassicLoadBalancer): TargetGroup | undefined {
  const target = parseClassicCheckTarget(lb.healthCheck.target)
  // control stores only targets it parsed.
  if (typeof target === 'string') return undefined
  const hc = lb.healthCheck
  const draining = lb.attributes.connectionDraining
  return {
    kind: 'target-group',
    arn: lb.arn,
    name: lb.name,
    protocol: TARGET_PROTOCOL[target.protocol],
    port: target.port,
    targetType: 'instance',
    protocolVersion: 'HTTP1',
    vpcId: lb.vpcId,
    healthCheck: {
      ...defaultHealthCheck(),
      enabled: true,
      // SSL:PORT is a connect and a TLS handshake.
      protocol: target.protocol === 'SSL' ? 'TCP' : target.protocol,
      sslHandshake: target.protocol === 'SSL',
      port: 'traffic-port',
      path: target.path || '/',
      intervalSeconds: hc.interval,
      timeoutSeconds: hc.timeout,
      healthyThreshold: hc.healthyThreshold,
      unhealthyThreshold: hc.unhealthyThreshold,
      // AWS: an HTTP or HTTPS check passes on 200 OK only.
      matcher: '200',
      // Classic: a registered instance is OutOfService until it passes HealthyThreshold checks in a row.
      initialThreshold: true,
    },
    attributes: { ...targetGroupAttributesSpec.parse({}), deregistrationDelaySeconds: draining.enabled ? draining.timeout : 0 },
    targets: lb.instances.map((id) => ({ id, port: target.port })),
    tags: {},
  }
}

/** The data plane key of the group a listener forwards to: one per back-end protocol and port (and stickiness policy). */
export function classicListenerGroupArn(lb: ClassicLoadBalancer, l: Pick<ClassicListener, 'instanceProtocol' | 'instancePort' | 'policyNames'>): string {
  const sticky = l.policyNames.filter((n) => lb.policies.some((p) => p.name === n && isStickiness(p)))
  return `${lb.arn}#${l.instanceProtocol}:${l.instancePort}${sticky.length > 0 ? `#${sticky.join(',')}` : ''}`
}

/** A listener's stickiness policy as the balancer applies it (AWSELB cookie). */
function stickinessOf(lb: ClassicLoadBalancer, l: ClassicListener): StickinessSnapshot {
  const policy = lb.policies.find((p) => l.policyNames.includes(p.name) && p.type !== 'SSLNegotiationPolicyType')
  if (policy?.type === 'LBCookieStickinessPolicyType') {
    return Object.freeze({ enabled: true, type: 'lb_cookie', durationSeconds: policy.cookieExpirationPeriod ?? 0, cookieName: undefined, classic: true })
  }
  if (policy?.type === 'AppCookieStickinessPolicyType') return Object.freeze({ enabled: true, type: 'app_cookie', durationSeconds: 0, cookieName: policy.cookieName, classic: true })
  return NOT_STICKY
}

const NOT_STICKY: StickinessSnapshot = Object.freeze({ enabled: false, type: 'lb_cookie', durationSeconds: 86400, cookieName: undefined })

export interface ClassicCompileContext {
  readonly bindAddress: string | undefined
  readonly nodeZone: string | undefined
  readonly challenges: readonly LocalAnswer[]
  /** A running instance's address and zone. */
  resolveInstance(id: string): { address: string; zone: string } | undefined
  allowList(lb: ClassicLoadBalancer, port: number, transport: 'tcp' | 'udp'): CidrSet | undefined
  certificates(arns: readonly string[]): readonly ListenerCertificate[]
}

export interface CompiledClassic {
  readonly listeners: readonly ListenerSnapshot[]
  readonly l4Listeners: readonly L4ListenerSnapshot[]
  readonly targetGroups: readonly TargetGroupSnapshot[]
}

/** Classic's attributes in the shape the HTTP engine reads (Host goes as sent; no HTTP/2 to clients). */
function engineAttributes(lb: ClassicLoadBalancer): LoadBalancerAttributes {
  const log = lb.attributes.accessLog
  return {
    idleTimeoutSeconds: lb.attributes.idleTimeout,
    http2Enabled: false,
    dropInvalidHeaderFields: false,
    desyncMitigationMode: lb.attributes.desyncMitigationMode ?? 'defensive',
    xffHeaderProcessingMode: 'append',
    preserveHostHeader: true,
    crossZoneEnabled: lb.attributes.crossZoneLoadBalancing,
    deletionProtection: false,
    requestHeadTimeoutSeconds: 30,
    accessLogs: { enabled: log.enabled, bucket: log.s3BucketName ?? '', prefix: '' },
  }
}

export function compileClassic(lb: ClassicLoadBalancer, ctx: ClassicCompileContext, failures: Failure[]): CompiledClassic {
  const check = parseClassicCheckTarget(lb.healthCheck.target)
  const checkPort = typeof check === 'string' ? 0 : check.port
  const crossZone = lb.attributes.crossZoneLoadBalancing
  const inZone = (zone: string) => crossZone || ctx.nodeZone === undefined || zone === ctx.nodeZone
  const draining = lb.attributes.connectionDraining
  const groups = new Map<string, TargetGroupSnapshot>()
  const groupFor = (l: ClassicListener): string => {
    const arn = classicListenerGroupArn(lb, l)
    if (groups.has(arn)) return arn
    const targets: TargetSnapshot[] = []
    const unresolved: string[] = []
    for (const id of lb.instances) {
      const where = ctx.resolveInstance(id)
      if (!where) {
        unresolved.push(id)
        continue
      }
      if (!inZone(where.zone)) continue
      targets.push(Object.freeze({ key: targetKey(where.address, l.instancePort), healthKey: targetKey(where.address, checkPort), id, address: where.address, port: l.instancePort, availabilityZone: where.zone }))
    }
    groups.set(
      arn,
      Object.freeze({
        arn,
        name: lb.name,
        protocol: TARGET_PROTOCOL[l.instanceProtocol],
        protocolVersion: 'HTTP1',
        port: l.instancePort,
        targetType: 'instance',
        // AWS: least outstanding requests for HTTP and HTTPS listeners, round robin for TCP and SSL.
        algorithm: l.protocol === 'HTTP' || l.protocol === 'HTTPS' ? 'least_outstanding_requests' : 'round_robin',
        slowStartSeconds: 0,
        deregistrationDelaySeconds: draining.enabled ? draining.timeout : 0,
        proxyProtocolV2: false,
        // Classic closes what is left of a deregistered instance's connections when draining ends.
        connectionTermination: true,
        stickiness: stickinessOf(lb, l),
        healthCheck: defaultHealthCheck(),
        targets: Object.freeze(targets),
        unresolved: Object.freeze(unresolved),
        healthGroupArn: lb.arn,
        failOpen: false,
      } satisfies TargetGroupSnapshot),
    )
    return arn
  }

  const balancer: BalancerSnapshot = Object.freeze({ arn: lb.arn, name: lb.name, logName: lb.name, attributes: Object.freeze(engineAttributes(lb)), accessLogFormat: 'classic' })
  const bindAddress = ctx.bindAddress ?? lb.bindAddress
  const listeners: ListenerSnapshot[] = []
  const l4Listeners: L4ListenerSnapshot[] = []
  for (const l of lb.listeners) {
    const groupArn = groupFor(l)
    const negotiation = lb.policies.find((p) => p.type === 'SSLNegotiationPolicyType' && l.policyNames.includes(p.name))
    const sslPolicy = negotiation?.type === 'SSLNegotiationPolicyType' ? negotiation.referenceSecurityPolicy : CLASSIC_SSL_POLICY
    const bindKey = `${bindAddress}:${l.loadBalancerPort}`
    const certificates = l.sslCertificateId ? ctx.certificates([l.sslCertificateId]) : Object.freeze([])
    const allowedSources = ctx.allowList(lb, l.loadBalancerPort, 'tcp')
    if (l.protocol === 'HTTP' || l.protocol === 'HTTPS') {
      const forward: ForwardAction = { type: 'forward', order: 1, targetGroups: [{ targetGroupArn: groupArn, weight: 1 }], stickiness: { enabled: false, durationSeconds: 3600 } }
      const router = compileRouter([forward], [], l.protocol === 'HTTP' ? ctx.challenges : [])
      if (!router.ok) {
        for (const e of router.errors) failures.push({ path: `classic-load-balancer ${lb.name}:${l.loadBalancerPort}`, message: e })
        continue
      }
      listeners.push(
        Object.freeze({
          bindKey,
          arn: `${lb.arn}:${l.loadBalancerPort}`,
          balancer,
          bindAddress,
          port: l.loadBalancerPort,
          protocol: l.protocol,
          forwardedProtoPort: `x-forwarded-proto: ${l.protocol === 'HTTPS' ? 'https' : 'http'}\r\nx-forwarded-port: ${l.loadBalancerPort}\r\n`,
          hostPortSuffix: '',
          hostPortStrip: false,
          certificateArns: l.sslCertificateId ? [l.sslCertificateId] : [],
          sslPolicy: l.protocol === 'HTTPS' ? sslPolicy : undefined,
          tlsCertificates: certificates,
          router: router.value,
          allowedSources,
        }),
      )
      continue
    }
    const tls = l.protocol === 'SSL'
    l4Listeners.push(
      Object.freeze({
        bindKey,
        arn: `${lb.arn}:${l.loadBalancerPort}`,
        balancerArn: lb.arn,
        bindAddress,
        port: l.loadBalancerPort,
        protocol: tls ? 'TLS' : 'TCP',
        tlsCertificates: tls ? certificates : Object.freeze([]),
        sslPolicy: tls ? sslPolicy : undefined,
        alpnProtocols: Object.freeze([]),
        targetGroupArn: groupArn,
        idleTimeoutMs: lb.attributes.idleTimeout * 1000,
        allowedSources,
        // Classic logs TCP and SSL connections too, one line each in its own fields.
        ...(lb.attributes.accessLog.enabled ? { accessLog: Object.freeze({ bucket: lb.attributes.accessLog.s3BucketName ?? '', elb: lb.name, listenerId: '', format: 'classic' as const }) } : {}),
      }),
    )
  }
  return { listeners, l4Listeners, targetGroups: [...groups.values()] }
}
