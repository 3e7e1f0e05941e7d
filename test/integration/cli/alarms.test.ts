import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openalb } from '../../helpers/cli.js'
import { repoRoot } from '../../helpers/shared.js'

test('openalb get alarms and alarm-history show examples/autoscaling-alarms.yaml\'s alarms, plan shows no drift, and delete alarm removes one', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-cli-alarms-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const data = ['--data', dir]
  const file = join(repoRoot, 'examples', 'autoscaling-alarms.yaml')
  const applied = openalb(['apply', file, ...data])
  assert.equal(applied.code, 0, applied.stderr)
  const alarms = openalb(['get', 'alarms', ...data]).stdout
  assert.match(alarms, /^NAME\s+STATE\s+METRIC\s+CONDITION\s+ACTIONS\s+REASON/m)
  assert.match(alarms, /^web-busy\s+INSUFFICIENT_DATA\s+AWS\/ApplicationELB RequestCountPerTarget .*Sum > 20 for 1\/1 x 60s\s+1\s+Unchecked: Initial alarm creation/m)
  assert.match(alarms, /^web-quiet\s+INSUFFICIENT_DATA\s+.*Sum < 2 for 3\/3 x 60s/m)
  assert.match(openalb(['get', 'alarm-history', ...data]).stdout, /web-busy\s+\S+\s+ConfigurationUpdate\s+Alarm "web-busy" created/)
  assert.match(openalb(['get', 'policies', ...data]).stdout, /web\s+out\s+StepScaling/)
  assert.match(openalb(['plan', file, ...data]).stdout, /No changes/)
  const deleted = openalb(['delete', 'alarm', 'web-quiet', ...data])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.doesNotMatch(openalb(['get', 'alarms', ...data]).stdout, /web-quiet/)
})
