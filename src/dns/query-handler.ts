import dnsPacket, { type Answer, type OptAnswer } from 'dns-packet'
import { parseIp } from '../lib/cidr.js'
import { clientOfAddress, type ClientSubnet } from './cidr-match.js'
import type { CompiledZones } from './compiled-zone.js'
import { Rcode, resolve, type Resolution } from './resolve.js'

export type Transport = 'udp' | 'tcp'

export interface QueryHandlerOptions {
  /** Largest UDP response openalb sends to an EDNS0 client, 512-4096 bytes (default 1232, the DNS Flag Day 2020 value). */
  readonly maxUdpPayloadBytes?: number
  /** Answers kept ready-encoded per revision (default 20000); the cache is emptied when full. */
  readonly cacheEntries?: number
}

const HEADER_BYTES = 12
const PLAIN_UDP_BYTES = 512
const MAX_TCP_MESSAGE_BYTES = 65535
/** Queries longer than this are answered but not cached (real ones are well under it). */
const MAX_CACHED_QUERY_BYTES = 512
const FLAG_QR = 0x8000
const FLAG_AA = 0x0400
const FLAG_TC = 0x0200
const FLAG_RD = 0x0100
const FLAG_CD = 0x0010
const OPCODE_MASK = 0x7800
/** BADVERS (16) is carried as 1 in the OPT record's extended rcode (RFC 6891). */
const EXTENDED_BADVERS = 1

/**
 * Turns one DNS message into its answer, or undefined when it is to be dropped. Never throws on
 * malformed input: a readable header gets FORMERR, anything shorter is dropped.
 */
export class QueryHandler {
  private readonly maxUdp: number
  private readonly cacheLimit: number
  private cache = new Map<string, Buffer>()

  constructor(
    private zones: CompiledZones,
    options: QueryHandlerOptions = {},
  ) {
    this.maxUdp = Math.min(4096, Math.max(PLAIN_UDP_BYTES, options.maxUdpPayloadBytes ?? 1232))
    this.cacheLimit = options.cacheEntries ?? 20000
  }

  /** Serves the next revision's zones; answers encoded for the previous one are forgotten. */
  setZones(zones: CompiledZones): void {
    this.zones = zones
    this.cache = new Map()
  }

  /** from: the query's source address, for IP-based routing (an EDNS client subnet in the query wins). */
  handle(query: Buffer, transport: Transport, from?: string): Buffer | undefined {
    if (query.length < HEADER_BYTES) return undefined
    const flags = query.readUInt16BE(2)
    // A response sent to us: never answer it (no reflection loops).
    if (flags & FLAG_QR) return undefined
    if (flags & OPCODE_MASK) return headerOnly(query, Rcode.NOTIMP)

    // Private zones: the VPCs the source address is in decide which zones answer, so they are part of the key.
    const vpcs = from !== undefined && this.zones.privateZones.size > 0 ? this.zones.vpcsOf(from) : NO_VPCS
    // Same bytes after the id (and the same VPCs), same answer: the id is patched into a copy.
    // (\u0100 cannot occur in a latin1 string: no query's bytes can spell another key.)
    const view = vpcs.length > 0 ? `${vpcs.join(',')}\u0100` : ''
    const key = query.length <= MAX_CACHED_QUERY_BYTES ? (transport === 'udp' ? 'u' : 't') + view + query.toString('latin1', 2) : undefined
    if (key !== undefined) {
      const cached = this.cache.get(key)
      if (cached) {
        const out = Buffer.allocUnsafe(cached.length)
        cached.copy(out)
        out[0] = query[0] as number
        out[1] = query[1] as number
        return out
      }
    }

    const result = this.answer(query, flags, transport, from, vpcs)
    if (key !== undefined && result.cacheable) {
      if (this.cache.size >= this.cacheLimit) this.cache.clear()
      this.cache.set(key, result.message)
    }
    return result.message
  }

  private answer(query: Buffer, flags: number, transport: Transport, from: string | undefined, vpcs: readonly string[]): { message: Buffer; cacheable: boolean } {
    // A query holds one question, nothing in answer or authority, at most an OPT in additional.
    // Checking the counts first also bounds the work a lying packet can cause.
    if (query.readUInt16BE(4) !== 1 || query.readUInt16BE(6) !== 0 || query.readUInt16BE(8) !== 0 || query.readUInt16BE(10) > 1) {
      return { message: headerOnly(query, Rcode.FORMERR), cacheable: true }
    }
    let decoded: dnsPacket.DecodedPacket
    try {
      decoded = dnsPacket.decode(query)
    } catch {
      return { message: headerOnly(query, Rcode.FORMERR), cacheable: true }
    }
    const question = decoded.questions?.[0]
    const extra = decoded.additionals?.[0]
    const opt = extra?.type === 'OPT' ? extra : undefined
    if (!question || (extra && (!opt || opt.name !== '.'))) return { message: headerOnly(query, Rcode.FORMERR), cacheable: true }
    const rawQuestion = query.subarray(HEADER_BYTES, HEADER_BYTES + questionLength(query))

    const replyFlags = FLAG_QR | (flags & (FLAG_RD | FLAG_CD))
    const optOut: OptAnswer | undefined = opt
      ? { type: 'OPT', name: '.', udpPayloadSize: this.maxUdp, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }
      : undefined

    if (opt && opt.ednsVersion !== 0) {
      const badvers = { ...(optOut as OptAnswer), extendedRcode: EXTENDED_BADVERS }
      return { message: encode(query, replyFlags, rawQuestion, [], [], [badvers]), cacheable: true }
    }

    const qtype = question.type as string
    const klass = question.class as string | undefined
    const ecs = opt ? clientSubnetOf(opt) : undefined
    // Only IP-based and geolocation routing look at who asks: the source address is parsed for them alone.
    const client = ecs?.client ?? (from !== undefined && this.zones.routesByClient ? clientOfAddress(from) : undefined)
    let resolution: Resolution
    if (qtype === 'OPT' || qtype === 'UNKNOWN_0') resolution = empty(Rcode.FORMERR)
    else if (klass !== 'IN') resolution = empty(Rcode.REFUSED)
    else if (qtype === 'AXFR' || qtype === 'IXFR') resolution = empty(Rcode.REFUSED) // zone transfers are not offered
    else resolution = resolve(this.zones, toFqdn(question.name), qtype, client, vpcs)

    const rflags = replyFlags | (resolution.authoritative ? FLAG_AA : 0) | resolution.rcode
    // RFC 7871: an ECS query gets its option back, scoped to the whole source prefix when the answer depended on it, else 0.
    if (optOut && ecs) optOut.options = [{ ...ecs.option, scopePrefixLength: resolution.byClient ? ecs.option.sourcePrefixLength : 0 }]
    const additionals = optOut ? [...resolution.additionals, optOut] : resolution.additionals
    let message = encode(query, rflags, rawQuestion, resolution.answers, resolution.authorities, additionals)
    const limit = transport === 'tcp' ? MAX_TCP_MESSAGE_BYTES : opt ? Math.min(this.maxUdp, Math.max(PLAIN_UDP_BYTES, opt.udpPayloadSize)) : PLAIN_UDP_BYTES
    if (message.length > limit) {
      // Too large for this transport: TC tells the client to ask again over TCP (RFC 7766).
      const tcFlags = transport === 'udp' ? rflags | FLAG_TC : (rflags & ~0xf) | Rcode.SERVFAIL
      message = encode(query, tcFlags, rawQuestion, [], [], optOut ? [optOut] : [])
    }
    return { message, cacheable: resolution.cacheable }
  }
}

const NO_VPCS: readonly string[] = []

interface EcsOption {
  readonly code: 8
  readonly family: number
  readonly sourcePrefixLength: number
  readonly scopePrefixLength: number
  readonly ip: string
}

/** The EDNS client subnet option of a query (RFC 7871), when it names a usable IPv4 or IPv6 subnet. */
function clientSubnetOf(opt: OptAnswer): { client: ClientSubnet; option: EcsOption } | undefined {
  for (const o of opt.options ?? []) {
    if (o.code !== 8) continue
    const { family, sourcePrefixLength, ip: text } = o as unknown as { family?: number; sourcePrefixLength?: number; ip?: string }
    const ip = typeof text === 'string' ? parseIp(text) : undefined
    const bits = family === 1 ? 32 : family === 2 ? 128 : 0
    if (!ip || family === undefined || bits === 0 || ip.family !== (family === 1 ? 4 : 6) || sourcePrefixLength === undefined || sourcePrefixLength > bits) return undefined
    return { client: { ip, prefix: sourcePrefixLength }, option: { code: 8, family, sourcePrefixLength, scopePrefixLength: 0, ip: text as string } }
  }
  return undefined
}

const empty = (rcode: Rcode): Resolution => ({ rcode, authoritative: false, answers: [], authorities: [], additionals: [], cacheable: true })

const toFqdn = (name: string): string => {
  const lower = name.toLowerCase()
  return lower === '.' || lower.endsWith('.') ? lower : `${lower}.`
}

/** Length of the (already validated) question section at offset 12: its name, type and class. */
function questionLength(query: Buffer): number {
  let o = HEADER_BYTES
  for (;;) {
    const len = query[o] as number
    if (len === 0) return o + 1 + 4 - HEADER_BYTES
    if ((len & 0xc0) === 0xc0) return o + 2 + 4 - HEADER_BYTES
    o += len + 1
  }
}

/** The answer as dns-packet encodes it, with the query's question copied byte for byte (case and type kept). */
function encode(query: Buffer, flags: number, rawQuestion: Buffer, answers: Answer[], authorities: Answer[], additionals: Answer[]): Buffer {
  const body = dnsPacket.encode({ type: 'response', id: query.readUInt16BE(0), flags, questions: [], answers, authorities, additionals })
  const out = Buffer.allocUnsafe(body.length + rawQuestion.length)
  body.copy(out, 0, 0, HEADER_BYTES)
  out.writeUInt16BE(flags | FLAG_QR, 2)
  out.writeUInt16BE(1, 4)
  rawQuestion.copy(out, HEADER_BYTES)
  body.copy(out, HEADER_BYTES + rawQuestion.length, HEADER_BYTES)
  return out
}

/** A header-only answer: the query's id, opcode and RD, with the given rcode. */
function headerOnly(query: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(HEADER_BYTES)
  query.copy(out, 0, 0, 2)
  const flags = query.readUInt16BE(2)
  out.writeUInt16BE(FLAG_QR | (flags & (OPCODE_MASK | FLAG_RD)) | rcode, 2)
  return out
}
