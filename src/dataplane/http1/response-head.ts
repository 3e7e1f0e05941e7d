/** ALB: a target's response head may be at most 32 KiB; more is a 502. */
export const MAX_RESPONSE_HEAD_BYTES = 32 * 1024

export type ResponseBodyKind = 'none' | 'length' | 'chunked' | 'close'

/** A parsed response head; one object per connection, refilled per response. */
export class ResponseHead {
  status = 0
  reason = ''
  versionMinor = 1
  names: string[] = []
  values: string[] = []
  contentLength = -1
  bodyKind: ResponseBodyKind = 'none'
  /** The target wants the connection closed after this response. */
  close = false
  /** Bytes of the head, CRLFCRLF included. */
  headBytes = 0
}

const CRLFCRLF = Buffer.from('\r\n\r\n')

function isToken(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c >= 127 || c === 58 || c === 34 || c === 40 || c === 41 || c === 44 || c === 47 || c === 59 || c === 60 || c === 61 || c === 62 || c === 63 || c === 64 || c === 91 || c === 92 || c === 93 || c === 123 || c === 125) return false
  }
  return true
}

/**
 * Parses a target's response head strictly (CRLF line ends, valid names, one Content-Length):
 * 'incomplete' until the blank line has arrived, 'invalid' for anything a proxy must not pass on.
 */
export function parseResponseHead(buf: Buffer, start: number, requestMethod: string, out: ResponseHead): 'ok' | 'incomplete' | 'invalid' {
  const end = buf.indexOf(CRLFCRLF, start)
  if (end < 0) return buf.length - start > MAX_RESPONSE_HEAD_BYTES ? 'invalid' : 'incomplete'
  if (end - start > MAX_RESPONSE_HEAD_BYTES) return 'invalid'
  const text = buf.toString('latin1', start, end)
  let lineEnd = text.indexOf('\r\n')
  if (lineEnd < 0) lineEnd = text.length
  // HTTP/1.x SP 3DIGIT SP reason
  if (lineEnd < 12 || !text.startsWith('HTTP/1.') || text.charCodeAt(8) !== 32) return 'invalid'
  const minor = text.charCodeAt(7) - 48
  if (minor !== 0 && minor !== 1) return 'invalid'
  const status = Number(text.slice(9, 12))
  if (!Number.isInteger(status) || status < 100 || status > 999) return 'invalid'
  if (lineEnd > 12 && text.charCodeAt(12) !== 32) return 'invalid'
  out.status = status
  out.versionMinor = minor
  out.reason = lineEnd > 13 ? text.slice(13, lineEnd) : ''
  // New arrays: cheaper than truncating the last response's (a runtime call in V8).
  const names: string[] = []
  const values: string[] = []
  out.names = names
  out.values = values
  let contentLength = -1
  let chunked = false
  let otherCoding = false
  let close = minor === 0
  let pos = lineEnd + 2
  while (pos < text.length) {
    let e = text.indexOf('\r\n', pos)
    if (e < 0) e = text.length
    const colon = text.indexOf(':', pos)
    if (colon < 0 || colon > e) return 'invalid'
    const name = text.slice(pos, colon)
    if (!isToken(name)) return 'invalid'
    const value = text.slice(colon + 1, e).trim()
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      if (c === 0 || c === 10 || c === 13) return 'invalid'
    }
    const len = name.length
    if (len === 14 && name.toLowerCase() === 'content-length') {
      if (!/^\d{1,15}$/.test(value)) return 'invalid'
      const n = Number(value)
      if (contentLength >= 0 && contentLength !== n) return 'invalid'
      contentLength = n
    } else if (len === 17 && name.toLowerCase() === 'transfer-encoding') {
      const v = value.toLowerCase()
      chunked = v === 'chunked' || v.endsWith(',chunked') || v.endsWith(', chunked')
      otherCoding = !chunked
    } else if (len === 10 && name.toLowerCase() === 'connection') {
      const v = value.toLowerCase()
      if (v.includes('close')) close = true
      else if (minor === 0 && v.includes('keep-alive')) close = false
    }
    names.push(name)
    values.push(value)
    pos = e + 2
  }
  out.close = close
  out.contentLength = contentLength
  out.headBytes = end + 4 - start
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) out.bodyKind = 'none'
  else if (chunked) out.bodyKind = 'chunked'
  else if (otherCoding) {
    out.bodyKind = 'close'
    out.close = true
  } else if (contentLength >= 0) out.bodyKind = contentLength === 0 ? 'none' : 'length'
  else {
    out.bodyKind = 'close'
    out.close = true
  }
  return 'ok'
}
