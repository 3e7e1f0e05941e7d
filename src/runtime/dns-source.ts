import type { ZoneSource } from '../dns/zone-source.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import type { RecordSet } from '../model/hosted-zone.js'
import type { StateView } from '../store/state.js'

/** A node's address when none is configured: listeners bind loopback by default. */
export const DEFAULT_ADVERTISE_ADDRESS = '127.0.0.1'

const WILDCARD_BINDS = new Set(['', '0.0.0.0', '::', '[::]'])

/**
 * The DNS server's view of one revision. A balancer answers its bind address when it binds one
 * address, else the addresses of the live nodes (ALB answers one address per zone it spans).
 */
export function zoneSourceFromState(
  view: StateView,
  nodeAddresses: readonly string[],
  isBalancerHealthy: (lbArn: string) => boolean,
): ZoneSource {
  const fallback = nodeAddresses.length > 0 ? nodeAddresses : [DEFAULT_ADVERTISE_ADDRESS]
  const addressesOf = (lb: LoadBalancer): readonly string[] => (WILDCARD_BINDS.has(lb.bindAddress) ? fallback : [lb.bindAddress])

  let byZone: Map<string, RecordSet[]> | undefined
  return {
    zones: () => view.list('hosted-zone'),
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
      const lb = view.get('load-balancer', arn)
      return lb ? { dnsName: lb.dnsName, addresses: addressesOf(lb), healthy: isBalancerHealthy(arn) } : undefined
    },
    loadBalancers: () => view.list('load-balancer').map((lb) => ({ dnsName: lb.dnsName, addresses: addressesOf(lb) })),
  }
}
