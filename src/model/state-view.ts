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
