import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling'
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2'
import { CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, CreateLoadBalancerCommand, CreateListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
/** A server that answers 503 once a file named sick is in its home (the instance's directory). */
const WEB_SERVER = `#!/bin/sh
exec ${process.execPath} -e "const fs = require('fs'); require('http').createServer((q, s) => { s.statusCode = fs.existsSync('sick') ? 503 : 200; s.end(process.env.OPENALB_INSTANCE_ID) }).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

process.env.OPENALB_INSTANCE_ADDRESSES = '127.108.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'

test('HealthCheckType ELB: an instance whose target fails the health check past the grace period is replaced, the replacement first', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-elb-'))
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: node.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  const elb = new ElasticLoadBalancingV2Client(config)
  const asg = new AutoScalingClient(config)
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-web', UserData: Buffer.from(WEB_SERVER).toString('base64') } }))
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '1' }] }))
  const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: await freePort(), DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', LaunchTemplate: { LaunchTemplateName: 'web' }, MinSize: 1, MaxSize: 2, DesiredCapacity: 1, VPCZoneIdentifier: 'subnet-0a1b2c3d4e5f60a01', TargetGroupARNs: [tg], HealthCheckType: 'ELB', HealthCheckGracePeriod: 1 }))

  const health = async () => Object.fromEntries(((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id ?? '', d.TargetHealth?.State ?? '']))
  const members = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]?.Instances ?? []
  const sick = (await eventually(async () => {
    const h = await health()
    const ids = Object.keys(h)
    return ids.length === 1 && h[ids[0] ?? ''] === 'healthy' ? ids[0] : undefined
  }, { timeoutMs: 30000, intervalMs: 250, message: 'one healthy instance' })) ?? ''

  // The instance's server turns sick: its target fails twice, the group marks it Unhealthy and launches first.
  writeFileSync(join(dataDir, 'instances', sick, 'sick'), '')
  await eventually(async () => (await members()).some((m) => m.InstanceId === sick && m.HealthStatus === 'Unhealthy'), { timeoutMs: 20000, intervalMs: 200, message: 'the sick instance marked Unhealthy' })
  const during = await members()
  assert.equal(during.length, 2, 'the replacement is launched while the unhealthy instance is still in the group')
  const replacement = (await eventually(async () => {
    const h = await health()
    const other = Object.keys(h).find((id) => id !== sick)
    return other && h[other] === 'healthy' ? other : undefined
  }, { timeoutMs: 30000, intervalMs: 250, message: 'the replacement healthy' })) ?? ''
  await eventually(async () => {
    const m = await members()
    return m.length === 1 && m[0]?.InstanceId === replacement && m[0].LifecycleState === 'InService'
  }, { timeoutMs: 20000, intervalMs: 200, message: 'only the replacement left' })
  const activities = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []
  assert.match(activities.find((a) => a.Description === `Terminating EC2 instance: ${sick}`)?.Cause ?? '', /an instance was taken out of service in response to an ELB system health check failure\.$/)
})
