import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import { pino } from 'pino'
import { boundAddresses } from '../../../src/compute/address-claims.js'
import { startOpenalb } from '../../../src/main.js'
import { eventually } from '../../helpers/eventually.js'

const RANGE = '127.113.0.0/16'
process.env.OPENALB_INSTANCE_ADDRESSES = RANGE

test('boundAddresses sees TCP and UDP sockets bound to loopback addresses', async (t) => {
  const tcp = createServer()
  await new Promise<void>((resolve) => tcp.listen(0, '127.113.9.1', resolve))
  const udp = createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(0, '127.113.9.2', resolve))
  t.after(() => {
    tcp.close()
    udp.close()
  })
  const bound = boundAddresses()
  assert.ok(bound.has('127.113.9.1'), 'the TCP listener')
  assert.ok(bound.has('127.113.9.2'), 'the UDP socket')
  assert.ok(!bound.has('127.113.9.3'))
})

test('two openalbs on one machine, same range: a launch skips addresses bound by anyone else, including the other\'s instances (claimed from launch to termination)', async (t) => {
  // Something unrelated already holds the range's first address.
  const other = createServer()
  await new Promise<void>((resolve) => other.listen(0, '127.113.0.1', resolve))
  const dirs = [mkdtempSync(join(tmpdir(), 'openalb-claims-a-')), mkdtempSync(join(tmpdir(), 'openalb-claims-b-'))]
  const nodes = await Promise.all(dirs.map((dataDir) => startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })))
  t.after(async () => {
    for (const n of nodes) await n.close()
    other.close()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })
  const clients = nodes.map((n) => new EC2Client({ endpoint: n.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }))
  const [a, b] = clients as [EC2Client, EC2Client]
  const launch = async (c: EC2Client) => {
    const i = (await c.send(new RunInstancesCommand({ ImageId: 'ami-web', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances?.[0]
    return { id: i?.InstanceId ?? '', ip: i?.PrivateIpAddress ?? '' }
  }
  const first = await launch(a)
  assert.equal(first.ip, '127.113.0.2', 'the bound .1 is skipped')
  // The first openalb claims .2 once its supervisor has seen the instance (it has no program to bind it).
  await eventually(() => boundAddresses().has('127.113.0.2'), { timeoutMs: 5000, message: 'the instance address is claimed' })
  const second = await launch(b)
  assert.equal(second.ip, '127.113.0.3', 'the other openalb\'s instance address is skipped')
  // Its own instances' addresses are not "someone else's": the first openalb's next launch takes .4, not a bind error.
  assert.equal((await launch(a)).ip, '127.113.0.4')
  // Terminated, the instance gives its address back to the machine.
  await a.send(new TerminateInstancesCommand({ InstanceIds: [first.id] }))
  await eventually(async () => (await a.send(new DescribeInstancesCommand({ InstanceIds: [first.id] }))).Reservations?.[0]?.Instances?.[0]?.State?.Name === 'terminated', { timeoutMs: 10000, message: 'terminated' })
  await eventually(() => !boundAddresses().has('127.113.0.2'), { timeoutMs: 5000, message: 'the claim is let go' })
  assert.equal((await launch(b)).ip, '127.113.0.2')
})
