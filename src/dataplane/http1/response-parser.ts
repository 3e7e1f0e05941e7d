// Strict HTTP/1.x response-head parser for what targets send back (RFC 9112). Anything it cannot
// read safely is an error, which the proxy answers with 502 as ALB does for "malformed or invalid
// response headers" and for a response head over 32 KiB.
import { COLON, CR, FIELD_VALUE, HT, SP, TCHAR, ascii, equalsExact, equalsLower, indexOfLf, skipOws, trimOwsEnd } from './chars.js'

export interface ResponseLimits {
  /** Longest response head in bytes (ALB: 32 KiB). */
  maxHeadBytes: number
  /** Most field lines. */
  maxHeaderCount: number
}

export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = Object.freeze({ maxHeadBytes: 32768, maxHeaderCount: 200 })

export interface ResponseHead {
  statusCode: number
  reason: string
  versionMinor: 0 | 1
  /** In order, names as received (latin1). */
  headerNames: string[]
  /** OWS-trimmed; obs-fold continuations joined with one SP (RFC 9112 5.2). */
  headerValues: string[]
  /** 'close': the body runs until the target closes the connection. */
  bodyKind: 'none' | 'length' | 'chunked' | 'close'
  contentLength: number
  keepAlive: boolean
  /** 101 Switching Protocols: the connection now carries another protocol. */
  upgrade: boolean
  /** Bytes of buf consumed from start, including the final empty line. */
  headBytes: number
}

export type ResponseParseResult =
  | { kind: 'incomplete' }
  | { kind: 'head'; head: ResponseHead }
  | { kind: 'error'; reason: string }

const INCOMPLETE: ResponseParseResult = Object.freeze({ kind: 'incomplete' })
const HTTP_1_DOT = ascii('HTTP/1.')
const CONTENT_LENGTH = ascii('content-length')
const TRANSFER_ENCODING = ascii('transfer-encoding')
const CONNECTION = ascii('connection')

function fail(reason: string): ResponseParseResult {
  return { kind: 'error', reason }
}

export function parseResponseHead(
  buf: Buffer,
  start: number,
  limits: ResponseLimits,
  requestMethod: string,
): ResponseParseResult {
  const len = buf.length
  // Find the end: the first empty line, LF or CRLF terminated (a bare LF line end is tolerated
  // from targets, RFC 9112 2.2; a bare CR anywhere is not).
  let lineStart = start
  let headEnd = -1
  let endLine = -1
  for (;;) {
    const lf = indexOfLf(buf, lineStart)
    if (lf === -1) {
      if (len - start > limits.maxHeadBytes) return fail('response head too large')
      return INCOMPLETE
    }
    if (lf + 1 - start > limits.maxHeadBytes) return fail('response head too large')
    const contentEnd = lf > lineStart && buf[lf - 1] === CR ? lf - 1 : lf
    if (lineStart > start && contentEnd === lineStart) {
      endLine = lineStart
      headEnd = lf + 1
      break
    }
    lineStart = lf + 1
  }

  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  let lf = indexOfLf(buf, start)
  let le = lf > start && buf[lf - 1] === CR ? lf - 1 : lf
  if (le - start < 12 || !equalsExact(buf, start, start + 7, HTTP_1_DOT)) return fail('bad status line')
  const minorDigit = buf[start + 7]!
  if (minorDigit < 0x30 || minorDigit > 0x39 || buf[start + 8] !== SP) return fail('bad status line')
  let statusCode = 0
  for (let i = start + 9; i < start + 12; i++) {
    const d = buf[i]! - 0x30
    if (d < 0 || d > 9) return fail('bad status code')
    statusCode = statusCode * 10 + d
  }
  if (statusCode < 100) return fail('bad status code')
  if (le > start + 12 && buf[start + 12] !== SP) return fail('bad status line')
  for (let i = start + 13; i < le; i++) {
    if (FIELD_VALUE[buf[i]!] !== 1) return fail('bad reason phrase')
  }
  const reason = le > start + 13 ? buf.toString('latin1', start + 13, le) : ''
  const versionMinor: 0 | 1 = minorDigit === 0x30 ? 0 : 1

  const headerNames: string[] = []
  const headerValues: string[] = []
  let pos = lf + 1
  let count = 0
  let clCount = 0
  let contentLength = 0
  let hasTe = false
  let teChunkedLast = false
  let connClose = false
  let connKeepAlive = false
  while (pos < endLine) {
    lf = indexOfLf(buf, pos)
    le = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf
    const hs = pos
    pos = lf + 1
    if (++count > limits.maxHeaderCount) return fail('too many header fields')
    for (let i = hs; i < le; i++) {
      const b = buf[i]!
      if (b === CR || b === 0) return fail('bare CR or NUL in header section')
    }
    if (buf[hs] === SP || buf[hs] === HT) {
      // obs-fold: a proxy replaces it with SP before forwarding (RFC 9112 5.2).
      if (headerValues.length === 0) return fail('obs-fold before the first header field')
      const vs = skipOws(buf, hs, le)
      const ve = trimOwsEnd(buf, vs, le)
      for (let i = vs; i < ve; i++) if (FIELD_VALUE[buf[i]!] !== 1) return fail('bad header value')
      const last = headerValues.length - 1
      if (ve > vs) headerValues[last] = headerValues[last] + ' ' + buf.toString('latin1', vs, ve)
      continue
    }
    let colon = hs
    while (colon < le && TCHAR[buf[colon]!] === 1) colon++
    // No whitespace between name and colon (RFC 9112 5.1); names are tokens.
    if (colon === hs || colon === le || buf[colon] !== COLON) return fail('bad header field name')
    const vs = skipOws(buf, colon + 1, le)
    const ve = trimOwsEnd(buf, vs, le)
    for (let i = vs; i < ve; i++) if (FIELD_VALUE[buf[i]!] !== 1) return fail('bad header value')
    const value = buf.toString('latin1', vs, ve)
    headerNames.push(buf.toString('latin1', hs, colon))
    headerValues.push(value)

    const n = colon - hs
    if (n === 14 && equalsLower(buf, hs, colon, CONTENT_LENGTH)) {
      const v = decimalList(value)
      if (v < 0) return fail('bad Content-Length')
      if (clCount > 0 && v !== contentLength) return fail('conflicting Content-Length')
      contentLength = v
      clCount++
    } else if (n === 17 && equalsLower(buf, hs, colon, TRANSFER_ENCODING)) {
      hasTe = true
      teChunkedLast = lastCodingIsChunked(value, teChunkedLast)
    } else if (n === 10 && equalsLower(buf, hs, colon, CONNECTION)) {
      const lower = value.toLowerCase()
      if (hasToken(lower, 'close')) connClose = true
      if (hasToken(lower, 'keep-alive')) connKeepAlive = true
    }
  }

  // RFC 9112 6.3, in its order.
  let bodyKind: ResponseHead['bodyKind']
  const upgrade = statusCode === 101
  if (requestMethod === 'HEAD' || statusCode < 200 || statusCode === 204 || statusCode === 304) {
    bodyKind = 'none'
  } else if (requestMethod === 'CONNECT' && statusCode < 300) {
    bodyKind = 'none'
  } else if (hasTe) {
    bodyKind = teChunkedLast ? 'chunked' : 'close'
  } else if (clCount > 0) {
    bodyKind = contentLength > 0 ? 'length' : 'none'
  } else {
    bodyKind = 'close'
  }
  const keepAlive =
    bodyKind !== 'close' && !upgrade && !connClose && (versionMinor === 1 || connKeepAlive)
  return {
    kind: 'head',
    head: {
      statusCode,
      reason,
      versionMinor,
      headerNames,
      headerValues,
      bodyKind,
      contentLength: bodyKind === 'length' ? contentLength : 0,
      keepAlive,
      upgrade,
      headBytes: headEnd - start,
    },
  }
}

/**
 * A Content-Length value; a list of identical values ("42, 42") counts as one (RFC 9110 8.6).
 * -1 when invalid or above Number.MAX_SAFE_INTEGER.
 */
function decimalList(v: string): number {
  let result = -1
  let i = 0
  while (i <= v.length) {
    let c = v.indexOf(',', i)
    if (c < 0) c = v.length
    let a = i
    let b = c
    while (a < b && (v.charCodeAt(a) === SP || v.charCodeAt(a) === HT)) a++
    while (b > a && (v.charCodeAt(b - 1) === SP || v.charCodeAt(b - 1) === HT)) b--
    if (b === a || b - a > 16) return -1
    let n = 0
    for (let k = a; k < b; k++) {
      const d = v.charCodeAt(k) - 0x30
      if (d < 0 || d > 9) return -1
      n = n * 10 + d
    }
    if (n > Number.MAX_SAFE_INTEGER || (result >= 0 && n !== result)) return -1
    result = n
    i = c + 1
  }
  return result
}

function lastCodingIsChunked(value: string, before: boolean): boolean {
  let last = before
  let i = 0
  while (i <= value.length) {
    let c = value.indexOf(',', i)
    if (c < 0) c = value.length
    let semi = value.indexOf(';', i)
    if (semi < 0 || semi > c) semi = c
    const coding = value.slice(i, semi).trim()
    if (coding.length > 0) last = coding.toLowerCase() === 'chunked'
    i = c + 1
  }
  return last
}

function hasToken(lowerList: string, token: string): boolean {
  let i = lowerList.indexOf(token)
  while (i >= 0) {
    const before = i === 0 ? 0x2c : lowerList.charCodeAt(i - 1)
    const after = i + token.length >= lowerList.length ? 0x2c : lowerList.charCodeAt(i + token.length)
    const sepBefore = before === 0x2c || before === SP || before === HT
    const sepAfter = after === 0x2c || after === SP || after === HT
    if (sepBefore && sepAfter) return true
    i = lowerList.indexOf(token, i + 1)
  }
  return false
}
