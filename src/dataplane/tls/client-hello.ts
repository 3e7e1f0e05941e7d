/** The largest ClientHello record looked at (a TLS record holds at most 16 KiB). */
export const MAX_HELLO_BYTES = 5 + 16384

/**
 * The server_name (SNI) of the TLS ClientHello at the start of `buf`, lower-cased: a name; null
 * when the hello is complete and names nothing (or the bytes are not a ClientHello, which the TLS
 * stack then refuses itself); undefined while the first record is not complete yet.
 */
export function clientHelloServerName(buf: Buffer): string | null | undefined {
  if (buf.length < 5) return undefined
  if (buf[0] !== 0x16) return null
  const recordLength = buf.readUInt16BE(3)
  if (buf.length < 5 + recordLength) return undefined
  const body = buf.subarray(5, 5 + recordLength)
  if (body[0] !== 0x01 || body.length < 4) return null
  // handshake header (4), client_version (2), random (32)
  let p = 4 + 2 + 32
  const skip8 = () => {
    if (p >= body.length) return false
    p += 1 + (body[p] as number)
    return p <= body.length
  }
  const skip16 = () => {
    if (p + 2 > body.length) return false
    p += 2 + body.readUInt16BE(p)
    return p <= body.length
  }
  if (!skip8() || !skip16() || !skip8()) return null // session id, cipher suites, compression methods
  if (p + 2 > body.length) return null
  const end = Math.min(body.length, p + 2 + body.readUInt16BE(p))
  p += 2
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p)
    const length = body.readUInt16BE(p + 2)
    const data = p + 4
    if (data + length > end) return null
    if (type === 0x0000) {
      // server_name_list: u16 length, then entries of name_type (1) + u16 length + name
      let q = data + 2
      while (q + 3 <= data + length) {
        const nameType = body[q] as number
        const nameLength = body.readUInt16BE(q + 1)
        if (q + 3 + nameLength > data + length) return null
        if (nameType === 0) return body.toString('latin1', q + 3, q + 3 + nameLength).toLowerCase()
        q += 3 + nameLength
      }
      return null
    }
    p = data + length
  }
  return null
}
