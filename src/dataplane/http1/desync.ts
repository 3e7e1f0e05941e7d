// The pieces of aws/http-desync-guardian's request analysis (src/request_analyzer.rs,
// src/http_token_utils.rs at 7dd6f37) that the request parser runs per request, ported byte for byte:
// tiers only go up, and among equal tiers the first reason found is kept.
import { ALNUM, FIELD_VALUE, FORBIDDEN, HT, SP, TCHAR, ascii } from './chars.js'

export type Classification = 'compliant' | 'acceptable' | 'ambiguous' | 'severe'
export const TIER_NAMES: readonly Classification[] = ['compliant', 'acceptable', 'ambiguous', 'severe']

export const COMPLIANT = 0
export const ACCEPTABLE = 1
export const AMBIGUOUS = 2
export const SEVERE = 3

/** Header tiers (HeaderSafetyTier). */
export const HEADER_COMPLIANT = 0
export const HEADER_NON_COMPLIANT = 1
export const HEADER_BAD = 2

/** The running verdict of one request; reused across requests (the parser is synchronous). */
export class Verdict {
  tier = COMPLIANT
  reason: string | undefined = undefined
  reset(): void {
    this.tier = COMPLIANT
    this.reason = undefined
  }
  upgrade(tier: number, reason: string): void {
    if (tier > this.tier) {
      this.tier = tier
      this.reason = reason
    }
  }
}

export const TE_NAME = ascii('transfer-encoding')
export const CL_NAME = ascii('content-length')

export const IDENTICAL = 0
export const SAME_LETTERS = 1
export const DISTANT = 2

function nextAlnum(buf: Buffer, i: number, e: number): number {
  while (i < e && ALNUM[buf[i]!] !== 1) i++
  return i
}

function nextHeaderSymbol(buf: Buffer, i: number, e: number): number {
  while (i < e && buf[i]! <= SP) i++
  return i
}

/**
 * determine_similarity: how close a field name is to an essential one (lowercase bytes).
 * "Transfer_Encoding", " Content-Length", "Tranſfer-Encoding" (U+017F in UTF-8) are SAME_LETTERS.
 */
export function similarity(important: Uint8Array, buf: Buffer, s: number, e: number): number {
  if (e - s < important.length) return DISTANT
  let hi = nextAlnum(buf, s, e)
  let identical = hi === s && important.length === e - s
  for (let k = 0; k < important.length; k++) {
    if (hi === e) return DISTANT
    const c = important[k]!
    const delimiter = c === 0x2d
    const h = buf[hi]!
    let same = false
    let next = hi + 1
    if (c === (h >= 0x41 && h <= 0x5a ? h | 0x20 : h)) same = true
    else if (hi + 1 < e) {
      // Unicode letters whose upper case is ASCII: U+017F (ſ -> S) and U+0131 (ı -> I).
      const h1 = buf[hi + 1]!
      if ((c === 0x73 && h === 0xc5 && h1 === 0xbf) || (c === 0x69 && h === 0xc4 && h1 === 0xb1)) {
        same = true
        next = hi + 2
      }
    }
    if (!same) {
      if (!delimiter) break
      identical = false
    }
    hi = delimiter ? nextAlnum(buf, next, e) : nextHeaderSymbol(buf, next, e)
  }
  const exhausted = hi === e
  if (exhausted && identical) return IDENTICAL
  if (exhausted || nextAlnum(buf, hi, e) === e) return SAME_LETTERS
  return DISTANT
}

/** HttpHeader::header_tier: the worse of the name's and the value's tier. */
export function headerTier(buf: Buffer, ns: number, ne: number, vs: number, ve: number): number {
  let tier = HEADER_COMPLIANT
  for (let i = ns; i < ne; i++) {
    const b = buf[i]!
    if (TCHAR[b] !== 1) {
      if (FORBIDDEN[b] === 1) return HEADER_BAD
      tier = HEADER_NON_COMPLIANT
    }
  }
  for (let i = vs; i < ve; i++) {
    const b = buf[i]!
    if (FIELD_VALUE[b] !== 1) {
      if (FORBIDDEN[b] === 1) return HEADER_BAD
      tier = HEADER_NON_COMPLIANT
    }
  }
  return tier
}

export const NUM_INVALID = -1
export const NUM_OVERFLOW = -2
const U64_MAX = 18446744073709551615n

/** parse_num: OWS-trimmed decimal digits as a u64 (an empty value is 0, as in the guardian). */
export function parseNum(buf: Buffer, s: number, e: number): number {
  while (s < e && (buf[s] === SP || buf[s] === HT)) s++
  while (e > s && (buf[e - 1] === SP || buf[e - 1] === HT)) e--
  let n = 0
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 0x30
    if (d < 0 || d > 9) return NUM_INVALID
    n = n * 10 + d
  }
  if (e - s >= 20 && BigInt(buf.toString('latin1', s, e)) > U64_MAX) return NUM_OVERFLOW
  return n
}

export const TE_INVALID = 0
export const TE_VALID = 1
export const TE_CHUNKED = 2
const VALID_TE = ['chunked', 'compress', 'deflate', 'gzip', 'identity'].map(ascii)

/** is_valid_te for one comma-separated item: a known coding, parameters after ';' ignored. */
export function transferCoding(buf: Buffer, s: number, e: number): number {
  while (s < e && (buf[s] === SP || buf[s] === HT)) s++
  let end = s
  while (end < e && buf[end] !== 0x3b) end++
  while (end > s && (buf[end - 1] === SP || buf[end - 1] === HT)) end--
  const len = end - s
  for (let k = 0; k < VALID_TE.length; k++) {
    const lit = VALID_TE[k]!
    if (lit.length !== len) continue
    let i = 0
    while (i < len) {
      const b = buf[s + i]!
      if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== lit[i]) break
      i++
    }
    if (i === len) return k === 0 ? TE_CHUNKED : TE_VALID
  }
  return TE_INVALID
}
