import { ExponentialBackoff, handleWhen, retry, circuitBreaker, ConsecutiveBreaker, type IBackoff } from 'cockatiel'
import { Etcd3, isRecoverableError, type IKeyValue, type Watcher } from 'etcd3'
import type { Kind, Resource } from '../../model/resources.js'
import { resourceKey } from '../../model/resources.js'
import type { Change, StateView } from '../../model/state-view.js'
import { MapStateView, RevisionConflict, StoreUnavailable, type Store } from '../state.js'
import { keyFromEnvironment, SecretSealer } from '../secrets.js'
import { EtcdFleet } from './etcd-fleet.js'

export interface EtcdLocation {
  /** host:port of each member. */
  readonly hosts: readonly string[]
  /** Every key openalb writes starts with it (default /openalb), so stores can share one etcd. */
  readonly prefix: string
}

/** etcd://HOST:PORT[,HOST:PORT...][/PREFIX] -> hosts and key prefix. */
export function parseEtcdUrl(url: string): EtcdLocation {
  const m = /^etcd:\/\/([^/]+)(\/.*)?$/.exec(url)
  if (!m) throw new Error(`--store must be etcd://HOST:PORT[,HOST:PORT...][/PREFIX], got '${url}'`)
  const hosts = m[1]!.split(',').map((h) => h.trim())
  for (const h of hosts) {
    const port = Number(h.slice(h.lastIndexOf(':') + 1))
    if (!h.includes(':') || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--store: '${h}' in '${url}' is not HOST:PORT`)
  }
  const prefix = (m[2] ?? '/openalb').replace(/\/+$/, '') || '/openalb'
  return { hosts, prefix }
}

export interface EtcdStoreOptions {
  /** Milliseconds one etcd call may take before the store counts etcd as unreachable (default 2000). */
  readonly callTimeoutMs?: number
  /** Seconds a node's registration outlives its last renewal (default 10). */
  readonly leaseTtlSeconds?: number
}

/**
 * The cluster store on etcd's v3 API. Each resource is one key (PREFIX/state/r/KIND/KEY, JSON);
 * PREFIX/state/rev holds the store's revision. A commit is one etcd transaction that compares the
 * revision key with the base revision, writes every change and the next revision together, so
 * one apply is one etcd revision; the change feed is an etcd watch on the revision key. A load is
 * one range read over PREFIX/state/, which etcd answers at a single revision.
 */
export function openEtcdStore(url: string, options: EtcdStoreOptions = {}): Store {
  return new EtcdStore(url, parseEtcdUrl(url), options)
}

const unavailableAfter = (e: unknown) => e instanceof StoreUnavailable || e instanceof RevisionConflict

class EtcdStore implements Store {
  readonly fleet: EtcdFleet
  private readonly client: Etcd3
  private readonly statePrefix: string
  private readonly revKey: string
  private readonly resourcePrefix: string
  private cached: StateView | undefined
  private readonly watchers = new Set<(revision: number) => void>()
  private watcher: Promise<Watcher | undefined> | undefined
  private closed = false
  /** Private keys sealed with OPENALB_STORE_KEY, which every node of the fleet must share; without it they are stored as they are. */
  private readonly sealer: SecretSealer | undefined

  constructor(
    readonly location: string,
    private readonly where: EtcdLocation,
    options: EtcdStoreOptions,
  ) {
    const key = keyFromEnvironment()
    this.sealer = key ? new SecretSealer(key) : undefined
    const timeout = options.callTimeoutMs ?? 2000
    this.client = new Etcd3({
      hosts: where.hosts.map((h) => `http://${h}`),
      dialTimeout: timeout,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: {
        // One retry on another member; a member that failed three times is skipped for a second.
        global: retry(handleWhen(isRecoverableError), { maxAttempts: Math.max(1, where.hosts.length - 1) }),
        host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }),
        // etcd3 calls next() on it first (its type says IBackoff; the factory is what it uses).
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
      },
    })
    this.statePrefix = `${where.prefix}/state/`
    this.revKey = `${this.statePrefix}rev`
    this.resourcePrefix = `${this.statePrefix}r/`
    this.fleet = new EtcdFleet(this.client, where.prefix, options.leaseTtlSeconds ?? 10, (e) => this.unavailable(e))
  }

  /** Every failure to talk to etcd becomes StoreUnavailable with the members named. */
  private unavailable(e: unknown): Error {
    if (unavailableAfter(e)) return e as Error
    const msg = e instanceof Error ? e.message : String(e)
    if (/too many operations in txn/i.test(msg)) {
      return new Error(`etcd refused the transaction: too many operations in one commit (start etcd with a larger --max-txn-ops): ${msg}`)
    }
    return new StoreUnavailable(`the etcd store at ${this.where.hosts.join(',')} is unavailable: ${msg}`)
  }

  private async currentRevision(): Promise<number> {
    const text = await this.client.get(this.revKey).string()
    return text === null ? 0 : Number(text)
  }

  async load(): Promise<StateView> {
    if (this.closed) throw new StoreUnavailable('the etcd store is closed')
    try {
      if (this.cached && (await this.currentRevision()) === this.cached.revision) return this.cached
      const res = await this.client.getAll().prefix(this.statePrefix).exec()
      let revision = 0
      const byKind = new Map<Kind, Map<string, Resource>>()
      for (const kv of res.kvs) {
        const key = kv.key.toString()
        if (key === this.revKey) {
          revision = Number(kv.value.toString())
          continue
        }
        if (!key.startsWith(this.resourcePrefix)) continue
        const rest = key.slice(this.resourcePrefix.length)
        const kind = rest.slice(0, rest.indexOf('/')) as Kind
        let m = byKind.get(kind)
        if (!m) byKind.set(kind, (m = new Map()))
        m.set(rest.slice(kind.length + 1), this.sealer ? this.sealer.decode(kv.value.toString()) : (JSON.parse(kv.value.toString()) as Resource))
      }
      const view = new MapStateView(revision, byKind)
      if (!this.cached || this.cached.revision <= revision) this.cached = view
      return view
    } catch (e) {
      throw this.unavailable(e)
    }
  }

  async commit(baseRevision: number, changes: readonly Change[]): Promise<number> {
    if (this.closed) throw new StoreUnavailable('the etcd store is closed')
    const next = baseRevision + 1
    try {
      const c = this.client
      const guard = baseRevision === 0 ? c.if(this.revKey, 'Version', '==', 0) : c.if(this.revKey, 'Value', '==', String(baseRevision))
      const ops = changes.map((ch) =>
        ch.op === 'put'
          ? c.put(this.keyOf(ch.resource.kind, resourceKey(ch.resource))).value(this.sealer ? this.sealer.encode(ch.resource) : JSON.stringify(ch.resource))
          : c.delete().key(this.keyOf(ch.kind, ch.key)),
      )
      const res = await guard.then(...ops, c.put(this.revKey).value(String(next))).commit()
      if (!res.succeeded) throw new RevisionConflict(baseRevision, await this.currentRevision())
    } catch (e) {
      throw this.unavailable(e)
    }
    for (const w of [...this.watchers]) w(next)
    return next
  }

  private keyOf(kind: string, key: string): string {
    return `${this.resourcePrefix}${kind}/${key}`
  }

  watch(onRevision: (revision: number) => void): () => void {
    this.watchers.add(onRevision)
    if (!this.watcher) this.watcher = this.startWatch()
    return () => {
      this.watchers.delete(onRevision)
      if (this.watchers.size === 0 && this.watcher) {
        const w = this.watcher
        this.watcher = undefined
        void w.then((x) => x?.cancel()).catch(() => undefined)
      }
    }
  }

  /** One etcd watch on the revision key; after a reconnect the current revision is announced again. */
  private async startWatch(): Promise<Watcher | undefined> {
    const tell = (revision: number) => {
      for (const w of [...this.watchers]) w(revision)
    }
    const announceCurrent = () => void this.currentRevision().then(tell, () => undefined)
    for (;;) {
      if (this.closed || this.watchers.size === 0) return undefined
      try {
        const watcher = await this.client.watch().key(this.revKey).create()
        watcher.on('put', (kv: IKeyValue) => tell(Number(kv.value.toString())))
        watcher.on('connected', announceCurrent)
        watcher.on('error', () => undefined)
        announceCurrent()
        return watcher
      } catch {
        await new Promise((r) => setTimeout(r, 500).unref())
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.watchers.clear()
    await this.fleet.close()
    const w = this.watcher
    this.watcher = undefined
    await w?.then((x) => x?.cancel()).catch(() => undefined)
    this.client.close()
  }
}
