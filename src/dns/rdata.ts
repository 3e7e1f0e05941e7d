import { isIPv4, isIPv6 } from 'node:net'
import type { Answer } from 'dns-packet'
import { absoluteName } from '../model/hosted-zone.js'

/** One record's data in dns-packet's form, without owner name and TTL (added per answer). */
export type RData = DistributiveOmit<Answer, 'name' | 'ttl' | 'class' | 'flush'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export type ParseResult = { readonly ok: true; readonly rdata: RData } | { readonly ok: false; readonly message: string }

const fail = (message: string): ParseResult => ({ ok: false, message })

/**
 * Splits zone-file text into fields: whitespace separates, "double quotes" group,
 * \" \\ and \DDD escape inside and outside quotes (RFC 1035 section 5.1).
 */
export function zoneFields(text: string): { fields: Buffer[]; quoted: boolean[] } | undefined {
  const fields: Buffer[] = []
  const quoted: boolean[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    const bytes: number[] = []
    const isQuoted = c === '"'
    if (isQuoted) i++
    for (;;) {
      if (i >= text.length) {
        if (isQuoted) return undefined // unterminated quote
        break
      }
      const ch = text[i] as string
      if (isQuoted ? ch === '"' : ch === ' ' || ch === '\t') {
        if (isQuoted) i++
        break
      }
      if (ch === '\\') {
        const digits = text.slice(i + 1, i + 4)
        if (/^[0-9]{3}$/.test(digits)) {
          const n = Number(digits)
          if (n > 255) return undefined
          bytes.push(n)
          i += 4
          continue
        }
        const next = text[i + 1]
        if (next === undefined) return undefined
        bytes.push(...Buffer.from(next))
        i += 2
        continue
      }
      bytes.push(...Buffer.from(ch))
      i++
    }
    fields.push(Buffer.from(bytes))
    quoted.push(isQuoted)
  }
  return { fields, quoted }
}

const u16 = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^[0-9]{1,5}$/.test(s)) return undefined
  const n = Number(s)
  return n <= 65535 ? n : undefined
}
const u32 = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^[0-9]{1,10}$/.test(s)) return undefined
  const n = Number(s)
  return n <= 0xffffffff ? n : undefined
}

/** A domain name in a record's data: relative names are taken relative to the zone. */
function domainName(zoneName: string, text: string | undefined): string | undefined {
  if (text === undefined || text.length === 0 || text.length > 254) return undefined
  if (text === '.') return '.'
  const labels = text.replace(/\.$/, '').split('.')
  if (labels.some((l) => l.length === 0 || l.length > 63)) return undefined
  return absoluteName(zoneName, text)
}

/** Parses one RecordSet value (zone-file text) of the given type. */
export function parseRData(type: string, value: string, zoneName: string): ParseResult {
  const text = value.trim()
  const words = text.split(/\s+/)
  switch (type) {
    case 'A':
      return isIPv4(text) ? { ok: true, rdata: { type: 'A', data: text } } : fail(`not an IPv4 address: ${text}`)
    case 'AAAA':
      return isIPv6(text) ? { ok: true, rdata: { type: 'AAAA', data: text } } : fail(`not an IPv6 address: ${text}`)
    case 'CNAME':
    case 'NS':
    case 'PTR': {
      const name = words.length === 1 ? domainName(zoneName, words[0]) : undefined
      return name ? { ok: true, rdata: { type, data: name } } : fail(`not a domain name: ${text}`)
    }
    case 'MX': {
      const preference = u16(words[0])
      const exchange = words.length === 2 ? domainName(zoneName, words[1]) : undefined
      if (preference === undefined || !exchange) return fail(`MX needs "preference exchange": ${text}`)
      return { ok: true, rdata: { type: 'MX', data: { preference, exchange } } }
    }
    case 'SRV': {
      const [priority, weight, port] = [u16(words[0]), u16(words[1]), u16(words[2])]
      const target = words.length === 4 ? domainName(zoneName, words[3]) : undefined
      if (priority === undefined || weight === undefined || port === undefined || !target) {
        return fail(`SRV needs "priority weight port target": ${text}`)
      }
      return { ok: true, rdata: { type: 'SRV', data: { priority, weight, port, target } } }
    }
    case 'TXT': {
      const parsed = zoneFields(text)
      if (!parsed || parsed.fields.length === 0) return fail(`TXT needs one or more "strings": ${text}`)
      const chunks: Buffer[] = []
      for (const f of parsed.fields) {
        // A string over 255 bytes is split into several character-strings, as Route 53 does.
        if (f.length === 0) chunks.push(f)
        for (let o = 0; o < f.length; o += 255) chunks.push(f.subarray(o, o + 255))
      }
      return { ok: true, rdata: { type: 'TXT', data: chunks } }
    }
    case 'CAA': {
      const parsed = zoneFields(text)
      const flags = u16(parsed?.fields[0]?.toString())
      const tag = parsed?.fields[1]?.toString()
      const val = parsed?.fields[2]?.toString()
      if (!parsed || parsed.fields.length !== 3 || flags === undefined || flags > 255 || val === undefined) {
        return fail(`CAA needs "flags tag value": ${text}`)
      }
      if (tag !== 'issue' && tag !== 'issuewild' && tag !== 'iodef') return fail(`CAA tag must be issue, issuewild or iodef: ${text}`)
      return { ok: true, rdata: { type: 'CAA', data: { flags, tag, value: val } } }
    }
    case 'SOA': {
      const mname = domainName(zoneName, words[0])
      const rname = domainName(zoneName, words[1])
      const nums = words.slice(2).map(u32)
      if (words.length !== 7 || !mname || !rname || nums.some((n) => n === undefined)) {
        return fail(`SOA needs "mname rname serial refresh retry expire minimum": ${text}`)
      }
      const [serial, refresh, retry, expire, minimum] = nums as number[]
      return { ok: true, rdata: { type: 'SOA', data: { mname, rname, serial, refresh, retry, expire, minimum } } }
    }
    default:
      return fail(`unsupported record type ${type}`)
  }
}
