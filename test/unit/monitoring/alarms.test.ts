import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GroupController } from '../../../src/autoscaling/controller.js'
import { createGroup, suspendProcesses } from '../../../src/control/auto-scaling-groups.js'
import { completeTransition } from '../../../src/control/instances.js'
import { createLaunchTemplate } from '../../../src/control/launch-templates.js'
import { executePolicyForAlarm, putScalingPolicy, stepFor } from '../../../src/control/scaling-policies.js'
import type { MetricAlarm } from '../../../src/model/metric-alarm.js'
import { evaluateAlarm, type EvaluatedPeriod } from '../../../src/monitoring/alarm-evaluator.js'
import { openControl } from '../control/fixture.js'

const T0 = Date.parse('2026-12-07T12:00:00Z')

function alarm(over: Partial<MetricAlarm> = {}): MetricAlarm {
  return {
    kind: 'metric-alarm', arn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:a', name: 'a', actionsEnabled: true, okActions: [], alarmActions: [], insufficientDataActions: [],
    namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [], statistic: 'Sum', period: 60, evaluationPeriods: 3, threshold: 100,
    comparisonOperator: 'GreaterThanThreshold', tags: {}, configurationUpdatedAt: '', state: 'INSUFFICIENT_DATA', stateReason: '', stateUpdatedAt: '', stateTransitionedAt: '', ...over,
  }
}
/** Values newest first (undefined: missing), one a minute back from T0. */
const range = (...values: (number | undefined)[]): EvaluatedPeriod[] => values.map((value, i) => ({ startMs: T0 - (i + 1) * 60000, value, sampleCount: value === undefined ? undefined : 1 }))

const cases: { desc: string; alarm: Partial<MetricAlarm>; values: (number | undefined)[]; state: string | undefined; reason?: RegExp }[] = [
  { desc: 'all three breach: ALARM with every datapoint in the reason', alarm: {}, values: [150, 120, 101], state: 'ALARM', reason: /^Threshold Crossed: 3 datapoints \[150\.0 \(07\/12\/26 11:59:00\), 120\.0 \(07\/12\/26 11:58:00\), 101\.0 \(07\/12\/26 11:57:00\)\] were greater than the threshold \(100\.0\)\.$/ },
  { desc: 'two of three breach without DatapointsToAlarm: OK', alarm: {}, values: [150, 50, 120], state: 'OK', reason: /^Threshold Crossed: 1 datapoint \[50\.0 .*\] was not greater than the threshold \(100\.0\)\.$/ },
  { desc: 'two of three with DatapointsToAlarm 2: ALARM, "out of the last"', alarm: { datapointsToAlarm: 2 }, values: [150, 50, 120], state: 'ALARM', reason: /^Threshold Crossed: 2 out of the last 3 datapoints \[150\.0 .*, 120\.0 .*\] were greater than the threshold \(100\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/ },
  { desc: 'every datapoint missing, missing: INSUFFICIENT_DATA', alarm: {}, values: [undefined, undefined, undefined], state: 'INSUFFICIENT_DATA', reason: /^Insufficient Data: 3 datapoints were unknown\.$/ },
  { desc: 'every datapoint missing, ignore: the state stays', alarm: { treatMissingData: 'ignore', state: 'ALARM' }, values: [undefined, undefined, undefined], state: undefined },
  { desc: 'every datapoint missing, breaching: ALARM', alarm: { treatMissingData: 'breaching' }, values: [undefined, undefined, undefined], state: 'ALARM', reason: /^Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as \[Breaching\]\.$/ },
  { desc: 'every datapoint missing, notBreaching: OK', alarm: { treatMissingData: 'notBreaching' }, values: [undefined, undefined, undefined], state: 'OK' },
  { desc: 'one missing counted as breaching completes three', alarm: { treatMissingData: 'breaching' }, values: [150, undefined, 130], state: 'ALARM' },
  { desc: 'GreaterThanOrEqualToThreshold: the threshold itself breaches', alarm: { evaluationPeriods: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold' }, values: [100], state: 'ALARM', reason: /was greater than or equal to the threshold/ },
  { desc: 'LessThanThreshold below', alarm: { evaluationPeriods: 1, comparisonOperator: 'LessThanThreshold', threshold: 0.5 }, values: [0.25], state: 'ALARM', reason: /^Threshold Crossed: 1 datapoint \[0\.25 .*\] was less than the threshold \(0\.5\)\.$/ },
]
for (const c of cases) {
  test(`alarm evaluation: ${c.desc}`, () => {
    const ev = evaluateAlarm(alarm(c.alarm), range(...c.values), T0)
    assert.equal(ev?.state, c.state)
    if (c.reason) assert.match(ev?.reason ?? '', c.reason)
    if (ev) {
      const data = JSON.parse(ev.reasonData) as { statistic: string; period: number; threshold: number }
      assert.deepEqual([data.statistic, data.period, data.threshold], ['Sum', 60, alarm(c.alarm).threshold])
    }
  })
}

test('a step is chosen by its bounds from the threshold: above it the lower bound is inclusive, below it the upper', () => {
  const p = { stepAdjustments: [{ upper: -10, adjustment: -2 }, { lower: -10, upper: 0, adjustment: -1 }, { lower: 0, upper: 50, adjustment: 1 }, { lower: 50, adjustment: 3 }] }
  const step = (v: number) => stepFor(p as never, v, 100)?.adjustment
  assert.deepEqual([step(100), step(149), step(150), step(1000), step(99), step(91), step(90), step(89)], [1, 1, 3, 3, -1, -1, -2, -2])
})

/** A group of one running instance and the two policies an alarm runs, on a clock the test moves. */
async function setUp(t: Parameters<typeof openControl>[0]) {
  let now = T0
  const { control } = openControl(t, { now: () => new Date(now) })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { imageId: 'ami-1', securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 1, maxSize: 10, desiredCapacity: 1, defaultCooldown: 300, subnets: ['subnet-0a1b2c3d4e5f60a01'], launchTemplate: { name: 'web', version: '$Latest' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true })
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await controller.runOnce()
      await control.mutate((d) => {
        for (const inst of d.list('instance')) if (inst.state === 'pending') completeTransition(d, inst.id, 'pending', 'running')
      })
    }
  }
  await settle()
  const policies = (
    await control.mutate((d) => ({
      step: putScalingPolicy(d, 'g', { name: 'step', policyType: 'StepScaling', adjustmentType: 'ChangeInCapacity', estimatedInstanceWarmup: 120, metricAggregationType: 'Maximum', stepAdjustments: [{ lower: 0, upper: 50, adjustment: 1 }, { lower: 50, adjustment: 3 }] }),
      simple: putScalingPolicy(d, 'g', { name: 'simple', policyType: 'SimpleScaling', adjustmentType: 'ChangeInCapacity', scalingAdjustment: 2, stepAdjustments: [], cooldown: 60 }),
    }))
  ).value
  const desired = async () => (await control.read()).list('auto-scaling-group')[0]?.desiredCapacity
  const run = (arn: string, values: number[]) => control.mutate((d) => executePolicyForAlarm(d, arn, { alarmName: 'busy', state: 'ALARM', metricValues: values, threshold: 100 }))
  return { control, policies, desired, run, settle, advance: (ms: number) => (now += ms) }
}

test('an alarm runs a simple policy, which then waits out its cooldown: the alarm\'s repeats within it change nothing', async (t) => {
  const { policies, desired, run, advance } = await setUp(t)
  assert.equal((await run(policies.simple.arn, [150])).value, true)
  assert.equal(await desired(), 3)
  advance(59_000)
  assert.equal((await run(policies.simple.arn, [150])).value, false, 'inside the 60 s cooldown')
  assert.equal(await desired(), 3)
  advance(2_000)
  await run(policies.simple.arn, [150])
  assert.equal(await desired(), 5)
})

test('a step policy takes the step of the MetricAggregationType of the alarm\'s values; instances still warming up count as added, so a repeat adds only what a larger step adds beyond them', async (t) => {
  const { policies, desired, run, settle, advance } = await setUp(t)
  await run(policies.step.arn, [120, 130])
  assert.equal(await desired(), 1, 'the first instance is warming up too (as AWS says: not part of the current capacity while scaling out), and it is the +1')
  advance(121_000)
  await run(policies.step.arn, [120, 130])
  assert.equal(await desired(), 2, 'Maximum 130: 30 above the threshold, the first step (+1)')
  await settle()
  advance(60_000)
  await run(policies.step.arn, [130])
  assert.equal(await desired(), 2, 'the new instance is still warming up (120 s): it is the +1 already')
  await run(policies.step.arn, [160])
  assert.equal(await desired(), 4, 'the larger step (+3) from the one warm instance: 1 + 3')
  await settle()
  advance(121_000)
  await run(policies.step.arn, [130])
  assert.equal(await desired(), 5, 'all warm: +1 again')
})

test('an alarm\'s notification does nothing while AlarmNotification is suspended', async (t) => {
  const { control, policies, desired, run } = await setUp(t)
  await control.mutate((d) => suspendProcesses(d, 'g', ['AlarmNotification']))
  assert.equal((await run(policies.simple.arn, [150])).value, false)
  assert.equal(await desired(), 1)
})
