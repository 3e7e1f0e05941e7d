import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { createGroup } from '../../src/control/auto-scaling-groups.js'
import { createLaunchConfiguration } from '../../src/control/launch-templates.js'
import { createListener, createLoadBalancer } from '../../src/control/load-balancers.js'
import { putScalingPolicy } from '../../src/control/scaling-policies.js'
import { createTargetGroup } from '../../src/control/target-groups.js'
import { dimension } from '../../src/model/dimension.js'
import { monitorParts } from '../helpers/monitor.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { startAwsApi } from './start-aws-api.js'

const SUBNETS = ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02']
const PERIOD_MS = 1000

/** The AWS API with a metric store the test steps: a group, a step policy, a balancer forwarding to its target group. */
async function setUp(t: TestContext) {
  const parts = monitorParts(PERIOD_MS)
  const { metrics } = parts
  const api = await startAwsApi({ monitoring: parts.reader })
  const home = mkdtempSync(join(tmpdir(), 'openalb-cli-cw-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const monitor = parts.start(api.control, { healthy: 1, unhealthy: 0 })
  const made = (
    await api.control.mutate((d) => {
      const tg = createTargetGroup(d, { name: 'web', protocol: 'HTTP', port: 4000 })
      const lb = createLoadBalancer(d, { name: 'web', subnets: SUBNETS })
      const listener = createListener(d, lb.arn, { port: 8080, protocol: 'HTTP', defaultActions: [{ type: 'forward', targetGroup: tg.arn }] })
      createLaunchConfiguration(d, { name: 'web', imageId: 'ami-web', instanceType: 't3.micro', securityGroups: [] })
      createGroup(d, { name: 'web', region: 'us-east-1', minSize: 1, maxSize: 4, desiredCapacity: 1, subnets: SUBNETS, launchConfigurationName: 'web', targetGroupArns: [tg.arn], tags: {}, propagateAtLaunch: [] })
      const policy = putScalingPolicy(d, 'web', { name: 'out', policyType: 'StepScaling', adjustmentType: 'ChangeInCapacity', estimatedInstanceWarmup: 0, stepAdjustments: [{ lower: 0, adjustment: 1 }] })
      return { tg: tg.arn, lb: lb.arn, listener: listener.arn, policy: policy.arn }
    })
  ).value
  return { api, home, metrics, monitor, ...made }
}

async function cliOrSkip(t: TestContext, bin: string, major: string): Promise<boolean> {
  const version = await cliVersion(bin)
  if (version?.startsWith(`aws-cli/${major}`)) return true
  const reason = `SKIPPED: AWS CLI v${major} is not at ${bin} (found: ${version ?? 'none'})`
  console.warn(reason)
  t.skip(reason)
  return false
}

test('AWS CLI v2 (Query): put-metric-alarm, describe-alarms, an evaluation that runs the policy, set-alarm-state, describe-alarm-history, get-metric-statistics, ResourceNotFound; responses match botocore\'s model', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  if (!(await cliOrSkip(t, bin, '2'))) return
  const { api, home, metrics, monitor, tg, lb, listener, policy } = await setUp(t)
  const aws = awsCli(bin, api, home)
  const dims = ['--dimensions', `Name=LoadBalancer,Value=${dimension(lb)}`, `Name=TargetGroup,Value=${dimension(tg)}`]
  await aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'busy', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCountPerTarget', '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '10', '--comparison-operator', 'GreaterThanThreshold', ...dims, '--alarm-actions', policy)
  assert.equal(await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'busy', '--query', 'MetricAlarms[0].[StateValue,StateReason,Threshold,Period]', '--output', 'text'), 'INSUFFICIENT_DATA\tUnchecked: Initial alarm creation\t10.0\t60')

  const t0 = Date.now() - 10 * PERIOD_MS
  await monitor.runOnce(t0)
  metrics.requests(lb, listener, tg).inc(40)
  await monitor.runOnce(t0 + PERIOD_MS)
  assert.match(await aws('cloudwatch', 'describe-alarms', '--state-value', 'ALARM', '--query', 'MetricAlarms[].[AlarmName,StateReason]', '--output', 'text'), /^busy\tThreshold Crossed: 1 datapoint \[40\.0 \(.+\)\] was greater than the threshold \(10\.0\)\.$/)
  assert.equal(await aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web', '--query', 'AutoScalingGroups[0].DesiredCapacity'), '2')
  assert.match(await aws('cloudwatch', 'describe-alarms-for-metric', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCountPerTarget', ...dims, '--query', 'MetricAlarms[].AlarmName', '--output', 'text'), /^busy$/)

  await aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'busy', '--state-value', 'OK', '--state-reason', 'by hand')
  const history = await aws('cloudwatch', 'describe-alarm-history', '--alarm-name', 'busy', '--query', 'AlarmHistoryItems[].[HistoryItemType,HistorySummary]', '--output', 'text')
  assert.match(history, /StateUpdate\tAlarm updated from ALARM to OK/)
  assert.match(history, /StateUpdate\tAlarm updated from INSUFFICIENT_DATA to ALARM/)
  assert.match(history, new RegExp(`Action\\tSuccessfully executed action ${policy.replace(/[/:]/g, '.')}`))
  assert.match(history, /ConfigurationUpdate\tAlarm "busy" created/)

  const stats = await aws('cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCount', ...dims, '--start-time', new Date(t0 - 60000).toISOString(), '--end-time', new Date(t0 + 60000).toISOString(), '--period', '60', '--statistics', 'Sum', '--query', 'Datapoints[].[Sum,Unit]', '--output', 'text')
  assert.equal(stats, '40.0\tCount')
  assert.match(await aws('cloudwatch', 'list-metrics', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'HealthyHostCount', '--query', 'Metrics[].Dimensions[].Name', '--output', 'text'), /LoadBalancer\tTargetGroup/)

  await assert.rejects(aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'nope', '--state-value', 'OK', '--state-reason', 'x'), /\(ResourceNotFound\) when calling the SetAlarmState operation: Alarm nope not found/)
  await assert.rejects(aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'sns', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCount', '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold', '--dimensions', `Name=LoadBalancer,Value=${dimension(lb)}`, '--alarm-actions', 'arn:aws:sns:us-east-1:123456789012:ops'), /\(InvalidParameterValue\) when calling the PutMetricAlarm operation: Invalid action arn:aws:sns:us-east-1:123456789012:ops in AlarmActions: an SNS topic/)
  await aws('cloudwatch', 'delete-alarms', '--alarm-names', 'busy')
  assert.equal(await aws('cloudwatch', 'describe-alarms', '--query', 'length(MetricAlarms)'), '0')
  assertWireMatchesModels(api)
})

test('AWS CLI v1 (botocore 1.43: JSON 1.0 with x-amzn-query-mode): the same alarm operations, and its errors carry the Query code', async (t) => {
  if (!(await cliOrSkip(t, 'aws', '1'))) return
  const { api, home, lb, tg, policy } = await setUp(t)
  const aws = awsCli('aws', api, home)
  await aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'busy', '--namespace', 'AWS/ApplicationELB', '--metric-name', 'RequestCountPerTarget', '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '2', '--datapoints-to-alarm', '1', '--threshold', '10', '--comparison-operator', 'GreaterThanThreshold', '--dimensions', `Name=TargetGroup,Value=${dimension(tg)}`, '--alarm-actions', policy, '--treat-missing-data', 'notBreaching')
  const out = JSON.parse(await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'busy')) as { MetricAlarms: { StateValue: string; DatapointsToAlarm: number; TreatMissingData: string; StateUpdatedTimestamp: number }[] }
  assert.equal(out.MetricAlarms[0]?.StateValue, 'INSUFFICIENT_DATA')
  assert.equal(out.MetricAlarms[0]?.DatapointsToAlarm, 1)
  assert.equal(out.MetricAlarms[0]?.TreatMissingData, 'notBreaching')
  // CLI v1 prints a timestamp as the service sent it: JSON 1.0's epoch seconds.
  assert.ok(Math.abs((out.MetricAlarms[0]?.StateUpdatedTimestamp ?? 0) - Date.now() / 1000) < 600, `epoch seconds, got ${String(out.MetricAlarms[0]?.StateUpdatedTimestamp)}`)
  await assert.rejects(aws('cloudwatch', 'delete-alarms', '--alarm-names', 'busy', 'nope'), /\(ResourceNotFound\) when calling the DeleteAlarms operation: Alarm nope not found/)
  await assert.rejects(aws('cloudwatch', 'put-metric-alarm', '--alarm-name', 'x', '--namespace', 'AWS/EC2', '--metric-name', 'CPUUtilization', '--statistic', 'Average', '--period', '30', '--evaluation-periods', '1', '--threshold', '1', '--comparison-operator', 'GreaterThanThreshold', '--dimensions', `Name=LoadBalancer,Value=${dimension(lb)}`), /\(InvalidParameterValue\) when calling the PutMetricAlarm operation: The parameter Period must be a multiple of 60/)
  assertWireMatchesModels(api)
})
