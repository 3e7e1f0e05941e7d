/**
 * Route 53 CIDR collections (IP-based routing): named locations, each a list of CIDR blocks.
 * A record set with a CidrRoutingConfig answers the queries whose client address falls in one of
 * its location's blocks (the longest matching block of the collection wins); the location "*"
 * answers every other client.
 */
export interface CidrCollection {
  readonly kind: 'cidr-collection'
  /** A UUID, as Route 53. */
  readonly id: string
  /** Unique in the account: [0-9A-Za-z_-], 1-64 characters. */
  readonly name: string
  readonly callerReference: string
  /** 1 at creation, +1 with each ChangeCidrCollection. */
  readonly version: number
  /** Location name -> its CIDR blocks, in the canonical form Route 53 lists (network address/prefix). */
  readonly locations: Readonly<Record<string, readonly string[]>>
}

/** The location that answers clients no block matches. */
export const DEFAULT_CIDR_LOCATION = '*'

/** The ARN Route 53 gives a collection (global: no region, no account). */
export const cidrCollectionArn = (id: string): string => `arn:aws:route53:::cidrcollection/${id}`

/** Route 53's quotas on IP-based routing, as control enforces them. */
export const ROUTE53_CIDR_LIMITS = {
  /** CIDR collections per account. */
  collections: 5,
  /** CIDR blocks in one collection, over all its locations. */
  blocksPerCollection: 1000,
} as const

/** Route 53 takes IPv4 blocks of /1 to /24 and IPv6 blocks of /1 to /48 ("*" stands for /0). */
export const CIDR_PREFIX_RANGE = { 4: { min: 1, max: 24 }, 6: { min: 1, max: 48 } } as const

export const COLLECTION_NAME = /^[0-9A-Za-z_-]{1,64}$/
export const LOCATION_NAME = /^[0-9A-Za-z_-]{1,16}$/
