/**
 * Smithy RPC v2 CBOR (`POST /service/SERVICE/operation/OPERATION`, `smithy-protocol: rpc-v2-cbor`),
 * CloudWatch's first protocol in its model. openalb does not speak it (AWS CLI v2 2.9 sends Query,
 * the SDK v3 and CLI v1 JSON 1.0), but a client that does gets its error in its own encoding: a
 * CBOR map of text strings, which is all this writes.
 */

export const RPC_V2_CBOR_PREFIX = '/service/'

export function isRpcV2Cbor(path: string, headers: Record<string, string | string[] | undefined>): boolean {
  return path.startsWith(RPC_V2_CBOR_PREFIX) && headers['smithy-protocol'] === 'rpc-v2-cbor'
}

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n])
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff])
  const b = Buffer.alloc(5)
  b[0] = (major << 5) | 26
  b.writeUInt32BE(n, 1)
  return b
}

/** A CBOR map whose keys and values are text strings (RFC 8949: major types 5 and 3). */
export function cborTextMap(entries: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [head(5, Object.keys(entries).length)]
  for (const [k, v] of Object.entries(entries)) {
    for (const s of [k, v]) {
      const bytes = Buffer.from(s, 'utf8')
      parts.push(head(3, bytes.length), bytes)
    }
  }
  return Buffer.concat(parts)
}
