import { z } from 'zod'
import { awsName, port, tags, type Tags } from './schema-util.js'

export const TargetProtocol = { HTTP: 'HTTP', HTTPS: 'HTTPS', TCP: 'TCP', TLS: 'TLS', UDP: 'UDP', TCP_UDP: 'TCP_UDP' } as const
export type TargetProtocol = (typeof TargetProtocol)[keyof typeof TargetProtocol]
export const TargetType = { INSTANCE: 'instance', IP: 'ip', LAMBDA: 'lambda' } as const
export type TargetType = (typeof TargetType)[keyof typeof TargetType]
export const ProtocolVersion = { HTTP1: 'HTTP1', HTTP2: 'HTTP2', GRPC: 'GRPC' } as const
export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion]
export const Algorithm = {
  ROUND_ROBIN: 'round_robin',
  LEAST_OUTSTANDING_REQUESTS: 'least_outstanding_requests',
  WEIGHTED_RANDOM: 'weighted_random',
} as const
export type Algorithm = (typeof Algorithm)[keyof typeof Algorithm]
export const StickinessType = { LB_COOKIE: 'lb_cookie', APP_COOKIE: 'app_cookie' } as const
export type StickinessType = (typeof StickinessType)[keyof typeof StickinessType]

/** "200", "200,302", "200-299": HTTP codes (ALB allows 200-499, NLB 200-599). */
export const MATCHER_PATTERN = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/

export const matcher = z
  .string()
  .regex(MATCHER_PATTERN, 'must be an HTTP code, a list ("200,302") or a range ("200-299")')
  .refine(
    (m) =>
      m.split(/[,-]/).every((c) => Number(c) >= 200 && Number(c) <= 599) &&
      m.split(',').every((part) => {
        const [a, b] = part.split('-')
        return b === undefined || Number(a) <= Number(b)
      }),
    'codes must be between 200 and 499 (network target groups: 599), ranges low-high',
  )

/** Whether every code of a matcher is at most `max` (ALB: 499). */
const matcherWithin = (m: string, max: number): boolean => m.split(/[,-]/).every((c) => Number(c) <= max)

/** The target group protocols of network load balancers (layer 4). */
export const NETWORK_PROTOCOLS: readonly TargetProtocol[] = ['TCP', 'TLS', 'UDP', 'TCP_UDP']
export const isNetworkProtocol = (p: string): boolean => (NETWORK_PROTOCOLS as readonly string[]).includes(p)

/** "12", "0,1", "0-5": gRPC status codes 0-99 as ALB allows. */
export const GRPC_MATCHER_PATTERN = /^\d{1,2}(-\d{1,2})?(,\d{1,2}(-\d{1,2})?)*$/

export const grpcMatcher = z
  .string()
  .regex(GRPC_MATCHER_PATTERN, 'must be a gRPC code 0-99, a list ("0,1") or a range ("0-5")')
  .refine(
    (m) =>
      m.split(',').every((part) => {
        const [a, b] = part.split('-')
        return b === undefined || Number(a) <= Number(b)
      }),
    'ranges must be low-high',
  )

/** ALB's health check path for GRPC groups when none is given. */
export const GRPC_HEALTH_CHECK_PATH = '/AWS.ALB/healthcheck'
/** ALB's gRPC success code when none is given: 12 (UNIMPLEMENTED), what a gRPC server answers for a method it lacks. */
export const GRPC_DEFAULT_MATCHER = '12'

export const healthCheckSpec = z.strictObject({
  /** Always on for instance and ip targets, as on ALB; lambda groups have them off unless enabled (they invoke the function). */
  enabled: z.boolean().optional(),
  /**
   * HTTP or HTTPS (default HTTP) for HTTP and HTTPS groups; HTTP, HTTPS or TCP (a connect; the
   * default) for the network groups (TCP, TLS, UDP, TCP_UDP), as on AWS.
   */
  protocol: z.enum(['HTTP', 'HTTPS', 'TCP']).optional(),
  /** "traffic-port" (default: each target's own port) or a port 1-65535. */
  port: z
    .union([z.literal('traffic-port'), z.string().regex(/^\d{1,5}$/), z.number().int()])
    .default('traffic-port')
    .transform((v) => String(v))
    .refine((v) => v === 'traffic-port' || (Number(v) >= 1 && Number(v) <= 65535), 'must be traffic-port or 1-65535'),
  /** Path requested with GET, 1-1024 characters, starting with / (default /). */
  path: z.string().min(1).max(1024).startsWith('/', 'must start with /').default('/'),
  /** Seconds between checks, 5-300 (default 30; lambda groups 35). */
  intervalSeconds: z.number().int().min(5, 'must be between 5 and 300').max(300, 'must be between 5 and 300').optional(),
  /**
   * Seconds to wait for an answer, 2-120; must be less than the interval. Default 5 for HTTP and
   * HTTPS groups (lambda groups 30); for network groups 6 with an HTTP check, 10 with a TCP or HTTPS one.
   */
  timeoutSeconds: z.number().int().min(2, 'must be between 2 and 120').max(120, 'must be between 2 and 120').optional(),
  /** Consecutive successes before a target is healthy, 2-10 (default 5). */
  healthyThreshold: z.number().int().min(2, 'must be between 2 and 10').max(10, 'must be between 2 and 10').default(5),
  /** Consecutive failures before a target is unhealthy, 2-10 (default 2). */
  unhealthyThreshold: z.number().int().min(2, 'must be between 2 and 10').max(10, 'must be between 2 and 10').default(2),
  /**
   * HTTP success codes: 200-499 for HTTP and HTTPS groups (default "200"), 200-599 for network
   * groups (default "200-399"); GRPC groups are judged by grpcMatcher instead.
   */
  matcher: matcher.optional(),
  /**
   * GRPC groups only: the grpc-status codes that pass, 0-99, a list ("0,1") or a range ("0-5")
   * (default "12"). Such a group's default path is /AWS.ALB/healthcheck.
   */
  grpcMatcher: grpcMatcher.optional(),
})

export const stickinessSpec = z.strictObject({
  /** Default false. */
  enabled: z.boolean().default(false),
  /** lb_cookie (AWSALB, default) or app_cookie (follows cookieName). */
  type: z.enum(['lb_cookie', 'app_cookie']).default('lb_cookie'),
  /** Cookie lifetime in seconds, 1-604800 (default 86400). */
  durationSeconds: z.number().int().min(1).max(604800).default(86400),
  /** The application's cookie for app_cookie; AWSALB, AWSALBAPP and AWSALBTG prefixes are reserved. */
  cookieName: z
    .string()
    .min(1)
    .refine((n) => !/^AWSALB/.test(n), 'the prefixes AWSALB, AWSALBAPP and AWSALBTG are reserved')
    .optional(),
})

export const targetGroupAttributesSpec = z.strictObject({
  /** Seconds a deregistered target keeps its in-flight requests, 0-3600 (default 300). */
  deregistrationDelaySeconds: z.number().int().min(0).max(3600, 'must be between 0 and 3600').default(300),
  /** Seconds of linear ramp-up for a newly healthy target: 0 (off, default) or 30-900. */
  slowStartSeconds: z
    .number()
    .int()
    .refine((v) => v === 0 || (v >= 30 && v <= 900), 'must be 0 or between 30 and 900')
    .default(0),
  /** round_robin (default), least_outstanding_requests or weighted_random. */
  algorithm: z.enum(['round_robin', 'least_outstanding_requests', 'weighted_random']).default('round_robin'),
  stickiness: stickinessSpec.default({ enabled: false, type: 'lb_cookie', durationSeconds: 86400 }),
  /**
   * load_balancing.cross_zone.enabled: "false" keeps each node's requests on the targets of its
   * own zone; "true" or use_load_balancer_configuration (default; ALB's is on) use every zone.
   */
  crossZone: z.enum(['true', 'false', 'use_load_balancer_configuration']).default('use_load_balancer_configuration'),
  /**
   * proxy_protocol_v2.enabled, network groups only: each connection to a target starts with a
   * PROXY protocol v2 header carrying the client's address and port (default false).
   */
  proxyProtocolV2: z.boolean().default(false),
  /**
   * deregistration_delay.connection_termination.enabled, network groups only: whether the flows
   * still open when the deregistration delay ends are closed (default true for UDP and TCP_UDP
   * groups, false otherwise; then they live on until they close or go idle).
   */
  connectionTermination: z.boolean().optional(),
  /**
   * lambda.multi_value_headers.enabled, lambda groups only: the event carries multiValueHeaders and
   * multiValueQueryStringParameters (every value of a repeated name), and the function answers
   * multiValueHeaders (default false: the last value of each name, and headers).
   */
  lambdaMultiValueHeaders: z.boolean().optional(),
})

export const targetSpec = z.strictObject({
  /** An IP address (target type ip), an instance name or id (target type instance), or a function name or ARN (target type lambda). */
  id: z.string().min(1),
  /** Port (default: the group's port). */
  port: port.optional(),
  /** Availability zone label, or "all". */
  availabilityZone: z.string().optional(),
})

export const targetGroupSpec = z
  .strictObject({
    /** 1-32 letters, digits and hyphens, unique. */
    name: awsName,
    /** HTTP (default) or HTTPS for application balancers; TCP, TLS, UDP, TCP_UDP for network ones. */
    protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP']).default('HTTP'),
    /** The targets' default port, 1-65535 (default 80). */
    port: port.default(80),
    /** instance (default), ip or lambda (one function; no protocol, port or VPC). */
    targetType: z.enum(['instance', 'ip', 'lambda']).default('instance'),
    /** HTTP1 (default), HTTP2 or GRPC: how requests reach the targets. */
    protocolVersion: z.enum(['HTTP1', 'HTTP2', 'GRPC']).default('HTTP1'),
    vpcId: z.string().optional(),
    healthCheck: healthCheckSpec.default(() => healthCheckSpec.parse({})),
    attributes: targetGroupAttributesSpec.default(() => targetGroupAttributesSpec.parse({})),
    /** Registered targets. */
    // How many: control's targets-per-target-group quota (model/quotas.ts), which a quotas file can raise.
    targets: z.array(targetSpec).default([]),
    tags,
  })
  .superRefine((tg, ctx) => {
    const network = isNetworkProtocol(tg.protocol)
    const hc = tg.healthCheck
    const lambda = tg.targetType === 'lambda'
    if ((hc.timeoutSeconds ?? defaultTimeout(tg.protocol, hc.protocol, lambda)) >= (hc.intervalSeconds ?? defaultInterval(lambda))) {
      ctx.addIssue({ code: 'custom', path: ['healthCheck', 'timeoutSeconds'], message: 'must be smaller than intervalSeconds' })
    }
    if (hc.enabled === false && !lambda) {
      ctx.addIssue({ code: 'custom', path: ['healthCheck', 'enabled'], message: 'health checks cannot be disabled for target groups of target type instance or ip' })
    }
    if (tg.attributes.lambdaMultiValueHeaders && !lambda) {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'lambdaMultiValueHeaders'], message: 'multi-value headers are for target groups of target type lambda only' })
    }
    if (lambda) {
      // ALB: one function per lambda group, reached without connections, cookies or ramp-up.
      if (tg.targets.length > 1) ctx.addIssue({ code: 'custom', path: ['targets'], message: 'a target group of target type lambda holds one function' })
      if (tg.attributes.stickiness.enabled) ctx.addIssue({ code: 'custom', path: ['attributes', 'stickiness', 'enabled'], message: 'stickiness is not supported for target groups of target type lambda' })
      if (tg.attributes.slowStartSeconds !== 0) ctx.addIssue({ code: 'custom', path: ['attributes', 'slowStartSeconds'], message: 'slow start is not supported for target groups of target type lambda' })
      if (tg.attributes.algorithm !== 'round_robin') ctx.addIssue({ code: 'custom', path: ['attributes', 'algorithm'], message: 'the load balancing algorithm is not supported for target groups of target type lambda' })
      if (tg.protocolVersion !== 'HTTP1') ctx.addIssue({ code: 'custom', path: ['protocolVersion'], message: 'a target group of target type lambda has no protocol version' })
      if (hc.protocol !== undefined && hc.protocol !== 'HTTP' && hc.protocol !== 'HTTPS') ctx.addIssue({ code: 'custom', path: ['healthCheck', 'protocol'], message: 'a lambda health check is an invocation (HTTP or HTTPS)' })
    }
    if (tg.attributes.slowStartSeconds > 0 && tg.attributes.algorithm === 'least_outstanding_requests') {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'slowStartSeconds'], message: 'slow start cannot be combined with least_outstanding_requests' })
    }
    if (tg.attributes.stickiness.enabled && tg.attributes.stickiness.type === 'app_cookie' && !tg.attributes.stickiness.cookieName) {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'stickiness', 'cookieName'], message: 'is required for app_cookie stickiness' })
    }
    // ALB's Matcher holds gRPC codes for GRPC groups and HTTP codes for the others, never both.
    if (tg.protocolVersion !== 'GRPC' && tg.healthCheck.grpcMatcher !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['healthCheck', 'grpcMatcher'], message: 'gRPC codes are only for target groups with protocol version GRPC' })
    }
    if (tg.protocolVersion === 'GRPC' && hc.matcher !== undefined && hc.matcher !== '200') {
      ctx.addIssue({ code: 'custom', path: ['healthCheck', 'matcher'], message: 'a GRPC target group is judged by gRPC codes: use grpcMatcher' })
    }
    if (tg.attributes.proxyProtocolV2 && (tg.protocol === 'UDP' || tg.protocol === 'TCP_UDP')) {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'proxyProtocolV2'], message: `proxy protocol v2 is not supported by openalb for ${tg.protocol} target groups` })
    }
    if (!network) {
      if (tg.attributes.connectionTermination !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['attributes', 'connectionTermination'], message: `connection termination is for network target groups only, not ${tg.protocol}` })
      }
      if (tg.attributes.proxyProtocolV2) {
        ctx.addIssue({ code: 'custom', path: ['attributes', 'proxyProtocolV2'], message: `proxy protocol v2 is for network target groups only, not ${tg.protocol}` })
      }
      // AWS: "The TCP protocol is not supported for health checks if the protocol of the target group is HTTP or HTTPS."
      if (hc.protocol === 'TCP') ctx.addIssue({ code: 'custom', path: ['healthCheck', 'protocol'], message: `health check protocol TCP is not supported for target groups with the ${tg.protocol} protocol` })
      if (hc.matcher !== undefined && !matcherWithin(hc.matcher, 499)) {
        ctx.addIssue({ code: 'custom', path: ['healthCheck', 'matcher'], message: `codes must be between 200 and 499 for target groups with the ${tg.protocol} protocol` })
      }
      return
    }
    // What a network (layer 4) group cannot have: HTTP's protocol versions and ALB's balancing knobs.
    if (tg.protocolVersion !== 'HTTP1') {
      ctx.addIssue({ code: 'custom', path: ['protocolVersion'], message: `a protocol version can only be given for HTTP and HTTPS target groups, not ${tg.protocol}` })
    }
    if (tg.attributes.algorithm !== 'round_robin') {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'algorithm'], message: `the load balancing algorithm is for application load balancers only; ${tg.protocol} target groups balance connections` })
    }
    if (tg.attributes.slowStartSeconds !== 0) {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'slowStartSeconds'], message: `slow start is not supported for ${tg.protocol} target groups` })
    }
    if (tg.attributes.stickiness.enabled) {
      ctx.addIssue({ code: 'custom', path: ['attributes', 'stickiness', 'enabled'], message: `stickiness is not supported by openalb for ${tg.protocol} target groups` })
    }
  })
  .transform((tg) => ({ ...tg, healthCheck: withDefaults(tg.protocol, tg.protocolVersion, tg.healthCheck, tg.targetType === 'lambda') }))

/** ALB's default interval: 30 s (lambda groups 35). */
const defaultInterval = (lambda: boolean): number => (lambda ? 35 : 30)

/** AWS's default health check timeout: 5 s for HTTP/HTTPS groups (lambda 30); network groups 6 s (HTTP check) or 10 s (TCP, HTTPS). */
function defaultTimeout(groupProtocol: string, checkProtocol: string | undefined, lambda = false): number {
  if (lambda) return 30
  if (!isNetworkProtocol(groupProtocol)) return 5
  return checkProtocol === 'HTTP' ? 6 : 10
}

/** A group's health check with every default (tests and callers that build groups by hand). */
export function defaultHealthCheck(groupProtocol: TargetProtocol = 'HTTP'): HealthCheck {
  return withDefaults(groupProtocol, 'HTTP1', healthCheckSpec.parse({}))
}

/** Fills the health check fields whose defaults depend on the group: protocol, timeout and matcher. */
function withDefaults(groupProtocol: TargetProtocol, version: ProtocolVersion, hc: z.output<typeof healthCheckSpec>, lambda = false): HealthCheck {
  const network = isNetworkProtocol(groupProtocol)
  const protocol = hc.protocol ?? (network ? 'TCP' : 'HTTP')
  const filled: HealthCheck = {
    ...hc,
    enabled: hc.enabled ?? !lambda,
    protocol,
    intervalSeconds: hc.intervalSeconds ?? defaultInterval(lambda),
    timeoutSeconds: hc.timeoutSeconds ?? defaultTimeout(groupProtocol, protocol, lambda),
    matcher: hc.matcher ?? (network ? '200-399' : '200'),
  }
  return version === 'GRPC' ? grpcHealthCheck(filled) : filled
}
/**
 * A GRPC group's health check with ALB's gRPC defaults: code 12 and /AWS.ALB/healthcheck
 * ("/", the HTTP default, is no gRPC method, so it stands for "not given").
 */
function grpcHealthCheck(hc: HealthCheck): HealthCheck {
  return { ...hc, path: hc.path === '/' ? GRPC_HEALTH_CHECK_PATH : hc.path, grpcMatcher: hc.grpcMatcher ?? GRPC_DEFAULT_MATCHER }
}

export type TargetGroupSpec = z.input<typeof targetGroupSpec>
/** A stored health check: every default filled in for its group. */
export type HealthCheck = Omit<z.output<typeof healthCheckSpec>, 'enabled' | 'protocol' | 'intervalSeconds' | 'timeoutSeconds' | 'matcher'> & {
  readonly enabled: boolean
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP'
  readonly intervalSeconds: number
  readonly timeoutSeconds: number
  /** HTTP codes; not used by TCP checks. */
  readonly matcher: string
  /** A new target needs healthyThreshold passes, not one (a Classic balancer's check; never stored for ELBv2 groups). */
  readonly initialThreshold?: boolean | undefined
  /** With protocol TCP: the connection must also complete a TLS handshake (a Classic balancer's SSL:PORT check; never stored for ELBv2 groups). */
  readonly sslHandshake?: boolean | undefined
}
export type TargetGroupAttributes = z.output<typeof targetGroupAttributesSpec>

export interface Target {
  /** An IP address or an instance id. */
  readonly id: string
  readonly port: number
  readonly availabilityZone?: string | undefined
}

export interface TargetGroup {
  readonly kind: 'target-group'
  readonly arn: string
  readonly name: string
  readonly protocol: TargetProtocol
  readonly port: number
  readonly targetType: TargetType
  readonly protocolVersion: ProtocolVersion
  readonly vpcId: string
  readonly healthCheck: HealthCheck
  readonly attributes: TargetGroupAttributes
  readonly targets: readonly Target[]
  readonly tags: Readonly<Tags>
}

/** The port a group is stored with: a lambda group has none (0). */
export const groupPort = (tg: { readonly targetType: TargetType; readonly port: number }): number => (tg.targetType === 'lambda' ? 0 : tg.port)

/** NLB: flows left at the end of the deregistration delay are closed (default on for UDP and TCP_UDP groups). */
export function connectionTerminationEnabled(tg: Pick<TargetGroup, 'protocol' | 'attributes'>): boolean {
  return tg.attributes.connectionTermination ?? (tg.protocol === 'UDP' || tg.protocol === 'TCP_UDP')
}

/** Where a target is reached: `address:port`, the key health and balancing use. */
export const targetKey = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`

/** Parses an ALB matcher (HTTP or gRPC codes) once into a predicate. */
export function compileMatcher(m: string): (status: number) => boolean {
  const ranges = m.split(',').map((part) => {
    const [a, b] = part.split('-')
    return [Number(a), Number(b ?? a)] as const
  })
  return (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi)
}
