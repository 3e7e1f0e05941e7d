import type { HealthView } from '../dataplane/balancer/health-view.js'

/**
 * A worker's copy of the node's target health: which (health group, target key) pairs are
 * routable. The primary's checker is the only one that probes; it sends a full copy when a worker
 * starts and every change after, so checks run once per node whatever the number of workers.
 */
export class HealthMirror implements HealthView {
  readonly #routable = new Set<string>()

  load(pairs: readonly (readonly [string, string])[]): void {
    this.#routable.clear()
    for (const [group, key] of pairs) this.#routable.add(`${group}\n${key}`)
  }

  set(group: string, key: string, routable: boolean): void {
    if (routable) this.#routable.add(`${group}\n${key}`)
    else this.#routable.delete(`${group}\n${key}`)
  }

  isRoutable(group: string, key: string): boolean {
    return this.#routable.has(`${group}\n${key}`)
  }

  /** Every routable pair (the full copy a new worker gets). */
  pairs(): [string, string][] {
    return [...this.#routable].map((s) => {
      const i = s.indexOf('\n')
      return [s.slice(0, i), s.slice(i + 1)]
    })
  }
}
