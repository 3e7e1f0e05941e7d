import type { Kind, ResourceByKind } from '../model/resources.js'
import type { Draft } from './draft.js'

/** The kinds that carry tags (every kind but record sets). */
export type TaggableKind = { [K in Kind]: ResourceByKind[K] extends { readonly tags: unknown } ? K : never }[Kind]

/**
 * Tags of one resource: `add` sets keys (a new value wins), then `remove` drops keys. Each door
 * checks its service's limits and words on the result before its transaction commits.
 */
export function changeTags<K extends TaggableKind>(d: Draft, kind: K, key: string, add: Readonly<Record<string, string>>, remove: readonly string[] = []): ResourceByKind[K] {
  const current = d.resolve(kind, key)
  const tags: Record<string, string> = { ...current.tags, ...add }
  for (const k of remove) delete tags[k]
  return d.put({ ...current, tags } as ResourceByKind[K])
}

/** Replaces a resource's tags with exactly these (config apply: the file says what they are). */
export function setTags<K extends TaggableKind>(d: Draft, kind: K, key: string, tags: Readonly<Record<string, string>>): ResourceByKind[K] {
  return d.put({ ...d.resolve(kind, key), tags: { ...tags } } as ResourceByKind[K])
}
