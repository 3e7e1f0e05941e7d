import { createHmac, randomBytes } from 'node:crypto'

/**
 * Opaque stickiness tokens: an HMAC of what they stand for under a per-process key, so a client
 * can neither read a target's address from its cookie nor forge one for another target.
 */
export class TokenSigner {
  constructor(private readonly key: Buffer = randomBytes(32)) {}

  token(kind: string, value: string): string {
    return createHmac('sha256', this.key).update(kind).update('\0').update(value).digest('base64url').slice(0, 32)
  }
}

/** The value of cookie `name` in the request's Cookie headers, or undefined. */
export function findCookie(names: readonly string[], values: readonly string[], name: string): string | undefined {
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string
    if (n.length !== 6 || n.toLowerCase() !== 'cookie') continue
    const v = values[i] as string
    let at = v.indexOf(name)
    while (at >= 0) {
      const before = at === 0 ? 32 : v.charCodeAt(at - 1)
      const eq = at + name.length
      if ((before === 32 || before === 59) && v.charCodeAt(eq) === 61) {
        let end = v.indexOf(';', eq + 1)
        if (end < 0) end = v.length
        return v.slice(eq + 1, end).trim()
      }
      at = v.indexOf(name, at + 1)
    }
  }
  return undefined
}

/** Cookie date format (RFC 1123), as ALB writes Expires. */
export function cookieExpires(nowMs: number, seconds: number): string {
  return new Date(nowMs + seconds * 1000).toUTCString()
}
