import { decode, encode, RECURSION_DESIRED, type Answer } from 'dns-packet'
import { isIPv6 } from 'node:net'
import type { DnsServer } from './server.js'

/** One answer record's data in zone-file text, as Route 53's TestDNSAnswer lists RecordData. */
function dataText(a: Answer): string {
  const data = (a as { data?: unknown }).data
  if (typeof data === 'string') return a.type === 'CNAME' || a.type === 'NS' || a.type === 'PTR' ? (data.endsWith('.') ? data : `${data}.`) : data
  if (Array.isArray(data)) return data.map((d) => `"${Buffer.isBuffer(d) ? d.toString('utf8') : String(d)}"`).join(' ')
  if (Buffer.isBuffer(data)) return `"${data.toString('utf8')}"`
  if (data && typeof data === 'object') {
    const o = data as Record<string, unknown>
    if (a.type === 'MX') return `${String(o.preference)} ${String(o.exchange)}.`
    if (a.type === 'SRV') return `${String(o.priority)} ${String(o.weight)} ${String(o.port)} ${String(o.target)}.`
    if (a.type === 'CAA') return `${String(o.flags)} ${String(o.tag)} "${String(o.value)}"`
    if (a.type === 'SOA') return `${String(o.mname)}. ${String(o.rname)}. ${String(o.serial)} ${String(o.refresh)} ${String(o.retry)} ${String(o.expire)} ${String(o.minimum)}`
  }
  return String(data)
}

/** Who asks, as TestDNSAnswer tells it: the resolver's address and the client subnet it sends (EDNS0). */
export interface TestAsker {
  readonly resolverIp?: string | undefined
  readonly clientSubnet?: { readonly ip: string; readonly prefix: number } | undefined
}

/** Asks the DNS server for `name` and `type` as a client would (the same handler the sockets use). */
export function testAnswer(server: DnsServer, name: string, type: string, asker: TestAsker = {}): { rcode: string; data: string[] } {
  const subnet = asker.clientSubnet
  const query = encode({
    type: 'query',
    id: 1,
    flags: RECURSION_DESIRED,
    questions: [{ type: type as Answer['type'], name: name.replace(/\.$/, '') }],
    ...(subnet
      ? { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [{ code: 8, family: isIPv6(subnet.ip) ? 2 : 1, sourcePrefixLength: subnet.prefix, scopePrefixLength: 0, ip: subnet.ip }] } as Answer] }
      : {}),
  })
  const reply = server.answer(query, 'udp', asker.resolverIp)
  if (!reply) return { rcode: 'SERVFAIL', data: [] }
  const packet = decode(reply)
  return { rcode: (packet as { rcode?: string }).rcode ?? 'NOERROR', data: (packet.answers ?? []).filter((a) => a.type === type).map(dataText) }
}
