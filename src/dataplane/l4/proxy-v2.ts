import { isIPv4, isIPv6 } from 'node:net'

/** The PROXY protocol v2 signature: \r\n\r\n\0\r\nQUIT\n (haproxy's proxy-protocol.txt, section 2.2). */
export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a])

/** An IPv4-mapped IPv6 address (::ffff:1.2.3.4) as the IPv4 address it stands for. */
const unmap = (a: string): string => (a.startsWith('::ffff:') && isIPv4(a.slice(7)) ? a.slice(7) : a)

function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16)
  let text = address
  let tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  if (isIPv4(text.slice(lastColon + 1))) {
    tail = text.slice(lastColon + 1).split('.').map(Number)
    text = `${text.slice(0, lastColon + 1)}0:0`
  }
  const [head = '', rest] = text.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = rest === undefined || rest === '' ? [] : rest.split(':')
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  if (tail.length === 4) tail.forEach((b, i) => (out[12 + i] = b))
  return out
}

/**
 * The PROXY v2 header NLB sends first on a target connection when proxy_protocol_v2.enabled:
 * command PROXY, family INET or INET6, transport STREAM (TCP) or DGRAM (UDP), then the client's
 * source and the listener's destination address and port. Built once per connection (it carries
 * the client's address). Addresses of different families (an IPv4 client on a dual-stack socket)
 * are both written as IPv6.
 */
export function proxyV2Header(source: { address: string; port: number }, destination: { address: string; port: number }, transport: 'stream' | 'dgram' = 'stream'): Buffer {
  const src = unmap(source.address)
  const dst = unmap(destination.address)
  const v4 = isIPv4(src) && isIPv4(dst)
  const proto = transport === 'stream' ? 0x1 : 0x2
  if (v4) {
    const h = Buffer.alloc(16 + 12)
    PROXY_V2_SIGNATURE.copy(h, 0)
    h[12] = 0x21 // version 2, command PROXY
    h[13] = 0x10 | proto // AF_INET
    h.writeUInt16BE(12, 14)
    src.split('.').forEach((b, i) => (h[16 + i] = Number(b)))
    dst.split('.').forEach((b, i) => (h[20 + i] = Number(b)))
    h.writeUInt16BE(source.port, 24)
    h.writeUInt16BE(destination.port, 26)
    return h
  }
  const h = Buffer.alloc(16 + 36)
  PROXY_V2_SIGNATURE.copy(h, 0)
  h[12] = 0x21
  h[13] = 0x20 | proto // AF_INET6
  h.writeUInt16BE(36, 14)
  ipv6Bytes(isIPv6(src) ? src : `::ffff:${src}`).copy(h, 16)
  ipv6Bytes(isIPv6(dst) ? dst : `::ffff:${dst}`).copy(h, 32)
  h.writeUInt16BE(source.port, 48)
  h.writeUInt16BE(destination.port, 50)
  return h
}
