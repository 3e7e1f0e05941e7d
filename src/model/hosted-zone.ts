import { z } from 'zod'
import { geoLocationProblem, type GeoLocation } from './geo-locations.js'
import { tags, type Tags } from './schema-util.js'

/** Lower-case, with the trailing dot: the form zones and records are stored in. */
export function fqdn(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower : `${lower}.`
}

export const RecordType = {
  A: 'A', AAAA: 'AAAA', CNAME: 'CNAME', TXT: 'TXT', MX: 'MX', SRV: 'SRV', CAA: 'CAA', PTR: 'PTR', NS: 'NS', SOA: 'SOA',
} as const
export type RecordType = (typeof RecordType)[keyof typeof RecordType]

const dnsName = z.string().min(1).max(255).regex(/^(\*\.)?([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_-]*\.?$/, 'must be a DNS name')

export const recordSpec = z
  .strictObject({
    /** Full name (api.example.test) or relative to the zone (api); @ is the apex. */
    name: z.string().min(1).max(255),
    type: z.enum(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'PTR', 'NS', 'SOA']),
    /** Seconds, 0-2147483647 (default 300); ignored for aliases. */
    ttl: z.number().int().min(0).max(2147483647).default(300),
    /** Record data in zone-file text form ("10 mail.example.test.", "\"text\""). */
    values: z.array(z.string().min(1).max(4000)).default([]),
    /** Routing policies: names one of several record sets of the same name and type (1-128 characters). */
    setIdentifier: z.string().min(1).max(128).optional(),
    /** Weighted routing: this set's share, 0-255. */
    weight: z.number().int().min(0).max(255).optional(),
    /** Failover routing: PRIMARY answers while healthy, else SECONDARY. */
    failover: z.enum(['PRIMARY', 'SECONDARY']).optional(),
    /** Multivalue answer routing: up to eight healthy sets answer together. */
    multiValueAnswer: z.boolean().optional(),
    /** IP-based routing: the set answers clients in this location of a CIDR collection ("*": every client no location matches). */
    cidrRouting: z.strictObject({ collectionId: z.string().min(1).max(64), locationName: z.string().regex(/^[0-9A-Za-z_\-*]{1,16}$/, 'must be 1-16 letters, digits, _, - or "*"') }).optional(),
    /** Geolocation routing: the set answers clients of this continent, country ("*": every other client) or US state, as `openalb up --geo-table` places them. */
    geoLocation: z
      .strictObject({ continentCode: z.string().optional(), countryCode: z.string().optional(), subdivisionCode: z.string().optional() })
      .superRefine((g, ctx) => {
        const problem = geoLocationProblem(g)
        if (problem) ctx.addIssue({ code: 'custom', message: problem })
      })
      .optional(),
    /** A Route 53 health check (its id) whose status decides whether this set answers. */
    healthCheckId: z.string().min(1).max(64).optional(),
    /** Alias: answer with a load balancer's addresses or another record's data. */
    alias: z
      .strictObject({
        /** A load balancer by name or ARN. */
        loadBalancer: z.string().optional(),
        /** Another record's name in the same zone. */
        record: z.string().optional(),
        /** Treat the alias as unhealthy when the balancer has no healthy target (default false). */
        evaluateTargetHealth: z.boolean().default(false),
      })
      .refine((a) => (a.loadBalancer === undefined) !== (a.record === undefined), 'give exactly one of loadBalancer or record')
      .optional(),
  })
  .superRefine((r, ctx) => {
    const policies = [r.weight !== undefined, r.failover !== undefined, r.multiValueAnswer !== undefined, r.cidrRouting !== undefined, r.geoLocation !== undefined].filter(Boolean).length
    if (policies > 1) ctx.addIssue({ code: 'custom', path: ['setIdentifier'], message: 'a record set has one routing policy: weight, failover, multiValueAnswer or cidrRouting' })
    if (policies === 1 && r.setIdentifier === undefined) ctx.addIssue({ code: 'custom', path: ['setIdentifier'], message: 'a weighted, failover, multivalue or IP-based record set needs a setIdentifier' })
    if (policies === 0 && r.setIdentifier !== undefined) ctx.addIssue({ code: 'custom', path: ['setIdentifier'], message: 'a setIdentifier needs a routing policy: weight, failover, multiValueAnswer or cidrRouting' })
    if (r.multiValueAnswer !== undefined && r.alias) ctx.addIssue({ code: 'custom', path: ['multiValueAnswer'], message: 'a multivalue answer record set cannot be an alias' })
    if (r.alias && r.values.length > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: 'an alias record has no values' })
    if (!r.alias && r.values.length === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: 'needs at least one value (or an alias)' })
    if (r.type === 'CNAME' && r.values.length > 1) ctx.addIssue({ code: 'custom', path: ['values'], message: 'a CNAME record has exactly one value' })
    if (r.alias && !['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'CAA', 'PTR'].includes(r.type)) {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `an alias cannot be of type ${r.type}` })
    }
  })
export type RecordSpec = z.input<typeof recordSpec>

export const hostedZoneSpec = z.strictObject({
  /** The zone's domain (example.test). */
  name: dnsName,
  comment: z.string().max(256).default(''),
  /** The zone's records; SOA and NS at the apex are made by openalb. */
  records: z.array(recordSpec).default([]),
  tags,
})
export type HostedZoneSpec = z.input<typeof hostedZoneSpec>

export interface HostedZone {
  readonly kind: 'hosted-zone'
  /** Z + 20 characters, as Route 53. */
  readonly id: string
  /** fqdn form: example.test. */
  readonly name: string
  readonly callerReference: string
  readonly comment: string
  /** Increases with each change of the zone's records. */
  readonly serial: number
  readonly nameServers: readonly string[]
  /** The reusable delegation set the zone was created in (CreateHostedZone DelegationSetId). */
  readonly delegationSetId?: string | undefined
  /**
   * A private zone's VPCs (at least one): openalb's DNS answers the zone only to queries from
   * them (zoneVisibleFrom). Absent: a public zone.
   */
  readonly vpcs?: readonly ZoneVpc[] | undefined
  readonly tags: Tags
}

/** A VPC a private hosted zone is associated with: VPC ids are per region (the default VPC has one id in every region). */
export interface ZoneVpc {
  readonly vpcId: string
  readonly region: string
}

/** The key DNS and control know a VPC by in private-zone visibility. */
export const vpcKey = (v: ZoneVpc): string => `${v.region}/${v.vpcId}`

export const isPrivateZone = (z: Pick<HostedZone, 'vpcs'>): boolean => z.vpcs !== undefined

/** Route 53's reusable delegation set: four name servers several zones share. */
export interface DelegationSet {
  readonly kind: 'delegation-set'
  /** N + 13 characters, as Route 53. */
  readonly id: string
  readonly callerReference: string
  readonly nameServers: readonly string[]
  readonly createdAt: string
}

/** The name servers openalb's DNS answers as: every zone's delegation set (Route 53 gives four). */
export const NAME_SERVERS: readonly string[] = ['ns1.openalb.test.', 'ns2.openalb.test.', 'ns3.openalb.test.', 'ns4.openalb.test.']

/** Route 53: at most this many zones in one reusable delegation set. */
export const MAX_ZONES_BY_REUSABLE_DELEGATION_SET = 100

export interface AliasTarget {
  /** Balancer ARN when the alias points at a balancer. */
  readonly loadBalancerArn?: string | undefined
  /** fqdn of a record in the same zone. */
  readonly recordName?: string | undefined
  /** The DNS name Route 53 clients give (the balancer's dnsName or the record's name, with a dot). */
  readonly dnsName: string
  readonly hostedZoneId: string
  readonly evaluateTargetHealth: boolean
}

export interface RecordSet {
  readonly kind: 'record-set'
  /** zoneId/name/type: unique. */
  readonly id: string
  readonly zoneId: string
  /** fqdn form. */
  readonly name: string
  readonly type: RecordType
  readonly ttl: number
  readonly values: readonly string[]
  readonly alias?: AliasTarget | undefined
  /** Routing policies (Route 53's SetIdentifier and its one policy); absent: simple routing. */
  readonly setIdentifier?: string | undefined
  readonly weight?: number | undefined
  readonly failover?: 'PRIMARY' | 'SECONDARY' | undefined
  readonly multiValueAnswer?: boolean | undefined
  /** IP-based routing (Route 53's CidrRoutingConfig). */
  readonly cidrRouting?: { readonly collectionId: string; readonly locationName: string } | undefined
  /** Geolocation routing (Route 53's GeoLocation). */
  readonly geoLocation?: GeoLocation | undefined
  readonly healthCheckId?: string | undefined
  /** Only in API listings: the traffic policy instance that answers this name and type (never stored as a record set). */
  readonly trafficPolicyInstanceId?: string | undefined
}

/** The routing policy of a record set. */
export const routingPolicyOf = (r: Pick<RecordSet, 'weight' | 'failover' | 'multiValueAnswer' | 'cidrRouting' | 'geoLocation'>): 'simple' | 'weighted' | 'failover' | 'multivalue' | 'cidr' | 'geolocation' =>
  r.weight !== undefined ? 'weighted' : r.failover !== undefined ? 'failover' : r.multiValueAnswer !== undefined ? 'multivalue' : r.cidrRouting !== undefined ? 'cidr' : r.geoLocation !== undefined ? 'geolocation' : 'simple'

export const recordSetId = (zoneId: string, name: string, type: string, setIdentifier?: string): string =>
  `${zoneId}/${fqdn(name)}/${type}${setIdentifier === undefined ? '' : `/${setIdentifier}`}`

/** Resolves a record name given relative to its zone (api, @) into its fqdn. */
export function absoluteName(zoneName: string, name: string): string {
  const zone = fqdn(zoneName)
  if (name === '@' || fqdn(name) === zone) return zone
  if (name.endsWith('.')) return fqdn(name)
  const lower = name.toLowerCase()
  return lower.endsWith(zone.slice(0, -1)) ? `${lower}.` : `${lower}.${zone}`
}

/** Route 53's default quotas, as GetAccountLimit / GetHostedZoneLimit report them and control enforces them. */
export const ROUTE53_ACCOUNT_LIMITS = {
  MAX_HEALTH_CHECKS_BY_OWNER: 200,
  MAX_HOSTED_ZONES_BY_OWNER: 500,
  MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER: 5,
  MAX_REUSABLE_DELEGATION_SETS_BY_OWNER: 100,
  MAX_TRAFFIC_POLICIES_BY_OWNER: 50,
} as const
export const ROUTE53_ZONE_LIMITS = { MAX_RRSETS_BY_ZONE: 10_000, MAX_VPCS_ASSOCIATED_BY_ZONE: 300 } as const
