/** The largest ClientHello record looked at (a TLS record holds at most 16 KiB). */
export const MAX_HELLO_BYTES = 5 + 16384

/** What openalb reads from a ClientHello: the server name (lower-cased; null when none) and the ALPN protocols offered. */
export interface ClientHelloFields {
  readonly serverName: string | null
  readonly alpn: readonly string[]
}

/**
 * The server_name (SNI) of the TLS ClientHello at the start of `buf`, lower-cased: a name; null
 * when the hello is complete and names nothing (or the bytes are not a ClientHello, which the TLS
 * stack then refuses itself); undefined while the first record is not complete yet.
 */
export function clientHelloServerName(buf: Buffer): string | null | undefined {
  const hello = parseClientHello(buf)
  return hello === undefined ? undefined : hello.serverName
}

/**
 * The server name and ALPN list of the ClientHello at the start of `buf`; undefined while the
 * first record is not complete yet; no name and no protocols for bytes that are not a ClientHello.
 */
export function parseClientHello(buf: Buffer): ClientHelloFields | undefined {
  const none: ClientHelloFields = { serverName: null, alpn: [] }
  if (buf.length < 5) return undefined
  if (buf[0] !== 0x16) return none
  const recordLength = buf.readUInt16BE(3)
  if (buf.length < 5 + recordLength) return undefined
  const body = buf.subarray(5, 5 + recordLength)
  if (body[0] !== 0x01 || body.length < 4) return none
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
  if (!skip8() || !skip16() || !skip8()) return none // session id, cipher suites, compression methods
  if (p + 2 > body.length) return none
  const end = Math.min(body.length, p + 2 + body.readUInt16BE(p))
  p += 2
  let serverName: string | null = null
  const alpn: string[] = []
  while (p + 4 <= end) {
    const type = body.readUInt16BE(p)
    const length = body.readUInt16BE(p + 2)
    const data = p + 4
    if (data + length > end) return none
    if (type === 0x0000) {
      // server_name_list: u16 length, then entries of name_type (1) + u16 length + name
      let q = data + 2
      while (q + 3 <= data + length) {
        const nameType = body[q] as number
        const nameLength = body.readUInt16BE(q + 1)
        if (q + 3 + nameLength > data + length) return none
        if (nameType === 0) {
          serverName = body.toString('latin1', q + 3, q + 3 + nameLength).toLowerCase()
          break
        }
        q += 3 + nameLength
      }
    } else if (type === 0x0010 && length >= 2) {
      // application_layer_protocol_negotiation: u16 list length, then u8-length protocol names
      let q = data + 2
      while (q < data + length) {
        const n = body[q] as number
        if (q + 1 + n > data + length) return none
        alpn.push(body.toString('latin1', q + 1, q + 1 + n))
        q += 1 + n
      }
    }
    p = data + length
  }
  return { serverName, alpn }
}
