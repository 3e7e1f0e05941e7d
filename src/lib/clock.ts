/** Time and timers, injectable so tests can drive intervals and timeouts with a fake clock. */
export type TimerId = number

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerId
  clearTimeout(id: TimerId): void
}

/** The process clock. Timers are unref'd: a pending check never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref()
    // Node accepts a timer's primitive id in clearTimeout.
    return Number(t)
  },
  clearTimeout(id) {
    clearTimeout(id)
  },
}
