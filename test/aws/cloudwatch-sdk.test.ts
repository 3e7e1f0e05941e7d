import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DeletePolicyCommand, DescribeAutoScalingGroupsCommand, PutScalingPolicyCommand } from '@aws-sdk/client-auto-scaling'
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch'
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { dimension } from '../../src/model/dimension.js'
import { monitorParts } from '../helpers/monitor.js'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

const SUBNETS = ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02']
const PERIOD_MS = 1000

/** A node's parts for CloudWatch: the real metrics registry the data plane bumps, and healthy-host counts set by the test. */
async function setUp(t: { after(fn: () => Promise<void> | void): void }) {
  const parts = monitorParts(PERIOD_MS)
  const { metrics, hosts } = parts
  const api = await startAwsApi({ monitoring: parts.reader })
  t.after(() => api.close())
  const monitor = parts.start(api.control)
  const config = clientConfig(api)
  const cw = new CloudWatchClient(config)
  const asg = new AutoScalingClient(config)
  const elb = new ElasticLoadBalancingV2Client(config)
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718' }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: SUBNETS }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  const listener = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))).Listeners?.[0]?.ListenerArn ?? ''
  await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'web', ImageId: 'ami-web', InstanceType: 't3.micro' }))
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', LaunchConfigurationName: 'web', MinSize: 1, MaxSize: 6, DesiredCapacity: 1, VPCZoneIdentifier: SUBNETS.join(','), TargetGroupARNs: [tg] }))
  return { api, cw, asg, metrics, hosts, monitor, tg, lb, listener }
}

test('CloudWatch alarms over JSON 1.0 (SDK v3): stored in INSUFFICIENT_DATA, refused with AWS codes for what openalb cannot watch or run, SetAlarmState and history, actions on and off, deleted', async (t) => {
  const { api, cw, asg, tg, lb } = await setUp(t)
  const policy = (await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'out', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }))).PolicyARN ?? ''
  const Dimensions = [{ Name: 'TargetGroup', Value: dimension(tg) }, { Name: 'LoadBalancer', Value: dimension(lb) }]
  const alarm = { AlarmName: 'web-high', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions, Statistic: 'Sum' as const, Period: 60, EvaluationPeriods: 2, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold' as const, AlarmActions: [policy] }
  await cw.send(new PutMetricAlarmCommand(alarm))

  const described = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-high'] }))).MetricAlarms ?? []
  assert.equal(described.length, 1)
  assert.equal(described[0]?.StateValue, 'INSUFFICIENT_DATA')
  assert.equal(described[0]?.StateReason, 'Unchecked: Initial alarm creation')
  assert.match(described[0]?.AlarmArn ?? '', /^arn:aws:cloudwatch:us-east-1:\d{12}:alarm:web-high$/)
  assert.ok(described[0]?.StateUpdatedTimestamp instanceof Date)
  assert.deepEqual(described[0]?.AlarmActions, [policy])
  assert.deepEqual((described[0]?.Dimensions ?? []).map((d) => d.Name), ['LoadBalancer', 'TargetGroup'])
  const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions }))
  assert.deepEqual(forMetric.MetricAlarms?.map((a) => a.AlarmName), ['web-high'])

  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'sns', AlarmActions: ['arn:aws:sns:us-east-1:123456789012:ops'] })), 'InvalidParameterValueException', /an SNS topic.*only Auto Scaling scaling policy actions/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'ec2', AlarmActions: ['arn:aws:automate:us-east-1:ec2:stop'] })), 'InvalidParameterValueException', /an EC2 action/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'mem', Namespace: 'CWAgent', MetricName: 'mem_used_percent' })), 'InvalidParameterValueException', /namespace CWAgent has no metrics in openalb/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'dims', Dimensions: [{ Name: 'AvailabilityZone', Value: 'us-east-1a' }] })), 'InvalidParameterValueException', /published with the dimensions \[TargetGroup\] or \[LoadBalancer, TargetGroup\]/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'p30', Period: 30 })), 'InvalidParameterValueException', /Period must be a multiple of 60/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'long', Period: 3600, EvaluationPeriods: 25 })), 'InvalidParameterValueException', /Metrics cannot be checked across more than a day/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'p99', Statistic: undefined, ExtendedStatistic: 'p99' })), 'InvalidParameterValueException', /ExtendedStatistic \(percentiles\) is not supported/)
  await rejectsWith(cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'gone', AlarmActions: [policy.replace(/policyName\/out$/, 'policyName/none')] })), 'InvalidParameterValueException', /no such scaling policy/)
  await rejectsWith(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'ALARM', StateReason: 'test' })), 'ResourceNotFound', /Alarm nope not found/)
  await rejectsWith(cw.send(new SetAlarmStateCommand({ AlarmName: 'web-high', StateValue: 'ALARM', StateReason: 'test', StateReasonData: '{not json' })), 'InvalidFormatFault')
  await rejectsWith(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['web-high', 'nope'] })), 'ResourceNotFound')
  assert.equal((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms?.length, 1, 'the refused calls stored nothing, and the refused delete deleted nothing')

  await cw.send(new SetAlarmStateCommand({ AlarmName: 'web-high', StateValue: 'ALARM', StateReason: 'testing the scale-out path' }))
  const after = (await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms?.[0]
  assert.equal(after?.StateReason, 'testing the scale-out path')
  const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web-high' }))).AlarmHistoryItems ?? []
  assert.deepEqual(history.map((h) => [h.HistoryItemType, h.HistorySummary]), [
    ['StateUpdate', 'Alarm updated from INSUFFICIENT_DATA to ALARM'],
    ['ConfigurationUpdate', 'Alarm "web-high" created'],
  ])
  assert.ok(history[0]?.Timestamp instanceof Date)
  assert.equal((JSON.parse(history[0]?.HistoryData ?? '{}') as { newState?: { stateValue?: string } }).newState?.stateValue, 'ALARM')

  const arn = after?.AlarmArn ?? ''
  await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'team', Value: 'web' }, { Key: 'tier', Value: 'front' }] }))
  await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['tier'] }))
  assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'web' }])
  // As CloudWatch: PutMetricAlarm on an existing alarm replaces its configuration, keeps its state and ignores Tags.
  await cw.send(new PutMetricAlarmCommand({ ...alarm, Threshold: 120, Tags: [{ Key: 'other', Value: 'x' }] }))
  assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'team', Value: 'web' }])
  const updated = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-high'] }))).MetricAlarms?.[0]
  assert.deepEqual([updated?.Threshold, updated?.StateValue, updated?.StateReason], [120, 'ALARM', 'testing the scale-out path'])
  await rejectsWith(cw.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-none` })), 'ResourceNotFoundException', /openalb tags metric alarms only/)

  await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['web-high', 'not-there'] }))
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-high'] }))).MetricAlarms?.[0]?.ActionsEnabled, false)
  await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ['web-high'] }))
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-high'] }))).MetricAlarms?.[0]?.ActionsEnabled, true)

  // A deleted policy leaves the alarm's actions; the alarm stays (as Auto Scaling's DeletePolicy does).
  await asg.send(new DeletePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'out' }))
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['web-high'] }))).MetricAlarms?.[0]?.AlarmActions, [])
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['web-high'] }))
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms, [])
  assertWireMatchesModels(api)
})

test('an alarm on RequestCountPerTarget evaluates the requests the registry counted: ALARM with CloudWatch\'s reason runs the step policy once a minute while it stays, OK runs the scale-in policy; ListMetrics and GetMetricStatistics show the datapoints', async (t) => {
  const { api, cw, asg, metrics, hosts, monitor, tg, lb, listener } = await setUp(t)
  const out = (await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'out', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', EstimatedInstanceWarmup: 0, MetricAggregationType: 'Maximum', StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 100, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 100, ScalingAdjustment: 2 }] }))).PolicyARN ?? ''
  const inn = (await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'in', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: -1, Cooldown: 0 }))).PolicyARN ?? ''
  const Dimensions = [{ Name: 'LoadBalancer', Value: dimension(lb) }, { Name: 'TargetGroup', Value: dimension(tg) }]
  await cw.send(new PutMetricAlarmCommand({ AlarmName: 'rpt-high', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [out], OKActions: [inn] }))
  const requests = metrics.requests(lb, listener, tg)
  hosts.set(tg, { healthy: 2, unhealthy: 0 })
  const group = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]
  const state = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['rpt-high'] }))).MetricAlarms?.[0]

  const t0 = Math.floor(Date.now() / 1000) * 1000 - 60 * PERIOD_MS
  await monitor.runOnce(t0) // the baselines
  await monitor.runOnce(t0 + PERIOD_MS) // no requests: no datapoint, as ALB publishes none
  assert.equal((await state())?.StateValue, 'INSUFFICIENT_DATA')
  // As on CloudWatch, a state that does not change keeps its reason.
  assert.equal((await state())?.StateReason, 'Unchecked: Initial alarm creation')

  // 500 requests over 2 healthy targets: 250 per target, 150 above the threshold: the second step (+2).
  requests.inc(500)
  await monitor.runOnce(t0 + 2 * PERIOD_MS)
  const alarmed = await state()
  assert.equal(alarmed?.StateValue, 'ALARM')
  assert.match(alarmed?.StateReason ?? '', /^Threshold Crossed: 1 datapoint \[250\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was greater than the threshold \(100\.0\)\.$/)
  const data = JSON.parse(alarmed?.StateReasonData ?? '{}') as { statistic?: string; period?: number; recentDatapoints?: number[]; threshold?: number }
  assert.deepEqual([data.statistic, data.period, data.recentDatapoints, data.threshold], ['Sum', 60, [250], 100])
  assert.equal((await group())?.DesiredCapacity, 3)

  // Still in ALARM the next minute: the policy runs again (CloudWatch repeats Auto Scaling actions each minute in the state).
  requests.inc(400)
  await monitor.runOnce(t0 + 3 * PERIOD_MS)
  assert.equal((await state())?.StateValue, 'ALARM', '200 per target is still above 100')
  assert.equal((await group())?.DesiredCapacity, 5, 'the step policy ran again: 100 above the threshold takes +2')
  requests.inc(20)
  await monitor.runOnce(t0 + 4 * PERIOD_MS)
  const ok = await state()
  assert.equal(ok?.StateValue, 'OK')
  assert.match(ok?.StateReason ?? '', /^Threshold Crossed: 1 datapoint \[10\.0 \(.+\)\] was not greater than the threshold \(100\.0\)\.$/)
  assert.equal((await group())?.DesiredCapacity, 4, 'OKActions ran the simple scale-in policy')

  const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'rpt-high', HistoryItemType: 'Action' }))).AlarmHistoryItems ?? []
  assert.ok(history.some((h) => h.HistorySummary === `Successfully executed action ${out}`), JSON.stringify(history))
  assert.ok(history.some((h) => h.HistorySummary === `Successfully executed action ${inn}`))

  const listed = (await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ApplicationELB', Dimensions: [{ Name: 'TargetGroup', Value: dimension(tg) }] }))).Metrics ?? []
  const names = new Set(listed.map((m) => m.MetricName))
  for (const n of ['RequestCount', 'RequestCountPerTarget', 'HealthyHostCount', 'UnHealthyHostCount']) assert.ok(names.has(n), `${n} in ${[...names].join(', ')}`)
  const stats = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions, StartTime: new Date(t0 - PERIOD_MS), EndTime: new Date(t0 + 5 * PERIOD_MS), Period: 60, Statistics: ['Sum', 'SampleCount'] }))
  assert.deepEqual((stats.Datapoints ?? []).sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0)).map((d) => [d.Sum, d.SampleCount, d.Unit]), [[500, 1, 'Count'], [400, 1, 'Count'], [20, 1, 'Count']])
  const md = await cw.send(new GetMetricDataCommand({ StartTime: new Date(t0 - PERIOD_MS), EndTime: new Date(t0 + 5 * PERIOD_MS), MetricDataQueries: [{ Id: 'rpt', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions }, Period: 60, Stat: 'Sum' } }] }))
  assert.deepEqual(md.MetricDataResults?.[0]?.Values, [10, 200, 250])
  await rejectsWith(cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions, StartTime: new Date(t0), EndTime: new Date(t0 + 2000 * PERIOD_MS), Period: 60, Statistics: ['Sum'] })), 'InvalidParameterCombinationException', /exceeds the limit of 1,440/)
  assertWireMatchesModels(api)
})

test('a Smithy RPC v2 CBOR request (CloudWatch\'s first protocol) is refused in CBOR, naming the protocols openalb speaks, and runs nothing', async (t) => {
  // The CBOR decoder the SDK v3 itself uses (@smithy/core, installed with the SDK clients).
  const smithy = (await import('@smithy/core/cbor').catch(() => undefined)) as { cbor?: { serialize(v: unknown): Uint8Array; deserialize(b: Uint8Array): unknown } } | undefined
  if (!smithy?.cbor) {
    console.warn('SKIPPED: @smithy/core/cbor is not installed (it comes with the @aws-sdk clients)')
    return t.skip('no CBOR decoder')
  }
  const { api } = await setUp(t)
  const body = smithy.cbor.serialize({ AlarmName: 'cbor', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount' })
  const res = await fetch(`${api.endpoint}/service/GraniteServiceVersion20100801/operation/PutMetricAlarm`, { method: 'POST', headers: { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', accept: 'application/cbor' }, body: Buffer.from(body) })
  assert.equal(res.status, 400)
  assert.equal(res.headers.get('smithy-protocol'), 'rpc-v2-cbor')
  const answer = smithy.cbor.deserialize(new Uint8Array(await res.arrayBuffer())) as { __type?: string; message?: string }
  assert.equal(answer.__type, 'com.amazonaws.cloudwatch#InvalidAction')
  assert.match(answer.message ?? '', /not rpc-v2-cbor: PutMetricAlarm was not run/)
  assert.deepEqual((await api.control.read()).list('metric-alarm'), [])
})
