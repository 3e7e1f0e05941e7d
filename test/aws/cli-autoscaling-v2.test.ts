import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import type { RunningAwsApi } from './start-aws-api.js'

// Its own instance range (test files run side by side); group passes every 200 ms.
process.env.OPENALB_INSTANCE_ADDRESSES = '127.107.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'

const WEB = `#!/bin/sh
exec ${process.execPath} -e "require('http').createServer((q, s) => s.end('hello from ' + process.env.OPENALB_INSTANCE_ID + '\\n')).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

test('AWS CLI v2: the steps of docs/autoscaling.md: a launch template, a group of 2 behind a balancer, set-desired-capacity, a target tracking policy, activities, force delete', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-cli-asg-'))
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: node.controlUrl } as RunningAwsApi, dataDir)
  const port = String(await freePort())

  const lt = await aws('ec2', 'create-launch-template', '--launch-template-name', 'web', '--launch-template-data', JSON.stringify({ ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(WEB).toString('base64') }), '--query', 'LaunchTemplate.LaunchTemplateId', '--output', 'text')
  assert.match(lt, /^lt-[0-9a-f]{17}$/)
  const tg = await aws('elbv2', 'create-target-group', '--name', 'web', '--protocol', 'HTTP', '--port', '4000', '--vpc-id', 'vpc-0a1b2c3d4e5f60718', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2', '--healthy-threshold-count', '2', '--query', 'TargetGroups[0].TargetGroupArn', '--output', 'text')
  await aws('elbv2', 'modify-target-group-attributes', '--target-group-arn', tg, '--attributes', 'Key=deregistration_delay.timeout_seconds,Value=1')
  const lb = await aws('elbv2', 'create-load-balancer', '--name', 'web', '--subnets', 'subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02', '--query', 'LoadBalancers[0].LoadBalancerArn', '--output', 'text')
  await aws('elbv2', 'create-listener', '--load-balancer-arn', lb, '--protocol', 'HTTP', '--port', port, '--default-actions', `Type=forward,TargetGroupArn=${tg}`)
  await aws('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'web', '--launch-template', 'LaunchTemplateName=web,Version=$Latest', '--min-size', '1', '--max-size', '4', '--desired-capacity', '2',
    '--vpc-zone-identifier', 'subnet-0a1b2c3d4e5f60a01,subnet-0a1b2c3d4e5f60b02', '--target-group-arns', tg, '--health-check-type', 'ELB', '--health-check-grace-period', '30')

  const states = async () => await aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web', '--query', 'AutoScalingGroups[0].Instances[].[InstanceId,AvailabilityZone,LifecycleState,HealthStatus]', '--output', 'text')
  await eventually(async () => (await states()).split('\n').filter((l) => /\tInService\tHealthy$/.test(l)).length === 2, { timeoutMs: 30000, intervalMs: 300, message: 'two instances in service' })
  assert.deepEqual((await states()).split('\n').map((l) => l.split('\t')[1]).sort(), ['us-east-1a', 'us-east-1b'])
  const seen = new Set<string>()
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) seen.add(await res.text())
      return seen.size === 2
    },
    { timeoutMs: 30000, intervalMs: 100, message: 'both instances answering through the balancer' },
  )
  const causes = await aws('autoscaling', 'describe-scaling-activities', '--auto-scaling-group-name', 'web', '--query', 'Activities[].[StatusCode,Description]', '--output', 'text')
  assert.equal(causes.split('\n').filter((l) => /^Successful\tLaunching a new EC2 instance: i-/.test(l)).length, 2, causes)

  await aws('autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', 'web', '--desired-capacity', '1')
  await eventually(async () => (await states()).split('\n').length === 1, { timeoutMs: 20000, intervalMs: 300, message: 'one instance left' })

  // The policy as the docs write it: ResourceLabel from the balancer's and target group's ARNs.
  const label = `${lb.replace(/.*:loadbalancer\//, '')}/${tg.replace(/.*:/, '')}`
  const arn = await aws('autoscaling', 'put-scaling-policy', '--auto-scaling-group-name', 'web', '--policy-name', 'requests', '--policy-type', 'TargetTrackingScaling',
    '--target-tracking-configuration', JSON.stringify({ PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label }, TargetValue: 600 }), '--query', 'PolicyARN', '--output', 'text')
  assert.match(arn, /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]+:autoScalingGroupName\/web:policyName\/requests$/)
  assert.equal(await aws('autoscaling', 'describe-policies', '--auto-scaling-group-name', 'web', '--query', 'ScalingPolicies[0].TargetTrackingConfiguration.TargetValue', '--output', 'text'), '600.0')

  await aws('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', 'web', '--force-delete')
  await eventually(async () => (await aws('autoscaling', 'describe-auto-scaling-groups', '--query', 'length(AutoScalingGroups)', '--output', 'text')) === '0', { timeoutMs: 20000, intervalMs: 300, message: 'the group gone' })
  assert.equal(await aws('ec2', 'describe-instances', '--filters', 'Name=instance-state-name,Values=running', '--query', 'length(Reservations)', '--output', 'text'), '0')
})
