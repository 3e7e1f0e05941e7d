/**
 * IPv4 and IPv6 addresses and CIDR blocks as numbers, parsed once so that membership tests are
 * integer comparisons. IPv4-mapped IPv6 addresses (::ffff:1.2.3.4, what a dual-stack socket
 * reports) count as IPv4.
 */
export type IpAddress = { readonly family: 4; readonly value: number } | { readonly family: 6; readonly value: bigint }

export interface CidrRange {
  readonly family: 4 | 6
  readonly low: number | bigint
  readonly high: number | bigint
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let value = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    value = value * 256 + n
  }
  return value
}

function parseIpv6(text: string): bigint | undefined {
  let s = text
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  let tail: number[] = []
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.', lastColon)) {
    const v4 = parseIpv4(s.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [v4 >>> 16, v4 & 0xffff]
    s = `${s.slice(0, lastColon + 1)}0:0`
  }
  const halves = s.split('::')
  if (halves.length > 2) return undefined
  const group = (h: string): number[] | undefined => {
    if (h === '') return []
    const out: number[] = []
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const head = group(halves[0] ?? '')
  const rest = halves.length === 2 ? group(halves[1] ?? '') : []
  if (!head || !rest) return undefined
  let groups: number[]
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length
    if (missing < 1) return undefined
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest]
  } else {
    groups = head
  }
  if (groups.length !== 8) return undefined
  if (tail.length === 2) {
    groups[6] = tail[0] ?? 0
    groups[7] = tail[1] ?? 0
  }
  let value = 0n
  for (const g of groups) value = (value << 16n) | BigInt(g)
  return value
}

const MAPPED_PREFIX = 0xffffn << 32n

/** Parses an address; IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): IpAddress | undefined {
  if (!text.includes(':')) {
    const v4 = parseIpv4(text)
    return v4 === undefined ? undefined : { family: 4, value: v4 }
  }
  const v6 = parseIpv6(text)
  if (v6 === undefined) return undefined
  if (v6 >> 32n === 0xffffn && (v6 & ~0xffffffffn) === MAPPED_PREFIX) return { family: 4, value: Number(v6 & 0xffffffffn) }
  return { family: 6, value: v6 }
}

/** Parses `address/prefix`; the address bits past the prefix are ignored, as EC2 does. */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/')
  if (slash < 0) return undefined
  const prefixText = text.slice(slash + 1)
  if (!/^\d{1,3}$/.test(prefixText)) return undefined
  const prefix = Number(prefixText)
  const addressText = text.slice(0, slash)
  if (!addressText.includes(':')) {
    const v = parseIpv4(addressText)
    if (v === undefined || prefix > 32) return undefined
    const size = 2 ** (32 - prefix)
    const low = Math.floor(v / size) * size
    return { family: 4, low, high: low + size - 1 }
  }
  const v = parseIpv6(addressText)
  if (v === undefined || prefix > 128) return undefined
  const hostBits = BigInt(128 - prefix)
  const low = (v >> hostBits) << hostBits
  return { family: 6, low, high: low + (1n << hostBits) - 1n }
}

/** A set of CIDR blocks; `contains` answers in a few comparisons per block. */
export class CidrSet {
  private readonly v4: number[] = []
  private readonly v6: bigint[] = []

  constructor(ranges: readonly CidrRange[]) {
    for (const r of ranges) {
      if (r.family === 4) this.v4.push(r.low as number, r.high as number)
      else this.v6.push(r.low as bigint, r.high as bigint)
    }
  }

  /** Parses every block, or returns the ones that do not parse. */
  static parse(cidrs: readonly string[]): { ok: true; value: CidrSet } | { ok: false; invalid: string[] } {
    const ranges: CidrRange[] = []
    const invalid: string[] = []
    for (const c of cidrs) {
      const r = parseCidr(c)
      if (r) ranges.push(r)
      else invalid.push(c)
    }
    return invalid.length > 0 ? { ok: false, invalid } : { ok: true, value: new CidrSet(ranges) }
  }

  get size(): number {
    return (this.v4.length + this.v6.length) / 2
  }

  containsIp(ip: IpAddress): boolean {
    if (ip.family === 4) {
      const list = this.v4
      for (let i = 0; i < list.length; i += 2) if (ip.value >= (list[i] as number) && ip.value <= (list[i + 1] as number)) return true
      return false
    }
    const list = this.v6
    for (let i = 0; i < list.length; i += 2) if (ip.value >= (list[i] as bigint) && ip.value <= (list[i + 1] as bigint)) return true
    return false
  }

  contains(address: string): boolean {
    const ip = parseIp(address)
    return ip !== undefined && this.containsIp(ip)
  }
}
