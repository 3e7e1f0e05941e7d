import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { applyConfig, checkApply, planConfig } from '../../../src/config/apply.js'
import { ConfigInvalid, loadConfig } from '../../../src/config/load.js'
import { dimension } from '../../../src/model/dimension.js'
import { repoRoot } from '../../helpers/shared.js'
import { openControl } from '../control/fixture.js'

const example = readFileSync(join(repoRoot, 'examples', 'autoscaling-alarms.yaml'), 'utf8')

function file(t: TestContext, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-alarms-yaml-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'c.yaml')
  writeFileSync(path, text)
  return path
}

test('examples/autoscaling-alarms.yaml: the group\'s step and simple policies and two alarms that name them by group and policy; a re-apply changes nothing', async (t) => {
  const { control } = openControl(t)
  const path = file(t, example)
  const planned = await planConfig(control, loadConfig(path))
  assert.deepEqual(planned.changes.filter((c) => c.kind === 'metric-alarm').map((c) => `${c.op} ${c.name}`), ['+ web-busy', '+ web-quiet'])
  assert.ok(!planned.changes.some((c) => c.kind === 'alarm-history'), 'an alarm\'s history entry is not a line of the plan')
  await applyConfig(control, loadConfig(path))
  const view = await control.read()
  const policies = view.list('scaling-policy')
  const out = policies.find((p) => p.name === 'out')
  const inn = policies.find((p) => p.name === 'in')
  assert.equal(out?.policyType, 'StepScaling')
  assert.deepEqual(JSON.parse(JSON.stringify(out?.stepAdjustments)), [{ lower: 0, upper: 40, adjustment: 1 }, { lower: 40, adjustment: 2 }])
  assert.equal(inn?.policyType, 'SimpleScaling')
  assert.equal(inn?.cooldown, 5)
  const busy = view.list('metric-alarm').find((a) => a.name === 'web-busy')
  const lb = view.list('load-balancer')[0]
  const tg = view.list('target-group')[0]
  assert.deepEqual(busy?.dimensions, [{ name: 'LoadBalancer', value: dimension(lb?.arn ?? '') }, { name: 'TargetGroup', value: dimension(tg?.arn ?? '') }])
  assert.deepEqual(busy?.alarmActions, [out?.arn])
  assert.equal(busy?.state, 'INSUFFICIENT_DATA')
  const quiet = view.list('metric-alarm').find((a) => a.name === 'web-quiet')
  assert.equal(quiet?.treatMissingData, 'breaching')
  assert.deepEqual(quiet?.alarmActions, [inn?.arn])
  assert.equal(view.list('alarm-history').length, 2, 'one "created" entry per alarm')

  const again = await planConfig(control, loadConfig(path))
  assert.deepEqual(again.changes, [], 'no drift: an unchanged alarm is not put again (no history entry, no revision)')

  // Tags in the file are set on the alarm (PutMetricAlarm alone would leave an existing alarm's tags), without a new configuration entry.
  await applyConfig(control, loadConfig(file(t, example.replace('    alarmActions: [{ autoScalingGroup: web, policy: out }]', '    alarmActions: [{ autoScalingGroup: web, policy: out }]\n    tags: { team: web }'))))
  const tagged = await control.read()
  assert.deepEqual(tagged.list('metric-alarm').find((a) => a.name === 'web-busy')?.tags, { team: 'web' })
  assert.equal(tagged.list('alarm-history').length, 2)

  // An alarm left out of the file is deleted; the one kept keeps its state and history.
  await applyConfig(control, loadConfig(file(t, example.slice(0, example.indexOf('  # Fewer than 2')))))
  const after = await control.read()
  assert.deepEqual(after.list('metric-alarm').map((a) => a.name), ['web-busy'])
  assert.ok(after.list('alarm-history').some((h) => h.summary === 'Alarm "web-quiet" deleted'))
})

test('a mistake in an alarm is refused at its file:line: a policy the group does not have, a metric openalb does not publish, a period that is not whole minutes, an SNS action', async (t) => {
  const { control } = openControl(t)
  const issues = async (from: string, to: string) => {
    const path = file(t, example.replace(from, to))
    try {
      return (await checkApply(control, loadConfig(path))).map((i) => `${i.line} ${i.path}: ${i.message}`)
    } catch (e) {
      if (e instanceof ConfigInvalid) return e.issues.map((i) => `${i.line} ${i.path}: ${i.message}`)
      throw e
    }
  }
  const lineOf = (text: string) => example.slice(0, example.indexOf(text)).split('\n').length
  const busyLine = lineOf('  - name: web-busy')
  assert.deepEqual(await issues('policy: out }', 'policy: up }'), [`${busyLine} alarms[0]: the Auto Scaling group web has no policy up (its scalingPolicies)`])
  const metric = await issues('metric: RequestCountPerTarget\n    loadBalancer: web-alb\n    targetGroup: web-tg\n    statistic: Sum\n    period: 60\n    evaluationPeriods: 1', 'metric: ActiveConnectionCount\n    loadBalancer: web-alb\n    targetGroup: web-tg\n    statistic: Sum\n    period: 60\n    evaluationPeriods: 1')
  assert.equal(metric.length, 1)
  assert.match(metric[0] ?? '', new RegExp(`^${busyLine} alarms\\[0\\]: The metric AWS/ApplicationELB ActiveConnectionCount is not one openalb publishes`))
  const period = await issues('    period: 60\n    evaluationPeriods: 1', '    period: 90\n    evaluationPeriods: 1')
  assert.deepEqual(period, [`${lineOf('    period: 60\n    evaluationPeriods: 1')} alarms[0].period: must be a multiple of 60`])
  const sns = await issues('alarmActions: [{ autoScalingGroup: web, policy: out }]', 'alarmActions: [arn:aws:sns:us-east-1:123456789012:ops]')
  assert.equal(sns.length, 1)
  assert.match(sns[0] ?? '', /alarms\[0\]: Invalid action arn:aws:sns:us-east-1:123456789012:ops in AlarmActions: an SNS topic/)
  assert.deepEqual((await control.read()).list('metric-alarm'), [], 'a refused file changes nothing')
})
