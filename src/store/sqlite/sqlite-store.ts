import Database from 'better-sqlite3'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Kind, Resource } from '../../model/resources.js'
import { resourceKey } from '../../model/resources.js'
import type { Change, StateView } from '../../model/state-view.js'
import { MapStateView, RevisionConflict, type Store } from '../state.js'
import { dataDirKey, SecretSealer } from '../secrets.js'

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('revision', 0);
CREATE TABLE IF NOT EXISTS resources (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  revision INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
`

export interface SqliteStoreOptions {
  /** How often other processes' commits are looked for, in ms (default 100). */
  readonly pollIntervalMs?: number
}

/**
 * The embedded store: one SQLite file (state.db) in the data directory, WAL mode. The directory
 * is 0700 and the files 0600, because certificates' private keys live in it.
 */
/** The SQLite file of a data directory's store. */
export const sqliteStorePath = (dataDir: string): string => join(dataDir, 'state.db')

export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): Store {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  chmodSync(dataDir, 0o700)
  const file = sqliteStorePath(dataDir)
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.exec(SCHEMA)
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600)
  return new SqliteStore(db, options.pollIntervalMs ?? 100, file, new SecretSealer(dataDirKey(dataDir)))
}

class SqliteStore implements Store {
  private readonly readRevision: Database.Statement<[], { value: number }>
  private readonly readAll: Database.Statement<[], { kind: string; key: string; body: string }>
  private readonly put: Database.Statement<[string, string, string, number]>
  private readonly del: Database.Statement<[string, string]>
  private readonly setRevision: Database.Statement<[number]>
  private cached: StateView | undefined
  private readonly watchers = new Set<(revision: number) => void>()
  private timer: NodeJS.Timeout | undefined
  private lastSeen = -1
  private closed = false

  constructor(
    private readonly db: Database.Database,
    private readonly pollIntervalMs: number,
    readonly location: string,
    private readonly sealer: SecretSealer,
  ) {
    this.readRevision = db.prepare("SELECT value FROM meta WHERE key = 'revision'")
    this.readAll = db.prepare('SELECT kind, key, body FROM resources')
    this.put = db.prepare(
      'INSERT INTO resources (kind, key, body, revision) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body, revision = excluded.revision',
    )
    this.del = db.prepare('DELETE FROM resources WHERE kind = ? AND key = ?')
    this.setRevision = db.prepare("UPDATE meta SET value = ? WHERE key = 'revision'")
  }

  private revision(): number {
    return this.readRevision.get()?.value ?? 0
  }

  async load(): Promise<StateView> {
    return this.loadSync()
  }

  private loadSync(): StateView {
    // One read transaction, so the rows and the revision agree.
    return this.db.transaction(() => {
      const revision = this.revision()
      if (this.cached?.revision === revision) return this.cached
      const byKind = new Map<Kind, Map<string, Resource>>()
      for (const row of this.readAll.all()) {
        const kind = row.kind as Kind
        let m = byKind.get(kind)
        if (!m) byKind.set(kind, (m = new Map()))
        m.set(row.key, this.sealer.decode(row.body))
      }
      this.cached = new MapStateView(revision, byKind)
      return this.cached
    })()
  }

  async commit(baseRevision: number, changes: readonly Change[]): Promise<number> {
    const next = this.db
      .transaction(() => {
        const actual = this.revision()
        if (actual !== baseRevision) throw new RevisionConflict(baseRevision, actual)
        const revision = actual + 1
        for (const change of changes) {
          if (change.op === 'put') this.put.run(change.resource.kind, resourceKey(change.resource), this.sealer.encode(change.resource), revision)
          else this.del.run(change.kind, change.key)
        }
        this.setRevision.run(revision)
        return revision
      })
      .immediate()
    this.notify()
    return next
  }

  watch(onRevision: (revision: number) => void): () => void {
    this.watchers.add(onRevision)
    if (!this.timer) {
      this.lastSeen = this.revision()
      this.timer = setInterval(() => this.notify(), this.pollIntervalMs)
      this.timer.unref()
    }
    return () => {
      this.watchers.delete(onRevision)
      if (this.watchers.size === 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  private notify(): void {
    if (this.closed || this.watchers.size === 0) return
    const revision = this.revision()
    if (revision === this.lastSeen) return
    this.lastSeen = revision
    for (const w of [...this.watchers]) w(revision)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    this.watchers.clear()
    this.db.close()
  }
}
