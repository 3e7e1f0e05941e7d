// Writes request and response heads from parsed parts into one Buffer. The proxy never forwards
// the bytes it received: what the peer sees is re-serialised from what this layer understood.
// Hop-by-hop fields (RFC 9110 7.6.1) are dropped, Transfer-Encoding too (the proxy re-frames the
// body and adds its own framing fields), then the caller's fields are appended.
//
// Strings are latin1: one char per byte, as the parsers produce them. A name or value holding CR,
// LF or NUL, or a name that is not a token, throws: that would be header injection.
import { FIELD_VALUE } from './chars.js'

export interface SerializeOptions {
  /** Keep Upgrade and send "Connection: Upgrade" (a WebSocket handshake or a 101 response). */
  upgrade?: boolean
  /** More names to drop, lowercase (e.g. 'content-length' when the body is re-framed as chunked). */
  drop?: readonly string[]
}

const NO_OPTIONS: SerializeOptions = Object.freeze({})

/** `METHOD target HTTP/1.1` + kept fields + added fields + CRLF. */
export function serializeRequestHead(
  method: string,
  target: string,
  names: readonly string[],
  values: readonly string[],
  addNames: readonly string[],
  addValues: readonly string[],
  options: SerializeOptions = NO_OPTIONS,
): Buffer {
  checkToken(method)
  const t = safeTarget(target)
  return writeHead(`${method} ${t} HTTP/1.1\r\n`, names, values, addNames, addValues, options)
}

/** `HTTP/1.1 code reason` + kept fields + added fields + CRLF. */
export function serializeResponseHead(
  statusCode: number,
  reason: string,
  names: readonly string[],
  values: readonly string[],
  addNames: readonly string[],
  addValues: readonly string[],
  options: SerializeOptions = NO_OPTIONS,
): Buffer {
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) {
    throw new RangeError(`invalid status code ${statusCode}`)
  }
  checkValue(reason)
  return writeHead(`HTTP/1.1 ${statusCode} ${reason}\r\n`, names, values, addNames, addValues, options)
}

function writeHead(
  startLine: string,
  names: readonly string[],
  values: readonly string[],
  addNames: readonly string[],
  addValues: readonly string[],
  options: SerializeOptions,
): Buffer {
  const upgrade = options.upgrade === true
  const connectionListed = listedByConnection(names, values)
  const extraDrop = options.drop
  // One string, one copy into a Buffer: cheaper than a native write per field.
  let head = startLine
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (isHopByHop(name, upgrade)) continue
    if (connectionListed !== undefined && connectionListed.includes(name.toLowerCase())) continue
    if (extraDrop !== undefined && extraDrop.length > 0 && extraDrop.includes(name.toLowerCase())) continue
    const value = values[i] ?? ''
    checkToken(name)
    checkValue(value)
    head += name + ': ' + value + '\r\n'
  }
  if (addNames.length !== addValues.length) throw new RangeError('addNames and addValues differ in length')
  for (let i = 0; i < addNames.length; i++) {
    const name = addNames[i]!
    const value = addValues[i]!
    checkToken(name)
    checkValue(value)
    head += name + ': ' + value + '\r\n'
  }
  if (upgrade) head += 'Connection: Upgrade\r\n'
  return Buffer.from(head + '\r\n', 'latin1')
}

/** RFC 9110 7.6.1 hop-by-hop fields, plus Transfer-Encoding (re-framed) and Upgrade unless upgrading. */
function isHopByHop(name: string, upgrade: boolean): boolean {
  switch (name.length) {
    case 2:
      return sameLower(name, 'te')
    case 7:
      return sameLower(name, 'trailer') || (!upgrade && sameLower(name, 'upgrade'))
    case 10:
      return sameLower(name, 'connection') || sameLower(name, 'keep-alive')
    case 16:
      return sameLower(name, 'proxy-connection')
    case 17:
      return sameLower(name, 'transfer-encoding')
    default:
      return false
  }
}

/** Field names a Connection header lists beyond close/keep-alive/upgrade, lowercase; usually none. */
function listedByConnection(names: readonly string[], values: readonly string[]): string[] | undefined {
  let listed: string[] | undefined
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!
    if (name.length !== 10 || !sameLower(name, 'connection')) continue
    const v = values[i] ?? ''
    if ((v.length === 10 && sameLower(v, 'keep-alive')) || (v.length === 5 && sameLower(v, 'close'))) continue
    for (const raw of (values[i] ?? '').split(',')) {
      const token = raw.trim().toLowerCase()
      if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue
      ;(listed ??= []).push(token)
    }
  }
  return listed
}

function sameLower(s: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(i)
    const l = lower.charCodeAt(i)
    if (c !== l && (c < 0x41 || c > 0x5a || (c | 0x20) !== l)) return false
  }
  return true
}

function checkToken(s: string): void {
  if (s.length === 0) throw new TypeError('empty field name or method')
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    // Names the parser kept as received may be non-tokens ("x-a "); CR, LF, NUL and ':' never pass.
    if (c > 0xff || c === 0x0d || c === 0x0a || c === 0 || c === 0x3a) {
      throw new TypeError(`invalid field name or method: ${JSON.stringify(s)}`)
    }
  }
}

function checkValue(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff || FIELD_VALUE[c] !== 1) throw new TypeError(`invalid field value: ${JSON.stringify(s)}`)
  }
}

/** The target with SP, CTLs and DEL percent-encoded, so the request line splits one way only. */
function safeTarget(target: string): string {
  if (target.length === 0) throw new TypeError('empty request target')
  let i = 0
  for (; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c > 0xff) throw new TypeError('request target must be latin1')
    if (c <= 0x20 || c === 0x7f) break
  }
  if (i === target.length) return target
  let out = target.slice(0, i)
  for (; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c > 0xff) throw new TypeError('request target must be latin1')
    if (c <= 0x20 || c === 0x7f) out += '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase()
    else out += target[i]
  }
  return out
}
