import type { Store } from './state.js'
import { openSqliteStore } from './sqlite/sqlite-store.js'

export interface OpenStoreOptions {
  /** etcd only: seconds a node stays registered after its last renewal. */
  readonly leaseTtlSeconds?: number
}

/**
 * Opens the store a --store URL names (etcd://...), else the embedded SQLite store in the data
 * directory. The etcd client (gRPC) is loaded only when asked for: the CLI starts faster without it.
 */
export async function openStore(dataDir: string, url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (url === undefined || url === '' || url === 'sqlite') return openSqliteStore(dataDir)
  if (url.startsWith('etcd://')) return (await import('./etcd/etcd-store.js')).openEtcdStore(url, options)
  throw new Error(`--store must be etcd://HOST:PORT[,HOST:PORT...] (or omitted for the embedded SQLite store), got '${url}'`)
}
