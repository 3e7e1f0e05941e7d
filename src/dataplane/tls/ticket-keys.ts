import { randomBytes } from 'node:crypto'

/** What TicketKeys needs of a server: tls.Server has it. */
export interface TicketKeyTarget {
  setTicketKeys(keys: Buffer): void
}

/** Node's ticket key: 16 bytes name, 16 bytes HMAC secret, 16 bytes AES key. */
const KEY_BYTES = 48

/**
 * Session-ticket keys that rotate every `rotateHours`. Node's SecureContext holds one ticket key,
 * so a ticket sealed under the previous key is refused and that client does a full handshake
 * (never a failure). `previous` is kept for a future decrypt path that can accept both.
 */
export class TicketKeys {
  private currentKey: Buffer
  private previousKey: Buffer | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly targets = new Set<TicketKeyTarget>()

  constructor(
    private readonly rotateHours = 12,
    private readonly generate: () => Buffer = () => randomBytes(KEY_BYTES),
  ) {
    this.currentKey = this.generate()
  }

  get current(): Buffer {
    return this.currentKey
  }

  get previous(): Buffer | undefined {
    return this.previousKey
  }

  /** Sets the current key on the server now and after every rotation (again after its context is replaced). */
  attach(target: TicketKeyTarget): void {
    this.targets.add(target)
    target.setTicketKeys(this.currentKey)
  }

  detach(target: TicketKeyTarget): void {
    this.targets.delete(target)
  }

  rotate(): void {
    this.previousKey = this.currentKey
    this.currentKey = this.generate()
    for (const t of this.targets) t.setTicketKeys(this.currentKey)
  }

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.rotate(), this.rotateHours * 3600_000)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }
}
