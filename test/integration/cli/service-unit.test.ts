// examples/openalb.service is a unit systemd accepts: systemd-analyze verify, with ExecStart
// pointed at this checkout's node and bin (verify checks that the binary exists).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { needs, repoRoot } from '../../helpers/shared.js'

const run = promisify(execFile)
const skip = needs('systemd-analyze', 'systemd')

test('the shipped systemd unit passes systemd-analyze verify', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-unit-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const unit = readFileSync(join(repoRoot, 'examples', 'openalb.service'), 'utf8')
  assert.match(unit, /^ExecStart=\/usr\/bin\/node \/usr\/lib\/node_modules\/openalb\/bin\/openalb\.js up -c /m)
  const here = unit.replace('/usr/bin/node /usr/lib/node_modules/openalb/bin/openalb.js', `${process.execPath} ${join(repoRoot, 'bin', 'openalb.js')}`)
  const file = join(dir, 'openalb.service')
  writeFileSync(file, here)
  const { stdout, stderr } = await run('systemd-analyze', ['verify', file], { timeout: 30_000 }).catch((e: { stdout: string; stderr: string; code: number }) => {
    assert.fail(`systemd-analyze verify failed (${e.code}): ${e.stderr}${e.stdout}`)
  })
  // verify exits 0 with warnings too: a line naming the unit file is a problem in it.
  assert.doesNotMatch(`${stdout}${stderr}`, /openalb\.service/, `${stdout}${stderr}`)
  // A unit with a mistake in it is caught, so the check above can fail.
  writeFileSync(file, here.replace('Restart=on-failure', 'Restart=sometimes'))
  const bad = await run('systemd-analyze', ['verify', file], { timeout: 30_000 }).then((r) => `${r.stdout}${r.stderr}`, (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`)
  assert.match(bad, /openalb\.service:\d+: Failed to parse service restart specifier/)
})
