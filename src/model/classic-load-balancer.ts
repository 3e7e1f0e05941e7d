import { z } from 'zod'
import { awsName, tags, type Tags } from './schema-util.js'

/**
 * A Classic Load Balancer (the elb API, 2012-06-01): one resource holds everything AWS's
 * LoadBalancerDescription and its attributes say of it. Its instances, its one health check and its
 * listeners live here and nowhere else; runtime/classic.ts derives the data plane's groups from it.
 */
export const CLASSIC_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'SSL'] as const
export type ClassicProtocol = (typeof CLASSIC_PROTOCOLS)[number]

export interface ClassicListener {
  readonly protocol: ClassicProtocol
  readonly loadBalancerPort: number
  readonly instanceProtocol: ClassicProtocol
  readonly instancePort: number
  /** HTTPS and SSL listeners: the ARN of an ACM or IAM-style certificate openalb holds. */
  readonly sslCertificateId?: string | undefined
  /** The policies of the listener (stickiness), by name. */
  readonly policyNames: readonly string[]
}

export interface ClassicHealthCheck {
  /** "HTTP:4000/path", "HTTPS:443/", "TCP:4000" or "SSL:443", as AWS writes it. */
  readonly target: string
  readonly interval: number
  readonly timeout: number
  readonly unhealthyThreshold: number
  readonly healthyThreshold: number
}

/** A health check target, parsed. */
export interface ClassicCheckTarget {
  readonly protocol: ClassicProtocol
  readonly port: number
  /** HTTP and HTTPS only: the ping path, starting with /. */
  readonly path: string
}

export type ClassicPolicy =
  | { readonly name: string; readonly type: 'LBCookieStickinessPolicyType'; readonly cookieExpirationPeriod?: number | undefined }
  | { readonly name: string; readonly type: 'AppCookieStickinessPolicyType'; readonly cookieName: string }
  /** HTTPS and SSL listeners: one of the predefined security policies, by Reference-Security-Policy. */
  | { readonly name: string; readonly type: 'SSLNegotiationPolicyType'; readonly referenceSecurityPolicy: string }

/**
 * The predefined security policies of Classic balancers that openalb serves (AWS's table for Classic
 * has no TLS 1.3 and no FS policies; its older 2011-2015 policies and ELBSample ones openalb lacks).
 */
export const CLASSIC_SSL_POLICIES: readonly string[] = ['ELBSecurityPolicy-TLS-1-2-2017-01', 'ELBSecurityPolicy-TLS-1-1-2017-01', 'ELBSecurityPolicy-2016-08', 'ELBSecurityPolicy-2015-05']

export const isStickiness = (p: ClassicPolicy): boolean => p.type === 'LBCookieStickinessPolicyType' || p.type === 'AppCookieStickinessPolicyType'

export interface ClassicAttributes {
  /** Off by default for balancers made through the API or CLI (AWS). */
  readonly crossZoneLoadBalancing: boolean
  /** Off by default through the API; the timeout defaults to 300 s (1-3600). */
  readonly connectionDraining: { readonly enabled: boolean; readonly timeout: number }
  /** Seconds a connection may stay idle, 1-3600 (default 60). */
  readonly idleTimeout: number
  /** Where openalb writes the balancer's access log: S3BucketName is a file path (or "-"), as ELBv2's bucket is. */
  readonly accessLog: { readonly enabled: boolean; readonly s3BucketName?: string | undefined; readonly emitInterval: number }
  /** elb.http.desyncmitigationmode (an AdditionalAttribute): monitor, defensive (default) or strictest. */
  readonly desyncMitigationMode: 'monitor' | 'defensive' | 'strictest'
}

export const CLASSIC_DEFAULT_ATTRIBUTES: ClassicAttributes = {
  crossZoneLoadBalancing: false,
  connectionDraining: { enabled: false, timeout: 300 },
  idleTimeout: 60,
  accessLog: { enabled: false, emitInterval: 60 },
  desyncMitigationMode: 'defensive',
}

export interface ClassicLoadBalancer {
  readonly kind: 'classic-load-balancer'
  /** arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME, as AWS names a Classic balancer. */
  readonly arn: string
  readonly name: string
  readonly scheme: 'internet-facing' | 'internal'
  readonly dnsName: string
  readonly canonicalHostedZoneNameId: string
  readonly vpcId: string
  readonly subnets: readonly string[]
  /** The subnets' zones, one per subnet. */
  readonly availabilityZones: readonly string[]
  /** Group ids; enforced at accept as for ELBv2 balancers. */
  readonly securityGroups: readonly string[]
  /** The local address the listeners bind (127.0.0.1). */
  readonly bindAddress: string
  readonly listeners: readonly ClassicListener[]
  readonly healthCheck: ClassicHealthCheck
  /** Registered instance ids, in registration order. */
  readonly instances: readonly string[]
  readonly policies: readonly ClassicPolicy[]
  readonly attributes: ClassicAttributes
  /** ISO 8601. */
  readonly createdTime: string
  readonly tags: Tags
}

/** Classic's health check ranges (botocore's elb model) and the defaults a new balancer gets. */
export const CLASSIC_HEALTH_CHECK_RANGES = {
  interval: [5, 300],
  timeout: [2, 60],
  unhealthyThreshold: [2, 10],
  healthyThreshold: [2, 10],
} as const

/** AWS's health check for a balancer nobody configured: a TCP connect to the first listener's instance port. */
export function defaultClassicHealthCheck(instancePort: number): ClassicHealthCheck {
  return { target: `TCP:${instancePort}`, interval: 30, timeout: 5, unhealthyThreshold: 2, healthyThreshold: 10 }
}

/**
 * Parses a Target as AWS accepts it: PROTOCOL:PORT for TCP and SSL, PROTOCOL:PORT/PATH for HTTP and
 * HTTPS (the path is required). Returns why not, in AWS's words, when it is not one.
 */
export function parseClassicCheckTarget(target: string): ClassicCheckTarget | string {
  const m = /^([A-Za-z]+):(\d{1,5})(\/.*)?$/.exec(target)
  if (!m) return `HealthCheck Target must be specified as PROTOCOL:PORT[/PATH] (HTTP:80/index.html, TCP:4000), not '${target}'`
  const protocol = (m[1] ?? '').toUpperCase()
  const port = Number(m[2])
  const path = m[3]
  if (!(CLASSIC_PROTOCOLS as readonly string[]).includes(protocol)) return `HealthCheck Target protocol must be one of HTTP, HTTPS, TCP or SSL, not '${m[1]}'`
  if (port < 1 || port > 65535) return `HealthCheck Target port must be between 1 and 65535, not ${port}`
  const http = protocol === 'HTTP' || protocol === 'HTTPS'
  if (http && path === undefined) return `HealthCheck HTTP Target must specify a port followed by a path that begins with a slash. e.g. HTTP:80/ping/this/path`
  if (!http && path !== undefined) return `HealthCheck ${protocol} Target must specify a port and no path. e.g. ${protocol}:${port}`
  return { protocol: protocol as ClassicProtocol, port, path: path ?? '' }
}

/** Front-end and back-end protocols pair by layer: HTTP/HTTPS with HTTP/HTTPS, TCP/SSL with TCP/SSL. */
export const isLayer7 = (p: ClassicProtocol): boolean => p === 'HTTP' || p === 'HTTPS'
export const isSecure = (p: ClassicProtocol): boolean => p === 'HTTPS' || p === 'SSL'

/** The balancer's ARN: Classic balancers are named by name alone. */
export const classicLoadBalancerArn = (partition: { readonly region: string; readonly accountId: string }, name: string): string =>
  `arn:aws:elasticloadbalancing:${partition.region}:${partition.accountId}:loadbalancer/${name}`

/** The number AWS puts after a Classic balancer's name in its DNS name. */
export function classicDnsName(dnsSuffix: string, region: string, name: string, id: string, scheme: string): string {
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${id}.${region}.elb.${dnsSuffix}`.toLowerCase()
}

const port = z.number().int().min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535')
const inRange = (field: keyof typeof CLASSIC_HEALTH_CHECK_RANGES, fallback: number) => {
  const [lo, hi] = CLASSIC_HEALTH_CHECK_RANGES[field]
  return z.number().int().min(lo, `must be between ${lo} and ${hi}`).max(hi, `must be between ${lo} and ${hi}`).default(fallback)
}

/** A Classic listener in a file (the elb API's Listener). */
export const classicListenerSpec = z.strictObject({
  /** The front end: HTTP, HTTPS, TCP or SSL. */
  protocol: z.enum(CLASSIC_PROTOCOLS),
  /** The port the balancer listens on, 1-65535. */
  loadBalancerPort: port,
  /** The back end: HTTP or HTTPS behind HTTP/HTTPS, TCP or SSL behind TCP/SSL (default: the front end's, unencrypted). */
  instanceProtocol: z.enum(CLASSIC_PROTOCOLS).optional(),
  /** The instances' port, 1-65535. */
  instancePort: port,
  /** HTTPS and SSL listeners: the certificate, by the name of one in the file or its ARN (SSLCertificateId). */
  certificate: z.string().min(1).optional(),
  /** The balancer's policies this listener uses, by name: one stickiness policy (HTTP, HTTPS), one SSL negotiation policy (HTTPS, SSL). */
  policies: z.array(z.string().min(1)).default([]),
})

/** The balancer's one health check; left out, AWS's default: TCP on the first listener's instance port, 30 s, 5 s, 2 and 10. */
export const classicHealthCheckSpec = z
  .strictObject({
    /** PROTOCOL:PORT for TCP and SSL (TCP:4000), PROTOCOL:PORT/PATH for HTTP and HTTPS (HTTP:4000/health). */
    target: z.string().superRefine((t, ctx) => {
      const parsed = parseClassicCheckTarget(t)
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed })
    }),
    /** Seconds between checks of one instance, 5-300 (default 30). */
    intervalSeconds: inRange('interval', 30),
    /** Seconds to wait for an answer, 2-60 and less than the interval (default 5). */
    timeoutSeconds: inRange('timeout', 5),
    /** Failed checks in a row that take an instance out of service, 2-10 (default 2). */
    unhealthyThreshold: inRange('unhealthyThreshold', 2),
    /** Passed checks in a row that put an instance in service, 2-10 (default 10). */
    healthyThreshold: inRange('healthyThreshold', 10),
  })
  .superRefine((hc, ctx) => {
    if (hc.timeoutSeconds >= hc.intervalSeconds) ctx.addIssue({ code: 'custom', path: ['timeoutSeconds'], message: 'must be less than intervalSeconds' })
  })

/** A policy of the balancer, by the elb API's policy type names. */
export const classicPolicySpec = z.discriminatedUnion('type', [
  z.strictObject({
    /** Letters, digits and hyphens. */
    name: z.string().regex(/^[A-Za-z0-9-]{1,255}$/, 'must consist of letters, digits and hyphens'),
    /** The balancer's own AWSELB cookie. */
    type: z.literal('LBCookieStickinessPolicyType'),
    /** Seconds the cookie lives (CookieExpirationPeriod); left out or 0: a browser-session cookie. */
    cookieExpirationSeconds: z.number().int().min(0, 'must be 0 or more').optional(),
  }),
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9-]{1,255}$/, 'must consist of letters, digits and hyphens'),
    /** Follows the application's cookie: sticky while the client carries it. */
    type: z.literal('AppCookieStickinessPolicyType'),
    /** The application's cookie (CookieName). */
    cookieName: z.string().min(1),
  }),
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9-]{1,255}$/, 'must consist of letters, digits and hyphens'),
    /** HTTPS and SSL listeners: one of Classic's predefined security policies. */
    type: z.literal('SSLNegotiationPolicyType'),
    /** The predefined policy (Reference-Security-Policy). */
    referenceSecurityPolicy: z.enum(CLASSIC_SSL_POLICIES as [string, ...string[]]),
  }),
])

export const classicAttributesSpec = z.strictObject({
  /** Every node forwards to the instances of every zone (default false, as for a balancer made through the API). */
  crossZoneLoadBalancing: z.boolean().default(false),
  connectionDraining: z
    .strictObject({
      /** A deregistered instance keeps its requests in flight (default false). */
      enabled: z.boolean().default(false),
      /** Seconds they may take, 1-3600 (default 300). */
      timeoutSeconds: z.number().int().min(1, 'must be between 1 and 3600').max(3600, 'must be between 1 and 3600').default(300),
    })
    .default({ enabled: false, timeoutSeconds: 300 }),
  /** Seconds a client or instance connection may stay idle, 1-3600 (default 60). */
  idleTimeoutSeconds: z.number().int().min(1, 'must be between 1 and 3600').max(3600, 'must be between 1 and 3600').default(60),
  accessLog: z
    .strictObject({
      /** Write access log lines in Classic's fields (default false). */
      enabled: z.boolean().default(false),
      /** Where they go (S3BucketName): a file path, or "-" for standard output. */
      bucket: z.string().default(''),
      /** Lines are written as requests end: 60 only (EmitInterval). */
      emitIntervalMinutes: z
        .number()
        .refine((m) => m === 60, 'openalb writes access log lines as requests end: emitIntervalMinutes can only be 60')
        .default(60),
    })
    .refine((l) => !l.enabled || l.bucket !== '', { path: ['bucket'], message: 'a file path (or - for standard output) is required to enable access logs' })
    .default({ enabled: false, bucket: '', emitIntervalMinutes: 60 }),
  /** monitor, defensive (default) or strictest (elb.http.desyncmitigationmode). */
  desyncMitigationMode: z.enum(['monitor', 'defensive', 'strictest']).default('defensive'),
})

/** A Classic Load Balancer in a file: `type: classic` in loadBalancers, what the elb API makes. */
export const classicLoadBalancerSpec = z
  .strictObject({
    /** 1-32 letters, digits and hyphens, not beginning or ending with a hyphen. */
    name: awsName,
    /** A Classic Load Balancer (the elb API). */
    type: z.literal('classic'),
    /** internet-facing (default) or internal. */
    scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
    /** Subnets by name or id, in one VPC (default: the default VPC's subnet-a and subnet-b, unless availabilityZones names zones). */
    subnets: z.array(z.string().min(1)).min(1).optional(),
    /** Zones whose default subnets the balancer uses (us-east-1a, ...); instead of subnets. */
    availabilityZones: z.array(z.string().min(1)).min(1).optional(),
    /** Security groups by name or id; their inbound rules are enforced at accept. */
    securityGroups: z.array(z.string().min(1)).default([]),
    /** At least one, on distinct ports. */
    listeners: z.array(classicListenerSpec).min(1, 'a Classic load balancer needs at least one listener').max(100, 'at most 100 listeners per Classic load balancer'),
    healthCheck: classicHealthCheckSpec.optional(),
    /** Registered instances, by name or id. */
    instances: z.array(z.string().min(1)).default([]),
    /** Stickiness and SSL negotiation policies the listeners name. */
    policies: z.array(classicPolicySpec).default([]),
    attributes: classicAttributesSpec.default(() => classicAttributesSpec.parse({})),
    /** At most 10, as Classic allows. */
    tags: tags.refine((t) => Object.keys(t).length <= 10, 'at most 10 tags per Classic load balancer'),
  })
  .superRefine((lb, ctx) => {
    if (lb.subnets !== undefined && lb.availabilityZones !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['availabilityZones'], message: 'give subnets or availabilityZones, not both' })
    }
  })
export type ClassicLoadBalancerSpec = z.output<typeof classicLoadBalancerSpec>
