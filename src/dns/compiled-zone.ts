import type { CidrMatcher } from './cidr-match.js'
import type { GeoLocation } from '../model/geo-locations.js'
import type { GeoTable } from './geo-table.js'
import type { RData } from './rdata.js'

/** Record data known when the zone is compiled. */
export interface StaticRRSet {
  readonly kind: 'static'
  readonly ttl: number
  readonly records: readonly RData[]
}

/**
 * The TTL of a balancer's own name and of alias answers to it. Route 53 uses 60 s; openalb answers
 * 10 s so that a node that left the fleet leaves clients' caches quickly.
 */
export const BALANCER_ALIAS_TTL_SECONDS = 10

/** An alias: its data is looked up when a query arrives (the target's health can change without a new revision). */
export interface AliasRRSet {
  readonly kind: 'alias'
  readonly evaluateTargetHealth: boolean
  /** Balancer ARN, or undefined for an alias to a record. */
  readonly loadBalancerArn: string | undefined
  /** The balancer's addresses of this set's type (A: IPv4, AAAA: IPv6), fixed at compile time. */
  readonly addresses: readonly string[]
  /** TTL of the answer when it is a balancer's addresses. */
  readonly ttl: number
  /** fqdn of the aliased record in the same zone. */
  readonly recordName: string | undefined
}

/** One record set of a routing policy: its data, its share or role, and the health check that gates it. */
export interface PolicyMember {
  readonly setIdentifier: string
  /** A record set's data, or (a traffic policy's rule) another policy below this one. */
  readonly set: RRSet
  readonly weight?: number | undefined
  readonly failover?: 'PRIMARY' | 'SECONDARY' | undefined
  /** IP-based routing: the CIDR location this set answers ("*": the default). */
  readonly location?: string | undefined
  /** Geolocation routing: the place this set answers. */
  readonly geo?: GeoLocation | undefined
  readonly healthCheckId?: string | undefined
}

/** Several record sets of one name and type under a routing policy: the answer is chosen per query. */
export interface PolicyRRSet {
  readonly kind: 'policy'
  readonly policy: 'weighted' | 'failover' | 'multivalue' | 'cidr' | 'geolocation'
  readonly members: readonly PolicyMember[]
  /** IP-based routing: the collection's blocks, compiled once per revision. */
  readonly matcher?: CidrMatcher | undefined
  /** Geolocation routing: where clients are (`openalb up --geo-table`; absent: nowhere known). */
  readonly geoTable?: GeoTable | undefined
}

export type RRSet = StaticRRSet | AliasRRSet | PolicyRRSet

/** The record sets at one owner name, by type. */
export type ZoneNode = ReadonlyMap<string, RRSet>

export interface CompiledZone {
  /** fqdn. */
  readonly name: string
  readonly nodes: ReadonlyMap<string, ZoneNode>
  /** Every name that exists: owners and their ancestors up to the apex (empty non-terminals). */
  readonly names: ReadonlySet<string>
  /** Names below the apex that carry NS records: delegations, answered with a referral. */
  readonly cuts: ReadonlySet<string>
  readonly soa: StaticRRSet
  /** TTL of the SOA given with negative answers: min(SOA TTL, SOA minimum) (RFC 2308). */
  readonly negativeTtl: number
}

export interface CompiledZones {
  /** Public zones (and the zones made for balancer names), by name. */
  readonly zones: ReadonlyMap<string, CompiledZone>
  /** Private zones by the VPC they are associated with (vpcKey), then by name. */
  readonly privateZones: ReadonlyMap<string, ReadonlyMap<string, CompiledZone>>
  /** Whether some record set routes by the client's address (IP-based or geolocation routing). */
  readonly routesByClient: boolean
  /** The VPCs (vpcKeys) a query from this source address comes from, compiled once per revision; [] for none. */
  readonly vpcsOf: (address: string) => readonly string[]
  /** Whether a balancer is healthy now (read per query, for aliases that evaluate target health). */
  readonly isBalancerHealthy: (arn: string) => boolean
  /** A Route 53 health check's status now (undefined: not known here, taken as healthy), read per query. */
  readonly isHealthCheckHealthy: (id: string) => boolean | undefined
}
