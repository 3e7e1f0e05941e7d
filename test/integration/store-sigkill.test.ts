import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { sg } from '../contract/state.js'

const child = fileURLToPath(new URL('../helpers/big-commit-child.js', import.meta.url))
const N = 60000

test('an apply killed with SIGKILL midway leaves exactly the old or the new state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-kill-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const setup = openSqliteStore(dir)
  await setup.commit(0, [{ op: 'put', resource: sg('sg-old') }])
  await setup.close()

  let killedMidway = 0
  for (let round = 0; round < 4; round++) {
    const proc = spawn(process.execPath, [child, dir, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((r) => proc.once('exit', r))
    let output = ''
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()))
    await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()))
    // Kill somewhere inside the transaction: later each round.
    await new Promise((r) => setTimeout(r, 20 + round * 40))
    proc.kill('SIGKILL')
    await exited
    if (!output.includes('committed')) killedMidway++

    const store = openSqliteStore(dir)
    const view = await store.load()
    assert.ok(view.get('security-group', 'sg-old'), 'the old state is intact')
    const perRevision = new Map<string, number>()
    for (const g of view.list('security-group')) {
      if (!g.id.startsWith('sg-big-')) continue
      const rev = g.id.split('-')[2] ?? ''
      perRevision.set(rev, (perRevision.get(rev) ?? 0) + 1)
    }
    for (const [rev, count] of perRevision) assert.equal(count, N, `the apply at revision ${rev} is whole, not partial`)
    assert.equal(view.revision, 1 + perRevision.size, 'the revision counts only whole applies')
    await store.close()
  }
  assert.ok(killedMidway > 0, 'at least one child was killed before its commit finished')
})
