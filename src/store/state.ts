import type { NodeRecord } from '../model/node.js'
import type { Kind, Resource, ResourceByKind } from '../model/resources.js'
import type { Change, StateView } from '../model/state-view.js'

/** Thrown by commit() when another writer committed since baseRevision; reload and retry. */
export class RevisionConflict extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`revision conflict: expected ${expected}, store is at ${actual}`)
  }
}

/**
 * Thrown by a backend that cannot reach its storage (etcd down or without quorum). Nothing was
 * written; the caller may retry later. The running data plane keeps its last snapshot.
 */
export class StoreUnavailable extends Error {
  constructor(message: string) {
    super(message)
  }
}

/**
 * The one interface every backend implements (sqlite now, etcd later); test/contract/state.ts
 * is the suite each must pass. Writes are optimistic transactions: all changes of one commit
 * land together at baseRevision + 1, or none do.
 */
export interface Store {
  load(): Promise<StateView>
  commit(baseRevision: number, changes: readonly Change[]): Promise<number>
  /** Calls back with each new revision, including commits made by other processes. */
  watch(onRevision: (revision: number) => void): () => void
  close(): Promise<void>
  /** Where the store lives, for messages (a file path or an etcd URL). */
  readonly location?: string
  /** Fleet membership and locks; only a shared store (etcd) has them. */
  readonly fleet?: Fleet
}

export type { NodeRecord }

/** The live nodes of a shared store and its fleet-wide locks. */
export interface Fleet {
  /** Seconds a node stays listed after its last renewal. */
  readonly leaseTtlSeconds: number
  /** Registers the node under a lease that is renewed until leave(); re-registers after a lost lease. */
  join(node: NodeRecord): Promise<{ leave(): Promise<void> }>
  nodes(): Promise<NodeRecord[]>
  /** Calls back with the whole list of live nodes whenever it changes (and once at the start). */
  watchNodes(onChange: (nodes: readonly NodeRecord[]) => void): () => void
  /**
   * Runs fn while this process holds the fleet-wide lock `name` (held under a lease, so a dead
   * holder frees it); returns false without running fn when another node holds it.
   */
  tryLock(name: string, fn: () => Promise<void>): Promise<boolean>
  /**
   * Runs fn while this process is the fleet's leader for `name`, and returns false without running
   * it when another node is. Unlike tryLock the role stays with its holder from one call to the
   * next (its lease kept alive) until the holder leaves or dies and the lease runs out: work that
   * keeps state in memory between calls (datapoints, alarms' last actions) stays on one node.
   */
  lead(name: string, fn: () => Promise<void>): Promise<boolean>
}

/** An immutable StateView over plain maps; backends build one per revision. */
export class MapStateView implements StateView {
  constructor(
    readonly revision: number,
    private readonly byKind: ReadonlyMap<Kind, ReadonlyMap<string, Resource>>,
  ) {}

  get<K extends Kind>(kind: K, key: string): ResourceByKind[K] | undefined {
    return this.byKind.get(kind)?.get(key) as ResourceByKind[K] | undefined
  }

  list<K extends Kind>(kind: K): readonly ResourceByKind[K][] {
    const m = this.byKind.get(kind)
    return m ? ([...m.values()] as ResourceByKind[K][]) : []
  }
}
