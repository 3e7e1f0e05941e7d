import { validateImport } from './certs/import.js'
import { Control } from './control/control.js'
import { openStore } from './store/open.js'
import type { Store } from './store/state.js'

// Part of the composition root (with main.ts), kept apart so that the CLI's commands that need no
// running node load control, the store and certs' PEM check, not the data plane.

/** certs/' check of imported PEM material, for config loading (validate, plan, apply) and control. */
export const certificateCheck = validateImport

/** Control over a store, with certs/ checking imported PEMs. */
export function controlOn(store: Store): Control {
  return new Control(store, { checkCertificate: validateImport })
}

/** A Control on the store a command names (--data, --store); close() closes the store. */
export async function openControl(dataDir: string, storeUrl: string | undefined): Promise<{ control: Control; close(): Promise<void> }> {
  const store = await openStore(dataDir, storeUrl)
  return { control: controlOn(store), close: () => store.close() }
}
