import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Sealed values (the session cookies and the state parameter): AES-256-GCM over JSON, written as
 * base64url(iv | ciphertext | tag). Anything that does not open under the key is undefined:
 * a cookie from another key, cut short or edited.
 */
export function seal(value: unknown, key: Buffer): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
}

export function unseal(text: string, key: Buffer): unknown {
  const raw = Buffer.from(text, 'base64url')
  if (raw.length < 12 + 16 + 1) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()])
    return JSON.parse(plain.toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** ALB splits the session over cookies of at most 4 KB (NAME-0, NAME-1 ...), 4 of them at most (16 KB). */
export const SHARD_BYTES = 4096
export const MAX_SHARDS = 4

/** The NAME-i=value pairs of a sealed session; undefined when it needs more than MAX_SHARDS cookies. */
export function shardCookie(name: string, value: string): [string, string][] | undefined {
  const out: [string, string][] = []
  for (let i = 0, at = 0; at < value.length || i === 0; i++) {
    const shardName = `${name}-${i}`
    const room = SHARD_BYTES - shardName.length - 1
    out.push([shardName, value.slice(at, at + room)])
    at += room
  }
  return out.length > MAX_SHARDS ? undefined : out
}

/** The cookies a request sent (every Cookie field, as HTTP/2 may split them), name -> first value. */
export function requestCookies(names: readonly string[], values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string
    if (n.length !== 6 || n.toLowerCase() !== 'cookie') continue
    for (const pair of (values[i] as string).split(';')) {
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const k = pair.slice(0, eq).trim()
      if (!out.has(k)) out.set(k, pair.slice(eq + 1).trim())
    }
  }
  return out
}

/** The session's shards joined back (NAME-0, NAME-1 ... until one is missing); undefined without NAME-0. */
export function joinShards(cookies: ReadonlyMap<string, string>, name: string): string | undefined {
  const first = cookies.get(`${name}-0`)
  if (first === undefined) return undefined
  let value = first
  for (let i = 1; i < MAX_SHARDS; i++) {
    const next = cookies.get(`${name}-${i}`)
    if (next === undefined) break
    value += next
  }
  return value
}
