import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  PutLifecycleHookCommand,
  SetDesiredCapacityCommand,
  type Instance as GroupInstance,
} from '@aws-sdk/client-auto-scaling'
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client, GetConsoleOutputCommand } from '@aws-sdk/client-ec2'
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
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }
const SUBNET_A = 'subnet-0a1b2c3d4e5f60a01'
const SUBNET_B = 'subnet-0a1b2c3d4e5f60b02'

/**
 * The launch template's user data: a web server on the instance's own address, port 4000, answering
 * with its id; /slow answers after 600 ms (longer than a group pass), so requests are in flight when an instance is taken out.
 */
const WEB_SERVER = `#!/bin/sh
exec ${process.execPath} -e "require('http').createServer((q, s) => setTimeout(() => s.end(process.env.OPENALB_INSTANCE_ID), q.url === '/slow' ? 600 : 0)).listen(4000, process.env.OPENALB_PRIVATE_IP, () => console.log('listening'))"
`

// Its own instance range (test files run side by side, each with its own openalb), and group passes every 200 ms.
process.env.OPENALB_INSTANCE_ADDRESSES = '127.104.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'

test('a group of 2 behind an ALB in two zones: a killed process is replaced, and it grows to 3 and shrinks to 1 with no failed request; a launch hook holds a launch', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-'))
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
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }))
  const port = await freePort()
  const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [SUBNET_A, SUBNET_B] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))

  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: `${SUBNET_A},${SUBNET_B}`,
      TargetGroupARNs: [tg],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 10,
    }),
  )

  const members = async (): Promise<GroupInstance[]> => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]?.Instances ?? []
  const healthy = async (): Promise<string[]> =>
    ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === 'healthy').map((d) => d.Target?.Id ?? '')
  /** n members, all InService and healthy in the target group, and no other target there. */
  const settled = async (n: number): Promise<string[] | undefined> => {
    const list = await members()
    const ids = list.map((m) => m.InstanceId ?? '').sort()
    const h = (await healthy()).sort()
    return list.length === n && list.every((m) => m.LifecycleState === 'InService' && m.HealthStatus === 'Healthy') && JSON.stringify(ids) === JSON.stringify(h) ? ids : undefined
  }
  const activities = async () => (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? []
  const why = () => 'the group and its activities'

  const first = (await eventually(() => settled(2), { timeoutMs: 30000, intervalMs: 250, message: why })) ?? []
  assert.deepEqual((await members()).map((m) => m.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b'])
  const answers = new Set<string>()
  for (let i = 0; i < 10; i++) answers.add(await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) })).text())
  assert.deepEqual([...answers].sort(), first, 'both instances serve through the balancer')

  // Kill one instance's process by the PID openalb reports in its console log: the group replaces it.
  const victim = first[0] ?? ''
  const console = Buffer.from((await ec2.send(new GetConsoleOutputCommand({ InstanceId: victim }))).Output ?? '', 'base64').toString('utf8')
  const pid = Number(/process (\d+) started/.exec(console)?.[1])
  assert.ok(pid > 0, `the console log names the process: ${console}`)
  process.kill(pid, 'SIGKILL')
  const replaced =
    (await eventually(
      async () => {
        const ids = await settled(2)
        return ids && !ids.includes(victim) ? ids : undefined
      },
      { timeoutMs: 30000, intervalMs: 250, message: 'a healthy replacement' },
    )) ?? []
  assert.equal(replaced.filter((id) => first.includes(id)).length, 1, 'the other instance stayed')
  const taken = (await activities()).find((a) => a.Description === `Terminating EC2 instance: ${victim}`)
  assert.match(taken?.Cause ?? '', /an instance was taken out of service in response to an EC2 instance status checks failure\.$/)
  await eventually(async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [victim] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name === 'terminated', { timeoutMs: 10000, message: 'the dead instance terminated' })

  // Steady bounded traffic while the group grows to 3 and shrinks to 1: no request fails.
  let stop = false
  let sent = 0
  const failures: string[] = []
  const deadline = Date.now() + 90000
  const worker = async () => {
    while (!stop && sent < 40000 && Date.now() < deadline) {
      sent++
      try {
        // POST with a body: the balancer does not retry it on another target, so a cut request would show.
        const res = await fetch(`http://127.0.0.1:${port}/slow`, { method: 'POST', body: 'order', signal: AbortSignal.timeout(3000) })
        const body = await res.text()
        if (res.status !== 200) failures.push(`${res.status} ${body.slice(0, 80)}`)
      } catch (e) {
        failures.push(String(e))
      }
      await new Promise((r) => setTimeout(r, 2))
    }
  }
  // Sixteen clients, each one request at a time: bounded in count (40,000) and time (90 s).
  const client = Promise.all(Array.from({ length: 16 }, worker))
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 3 }))
  const three = (await eventually(() => settled(3), { timeoutMs: 30000, intervalMs: 250, message: 'three healthy' })) ?? []
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }))
  const one = (await eventually(() => settled(1), { timeoutMs: 30000, intervalMs: 250, message: 'one left' })) ?? []
  await eventually(
    async () => {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: three.filter((id) => !one.includes(id)) }))
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((i) => i.State?.Name === 'terminated')
    },
    { timeoutMs: 15000, message: 'the two taken out terminated' },
  )
  stop = true
  await client
  assert.ok(sent > 50, `the client sent ${sent} requests`)
  t.diagnostic(`${sent} requests while the group went 2 -> 3 -> 1, ${failures.length} failed`)
  assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`)
  const scaleIn = (await activities()).filter((a) => a.Description?.startsWith('Terminating') && /shrinking the capacity from 3 to 1/.test(a.Cause ?? ''))
  assert.equal(scaleIn.length, 2)
  assert.ok(scaleIn.every((a) => a.StatusCode === 'Successful'))

  // A launch hook holds the next launch in Pending:Wait, out of the target group, until completed.
  await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'web', LifecycleHookName: 'warm', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300 }))
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 2 }))
  const waiting = (await eventually(async () => (await members()).find((m) => m.LifecycleState === 'Pending:Wait'), { timeoutMs: 15000, message: 'an instance waiting on the hook' })) ?? ({} as GroupInstance)
  await new Promise((r) => setTimeout(r, 1000))
  assert.equal((await members()).find((m) => m.InstanceId === waiting.InstanceId)?.LifecycleState, 'Pending:Wait', 'still waiting a second later')
  assert.ok(!(await healthy()).includes(waiting.InstanceId ?? ''), 'not registered while it waits')
  await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'web', LifecycleHookName: 'warm', LifecycleActionResult: 'CONTINUE', InstanceId: waiting.InstanceId }))
  const two = (await eventually(() => settled(2), { timeoutMs: 30000, intervalMs: 250, message: 'the held instance in service' })) ?? []
  assert.ok(two.includes(waiting.InstanceId ?? ''))
})
