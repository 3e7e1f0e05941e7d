import type { TargetState } from './target-health.js'

/** Called when a target's state changes; undefined when the target is gone from the group. */
export type HealthChangeListener = (groupArn: string, key: string, state: TargetState | undefined) => void

/**
 * What the data plane reads from health: structurally the same as the interface the balancer
 * declares, so health/ and dataplane/ need not import each other. Keys are targetKey(address, port).
 */
export interface HealthView {
  state(groupArn: string, key: string): TargetState | undefined
  /** Whether new requests may go to the target: it passed its checks (fail-open is the balancer's). */
  isRoutable(groupArn: string, key: string): boolean
  /** Subscribes to state changes; returns the unsubscribe function. */
  onChange(listener: HealthChangeListener): () => void
}
