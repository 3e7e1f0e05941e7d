// Byte classes for the HTTP/1.x wire layer, as lookup tables (one load per byte on the hot path).

export const SP = 0x20
export const HT = 0x09
export const CR = 0x0d
export const LF = 0x0a
export const COLON = 0x3a

/** RFC 9110 tchar: the bytes of a token (method, field name, transfer coding). */
export const TCHAR = new Uint8Array(256)
/** A field-value byte: VCHAR, SP, HTAB or obs-text (0x80-0xFF). */
export const FIELD_VALUE = new Uint8Array(256)
/** A byte no parser may let through in a name, value or target: NUL, CR, LF. */
export const FORBIDDEN = new Uint8Array(256)
/** A request-target byte the desync guardian accepts as is: > SP and not DEL (obs-text included). */
export const TARGET = new Uint8Array(256)
/** ASCII letters and digits. */
export const ALNUM = new Uint8Array(256)

for (let b = 0; b < 256; b++) {
  const alnum = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
  ALNUM[b] = alnum ? 1 : 0
  TCHAR[b] = alnum || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(b)) ? 1 : 0
  FIELD_VALUE[b] = (b >= 0x20 && b < 0x7f) || b >= 0x80 || b === HT ? 1 : 0
  FORBIDDEN[b] = b === 0 || b === CR || b === LF ? 1 : 0
  TARGET[b] = b > SP && b !== 0x7f ? 1 : 0
}

/** Whether a string is an RFC 9110 token (what a field name must be). */
export function isTokenName(name: string): boolean {
  if (name.length === 0) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (c > 0xff || TCHAR[c] !== 1) return false
  }
  return true
}

/** Case-insensitive comparison of buf[s, e) with a lowercase ASCII literal given as bytes. */
export function equalsLower(buf: Buffer, s: number, e: number, lower: Uint8Array): boolean {
  if (e - s !== lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    const b = buf[s + i]!
    const l = lower[i]!
    // Fold case for letters only: CR | 0x20 is '-', and must not match it.
    if (b !== l && ((b | 0x20) !== l || l < 0x61 || l > 0x7a)) return false
  }
  return true
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0))
}

/** Index of the first byte in [s, e) that is not SP or HT (e if none). */
export function skipOws(buf: Buffer, s: number, e: number): number {
  while (s < e && (buf[s] === SP || buf[s] === HT)) s++
  return s
}

/** End of buf[s, e) with trailing SP/HT removed. */
export function trimOwsEnd(buf: Buffer, s: number, e: number): number {
  while (e > s && (buf[e - 1] === SP || buf[e - 1] === HT)) e--
  return e
}

/** A Host byte (RFC 3986 reg-name, IP-literal and port): unreserved, sub-delims, ':', '[', ']', '%'. */
export const HOST = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  HOST[b] = ALNUM[b] === 1 || "-._~!$&'()*+,;=:[]%".includes(String.fromCharCode(b)) ? 1 : 0
}

/** Whether a string is a non-empty run of HOST bytes (an authority: host and port). */
export function isHostText(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff || HOST[c] !== 1) return false
  }
  return true
}

/** Case-sensitive comparison of buf[s, e) with ASCII bytes. */
export function equalsExact(buf: Buffer, s: number, e: number, lit: Uint8Array): boolean {
  if (e - s !== lit.length) return false
  for (let i = 0; i < lit.length; i++) if (buf[s + i] !== lit[i]) return false
  return true
}

/**
 * Index of the first LF in buf at or after `from`, or -1. A plain loop: head lines are short, and
 * Buffer#indexOf costs a native call each time, more than the scan itself.
 */
export function indexOfLf(buf: Buffer, from: number): number {
  const len = buf.length
  for (let i = from; i < len; i++) if (buf[i] === LF) return i
  return -1
}
