import type { TargetHealth } from './target-health.js'
import type { TargetState } from './target-health.js'

/** One change of a target's state, as the console's history shows it. */
export interface HealthTransition {
  /** Epoch milliseconds. */
  readonly at: number
  readonly target: string
  readonly from: TargetState | undefined
  readonly to: TargetState | undefined
  readonly reason: string | undefined
  readonly description: string | undefined
}

/** The newest transitions kept per target group; older ones fall off. */
export const HISTORY_PER_GROUP = 100

/**
 * The recent state transitions of each group's targets, live state of this node like health itself
 * (never in the store). Fed by the checker's change feed; `describe` reads the reason at that moment.
 */
export class HealthHistory {
  readonly #byGroup = new Map<string, HealthTransition[]>()
  readonly #last = new Map<string, TargetState | undefined>()

  constructor(
    private readonly describe: (groupArn: string, key: string) => TargetHealth | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** A HealthChangeListener: subscribe it to the checker's onChange. */
  readonly record = (groupArn: string, key: string, state: TargetState | undefined): void => {
    const id = `${groupArn} ${key}`
    const from = this.#last.get(id)
    if (from === state && this.#last.has(id)) return
    if (state === undefined) this.#last.delete(id)
    else this.#last.set(id, state)
    const health = state === undefined ? undefined : this.describe(groupArn, key)
    let list = this.#byGroup.get(groupArn)
    if (!list) this.#byGroup.set(groupArn, (list = []))
    list.push({ at: this.now(), target: key, from, to: state, reason: health?.reason, description: health?.description })
    if (list.length > HISTORY_PER_GROUP) list.splice(0, list.length - HISTORY_PER_GROUP)
  }

  /** Oldest first. */
  of(groupArn: string): readonly HealthTransition[] {
    return this.#byGroup.get(groupArn) ?? []
  }
}
