import type { Kind, Resource, ResourceByKind } from './resources.js'

/** A consistent, read-only view of every resource at one revision. */
export interface StateView {
  readonly revision: number
  get<K extends Kind>(kind: K, key: string): ResourceByKind[K] | undefined
  list<K extends Kind>(kind: K): readonly ResourceByKind[K][]
}

export type Change =
  | { readonly op: 'put'; readonly resource: Resource }
  | { readonly op: 'delete'; readonly kind: Kind; readonly key: string }

/** Kinds whose resources live in one region: the region their ARN names. */
const REGIONAL_KINDS: ReadonlySet<Kind> = new Set<Kind>(['certificate', 'trust-store', 'target-group', 'load-balancer', 'listener', 'rule'])

const regionOfKey = (key: string): string => key.split(':')[3] ?? ''

/**
 * The state as one region's API endpoint sees it: balancers, target groups, listeners, rules,
 * trust stores and certificates of other regions are not there (AWS's resources are regional).
 * Every other kind is shown whole.
 */
export function regionalView(base: StateView, region: string): StateView {
  return {
    revision: base.revision,
    get<K extends Kind>(kind: K, key: string): ResourceByKind[K] | undefined {
      if (REGIONAL_KINDS.has(kind) && regionOfKey(key) !== region) return undefined
      return base.get(kind, key)
    },
    list<K extends Kind>(kind: K): readonly ResourceByKind[K][] {
      const all = base.list(kind)
      if (!REGIONAL_KINDS.has(kind)) return all
      return all.filter((r) => regionOfKey((r as { arn: string }).arn) === region)
    },
  }
}
