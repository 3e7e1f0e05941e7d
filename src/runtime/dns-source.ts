import type { VpcNetwork, ZoneSource } from '../dns/zone-source.js'
import { DEFAULT_VPC_CIDR } from '../model/default-vpc.js'
import { DEFAULT_VPC_ID } from '../model/ids.js'
import { vpcKey, type ZoneVpc } from '../model/hosted-zone.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import type { RecordSet } from '../model/hosted-zone.js'
import type { StateView } from '../model/state-view.js'

/** A node's address when none is configured: listeners bind loopback by default. */
export const DEFAULT_ADVERTISE_ADDRESS = '127.0.0.1'

const WILDCARD_BINDS = new Set(['', '0.0.0.0', '::', '[::]'])

/** Instances in these states answer nothing and ask nothing: their address is no longer the VPC's. */
const GONE = new Set(['shutting-down', 'terminated'])

/**
 * The VPCs that private zones are associated with, each with its CIDR block and the addresses of
 * its instances (on one machine an instance's address is a loopback one, outside the VPC's block).
 */
export function vpcNetworks(view: StateView): VpcNetwork[] {
  const keys = new Map<string, ZoneVpc>()
  for (const z of view.list('hosted-zone')) for (const v of z.vpcs ?? []) keys.set(vpcKey(v), v)
  if (keys.size === 0) return []
  const instances = view.list('instance').filter((i) => !GONE.has(i.state))
  return [...keys].map(([key, v]) => {
    const stored = view.list('vpc').find((x) => x.id === v.vpcId && x.region === v.region)
    const cidr = stored?.cidrBlock ?? (v.vpcId === DEFAULT_VPC_ID ? DEFAULT_VPC_CIDR : undefined)
    return { key, cidrBlocks: cidr ? [cidr] : [], addresses: instances.filter((i) => i.vpcId === v.vpcId && i.region === v.region).map((i) => i.address) }
  })
}

/** A live node of a fleet as DNS needs it. */
export interface FleetNode {
  readonly address: string
  readonly zone: string
}

/**
 * The addresses that serve a balancer in a fleet: one per live node of the balancer's zones
 * (its subnets name them), sorted; none when no node of those zones is alive.
 */
export function fleetAddresses(lb: Pick<LoadBalancer, 'availabilityZones'>, nodes: readonly FleetNode[]): string[] {
  const zones = new Set(lb.availabilityZones)
  return [...new Set(nodes.filter((n) => zones.has(n.zone)).map((n) => n.address))].sort()
}

/**
 * The DNS server's view of one revision. Alone, a balancer answers its bind address when it binds
 * one address, else the node's addresses. In a fleet (fleet given), every node binds the listeners
 * on its own address, and a balancer answers the live nodes of its zones.
 */
export function zoneSourceFromState(
  view: StateView,
  nodeAddresses: readonly string[],
  isBalancerHealthy: (lbArn: string) => boolean,
  fleet?: { readonly nodes: readonly FleetNode[]; readonly ttlSeconds?: number },
): ZoneSource {
  const fallback = nodeAddresses.length > 0 ? nodeAddresses : [DEFAULT_ADVERTISE_ADDRESS]
  const addressesOf = (lb: Pick<LoadBalancer, 'availabilityZones' | 'bindAddress'>): readonly string[] =>
    fleet ? fleetAddresses(lb, fleet.nodes) : WILDCARD_BINDS.has(lb.bindAddress) ? fallback : [lb.bindAddress]

  let byZone: Map<string, RecordSet[]> | undefined
  return {
    ...(fleet?.ttlSeconds !== undefined ? { balancerTtlSeconds: fleet.ttlSeconds } : {}),
    zones: () => view.list('hosted-zone'),
    cidrCollections: () => view.list('cidr-collection'),
    vpcNetworks: () => vpcNetworks(view),
    records(zoneId) {
      if (!byZone) {
        byZone = new Map()
        for (const r of view.list('record-set')) {
          const list = byZone.get(r.zoneId)
          if (list) list.push(r)
          else byZone.set(r.zoneId, [r])
        }
      }
      return byZone.get(zoneId) ?? []
    },
    loadBalancer(arn) {
      const lb = view.get('load-balancer', arn) ?? view.get('classic-load-balancer', arn)
      return lb ? { dnsName: lb.dnsName, addresses: addressesOf(lb), healthy: isBalancerHealthy(arn) } : undefined
    },
    // Classic balancers answer their DNS names as the others do.
    loadBalancers: () => [...view.list('load-balancer'), ...view.list('classic-load-balancer')].map((lb) => ({ dnsName: lb.dnsName, addresses: addressesOf(lb), arn: lb.arn })),
    trafficPolicyRecords: (zoneId) =>
      view
        .list('traffic-policy-instance')
        .filter((i) => i.hostedZoneId === zoneId)
        .flatMap((i) => {
          const version = view.get('traffic-policy', i.policyId)?.versions.find((v) => v.version === i.policyVersion)
          return version ? [{ instanceId: i.id, name: i.name, type: i.type, ttl: i.ttl, document: version.document }] : []
        }),
  }
}
