import { validateImport } from './certs/import.js'
import { boundAddresses } from './compute/address-claims.js'
import { Control } from './control/control.js'
import { existsSync } from 'node:fs'
import { openStore } from './store/open.js'
import { sqliteStorePath } from './store/sqlite/sqlite-store.js'
import type { Store } from './store/state.js'
import { DEFAULT_PARTITION, partitionOfAccount, type Partition } from './model/ids.js'

// Part of the composition root (with main.ts), kept apart so that the CLI's commands that need no
// running node load control, the store and certs' PEM check, not the data plane.

/** certs/' check of imported PEM material, for config loading (validate, plan, apply) and control. */
export const certificateCheck = validateImport

/** The account every ARN names: $OPENALB_ACCOUNT_ID, else the default 000000000000. Throws on an id that is not 12 digits. */
export function partitionFromEnv(env: NodeJS.ProcessEnv = process.env): Partition {
  const id = env.OPENALB_ACCOUNT_ID
  if (id === undefined || id === '') return DEFAULT_PARTITION
  const p = partitionOfAccount(id)
  if (typeof p === 'string') throw new Error(p)
  return p
}

/** Control over a store, with certs/ checking imported PEMs. */
export function controlOn(store: Store): Control {
  // Two openalbs on one machine keep their instances apart: launches skip addresses bound on the machine (the other's instances claim theirs).
  return new Control(store, { partition: partitionFromEnv(), checkCertificate: validateImport, instanceAddresses: process.env.OPENALB_INSTANCE_ADDRESSES || undefined, addressesInUse: () => boundAddresses() })
}

/** Why a command that only reads cannot open the store it names: a data directory with no store in it. */
export function missingStore(dataDir: string, storeUrl: string | undefined): string | undefined {
  if (storeUrl !== undefined && storeUrl !== '' && storeUrl !== 'sqlite') return undefined
  if (!existsSync(dataDir)) return `no openalb data directory at ${dataDir} (it does not exist): check --data or $OPENALB_DATA; openalb up or openalb apply creates it`
  if (!existsSync(sqliteStorePath(dataDir))) return `${dataDir} holds no openalb store (no state.db): check --data or $OPENALB_DATA; openalb up or openalb apply creates it`
  return undefined
}

/** A Control on the store a command names (--data, --store); close() closes the store. */
export async function openControl(dataDir: string, storeUrl: string | undefined): Promise<{ control: Control; close(): Promise<void> }> {
  const store = await openStore(dataDir, storeUrl)
  return { control: controlOn(store), close: () => store.close() }
}
