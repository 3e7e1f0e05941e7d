import { z } from 'zod'
import { awsName, tags, type Tags } from './schema-util.js'

export const LoadBalancerType = { APPLICATION: 'application', NETWORK: 'network' } as const
export type LoadBalancerType = (typeof LoadBalancerType)[keyof typeof LoadBalancerType]
export const Scheme = { INTERNET_FACING: 'internet-facing', INTERNAL: 'internal' } as const
export type Scheme = (typeof Scheme)[keyof typeof Scheme]
export const IpAddressType = { IPV4: 'ipv4', DUALSTACK: 'dualstack' } as const
export type IpAddressType = (typeof IpAddressType)[keyof typeof IpAddressType]
export const DesyncMitigationMode = { MONITOR: 'monitor', DEFENSIVE: 'defensive', STRICTEST: 'strictest' } as const
export type DesyncMitigationMode = (typeof DesyncMitigationMode)[keyof typeof DesyncMitigationMode]
export const XffMode = { APPEND: 'append', PRESERVE: 'preserve', REMOVE: 'remove' } as const
export type XffMode = (typeof XffMode)[keyof typeof XffMode]

export const loadBalancerAttributesSpec = z.strictObject({
  /** Seconds a client or target connection may stay idle, 1-4000 (default 60). */
  idleTimeoutSeconds: z.number().int().min(1, 'must be between 1 and 4000').max(4000, 'must be between 1 and 4000').default(60),
  /** Offer HTTP/2 through ALPN on HTTPS listeners (default true). */
  http2Enabled: z.boolean().default(true),
  /** Drop header fields whose names are not valid tokens (default false). */
  dropInvalidHeaderFields: z.boolean().default(false),
  /** monitor, defensive (default) or strictest: what happens to requests that could desync. */
  desyncMitigationMode: z.enum(['monitor', 'defensive', 'strictest']).default('defensive'),
  /** append (default), preserve or remove: the X-Forwarded-For header. */
  xffHeaderProcessingMode: z.enum(['append', 'preserve', 'remove']).default('append'),
  /** Keep the client's Host header port as is (default false). */
  preserveHostHeader: z.boolean().default(false),
  /**
   * load_balancing.cross_zone.enabled: whether every node forwards to targets of every zone. Always
   * on for application balancers (AWS: can't be changed); off by default for network ones.
   */
  crossZoneEnabled: z.boolean().optional(),
  /** Refuse deletion while true (default false). */
  deletionProtection: z.boolean().default(false),
  /** Seconds allowed to receive a whole request head, 1-300 (default 30); openalb's own limit. */
  requestHeadTimeoutSeconds: z.number().int().min(1).max(300).default(30),
  accessLogs: z
    .strictObject({
      /** Write access log lines (default false). */
      enabled: z.boolean().default(false),
      /** Where the lines go: a file path, or "-" for standard output. */
      bucket: z.string().default(''),
      /** S3's key prefix has no counterpart in a file path: refused until it does something. */
      prefix: z
        .string()
        .refine((p) => p === '', 'openalb writes access logs to the file that bucket names and has no prefixes: leave prefix empty')
        .default(''),
    })
    .default({ enabled: false, bucket: '', prefix: '' }),
})
export type LoadBalancerAttributes = z.output<typeof loadBalancerAttributesSpec>

export const loadBalancerSpecBase = z.strictObject({
  /** 1-32 letters, digits and hyphens; must not begin with internal-. */
  name: awsName.refine((n) => !n.toLowerCase().startsWith('internal-'), 'must not begin with internal-'),
  /** application (default) or network. */
  type: z.enum(['application', 'network']).default('application'),
  /** internet-facing (default) or internal. */
  scheme: z.enum(['internet-facing', 'internal']).default('internet-facing'),
  /** ipv4 (default) or dualstack. */
  ipAddressType: z.enum(['ipv4', 'dualstack']).default('ipv4'),
  /** Subnets by id or name, one per zone, in one VPC; an application balancer spans at least two zones (default: the default VPC's subnet-a and subnet-b). */
  subnets: z.array(z.string().min(1)).default(['subnet-a', 'subnet-b']),
  /** Security groups by name or id; their inbound rules are enforced at accept. */
  securityGroups: z.array(z.string()).max(5, 'at most 5 security groups').default([]),
  /** The local address the listeners bind (default 127.0.0.1). */
  bindAddress: z.string().default('127.0.0.1'),
  attributes: loadBalancerAttributesSpec.default(() => loadBalancerAttributesSpec.parse({})),
  tags,
})
export const loadBalancerSpec = loadBalancerSpecBase.superRefine((lb, ctx) => {
  if (lb.type === 'application' && new Set(lb.subnets).size < 2) {
    ctx.addIssue({ code: 'custom', path: ['subnets'], message: 'an application load balancer needs subnets in at least two availability zones' })
  }
  if (lb.type === 'application' && lb.attributes.crossZoneEnabled === false) {
    ctx.addIssue({ code: 'custom', path: ['attributes', 'crossZoneEnabled'], message: 'cross-zone load balancing is always on for application load balancers' })
  }
})

/** Whether a balancer's nodes reach every zone's targets: ALB always, NLB only when turned on. */
export function crossZoneEnabled(lb: Pick<LoadBalancer, 'type' | 'attributes'>): boolean {
  return lb.attributes.crossZoneEnabled ?? lb.type === 'application'
}
export type LoadBalancerSpec = z.input<typeof loadBalancerSpec>

export interface LoadBalancer {
  readonly kind: 'load-balancer'
  readonly arn: string
  readonly name: string
  readonly type: LoadBalancerType
  readonly scheme: Scheme
  readonly ipAddressType: IpAddressType
  readonly subnets: readonly string[]
  /** The subnets' zones, one per subnet. */
  readonly availabilityZones: readonly string[]
  /** Group ids. */
  readonly securityGroups: readonly string[]
  readonly bindAddress: string
  readonly attributes: LoadBalancerAttributes
  readonly dnsName: string
  readonly canonicalHostedZoneId: string
  readonly vpcId: string
  /** ISO 8601. */
  readonly createdTime: string
  readonly tags: Tags
}
