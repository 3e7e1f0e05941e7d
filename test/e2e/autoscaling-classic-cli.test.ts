import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import type { RunningAwsApi } from '../aws/start-aws-api.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.121.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'

/** Answers its instance id, or 503 once a file named sick is in its home (the instance's directory). */
const WEB_SERVER = `#!/bin/sh
exec ${process.execPath} -e "const fs = require('fs'); require('http').createServer((q, s) => { s.statusCode = fs.existsSync('sick') ? 503 : 200; s.end(process.env.OPENALB_INSTANCE_ID) }).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

test("AWS CLI v2 autoscaling LoadBalancerNames: a group's instances are registered with a Classic balancer, one failing its check (ELB health) is replaced, detach deregisters", { timeout: 150_000 }, async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dir = mkdtempSync(join(tmpdir(), 'openalb-asg-classic-'))
  const dataDir = join(dir, 'data')
  const node = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: node.controlUrl } as RunningAwsApi, dir)
  const json = async (...args: string[]) => JSON.parse(await aws(...args, '--output', 'json')) as unknown
  writeFileSync(join(dir, 'web.sh'), WEB_SERVER)
  const port = await freePort()

  await aws('ec2', 'create-launch-template', '--launch-template-name', 'web', '--launch-template-data', JSON.stringify({ ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(WEB_SERVER).toString('base64') }))
  await aws('elb', 'create-load-balancer', '--load-balancer-name', 'web-clb', '--availability-zones', 'us-east-1a', '--listeners', `Protocol=HTTP,LoadBalancerPort=${port},InstanceProtocol=HTTP,InstancePort=4000`)
  await aws('elb', 'configure-health-check', '--load-balancer-name', 'web-clb', '--health-check', 'Target=HTTP:4000/,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2')
  await aws('elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'web-clb', '--load-balancer-attributes', '{"ConnectionDraining":{"Enabled":true,"Timeout":1}}')

  // A balancer that does not exist: Auto Scaling's ValidationError, and no group.
  const refused = await aws('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'nope', '--launch-template', 'LaunchTemplateName=web', '--min-size', '1', '--max-size', '1', '--vpc-zone-identifier', 'subnet-0a1b2c3d4e5f60a01', '--load-balancer-names', 'no-such-clb').then(
    () => '',
    (e: Error) => e.message,
  )
  assert.match(refused, /ValidationError.*Provided Load Balancers may not be valid\. Please ensure they exist and try again\./s)

  await aws('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'web', '--launch-template', 'LaunchTemplateName=web', '--min-size', '1', '--max-size', '2', '--desired-capacity', '1',
    '--vpc-zone-identifier', 'subnet-0a1b2c3d4e5f60a01', '--load-balancer-names', 'web-clb', '--health-check-type', 'ELB', '--health-check-grace-period', '1')
  assert.equal(await aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web', '--query', 'AutoScalingGroups[0].LoadBalancerNames[0]', '--output', 'text'), 'web-clb')

  const inService = async () => {
    const states = (await json('elb', 'describe-instance-health', '--load-balancer-name', 'web-clb')) as { InstanceStates: { InstanceId: string; State: string }[] }
    return states.InstanceStates.filter((s) => s.State === 'InService').map((s) => s.InstanceId)
  }
  const first = (await eventually(async () => (await inService())[0], { timeoutMs: 40_000, intervalMs: 500, message: "the group's instance InService behind the Classic balancer" })) ?? ''
  const answer = await fetch(`http://127.0.0.1:${port}/`)
  assert.equal(await answer.text(), first, 'the Classic listener forwards to the group\'s instance')
  await eventually(async () => (await aws('autoscaling', 'describe-load-balancers', '--auto-scaling-group-name', 'web', '--query', 'LoadBalancers[0].State', '--output', 'text')) === 'InService', {
    timeoutMs: 10_000,
    intervalMs: 300,
    message: 'describe-load-balancers says InService (ELB health checks, one instance passed)',
  })
  assert.equal(await aws('autoscaling', 'describe-traffic-sources', '--auto-scaling-group-name', 'web', '--traffic-source-type', 'elb', '--query', 'TrafficSources[0].[TrafficSource,State]', '--output', 'text'), 'web-clb\tInService')

  // The instance's server turns sick: the balancer's check fails twice, the group marks it Unhealthy and replaces it.
  writeFileSync(join(dataDir, 'instances', first, 'sick'), '')
  const members = async () => ((await json('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'web')) as { AutoScalingGroups: { Instances: { InstanceId: string; HealthStatus: string; LifecycleState: string }[] }[] }).AutoScalingGroups[0]?.Instances ?? []
  await eventually(async () => (await members()).some((m) => m.InstanceId === first && m.HealthStatus === 'Unhealthy'), { timeoutMs: 30_000, intervalMs: 300, message: 'the sick instance marked Unhealthy' })
  const second = (await eventually(async () => (await inService()).find((id) => id !== first), { timeoutMs: 40_000, intervalMs: 500, message: 'the replacement InService' })) ?? ''
  await eventually(async () => {
    const registered = await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'web-clb', '--query', 'LoadBalancerDescriptions[0].Instances[].InstanceId', '--output', 'text')
    return registered === second
  }, { timeoutMs: 30_000, intervalMs: 500, message: 'the sick instance deregistered from the balancer, the replacement registered' })
  const causes = await aws('autoscaling', 'describe-scaling-activities', '--auto-scaling-group-name', 'web', '--query', `Activities[?Description=='Terminating EC2 instance: ${first}'].Cause`, '--output', 'text')
  assert.match(causes, /an instance was taken out of service in response to an ELB system health check failure\./)

  // Detached: the balancer keeps no instance of the group; the group names no balancer.
  await aws('autoscaling', 'detach-load-balancers', '--auto-scaling-group-name', 'web', '--load-balancer-names', 'web-clb')
  assert.equal(await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'web-clb', '--query', 'length(LoadBalancerDescriptions[0].Instances)'), '0')
  assert.equal(await aws('autoscaling', 'describe-load-balancers', '--auto-scaling-group-name', 'web', '--query', 'length(LoadBalancers)'), '0')
  // Attached again: the in-service instance is registered at once.
  await aws('autoscaling', 'attach-load-balancers', '--auto-scaling-group-name', 'web', '--load-balancer-names', 'web-clb')
  assert.equal(await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'web-clb', '--query', 'LoadBalancerDescriptions[0].Instances[0].InstanceId', '--output', 'text'), second)
  const notPart = await aws('autoscaling', 'detach-load-balancers', '--auto-scaling-group-name', 'web', '--load-balancer-names', 'other-clb').then(
    () => '',
    (e: Error) => e.message,
  )
  assert.match(notPart, /ValidationError.*not part of the group/s)
})
