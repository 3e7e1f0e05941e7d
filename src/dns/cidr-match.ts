import { parseCidr, parseIp, type IpAddress } from '../lib/cidr.js'
import type { CidrCollection } from '../model/cidr-collection.js'

/**
 * Who asks, as IP-based routing sees it: the EDNS client subnet when the query carries one
 * (RFC 7871), else the query's source address (a /32 or /128).
 */
export interface ClientSubnet {
  readonly ip: IpAddress
  /** Bits of ip that are known: the ECS source prefix length, or the whole address. */
  readonly prefix: number
}

export function clientOfAddress(address: string): ClientSubnet | undefined {
  const ip = parseIp(address)
  return ip ? { ip, prefix: ip.family === 4 ? 32 : 128 } : undefined
}

interface Table<V> {
  /** Prefix lengths present, longest first. */
  readonly lengths: number[]
  readonly byLength: Map<number, Map<V, string>>
}

const emptyTable = <V>(): Table<V> => ({ lengths: [], byLength: new Map() })

/**
 * One collection's blocks, compiled once per revision for longest-prefix matching: one map per
 * prefix length, so a lookup is at most one map probe per length present (24 for IPv4).
 */
export class CidrMatcher {
  private readonly v4: Table<number> = emptyTable()
  private readonly v6: Table<bigint> = emptyTable()

  constructor(collection: Pick<CidrCollection, 'locations'>) {
    for (const [location, blocks] of Object.entries(collection.locations)) {
      for (const block of blocks) {
        const range = parseCidr(block)
        if (!range) continue
        const prefix = Number(block.slice(block.indexOf('/') + 1))
        if (range.family === 4) add(this.v4, prefix, Math.floor((range.low as number) / 2 ** (32 - prefix)), location)
        else add(this.v6, prefix, (range.low as bigint) >> BigInt(128 - prefix), location)
      }
    }
    this.v4.lengths.sort((a, b) => b - a)
    this.v6.lengths.sort((a, b) => b - a)
  }

  /**
   * The location of the longest block that contains the client, or undefined. A block longer than
   * what the client's subnet tells (an ECS /16 against a /24 block) does not match, as Route 53.
   */
  match(client: ClientSubnet): { readonly location: string; readonly prefix: number } | undefined {
    const { ip, prefix: known } = client
    if (ip.family === 4) {
      for (const length of this.v4.lengths) {
        if (length > known) continue
        const location = this.v4.byLength.get(length)?.get(Math.floor(ip.value / 2 ** (32 - length)))
        if (location !== undefined) return { location, prefix: length }
      }
      return undefined
    }
    for (const length of this.v6.lengths) {
      if (length > known) continue
      const location = this.v6.byLength.get(length)?.get(ip.value >> BigInt(128 - length))
      if (location !== undefined) return { location, prefix: length }
    }
    return undefined
  }
}

function add<V>(table: Table<V>, prefix: number, key: V, location: string): void {
  let map = table.byLength.get(prefix)
  if (!map) {
    map = new Map()
    table.byLength.set(prefix, map)
    table.lengths.push(prefix)
  }
  map.set(key, location)
}
