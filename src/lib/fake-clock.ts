import type { Clock, TimerId } from './clock.js'

interface Pending {
  readonly id: TimerId
  readonly due: number
  readonly fn: () => void
}

/** A clock that moves only when told to; timers fire in due order during advance(). */
export class FakeClock implements Clock {
  #now: number
  #nextId = 1
  #pending = new Map<TimerId, Pending>()

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.#nextId++
    this.#pending.set(id, { id, due: this.#now + Math.max(0, ms), fn })
    return id
  }

  clearTimeout(id: TimerId): void {
    this.#pending.delete(id)
  }

  /** How many timers are waiting. */
  get pendingCount(): number {
    return this.#pending.size
  }

  /**
   * Moves time forward by ms, firing every timer that falls due (also ones scheduled while
   * advancing), and lets promise continuations run after each so async work can reschedule.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    await flush()
    for (;;) {
      let next: Pending | undefined
      for (const p of this.#pending.values()) {
        if (p.due <= end && (next === undefined || p.due < next.due || (p.due === next.due && p.id < next.id))) next = p
      }
      if (next === undefined) break
      this.#pending.delete(next.id)
      this.#now = next.due
      next.fn()
      await flush()
    }
    this.#now = end
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
