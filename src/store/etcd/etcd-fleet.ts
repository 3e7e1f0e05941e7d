import { randomUUID } from 'node:crypto'
import { EtcdLockFailedError, type Etcd3, type Lease, type Watcher } from 'etcd3'
import type { Fleet, NodeRecord } from '../state.js'

/**
 * Nodes and locks on etcd. A node is one key (PREFIX/nodes/NAME, JSON) attached to its own lease,
 * kept alive by the client; when the process dies the lease runs out and etcd deletes the key, so
 * the list of keys is the list of live nodes. Locks are etcd locks under PREFIX/locks/; a leader
 * is one key PREFIX/leaders/NAME created only when absent, under the leader's own lease.
 */
export class EtcdFleet implements Fleet {
  private readonly nodesPrefix: string
  private readonly memberships = new Set<{ leave(): Promise<void> }>()
  /** The roles this process leads: their lease and the value of their key. */
  private readonly leading = new Map<string, { readonly lease: Lease; readonly id: string; lost: boolean }>()

  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    readonly leaseTtlSeconds: number,
    private readonly wrap: (e: unknown) => Error,
  ) {
    this.nodesPrefix = `${prefix}/nodes/`
  }

  async join(node: NodeRecord): Promise<{ leave(): Promise<void> }> {
    let lease: Lease | undefined
    let left = false
    let retryTimer: NodeJS.Timeout | undefined
    const register = async (): Promise<void> => {
      const l = this.client.lease(this.leaseTtlSeconds)
      lease = l
      // A lease lost while etcd was away is replaced by a new one as soon as etcd answers again.
      l.on('lost', () => {
        if (left) return
        const again = () => {
          if (left) return
          register().catch(() => {
            retryTimer = setTimeout(again, 500)
            retryTimer.unref()
          })
        }
        again()
      })
      await l.put(`${this.nodesPrefix}${node.name}`).value(JSON.stringify(node))
    }
    try {
      await register()
    } catch (e) {
      left = true
      void lease?.revoke().catch(() => undefined)
      throw this.wrap(e)
    }
    const membership = {
      leave: async () => {
        if (left) return
        left = true
        if (retryTimer) clearTimeout(retryTimer)
        this.memberships.delete(membership)
        await lease?.revoke().catch(() => lease?.release())
      },
    }
    this.memberships.add(membership)
    return membership
  }

  async nodes(): Promise<NodeRecord[]> {
    try {
      const all = await this.client.getAll().prefix(this.nodesPrefix).strings()
      return Object.values(all)
        .map((v) => JSON.parse(v) as NodeRecord)
        .sort((a, b) => a.zone.localeCompare(b.zone) || a.name.localeCompare(b.name))
    } catch (e) {
      throw this.wrap(e)
    }
  }

  watchNodes(onChange: (nodes: readonly NodeRecord[]) => void): () => void {
    let stopped = false
    let watcher: Watcher | undefined
    let last = ''
    const relist = () => {
      if (stopped) return
      this.nodes().then(
        (nodes) => {
          const text = JSON.stringify(nodes)
          if (stopped || text === last) return
          last = text
          onChange(nodes)
        },
        () => undefined,
      )
    }
    const start = async () => {
      while (!stopped) {
        try {
          watcher = await this.client.watch().prefix(this.nodesPrefix).create()
          if (stopped) return void watcher.cancel()
          watcher.on('put', relist)
          watcher.on('delete', relist)
          watcher.on('connected', relist)
          watcher.on('error', () => undefined)
          relist()
          return
        } catch {
          await new Promise((r) => setTimeout(r, 500).unref())
        }
      }
    }
    void start()
    return () => {
      stopped = true
      void watcher?.cancel().catch(() => undefined)
    }
  }

  async tryLock(name: string, fn: () => Promise<void>): Promise<boolean> {
    const lock = this.client.lock(`${this.prefix}/locks/${name}`).ttl(this.leaseTtlSeconds)
    try {
      await lock.acquire()
    } catch (e) {
      if (e instanceof EtcdLockFailedError) return false
      throw this.wrap(e)
    }
    try {
      await fn()
      return true
    } finally {
      await lock.release().catch(() => undefined)
    }
  }

  async lead(name: string, fn: () => Promise<void>): Promise<boolean> {
    const key = `${this.prefix}/leaders/${name}`
    try {
      let mine = this.leading.get(name)
      if (mine?.lost) {
        this.leading.delete(name)
        mine = undefined
      }
      if (!mine) {
        const lease = this.client.lease(this.leaseTtlSeconds)
        const id = randomUUID()
        const took = await this.client.if(key, 'Create', '==', 0).then(lease.put(key).value(id)).commit()
        if (!took.succeeded) {
          await lease.revoke().catch(() => undefined)
          return false
        }
        const held = { lease, id, lost: false }
        lease.on('lost', () => (held.lost = true))
        this.leading.set(name, held)
        mine = held
      }
      // Still ours: a lease that ran out while this process stalled has let another node in.
      if ((await this.client.get(key).string()) !== mine.id) {
        this.leading.delete(name)
        await mine.lease.revoke().catch(() => undefined)
        return false
      }
    } catch (e) {
      throw this.wrap(e)
    }
    await fn()
    return true
  }

  async close(): Promise<void> {
    for (const [name, held] of [...this.leading]) {
      this.leading.delete(name)
      await held.lease.revoke().catch(() => held.lease.release())
    }
    for (const m of [...this.memberships]) await m.leave()
  }
}
