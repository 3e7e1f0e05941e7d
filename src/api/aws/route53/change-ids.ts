import { createHmac, hkdfSync, randomBytes } from 'node:crypto'

// Route 53 change ids that outlive the process: every change is applied at once (INSYNC), so all
// GetChange needs back is when it was submitted. The id carries that time and a MAC of it under a
// key derived from the store key, so an id openalb handed out before a restart (or on another node
// of a fleet that shares OPENALB_STORE_KEY) is still known, and one it never issued is not.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

function base32(bytes: Buffer, length: number): string {
  let out = ''
  let bits = 0
  let value = 0
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return out
}

export class ChangeIds {
  readonly #key: Buffer

  /** `secret`: the store key (32 bytes); without one, a key of this process (ids are lost on restart). */
  constructor(secret?: Buffer) {
    this.#key = Buffer.from(hkdfSync('sha256', secret ?? randomBytes(32), 'openalb', 'route53 change ids', 32))
  }

  #mac(stamp: string): string {
    return base32(createHmac('sha256', this.#key).update(stamp).digest(), 12)
  }

  /** A new change id (without /change/) for a change submitted at `at`: C, the time in milliseconds (base 36), a nonce, the MAC. */
  issue(at: Date): string {
    const stamp = `${at.getTime().toString(36).toUpperCase().padStart(9, '0')}${base32(randomBytes(3), 4)}`
    return `C${stamp}${this.#mac(stamp)}`
  }

  /** When the change `id` was submitted (ISO 8601), or undefined when openalb did not issue it. */
  submittedAt(id: string): string | undefined {
    const m = /^C([0-9A-Z]{9}[A-Z2-7]{4})([A-Z2-7]{12})$/.exec(id)
    if (!m || this.#mac(m[1]!) !== m[2]) return undefined
    const ms = Number.parseInt(m[1]!.slice(0, 9), 36)
    return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined
  }
}
