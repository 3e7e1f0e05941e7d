import { resolve } from 'node:path'
import type { Store } from './state.js'
import { openSqliteStore } from './sqlite/sqlite-store.js'

/** The data directory: --data, else $OPENALB_DATA, else ./.openalb. */
export function dataDirFrom(flag: string | undefined): string {
  return resolve(flag ?? process.env.OPENALB_DATA ?? '.openalb')
}

/** Opens the store a --store URL names; today only the embedded SQLite store in the data directory. */
export function openStore(dataDir: string): Store {
  return openSqliteStore(dataDir)
}
