import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  ExecutePolicyCommand,
  PutScalingPolicyCommand,
} from '@aws-sdk/client-auto-scaling'
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
import { rejectsWith } from '../aws/assert-aws-error.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const SUBNET_A = 'subnet-0a1b2c3d4e5f60a01'
const SUBNET_B = 'subnet-0a1b2c3d4e5f60b02'
const WEB_SERVER = `#!/bin/sh
exec ${process.execPath} -e "require('http').createServer((q, s) => s.end(process.env.OPENALB_INSTANCE_ID)).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

// Its own instance range; group passes every 200 ms and target tracking datapoints every second
// (AWS's are a minute: docs/autoscaling.md, the test knobs).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.105.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'
process.env.OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS = '1'

test('target tracking on ALBRequestCountPerTarget: a bounded load loop grows the group to its maximum, and it shrinks back to its minimum after the load stops', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-tt-'))
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: node.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  const elb = new ElasticLoadBalancingV2Client(config)
  const asg = new AutoScalingClient(config)

  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(WEB_SERVER).toString('base64') } }))
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2 }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }))
  const port = await freePort()
  const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [SUBNET_A, SUBNET_B] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      LaunchTemplate: { LaunchTemplateName: 'web' },
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 1,
      VPCZoneIdentifier: `${SUBNET_A},${SUBNET_B}`,
      TargetGroupARNs: [tg],
      DefaultInstanceWarmup: 1,
    }),
  )

  const label = `${dimension(alb)}/${dimension(tg)}`
  await rejectsWith(
    asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'rpt', PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' }, TargetValue: 600 } })),
    'ValidationError',
    /ResourceLabel is required/,
  )
  await rejectsWith(
    asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'mem', PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageNetworkIn' }, TargetValue: 600 } })),
    'ValidationError',
  )
  // 600 requests per minute per instance: 10 a second.
  const put = await asg.send(
    new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'rpt', PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label }, TargetValue: 600 } }),
  )
  assert.equal(put.Alarms?.length, 2)
  assert.match(put.Alarms?.[0]?.AlarmName ?? '', /^TargetTracking-web-AlarmHigh-/)
  const described = (await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'web' }))).ScalingPolicies?.[0]
  assert.equal(described?.TargetTrackingConfiguration?.PredefinedMetricSpecification?.ResourceLabel, label)
  await rejectsWith(asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'rpt' })), 'ValidationError', /not supported for a policy of type TargetTrackingScaling/)

  const group = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]
  const healthyCount = async () => ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy').length
  await eventually(async () => (await healthyCount()) === 1, { timeoutMs: 30000, intervalMs: 250, message: 'the first instance healthy' })

  // A bounded load loop on loopback: four clients, at most 60 s and 40,000 requests, until the group is at its maximum.
  let stop = false
  let sent = 0
  const deadline = Date.now() + 60000
  const worker = async () => {
    while (!stop && sent < 40000 && Date.now() < deadline) {
      sent++
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.text())
        .catch(() => '')
    }
  }
  const load = Promise.all(Array.from({ length: 4 }, worker))
  try {
    await eventually(async () => (await group())?.DesiredCapacity === 3, { timeoutMs: 45000, intervalMs: 250, message: 'the group scaled out to 3' })
    await eventually(async () => (await healthyCount()) === 3, { timeoutMs: 30000, intervalMs: 250, message: 'three healthy instances' })
  } finally {
    stop = true
    await load
  }
  t.diagnostic(`${sent} requests in the load loop`)
  const out = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []
  assert.ok(
    out.some((a) => /a monitor alarm TargetTracking-web-AlarmHigh-\S+ in state ALARM triggered policy rpt changing the desired capacity from 1 to [23]\./.test(a.Cause ?? '')),
    out.map((a) => a.Cause).join('\n'),
  )

  // No load: fifteen datapoints below 90 % of the target, then back to MinSize.
  await eventually(async () => (await group())?.DesiredCapacity === 1, { timeoutMs: 45000, intervalMs: 500, message: 'the group scaled back in to 1' })
  await eventually(async () => (await group())?.Instances?.length === 1, { timeoutMs: 20000, intervalMs: 250, message: 'one instance left' })
  const after = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []
  assert.ok(after.some((a) => /a monitor alarm TargetTracking-web-AlarmLow-\S+ in state ALARM triggered policy rpt changing the desired capacity from 3 to 1\./.test(a.Cause ?? '')), after.map((a) => a.Cause).join('\n'))
})

/** A server whose process keeps a core about 90 % busy while a file named burn is in its home (the instance's directory). */
const BURNER = `#!/bin/sh
exec ${process.execPath} -e "const fs = require('fs'); (function tick() { if (fs.existsSync('burn')) { const end = Date.now() + 90; while (Date.now() < end); } setTimeout(tick, 10) })(); require('http').createServer((q, s) => s.end('ok')).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

test('target tracking on ASGAverageCPUUtilization: a busy instance process grows the group, and it shrinks back once the process is idle', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-cpu-'))
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  const burn = () => join(dataDir, 'instances', first, 'burn')
  let first = ''
  t.after(async () => {
    if (first) rmSync(burn(), { force: true })
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: node.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  const asg = new AutoScalingClient(config)
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'burner', LaunchTemplateData: { ImageId: 'ami-web', UserData: Buffer.from(BURNER).toString('base64') } }))
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'cpu', LaunchTemplate: { LaunchTemplateName: 'burner' }, MinSize: 1, MaxSize: 2, VPCZoneIdentifier: SUBNET_A, DefaultInstanceWarmup: 1 }))
  await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'cpu', PolicyName: 'cpu40', PolicyType: 'TargetTrackingScaling', TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 40 } }))
  const group = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['cpu'] }))).AutoScalingGroups?.[0]
  first = (await eventually(async () => {
    const m = (await group())?.Instances ?? []
    return m.length === 1 && m[0]?.LifecycleState === 'InService' ? m[0].InstanceId : undefined
  }, { timeoutMs: 20000, intervalMs: 200, message: 'the first instance in service' })) ?? ''

  // Busy for at most 30 s: the group scales out to its maximum.
  writeFileSync(burn(), '')
  try {
    await eventually(async () => (await group())?.DesiredCapacity === 2, { timeoutMs: 30000, intervalMs: 250, message: 'scaled out on CPU' })
  } finally {
    rmSync(burn(), { force: true })
  }
  // The launch that follows carries the alarm's cause (the next group pass starts it).
  await eventually(
    async () =>
      ((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'cpu' }))).Activities ?? []).some((a) =>
        /a monitor alarm TargetTracking-cpu-AlarmHigh-\S+ in state ALARM triggered policy cpu40 changing the desired capacity from 1 to 2\./.test(a.Cause ?? ''),
      ),
    { timeoutMs: 5000, message: 'the launch activity with the alarm\'s cause' },
  )
  // Idle: fifteen datapoints below 36 %, then back to one.
  await eventually(async () => (await group())?.DesiredCapacity === 1, { timeoutMs: 45000, intervalMs: 500, message: 'scaled back in' })
})
