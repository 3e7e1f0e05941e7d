import type { CidrCollection } from '../model/cidr-collection.js'
import type { HostedZone, RecordSet } from '../model/hosted-zone.js'

/** A balancer as DNS sees it: its name and the addresses its listeners are reachable on. */
export interface BalancerAddresses {
  /** With or without the trailing dot; any case. */
  readonly dnsName: string
  readonly addresses: readonly string[]
  /** Its ARN, for traffic policy endpoints that name a balancer by DNS name. */
  readonly arn?: string | undefined
}

export interface BalancerState extends BalancerAddresses {
  /** False when the balancer has no healthy target in any of its target groups. */
  readonly healthy: boolean
}

/** A traffic policy instance as DNS answers it. */
export interface TrafficPolicyRecord {
  readonly instanceId: string
  /** fqdn. */
  readonly name: string
  readonly type: string
  readonly ttl: number
  /** The policy version's document (model/traffic-policy.ts parses it). */
  readonly document: string
}

/**
 * A VPC as private zones see it: a query comes from the VPC when its source address is one of the
 * VPC's instances' addresses or lies in one of its CIDR blocks.
 */
export interface VpcNetwork {
  /** model/hosted-zone.ts vpcKey: REGION/VPC-ID. */
  readonly key: string
  readonly cidrBlocks: readonly string[]
  readonly addresses: readonly string[]
}

/**
 * What the DNS server reads zone data through (runtime/dns-source.ts builds one from the store).
 * zones(), records() and loadBalancers() are read once per update(); loadBalancer(arn).healthy is
 * read per query, for alias records that evaluate target health.
 */
export interface ZoneSource {
  zones(): readonly HostedZone[]
  records(zoneId: string): readonly RecordSet[]
  loadBalancer(arn: string): BalancerState | undefined
  /** Every balancer: each one's own DNS name is answered too. */
  loadBalancers(): readonly BalancerAddresses[]
  /** The VPCs private zones are associated with: who is "from" each (absent: private zones answer no one). */
  vpcNetworks?(): readonly VpcNetwork[]
  /** A zone's traffic policy instances: name, type and TTL, and the document of their policy version (absent: none). */
  trafficPolicyRecords?(zoneId: string): readonly TrafficPolicyRecord[]
  /** Route 53 CIDR collections, for IP-based routing (absent: none). */
  cidrCollections?(): readonly CidrCollection[]
  /** A Route 53 health check's status now, read per query (routing policies); absent: every check is healthy. */
  healthCheckHealthy?(id: string): boolean | undefined
  /** TTL of balancer answers (default BALANCER_ALIAS_TTL_SECONDS); a fleet answers its node TTL. */
  readonly balancerTtlSeconds?: number
}
