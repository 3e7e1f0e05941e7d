// Strict HTTP/1.x request-head parser (RFC 9112) with ALB's desync classification
// (aws/http-desync-guardian, see desync.ts). Pure: bytes in, a head or an error out.
//
// Lines end with CRLF. A head that ends with bare LFs ("\n\n") is read with LF as the line end
// and classified NonCrLfLineTermination, as the guardian does; in a CRLF head a bare LF or CR is
// a byte of its line, so a field holding one is BadHeader and a target holding one is BadUri.
import {
  COLON,
  CR,
  FORBIDDEN,
  HOST,
  HT,
  LF,
  SP,
  TARGET,
  TCHAR,
  ascii,
  indexOfLf,
  isHostText,
  equalsExact,
  equalsLower,
  skipOws,
  trimOwsEnd,
} from './chars.js'
import {
  ACCEPTABLE,
  AMBIGUOUS,
  CL_NAME,
  DISTANT,
  HEADER_BAD,
  HEADER_COMPLIANT,
  HEADER_NON_COMPLIANT,
  IDENTICAL,
  NUM_INVALID,
  NUM_OVERFLOW,
  SAME_LETTERS,
  SEVERE,
  TE_CHUNKED,
  TE_INVALID,
  TE_NAME,
  TIER_NAMES,
  Verdict,
  headerTier,
  parseNum,
  similarity,
  transferCoding,
} from './desync.js'
import type { Classification } from './desync.js'

export type { Classification } from './desync.js'
export { isTokenName } from './chars.js'

export interface HeadLimits {
  /** Longest request line in bytes, CRLF excluded (ALB: 16 KiB); longer is 414. */
  maxRequestLineBytes: number
  /** Longest single field line in bytes (ALB: 16 KiB); longer is 400. */
  maxHeaderBytes: number
  /** Longest whole head in bytes (ALB: 64 KiB); longer is 400. */
  maxHeadBytes: number
  /** Most field lines in one head; more is 400. */
  maxHeaderCount: number
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = Object.freeze({
  maxRequestLineBytes: 16384,
  maxHeaderBytes: 16384,
  maxHeadBytes: 65536,
  maxHeaderCount: 100,
})

export interface RequestHead {
  method: string
  target: string
  path: string
  /** Without the '?'; '' when the target has none. */
  query: string
  versionMinor: 0 | 1
  /** In order, names as received (bytes as latin1). Lines dropped as unsafe are not here. */
  headerNames: string[]
  /** Values with leading and trailing OWS removed; obs-fold continuations joined with one SP. */
  headerValues: string[]
  /** The first Host value, or the authority of an absolute-form or authority-form target. */
  host: string | undefined
  bodyKind: 'none' | 'length' | 'chunked'
  contentLength: number
  keepAlive: boolean
  upgrade: boolean
  expectContinue: boolean
  classification: Classification
  /** The guardian's reason name (NonCompliantHeader, BothTeClPresent, ...); undefined when compliant. */
  classificationReason: string | undefined
  /** Bytes of buf consumed from start, including the final empty line. */
  headBytes: number
  /** Names in headerNames that are not RFC 9110 tokens (for drop_invalid_header_fields). */
  invalidHeaderNames: number
}

export type ParseResult =
  | { kind: 'incomplete' }
  | { kind: 'head'; head: RequestHead }
  | { kind: 'error'; status: 400 | 414 | 431 | 501 | 505; reason: string }

const INCOMPLETE: ParseResult = Object.freeze({ kind: 'incomplete' })

const CONTENT_TYPE = ascii('content-type')
const HOST_NAME = ascii('host')
const EXPECT = ascii('expect')
const UPGRADE = ascii('upgrade')
const CONNECTION = ascii('connection')
const HTTP_1_DOT = ascii('HTTP/1.')
const HTTP_SCHEME = ascii('http://')
const HTTPS_SCHEME = ascii('https://')
const METHODS = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'].map(
  (m) => [m, ascii(m)] as const,
)
const GET = ascii('GET')
const HEAD = ascii('HEAD')

// Per-parse scratch, reused: the parser is synchronous, so one set serves every call.
const verdict = new Verdict()
/** Guardian view of the fields: [nameStart, nameEnd, valueStart, valueEnd, headerTier] per line. */
const FIELD = 5
let fields = new Int32Array(FIELD * 128)
/** Each forwarded header: [nameStart, nameEnd, 1 if the name is a token]. */
let names = new Int32Array(3 * 128)
let teIdx = new Int32Array(16)
let clIdx = new Int32Array(16)

function error(status: 400 | 414 | 431 | 501 | 505, reason: string): ParseResult {
  // A severe classification names the first reason found, which is what the access log records.
  const r = verdict.tier === SEVERE && verdict.reason !== undefined ? verdict.reason : reason
  return { kind: 'error', status, reason: r }
}

/** Index of the LF ending the line that starts at `from`; in CRLF mode only a CRLF ends a line. */
function lineEnd(buf: Buffer, from: number, crlf: boolean): number {
  let lf = indexOfLf(buf, from)
  if (crlf) while (lf > 0 && buf[lf - 1] !== CR) lf = indexOfLf(buf, lf + 1)
  return lf
}

/** Byte comparison of buf[s, e) with an ASCII literal, like Rust's slice Ord. */
function compare(buf: Buffer, s: number, e: number, lit: Uint8Array): number {
  const n = Math.min(e - s, lit.length)
  for (let i = 0; i < n; i++) {
    const d = buf[s + i]! - lit[i]!
    if (d !== 0) return d
  }
  return e - s - lit.length
}
const HTTP_1_0 = ascii('HTTP/1.0')
const HTTP_SLASH = ascii('HTTP/')
const HTTP_0_9 = ascii('HTTP/0.9')

export function parseRequestHead(buf: Buffer, start: number, limits: HeadLimits): ParseResult {
  const len = buf.length
  verdict.reset()

  // RFC 9112 2.2: ignore empty lines received before the request line.
  let p = start
  while (p < len) {
    if (buf[p] === LF) p++
    else if (buf[p] === CR && p + 1 < len && buf[p + 1] === LF) p += 2
    else break
  }
  const headStart = p

  // Pass 1: find the first empty line, reading LF (with or without CR) as a line end, so the head
  // ends no later than any lenient reader would end it.
  let lineStart = p
  let first = true
  let endLine = -1
  let headEnd = -1
  for (;;) {
    const lf = indexOfLf(buf, lineStart)
    if (lf === -1) {
      const partial = len - lineStart
      if (first && partial > limits.maxRequestLineBytes + 1) return error(414, 'RequestLineTooLong')
      if (!first && partial > limits.maxHeaderBytes + 1) return error(400, 'HeaderTooLarge')
      if (len - headStart > limits.maxHeadBytes) return error(400, 'HeadTooLarge')
      return INCOMPLETE
    }
    if (lf + 1 - headStart > limits.maxHeadBytes + 2) return error(400, 'HeadTooLarge')
    const contentEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf
    if (!first && contentEnd === lineStart) {
      endLine = lineStart
      headEnd = lf + 1
      break
    }
    first = false
    lineStart = lf + 1
  }
  // CRLF mode when the head ends with CRLF CRLF; otherwise a bare LF ended it.
  const crlf = headEnd - headStart >= 4 && buf[headEnd - 2] === CR && buf[endLine - 1] === LF && buf[endLine - 2] === CR

  // The head decoded once; names, values and the target are slices of it.
  const text = buf.toString('latin1', headStart, headEnd)

  // ---- request line ----
  const rlLf = lineEnd(buf, headStart, crlf)
  let le = rlLf
  if (rlLf > headStart && buf[rlLf - 1] === CR) le = rlLf - 1
  else verdict.upgrade(ACCEPTABLE, 'NonCrLfLineTermination')
  if (le - headStart > limits.maxRequestLineBytes) return error(414, 'RequestLineTooLong')

  const ls = headStart
  let mEnd = ls
  while (mEnd < le && buf[mEnd] !== SP) mEnd++
  const p0 = mEnd + 1
  let uS = p0
  let uE = le
  let vS = 0
  let vE = 0
  let uriPartial = false
  let versionPartial = true
  if (p0 <= le) {
    // last_token(SP): skip trailing non-tchars, then back to the SP before the version.
    let cur = le > p0 ? le - 1 : p0
    let skip = true
    while (p0 < cur && (buf[cur] !== SP || skip)) {
      if (TCHAR[buf[cur]!] === 1) skip = false
      cur--
    }
    if (cur >= p0 && cur < le) {
      vS = buf[cur] === SP ? cur + 1 : cur
      vE = le
      versionPartial = false
      uE = vS - 1
      uriPartial = uS > uE
    }
  } else {
    uriPartial = true
  }
  const versionDone = versionPartial || vS >= vE
  const uriDone = uriPartial || uS >= uE
  let missingUri = false
  if (
    (uriPartial && !versionPartial && vE - vS >= 7 && equalsExact(buf, vS, vS + 7, HTTP_1_DOT)) ||
    (versionDone && uriDone)
  ) {
    missingUri = true
    verdict.upgrade(AMBIGUOUS, 'MissingUri')
  } else if (uriPartial) {
    uS = vS
    uE = vE
    versionPartial = true
  }
  if (versionPartial) {
    vS = 0
    vE = 0
  }

  // ---- field lines ----
  let pos = rlLf + 1
  let nFields = 0
  let nFwd = 0
  let lines = 0
  let mlS = -1
  let mlE = -1
  let mediaType = false
  let lineReason: string | undefined
  const headerNames: string[] = []
  const headerValues: string[] = []
  while (pos < endLine) {
    const lf = lineEnd(buf, pos, crlf)
    const hs = pos
    let he = lf
    if (lf > hs && buf[lf - 1] === CR) he = lf - 1
    else verdict.upgrade(ACCEPTABLE, 'NonCrLfLineTermination')
    pos = lf + 1
    if (he - hs > limits.maxHeaderBytes) return error(400, 'HeaderTooLarge')
    if (++lines > limits.maxHeaderCount) return error(400, 'TooManyHeaders')

    const multi = buf[hs] === SP || buf[hs] === HT
    // One pass over the name finds the colon and grades the name (HttpHeader::field_name_tier).
    let colon = hs
    let nameTier = HEADER_COMPLIANT
    for (; colon < he; colon++) {
      const b = buf[colon]!
      if (b === COLON) break
      if (TCHAR[b] !== 1 && nameTier !== HEADER_BAD) nameTier = FORBIDDEN[b] === 1 ? HEADER_BAD : HEADER_NON_COMPLIANT
    }
    const partial = colon === he
    if (!multi && !partial) {
      mediaType = equalsLower(buf, hs, colon, CONTENT_TYPE)
      mlS = hs
      mlE = colon
    }
    if (FIELD * nFields + FIELD > fields.length) fields = grow(fields)
    const f = FIELD * nFields++
    let tier: number
    if (multi && mlS >= 0 && (mediaType || partial)) {
      fields[f] = mlS
      fields[f + 1] = mlE
      fields[f + 2] = hs
      fields[f + 3] = colon
      tier = headerTier(buf, mlS, mlE, hs, colon)
    } else {
      fields[f] = hs
      fields[f + 1] = colon
      fields[f + 2] = partial ? he : colon + 1
      fields[f + 3] = he
      tier = partial ? nameTier : Math.max(nameTier, headerTier(buf, 0, 0, colon + 1, he))
    }
    fields[f + 4] = tier
    // Recorded now, applied after the fields are analysed: ALB hands the guardian parsed fields, so
    // " Transfer-Encoding: chunked" is first a SuspiciousHeader, as the corpus expects.
    if (lineReason === undefined) {
      if (!multi && partial) lineReason = 'MissingHeaderColon'
      else if (multi && !mediaType) lineReason = 'MultilineHeader'
    }

    // What is forwarded: obs-fold lines are joined to the field above with one SP (RFC 9112 5.2),
    // or dropped when there is none; lines without a colon, with an empty name or with NUL/CR/LF
    // are dropped (the guardian: "Bad headers MUST be removed before sending to backends").
    if (multi) {
      let forbidden = false
      for (let i = hs; i < he; i++) {
        if (FORBIDDEN[buf[i]!] === 1) {
          forbidden = true
          break
        }
      }
      if (forbidden) continue
      if (nFwd > 0) {
        const vs = skipOws(buf, hs, he)
        const ve = trimOwsEnd(buf, vs, he)
        if (ve > vs) {
          const prev = headerValues[nFwd - 1]!
          const more = text.slice(vs - headStart, ve - headStart)
          headerValues[nFwd - 1] = prev.length > 0 ? prev + ' ' + more : more
        }
      }
      continue
    }
    // A regular line's tier covers every byte but the colon: BAD means NUL, CR or LF somewhere.
    if (partial || colon === hs || tier === HEADER_BAD) continue
    if (3 * nFwd + 3 > names.length) names = grow(names)
    names[3 * nFwd] = hs
    names[3 * nFwd + 1] = colon
    names[3 * nFwd + 2] = nameTier === HEADER_COMPLIANT ? 1 : 0
    const vs = skipOws(buf, colon + 1, he)
    headerNames.push(text.slice(hs - headStart, colon - headStart))
    headerValues.push(text.slice(vs - headStart, trimOwsEnd(buf, vs, he) - headStart))
    nFwd++
  }

  // ---- the guardian's analysis, in its order: fields, TE/CL, method, version, target ----
  let version0 = !versionPartial && vE > vS ? 0 : 1 // 1: the guardian reads an empty version as HTTP/0.9
  let vTrimS = vS
  let vTrimE = vE
  if (version0 === 0) {
    vTrimS = skipOws(buf, vS, vE)
    vTrimE = trimOwsEnd(buf, vTrimS, vE)
    if (vTrimE === vTrimS) version0 = 1
  }
  const emptyVersion = version0 === 1
  // Major version 2 and above are not HTTP/1.x (ALB: 505); the guardian does not analyse them.
  if (!emptyVersion && vTrimE - vTrimS >= 6 && equalsExact(buf, vTrimS, vTrimS + 5, HTTP_SLASH)) {
    const d = buf[vTrimS + 5]!
    if (d >= 0x32 && d <= 0x39) return error(505, 'UnsupportedVersion')
  }
  const versionLe10 = emptyVersion || compare(buf, vS, vE, HTTP_1_0) <= 0
  const versionLt10 = emptyVersion || compare(buf, vS, vE, HTTP_1_0) < 0

  let nTe = 0
  let nCl = 0
  for (let i = 0; i < nFields; i++) {
    const ns = fields[FIELD * i]!
    const ne = fields[FIELD * i + 1]!
    const teSim = similarity(TE_NAME, buf, ns, ne)
    const clSim = teSim === DISTANT ? similarity(CL_NAME, buf, ns, ne) : DISTANT
    const essential = teSim === IDENTICAL || clSim === IDENTICAL
    const tier = fields[FIELD * i + 4]!
    if (tier === HEADER_BAD) verdict.upgrade(SEVERE, 'BadHeader')
    else if (tier === HEADER_NON_COMPLIANT) verdict.upgrade(ACCEPTABLE, 'NonCompliantHeader')
    const ts = skipOws(buf, ns, ne)
    if (ts === ne || buf[ts] === COLON) {
      verdict.upgrade(AMBIGUOUS, 'EmptyHeader')
    } else if (!essential && tier !== HEADER_BAD) {
      if (teSim === SAME_LETTERS) {
        if (nTe === teIdx.length) teIdx = grow(teIdx)
        teIdx[nTe++] = i
        verdict.upgrade(AMBIGUOUS, 'SuspiciousHeader')
      } else if (clSim === SAME_LETTERS) {
        if (nCl === clIdx.length) clIdx = grow(clIdx)
        clIdx[nCl++] = i
        verdict.upgrade(AMBIGUOUS, 'SuspiciousHeader')
      }
    } else if (teSim === IDENTICAL) {
      if (nTe === teIdx.length) teIdx = grow(teIdx)
      teIdx[nTe++] = i
    } else if (clSim === IDENTICAL) {
      if (nCl === clIdx.length) clIdx = grow(clIdx)
      clIdx[nCl++] = i
    }
  }

  const mS = ls
  const bodyless = equalsExact(buf, mS, mEnd, GET) || equalsExact(buf, mS, mEnd, HEAD)
  if (nTe > 0 || nCl > 0) {
    if (versionLe10 && nTe > 0) verdict.upgrade(AMBIGUOUS, 'UndefinedTransferEncodingSemantics')
    else if (versionLt10 && nCl > 0) verdict.upgrade(AMBIGUOUS, 'UndefinedContentLengthSemantics')
    else {
      let chunkedBefore = false
      for (let k = 0; k < nTe; k++) {
        const f = FIELD * teIdx[k]!
        let s = fields[f + 2]!
        const e = fields[f + 3]!
        for (;;) {
          let c = s
          while (c < e && buf[c] !== 0x2c) c++
          const coding = transferCoding(buf, s, c)
          if (coding === TE_INVALID) verdict.upgrade(SEVERE, 'BadTransferEncoding')
          else {
            const chunked = coding === TE_CHUNKED
            if (chunkedBefore && chunked) verdict.upgrade(SEVERE, 'MultipleTransferEncodingChunked')
            chunkedBefore = chunked
          }
          if (c >= e) break
          s = c + 1
        }
      }
      let cl = -1
      for (let k = 0; k < nCl; k++) {
        const f = FIELD * clIdx[k]!
        const n = parseNum(buf, fields[f + 2]!, fields[f + 3]!)
        if (n === NUM_INVALID || n === NUM_OVERFLOW) verdict.upgrade(SEVERE, 'BadContentLength')
        else if (cl >= 0 && cl !== n) verdict.upgrade(SEVERE, 'MultipleContentLength')
        else if (cl >= 0) verdict.upgrade(AMBIGUOUS, 'DuplicateContentLength')
        else cl = n
      }
      if (bodyless) {
        if (nTe > 0) verdict.upgrade(AMBIGUOUS, 'UndefinedTransferEncodingSemantics')
        if (cl === 0) verdict.upgrade(ACCEPTABLE, 'GetHeadZeroContentLength')
        else if (cl > 0) verdict.upgrade(AMBIGUOUS, 'UndefinedContentLengthSemantics')
      }
      if (cl >= 0 && nTe > 0) verdict.upgrade(AMBIGUOUS, 'BothTeClPresent')
    }
  }

  let badMethod = mEnd === mS
  for (let i = mS; i < mEnd; i++) {
    if (TCHAR[buf[i]!] !== 1) {
      verdict.upgrade(SEVERE, 'BadMethod')
      badMethod = true
      break
    }
  }

  let minor: 0 | 1 = 0
  let badVersion = false
  if (emptyVersion || equalsExact(buf, vTrimS, vTrimE, HTTP_0_9)) {
    verdict.upgrade(ACCEPTABLE, 'NonCompliantVersion')
  } else {
    const d = buf[vTrimS + 7]
    const valid =
      vTrimE - vTrimS === 8 && equalsExact(buf, vTrimS, vTrimS + 7, HTTP_1_DOT) && d !== undefined && d >= 0x30 && d <= 0x39
    if (!valid) {
      verdict.upgrade(SEVERE, 'BadVersion')
      badVersion = true
    } else {
      if (vTrimE - vTrimS !== vE - vS || d! > 0x31) verdict.upgrade(ACCEPTABLE, 'NonCompliantVersion')
      minor = d === 0x30 ? 0 : 1
    }
  }

  // "GET /foo/bar " + CRLF (HTTP/0.9 style): the space before the empty version separates, it is
  // not part of the target.
  if (emptyVersion) while (uE > uS && buf[uE - 1] === SP) uE--
  let badUri = false
  let ctlUri = false
  let spaces = 0
  for (let i = uS; i < uE; i++) {
    const b = buf[i]!
    if (TARGET[b] === 1) continue
    if (FORBIDDEN[b] === 1) {
      verdict.upgrade(SEVERE, 'BadUri')
      badUri = true
      break
    }
    if (b === SP) {
      verdict.upgrade(ACCEPTABLE, 'SpaceInUri')
      spaces++
    } else if (b === HT && i + 5 < uE && equalsExact(buf, i + 1, i + 6, HTTP_SLASH)) {
      // A parser that splits the line at HTAB (RFC 9112 3 lets it) reads a version here and the rest
      // as a second request: the corpus's BadUri smuggling shape, severe.
      verdict.upgrade(SEVERE, 'BadUri')
      badUri = true
      break
    } else {
      verdict.upgrade(AMBIGUOUS, 'AmbiguousUri')
      ctlUri = true
    }
  }
  // A target whose spaces hide a second version ("GET /a HTTP/1.1 HTTP/1.1") is a request-line
  // smuggling attempt; the guardian calls the version bad when the line is split that way.
  if (!badUri && !versionPartial) {
    for (let i = uS; i + 6 <= uE; i++) {
      if (buf[i] === SP && equalsExact(buf, i + 1, i + 6, HTTP_SLASH)) {
        verdict.upgrade(SEVERE, 'BadVersion')
        badVersion = true
        break
      }
    }
  }

  if (lineReason !== undefined) verdict.upgrade(AMBIGUOUS, lineReason)

  // ---- what cannot be forwarded at all ----
  if (badMethod) return error(400, 'BadMethod')
  if (missingUri || uE <= uS) return error(400, 'MissingUri')
  if (badUri) return error(400, 'BadUri')
  // RFC 9112 3.2 has no whitespace or control byte in a request-target; targets split the line at
  // HTAB or stop at a control byte differently, so no mode forwards one (nginx and HAProxy refuse too).
  if (ctlUri) return error(400, 'AmbiguousUri')
  if (badVersion) return error(400, 'BadVersion')
  if (verdict.tier === SEVERE && verdict.reason !== 'BadHeader') {
    // BadContentLength, MultipleContentLength, BadTransferEncoding, MultipleTransferEncodingChunked:
    // the body's length cannot be known, so the message cannot be relayed (RFC 9112 6.3).
    return error(verdict.reason === 'BadTransferEncoding' ? 501 : 400, verdict.reason ?? 'BadRequest')
  }

  // ---- framing and connection semantics, from the fields that are forwarded ----
  let hostCount = 0
  let host: string | undefined
  let hasTe = false
  te.chunked = 0
  te.lastChunked = false
  te.unknown = false
  let clCount = 0
  let contentLength = 0
  let clConflict = false
  let clBad = false
  let connClose = false
  let connKeepAlive = false
  let connUpgrade = false
  let hasUpgrade = false
  let expectContinue = false
  let invalidHeaderNames = 0
  for (let i = 0; i < nFwd; i++) {
    const ns = names[3 * i]!
    const ne = names[3 * i + 1]!
    if (names[3 * i + 2] !== 1) {
      invalidHeaderNames++
      continue
    }
    const value = headerValues[i]!
    switch (ne - ns) {
      case 4:
        if (equalsLower(buf, ns, ne, HOST_NAME)) {
          if (hostCount++ === 0) host = value
          for (let k = 0; k < value.length; k++) {
            const c = value.charCodeAt(k)
            if (c > 0xff || HOST[c] !== 1) return error(400, 'BadHost')
          }
        }
        break
      case 6:
        if (equalsLower(buf, ns, ne, EXPECT) && value.toLowerCase() === '100-continue') expectContinue = true
        break
      case 7:
        if (equalsLower(buf, ns, ne, UPGRADE)) hasUpgrade = true
        break
      case 10:
        if (equalsLower(buf, ns, ne, CONNECTION)) {
          const flags = connectionTokens(value)
          if ((flags & CONN_CLOSE) !== 0) connClose = true
          if ((flags & CONN_KEEP_ALIVE) !== 0) connKeepAlive = true
          if ((flags & CONN_UPGRADE) !== 0) connUpgrade = true
        }
        break
      case 14:
        if (equalsLower(buf, ns, ne, CL_NAME)) {
          const n = decimal(value)
          if (n < 0) clBad = true
          else if (clCount > 0 && n !== contentLength) clConflict = true
          contentLength = n
          clCount++
        }
        break
      case 17:
        if (equalsLower(buf, ns, ne, TE_NAME)) {
          hasTe = true
          transferCodings(value)
        }
        break
    }
  }
  if (hasTe) {
    if (te.unknown) return error(501, 'BadTransferEncoding')
    if (te.chunked > 1) return error(400, 'MultipleTransferEncodingChunked')
    // RFC 9112 6.3: a request whose final transfer coding is not chunked has no knowable length.
    if (!te.lastChunked) return error(400, 'ChunkedNotLast')
  } else if (clBad) return error(400, 'BadContentLength')
  else if (clConflict) return error(400, 'MultipleContentLength')

  if (hostCount > 1) return error(400, 'MultipleHost')
  if (hostCount === 0 && minor === 1) return error(400, 'MissingHost')

  // ---- the request target's form (RFC 9112 3.2) ----
  const method = methodString(buf, mS, mEnd, text, headStart)
  // Spaces (acceptable to ALB) are percent-encoded, so the target sees one canonical request line.
  const rawTarget = text.slice(uS - headStart, uE - headStart)
  const target = spaces === 0 ? rawTarget : rawTarget.replaceAll(' ', '%20')
  let path = target
  let query = ''
  const t0 = buf[uS]
  if (method === 'CONNECT') {
    if (t0 === 0x2f || !isHostText(target)) return error(400, 'BadUri')
    host = target
    path = ''
  } else if (t0 === 0x2f) {
    const q = target.indexOf('?')
    if (q >= 0) {
      path = target.slice(0, q)
      query = target.slice(q + 1)
    }
  } else if (t0 === 0x2a && uE - uS === 1) {
    if (method !== 'OPTIONS') return error(400, 'BadUri')
  } else {
    const schemeLen = equalsLowerPrefix(buf, uS, uE, HTTP_SCHEME)
      ? 7
      : equalsLowerPrefix(buf, uS, uE, HTTPS_SCHEME)
        ? 8
        : 0
    if (schemeLen === 0) return error(400, 'BadUri')
    let a = schemeLen
    while (a < target.length) {
      const c = target.charCodeAt(a)
      if (c === 0x2f || c === 0x3f || c === 0x23) break
      a++
    }
    let authority = target.slice(schemeLen, a)
    const at = authority.lastIndexOf('@')
    if (at >= 0) authority = authority.slice(at + 1)
    if (authority.length === 0 || !isHostText(authority)) return error(400, 'BadUri')
    // RFC 9112 3.2.2 and ALB: an absolute-form target's authority replaces Host.
    host = authority
    const rest = target.slice(a)
    const q = rest.indexOf('?')
    path = q >= 0 ? rest.slice(0, q) : rest
    query = q >= 0 ? rest.slice(q + 1) : ''
    if (path.length === 0 || path.charCodeAt(0) !== 0x2f) path = '/' + path
  }

  // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing: close after this message.
  const keepAlive = !connClose && !(hasTe && minor === 0) && (minor === 1 || connKeepAlive)
  const head: RequestHead = {
    method,
    target,
    path,
    query,
    versionMinor: minor,
    headerNames,
    headerValues,
    host,
    bodyKind: hasTe ? 'chunked' : clCount > 0 && contentLength > 0 ? 'length' : 'none',
    contentLength: hasTe ? 0 : contentLength,
    keepAlive,
    upgrade: hasUpgrade && connUpgrade,
    expectContinue,
    classification: TIER_NAMES[verdict.tier]!,
    classificationReason: verdict.reason,
    headBytes: headEnd - start,
    invalidHeaderNames,
  }
  return { kind: 'head', head }
}

function grow(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const g = new Int32Array(a.length * 2)
  g.set(a)
  return g
}

function methodString(buf: Buffer, s: number, e: number, text: string, base: number): string {
  for (let i = 0; i < METHODS.length; i++) {
    const m = METHODS[i]!
    if (equalsExact(buf, s, e, m[1])) return m[0]
  }
  return text.slice(s - base, e - base)
}

function equalsLowerPrefix(buf: Buffer, s: number, e: number, lower: Uint8Array): boolean {
  return e - s > lower.length && equalsLower(buf, s, s + lower.length, lower)
}

/** A Content-Length value: 1*DIGIT, at most Number.MAX_SAFE_INTEGER; -1 otherwise. */
function decimal(v: string): number {
  if (v.length === 0 || v.length > 16) return -1
  let n = 0
  for (let i = 0; i < v.length; i++) {
    const d = v.charCodeAt(i) - 0x30
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n > Number.MAX_SAFE_INTEGER ? -1 : n
}

const CONN_CLOSE = 1
const CONN_KEEP_ALIVE = 2
const CONN_UPGRADE = 4

/** Connection options that matter here, as CONN_* bits. */
function connectionTokens(v: string): number {
  let flags = 0
  let s = 0
  while (s <= v.length) {
    let c = v.indexOf(',', s)
    if (c < 0) c = v.length
    const a = owsStart(v, s, c)
    const n = owsEnd(v, a, c) - a
    if (n === 5 && sameLower(v, a, 'close')) flags |= CONN_CLOSE
    else if (n === 10 && sameLower(v, a, 'keep-alive')) flags |= CONN_KEEP_ALIVE
    else if (n === 7 && sameLower(v, a, 'upgrade')) flags |= CONN_UPGRADE
    s = c + 1
  }
  return flags
}

const te = { chunked: 0, lastChunked: false, unknown: false }
const CODINGS = ['gzip', 'deflate', 'compress', 'identity']

/** Folds one Transfer-Encoding value into `te`; empty list elements are skipped (RFC 9110 5.6.1). */
function transferCodings(v: string): void {
  let s = 0
  while (s <= v.length) {
    let c = v.indexOf(',', s)
    if (c < 0) c = v.length
    const a = owsStart(v, s, c)
    let semi = v.indexOf(';', a)
    if (semi < 0 || semi > c) semi = c
    const n = owsEnd(v, a, semi) - a
    s = c + 1
    if (n === 0 && semi === c) continue
    if (n === 7 && sameLower(v, a, 'chunked')) {
      te.chunked++
      te.lastChunked = true
      continue
    }
    te.lastChunked = false
    let known = false
    for (let k = 0; k < CODINGS.length; k++) {
      const name = CODINGS[k]!
      if (n === name.length && sameLower(v, a, name)) known = true
    }
    if (!known) te.unknown = true
  }
}

function owsStart(v: string, a: number, b: number): number {
  while (a < b && (v.charCodeAt(a) === SP || v.charCodeAt(a) === HT)) a++
  return a
}

function owsEnd(v: string, a: number, b: number): number {
  while (b > a && (v.charCodeAt(b - 1) === SP || v.charCodeAt(b - 1) === HT)) b--
  return b
}

/** Whether v at `at` holds `lower` (lowercase ASCII), letters compared case-insensitively. */
function sameLower(v: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = v.charCodeAt(at + i)
    const l = lower.charCodeAt(i)
    if (c !== l && (c < 0x41 || c > 0x5a || (c | 0x20) !== l)) return false
  }
  return true
}
