import { validateImport } from './certs/import.js'
import { boundAddresses } from './compute/address-claims.js'
import { Control } from './control/control.js'
import { existsSync, readFileSync } from 'node:fs'
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import { ELBV2_QUOTAS, quotasFrom, type Quotas } from './model/quotas.js'
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

/**
 * ELBv2's quotas from a YAML or JSON map of DescribeAccountLimits names to numbers
 * ($OPENALB_QUOTAS, `openalb up --quotas FILE`); AWS's defaults without one. Throws with FILE:LINE
 * on a name or value it cannot take.
 */
export function quotasFromFile(file: string | undefined = process.env.OPENALB_QUOTAS): Quotas {
  if (file === undefined || file === '') return ELBV2_QUOTAS
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(`quotas file ${file}: ${(e as Error).message}`)
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'not YAML'}`)
  const map = doc.contents
  if (!isMap(map)) throw new Error(`${file}: a map of quota names to numbers, e.g. application-load-balancers: 100`)
  const problems: string[] = []
  const given: Record<string, unknown> = {}
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    const line = isScalar(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 0
    const one = quotasFrom({ [key]: isScalar(pair.value) ? pair.value.value : pair.value?.toJSON() })
    problems.push(...one.problems.map((p) => `${file}:${line}: ${p}`))
    given[key] = isScalar(pair.value) ? pair.value.value : undefined
  }
  if (problems.length > 0) throw new Error(problems.join('; '))
  return quotasFrom(given).quotas
}

/** Control over a store, with certs/ checking imported PEMs. */
export function controlOn(store: Store): Control {
  // Two openalbs on one machine keep their instances apart: launches skip addresses bound on the machine (the other's instances claim theirs).
  return new Control(store, { partition: partitionFromEnv(), quotas: quotasFromFile(), checkCertificate: validateImport, instanceAddresses: process.env.OPENALB_INSTANCE_ADDRESSES || undefined, addressesInUse: () => boundAddresses() })
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
