import type { ZoneSource } from '../dns/zone-source.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import type { RecordSet } from '../model/hosted-zone.js'
import type { StateView } from '../model/state-view.js'

/** A node's address when none is configured: listeners bind loopback by default. */
export const DEFAULT_ADVERTISE_ADDRESS = '127.0.0.1'

const WILDCARD_BINDS = new Set(['', '0.0.0.0', '::', '[::]'])

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
    loadBalancers: () => [...view.list('load-balancer'), ...view.list('classic-load-balancer')].map((lb) => ({ dnsName: lb.dnsName, addresses: addressesOf(lb) })),
  }
}
