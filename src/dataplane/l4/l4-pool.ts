/** One spliced connection as its target's pool tracks it. */
export interface L4Connection {
  /** Resets both sides at once (deregistration with connection termination, unhealthy target, shutdown). */
  reset(): void
}

/**
 * The open connections of one target of one network target group. It plays the upstream pool's
 * part for Dataplane.apply(): deregistration drains it, and a target that comes back undrains it.
 *
 * NLB's deregistration: new connections go elsewhere at once; existing ones stay until they
 * close. When the delay ends, connections still open are reset only with
 * deregistration_delay.connection_termination.enabled; otherwise they live on until they close.
 */
export class L4Pool {
  readonly kind = 'l4'
  draining = false
  /** Reset what is left when the deregistration delay ends. */
  terminateOnDrain = false
  private readonly open = new Set<L4Connection>()
  private drainTimer: NodeJS.Timeout | undefined
  /** Called once every connection of a draining pool has closed. */
  onDrained: (() => void) | undefined

  constructor(readonly key: string) {}

  get size(): number {
    return this.open.size
  }

  add(c: L4Connection): void {
    this.open.add(c)
  }

  remove(c: L4Connection): void {
    if (!this.open.delete(c)) return
    if (this.draining && this.open.size === 0) this.finishDrain()
  }

  drain(delayMs: number): void {
    this.draining = true
    if (this.open.size === 0) {
      this.finishDrain()
      return
    }
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined
      if (this.terminateOnDrain) this.resetAll()
    }, delayMs)
    this.drainTimer.unref()
  }

  undrain(): void {
    this.draining = false
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
  }

  /** Resets every open connection (each removes itself). */
  resetAll(): void {
    for (const c of [...this.open]) c.reset()
  }

  close(): void {
    this.draining = true
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
    this.resetAll()
  }

  private finishDrain(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
    this.onDrained?.()
  }
}
