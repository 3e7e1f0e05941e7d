import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  EC2Client,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import {
  type TargetHealthDescription,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { rejectsWith } from '../aws/assert-aws-error.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

/** A web server on the instance's own address, port 4000, answering with the instance's id and zone. */
const WEB_SERVER = `#!/bin/sh
echo "web server for $OPENALB_INSTANCE_ID in $OPENALB_AVAILABILITY_ZONE ($OPENALB_SUBNET_ID, $OPENALB_VPC_ID)"
exec ${process.execPath} -e "require('http').createServer((q, s) => s.end(process.env.OPENALB_INSTANCE_ID + ' ' + process.env.OPENALB_AVAILABILITY_ZONE)).listen(4000, process.env.OPENALB_PRIVATE_IP, () => console.log('listening on ' + process.env.OPENALB_PRIVATE_IP + ':4000'))"
`

/** Whether something accepts connections at address:port (one attempt, bounded). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
    s.once('timeout', () => (s.destroy(), resolve(false)))
  })
}

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.101.0.0/16'

test('instances whose user data runs a web server on their own address, behind an ALB in two subnets: stop one and traffic stays on the other', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-instances-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: lb.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  const elb = new ElasticLoadBalancingV2Client(config)

  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? ''
  const subnetA = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? ''
  const subnetB = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet?.SubnetId ?? ''
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId ?? ''
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '127.0.0.0/8' }] }] }))

  const userData = Buffer.from(WEB_SERVER).toString('base64')
  const launch = async (subnet: string) => {
    const r = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet, SecurityGroupIds: [sg], UserData: userData, TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] }] }))
    const i = r.Instances?.[0]
    assert.equal(i?.State?.Name, 'pending')
    return { id: i?.InstanceId ?? '', ip: i?.PrivateIpAddress ?? '' }
  }
  const a = await launch(subnetA)
  const b = await launch(subnetB)
  assert.match(a.ip, /^127\.101\.\d+\.\d+$/)
  assert.notEqual(a.ip, b.ip)

  const states = async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [a.id, b.id] }))
    return Object.fromEntries((out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i.State?.Name]))
  }
  await eventually(async () => (await states())[a.id] === 'running' && (await states())[b.id] === 'running', { timeoutMs: 5000, message: 'both instances running' })
  await eventually(() => accepts(a.ip, 4000), { timeoutMs: 5000, message: `instance a's server on ${a.ip}:4000` })
  await eventually(() => accepts(b.ip, 4000), { timeoutMs: 5000, message: `instance b's server on ${b.ip}:4000` })
  const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [a.id] }))).Reservations?.[0]?.Instances?.[0]
  assert.equal(described?.PrivateDnsName, `ip-${a.ip.replace(/\./g, '-')}.ec2.internal`)
  assert.deepEqual([described?.SubnetId, described?.VpcId, described?.Placement?.AvailabilityZone], [subnetA, vpcId, 'us-east-1a'])

  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 4000, VpcId: vpcId, TargetType: 'instance', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2 }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: a.id }, { Id: b.id }] }))
  const port = await freePort()
  const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: [subnetA, subnetB], SecurityGroups: [sg] }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))

  const health = async (): Promise<Record<string, TargetHealthDescription>> => {
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))
    return Object.fromEntries((out.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id ?? '', d] as const))
  }
  await eventually(async () => Object.values(await health()).every((d) => d.TargetHealth?.State === 'healthy'), { timeoutMs: 20000, intervalMs: 250, message: 'both targets healthy' })

  const answers = async (n: number) => {
    const seen: string[] = []
    for (let i = 0; i < n; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) })
      assert.equal(res.status, 200)
      seen.push(await res.text())
    }
    return seen
  }
  const before = await answers(10)
  assert.ok(before.includes(`${a.id} us-east-1a`) && before.includes(`${b.id} us-east-1b`), `both instances answer: ${before.join(', ')}`)

  // Stop a: its process ends, its target is unused (Target.InvalidState) and traffic stays on b.
  const stopped = await ec2.send(new StopInstancesCommand({ InstanceIds: [a.id] }))
  assert.deepEqual([stopped.StoppingInstances?.[0]?.PreviousState?.Name, stopped.StoppingInstances?.[0]?.CurrentState?.Name], ['running', 'stopping'])
  await eventually(async () => (await states())[a.id] === 'stopped', { timeoutMs: 8000, message: 'a stopped' })
  assert.equal(await accepts(a.ip, 4000), false, 'the stopped instance\'s server is gone')
  await eventually(async () => (await health())[a.id]?.TargetHealth?.Reason === 'Target.InvalidState', { timeoutMs: 5000, message: 'a unused' })
  assert.equal((await health())[a.id]?.TargetHealth?.State, 'unused')
  assert.deepEqual([...new Set(await answers(10))], [`${b.id} us-east-1b`])

  const console = await ec2.send(new GetConsoleOutputCommand({ InstanceId: a.id }))
  const text = Buffer.from(console.Output ?? '', 'base64').toString('utf8')
  assert.match(text, new RegExp(`web server for ${a.id} in us-east-1a \\(${subnetA}, ${vpcId}\\)`))
  assert.match(text, new RegExp(`listening on ${a.ip.replace(/\./g, '\\.')}:4000`))
  assert.match(text, /process exited \(SIGTERM\)/)

  const status = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [b.id] }))
  assert.equal(status.InstanceStatuses?.[0]?.InstanceStatus?.Status, 'ok')

  // Start it again: the same address, the process runs again.
  await ec2.send(new StartInstancesCommand({ InstanceIds: [a.id] }))
  await eventually(() => accepts(a.ip, 4000), { timeoutMs: 5000, message: 'a serving again after start' })

  // Terminate: the registration stays (ELB does not deregister); a terminated instance cannot be registered.
  const terminated = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [a.id] }))
  assert.equal(terminated.TerminatingInstances?.[0]?.CurrentState?.Name, 'shutting-down')
  await eventually(async () => (await states())[a.id] === 'terminated', { timeoutMs: 8000, message: 'a terminated' })
  await eventually(async () => (await health())[a.id]?.TargetHealth?.Reason === 'Target.InvalidState', { timeoutMs: 5000, message: 'a unused after terminate' })
  await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: a.id }] })), 'InvalidTargetException', /not in a running state/)
  await rejectsWith(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: 'i-00000000000000000' }] })), 'InvalidTargetException')
  await rejectsWith(ec2.send(new StartInstancesCommand({ InstanceIds: [a.id] })), 'IncorrectInstanceState')

  // openalb's shutdown ends the processes it started.
  await lb.close()
  assert.equal(await accepts(b.ip, 4000), false, 'no instance process outlives openalb')
})

test('without --run-user-data a user data script is refused with a clear error; an instance without one runs', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-instances-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const ec2 = new EC2Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials, maxAttempts: 1 })
  await rejectsWith(
    ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 1, MaxCount: 1, UserData: Buffer.from(WEB_SERVER).toString('base64') })),
    'UnsupportedOperation',
    /--run-user-data/,
  )
  const r = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 2, MaxCount: 2 }))
  assert.equal(r.Instances?.length, 2)
  assert.deepEqual(r.Instances?.map((i) => i.Placement?.AvailabilityZone), ['us-east-1a', 'us-east-1a'])
  const ids = r.Instances?.map((i) => i.InstanceId ?? '') ?? []
  await eventually(async () => {
    const out = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids }))
    return out.InstanceStatuses?.length === 2 && out.InstanceStatuses.every((s) => s.InstanceState?.Name === 'running')
  }, { timeoutMs: 5000, message: 'both running' })
  await rejectsWith(ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 30, MaxCount: 30 })), 'InstanceLimitExceeded')
  const once = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 1, MaxCount: 1, ClientToken: 'once' }))
  const again = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 1, MaxCount: 1, ClientToken: 'once' }))
  assert.equal(again.Instances?.[0]?.InstanceId, once.Instances?.[0]?.InstanceId, 'the same ClientToken answers the same instance')
  await rejectsWith(ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 1, MaxCount: 1, KeyName: 'mine' })), 'InvalidParameterValue', /KeyName/)
  const plain = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', MinCount: 1, MaxCount: 1, Monitoring: { Enabled: false }, DisableApiTermination: false }))
  assert.equal(plain.Instances?.length, 1)
  await rejectsWith(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000'] })), 'InvalidInstanceID.NotFound')
})
