import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { stateContract } from './state.js'

stateContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-state-'))
  const opened: { close(): Promise<void> }[] = []
  const open = () => {
    const s = openSqliteStore(dir, { pollIntervalMs: 20 })
    opened.push(s)
    return s
  }
  return {
    store: open(),
    reopen: async () => open(),
    cleanup: async () => {
      for (const s of opened) await s.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
