import { resourceKey, type Kind, type Resource, type ResourceByKind } from '../model/resources.js'
import type { StateView } from '../model/state-view.js'

/**
 * Every kind a StateView holds, and whether a worker gets it (false: histories the compile never
 * reads). The Record type makes the compiler name a kind added to the model and missed here.
 */
const EVERY_KIND: Record<Kind, boolean> = {
  vpc: true,
  subnet: true,
  'internet-gateway': true,
  'route-table': true,
  'security-group': true,
  instance: true,
  function: true,
  certificate: true,
  'trust-store': true,
  'target-group': true,
  'load-balancer': true,
  listener: true,
  rule: true,
  'hosted-zone': true,
  'record-set': true,
  'acme-account': true,
  'delegation-set': true,
  'cidr-collection': true,
  'traffic-policy': true,
  'traffic-policy-instance': true,
  'health-check': true,
  'classic-load-balancer': true,
  'launch-template': true,
  'auto-scaling-group': true,
  'launch-configuration': true,
  'scaling-activity': false,
  'scaling-policy': true,
  'scheduled-action': true,
  'metric-alarm': true,
  'alarm-history': false,
}
const KIND_LIST = (Object.keys(EVERY_KIND) as Kind[]).filter((k) => EVERY_KIND[k])

/** One revision as it crosses the IPC channel to a worker: plain arrays of [key, resource]. */
export interface WireState {
  readonly revision: number
  readonly kinds: readonly (readonly [Kind, readonly (readonly [string, Resource])[]])[]
}

export function toWire(view: StateView): WireState {
  const kinds: [Kind, (readonly [string, Resource])[]][] = []
  for (const kind of KIND_LIST) {
    const list = view.list(kind)
    if (list.length > 0) kinds.push([kind, list.map((r) => [resourceKey(r), r] as const)])
  }
  return { revision: view.revision, kinds }
}

/** The read-only view a worker compiles, equal to the primary's (same revision, same resources). */
export class WireStateView implements StateView {
  readonly revision: number
  readonly #byKind = new Map<Kind, Map<string, Resource>>()
  constructor(wire: WireState) {
    this.revision = wire.revision
    for (const [kind, entries] of wire.kinds) this.#byKind.set(kind, new Map(entries))
  }
  get<K extends Kind>(kind: K, key: string): ResourceByKind[K] | undefined {
    return this.#byKind.get(kind)?.get(key) as ResourceByKind[K] | undefined
  }
  list<K extends Kind>(kind: K): readonly ResourceByKind[K][] {
    const m = this.#byKind.get(kind)
    return m ? ([...m.values()] as ResourceByKind[K][]) : []
  }
}
