import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, PutScalingPolicyCommand } from '@aws-sdk/client-auto-scaling'
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch'
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { dimension } from '../../src/model/dimension.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const SUBNET_A = 'subnet-0a1b2c3d4e5f60a01'
const SUBNET_B = 'subnet-0a1b2c3d4e5f60b02'
const WEB_SERVER = `#!/bin/sh
exec ${process.execPath} -e "require('http').createServer((q, s) => s.end(process.env.OPENALB_INSTANCE_ID)).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

// Its own instance range; group passes every 200 ms and one-second metric periods (a CloudWatch minute each).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.103.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'
process.env.OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS = '1'

test('SDK v3: a CloudWatch alarm on RequestCountPerTarget runs a step policy under a bounded load loop, the group behind the ALB grows, and a second alarm (no requests counted as breaching) runs a simple policy that shrinks it back', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-alarms-'))
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: node.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  const elb = new ElasticLoadBalancingV2Client(config)
  const asg = new AutoScalingClient(config)
  const cw = new CloudWatchClient(config)

  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(WEB_SERVER).toString('base64') } }))
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2 }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }))
  const port = await freePort()
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [SUBNET_A, SUBNET_B] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 1, MaxSize: 3, DesiredCapacity: 1, VPCZoneIdentifier: `${SUBNET_A},${SUBNET_B}`, TargetGroupARNs: [tg] }))

  const out = (await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'out', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', EstimatedInstanceWarmup: 2, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }))).PolicyARN ?? ''
  const inn = (await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'in', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: -1, Cooldown: 1 }))).PolicyARN ?? ''
  const Dimensions = [{ Name: 'LoadBalancer', Value: dimension(lb) }, { Name: 'TargetGroup', Value: dimension(tg) }]
  // More than 10 requests per healthy target in a period (a second here).
  await cw.send(new PutMetricAlarmCommand({ AlarmName: 'web-busy', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [out] }))
  // Fewer than 1 for three periods; no requests is no datapoint, counted as breaching.
  await cw.send(new PutMetricAlarmCommand({ AlarmName: 'web-quiet', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCountPerTarget', Dimensions, Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching', AlarmActions: [inn] }))

  const group = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]
  const healthy = async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy').length
  const alarm = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]
  await eventually(async () => (await healthy()) === 1, { timeoutMs: 30000, intervalMs: 250, message: 'the first instance healthy' })

  // A bounded load loop on loopback: four clients, at most 40 s and 30,000 requests, until the group is at its maximum.
  let stop = false
  let sent = 0
  const deadline = Date.now() + 40000
  const worker = async () => {
    while (!stop && sent < 30000 && Date.now() < deadline) {
      sent++
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.text())
        .catch(() => '')
    }
  }
  const load = Promise.all(Array.from({ length: 4 }, worker))
  try {
    await eventually(async () => (await alarm('web-busy'))?.StateValue === 'ALARM', { timeoutMs: 20000, intervalMs: 250, message: 'web-busy in ALARM' })
    await eventually(async () => (await group())?.DesiredCapacity === 3, { timeoutMs: 30000, intervalMs: 250, message: 'the group scaled out to 3' })
    await eventually(async () => (await healthy()) === 3, { timeoutMs: 30000, intervalMs: 250, message: 'three healthy instances' })
  } finally {
    stop = true
    await load
  }
  t.diagnostic(`${sent} requests in the load loop`)
  const busy = await alarm('web-busy')
  assert.match(busy?.StateReason ?? '', /^Threshold Crossed: 1 datapoint \[\d+(\.\d+)? \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was greater than the threshold \(10\.0\)\.$/)
  const causes = ((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []).map((a) => a.Cause ?? '')
  assert.ok(causes.some((c) => /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a monitor alarm web-busy in state ALARM triggered policy out changing the desired capacity from 1 to 2\./.test(c)), causes.join('\n'))
  assert.ok(causes.some((c) => /a monitor alarm web-busy in state ALARM triggered policy out changing the desired capacity from 2 to 3\./.test(c)), 'still in ALARM a minute later, once the first new instance warmed up, the policy ran again')

  // The load stopped: three periods without a datapoint, web-quiet goes to ALARM and the simple policy takes the group back to 1.
  await eventually(async () => (await group())?.DesiredCapacity === 1, { timeoutMs: 45000, intervalMs: 500, message: 'the group scaled back in to 1' })
  await eventually(async () => (await group())?.Instances?.length === 1, { timeoutMs: 20000, intervalMs: 250, message: 'one instance left' })
  assert.equal((await alarm('web-quiet'))?.StateReason, 'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].')
  const after = ((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []).map((a) => a.Cause ?? '')
  assert.ok(after.some((c) => /a monitor alarm web-quiet in state ALARM triggered policy in changing the desired capacity from 2 to 1\./.test(c)), after.join('\n'))
  const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'web-quiet' }))).AlarmHistoryItems ?? []
  assert.ok(history.some((h) => h.HistorySummary === 'Alarm updated from OK to ALARM'), history.map((h) => h.HistorySummary).join('\n'))
  assert.ok(history.some((h) => h.HistorySummary === `Successfully executed action ${inn}`))

  // The datapoints the alarms saw: GetMetricStatistics over the run.
  const stats = await cw.send(new GetMetricStatisticsCommand({ Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions, StartTime: new Date(Date.now() - 300000), EndTime: new Date(), Period: 60, Statistics: ['Sum'] }))
  const total = (stats.Datapoints ?? []).reduce((a, d) => a + (d.Sum ?? 0), 0)
  assert.ok(total > 0 && total <= sent, `RequestCount summed ${total} of ${sent} requests sent`)
})
