import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import type { Dataplane } from '../../../src/dataplane/dataplane.js'
import type { LoadBalancer } from '../../../src/model/load-balancer.js'
import type { TargetGroup } from '../../../src/model/target-group.js'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, forward, listener, loadBalancer, securityGroup, startDataplane, state, targetGroup } from './fixtures.js'
import { sha256, startEchoTarget, TcpClient, type EchoTarget } from './tcp-targets.js'

const NLB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/tcp-nlb/0123456789abcdef'

/** Health the test sets by hand: key -> routable (default true). */
class FakeHealth {
  readonly down = new Set<string>()
  isRoutable(_group: string, key: string): boolean {
    return !this.down.has(key)
  }
}

function nlb(more: Partial<LoadBalancer> = {}): LoadBalancer {
  return { ...loadBalancer({}, { type: 'network', name: 'tcp-nlb', ...more }), arn: NLB_ARN }
}

const tcpGroup = (targets: readonly EchoTarget[]): TargetGroup =>
  targetGroup('tcp-tg', targets.map((x) => ({ id: '127.0.0.1', port: x.port })), {}, { protocol: 'TCP', healthCheck: { ...targetGroup('x', []).healthCheck, protocol: 'TCP' } })

const tcpListener = (tg: TargetGroup) => ({ ...listener(0, [forward(tg)]), protocol: 'TCP' as const, loadBalancerArn: NLB_ARN })

async function setup(t: TestContext, n = 2, health = new FakeHealth()) {
  const targets: EchoTarget[] = []
  for (let i = 0; i < n; i++) targets.push(await startEchoTarget(t, `t${i}`))
  const tg = tcpGroup(targets)
  const l = tcpListener(tg)
  const lb = nlb()
  const dp = await startDataplane(t, state(1, lb, tg, l), { health })
  const port = dp.boundPort('127.0.0.1:0')
  assert.ok(port)
  const clients: TcpClient[] = []
  t.after(() => clients.forEach((c) => c.destroy()))
  const client = (options?: { allowHalfOpen?: boolean }) => {
    const c = new TcpClient(port, options)
    clients.push(c)
    return c
  }
  return { targets, tg, l, lb, dp, port, client, health }
}

test('a TCP listener splices each connection to one target, taking the targets in turn', async (t) => {
  const { client } = await setup(t)
  const names: string[] = []
  for (let i = 0; i < 4; i++) {
    const c = client()
    names.push(await c.greeting())
    c.socket.write('ping\n')
    await c.until((x) => x.text.endsWith('ping\n'), 5000, 'the echo')
    c.destroy()
  }
  assert.deepEqual(names, ['t0', 't1', 't0', 't1'])
})

test('half-close is kept: the client ends, the target still answers, then ends', async (t) => {
  const { client } = await setup(t, 1)
  const c = client()
  assert.equal(await c.greeting(), 't0')
  c.socket.end('last words')
  await c.until((x) => x.ended, 5000, 'the target\'s FIN after the echo')
  assert.equal(c.text, 't0\nlast words')
  await c.closed
})

test('64 MiB through a slow reader arrive whole: backpressure reaches the client, the relay holds little', async (t) => {
  const { client, dp } = await setup(t, 1)
  const c = client()
  await c.greeting()
  const payload = randomBytes(64 * 1024 * 1024)
  c.socket.pause()
  c.socket.write(payload)
  c.socket.end()
  // The reader holds back: once the kernel buffers on the way are full the echo stops, the relay
  // stops reading, and the rest stays with the writer instead of piling up in the balancer.
  await eventually(() => dp.l4BufferedBytes('127.0.0.1:0') > 0 || c.socket.writableLength > 0, { timeoutMs: 5000, message: 'the pipes full' })
  await new Promise((r) => setTimeout(r, 200))
  assert.ok(c.socket.writableLength > 0, 'the writer still holds bytes: the relay did not take everything')
  assert.ok(dp.l4BufferedBytes('127.0.0.1:0') < 4 * 1024 * 1024, `the relay holds ${dp.l4BufferedBytes('127.0.0.1:0')} bytes`)
  c.socket.resume()
  await c.until((x) => x.ended, 20_000, 'the whole echo')
  assert.equal(c.length, 3 + payload.length)
  assert.equal(sha256(c.received.subarray(3)), sha256(payload))
  await eventually(() => dp.l4Connections('127.0.0.1:0') === 0, { timeoutMs: 5000, message: 'the relay gone after both FINs' })
})

test('a target killed mid-connection: the client sees a reset, new connections go to the other', async (t) => {
  const { client, targets, dp } = await setup(t)
  const a = client()
  assert.equal(await a.greeting(), 't0')
  await targets[0]?.kill()
  await a.until((x) => x.socket.destroyed, 5000, 'the reset')
  assert.equal(a.error?.code, 'ECONNRESET')
  const after: string[] = []
  for (let i = 0; i < 4; i++) {
    const c = client()
    after.push(await c.greeting())
    c.destroy()
  }
  assert.deepEqual(after, ['t1', 't1', 't1', 't1'], 'a refused connect is tried on the other target')
  assert.ok(countsOf(dp).targetConnectionErrors >= 1)
})

test('no target can be reached: the client connection is reset', async (t) => {
  const { client, targets } = await setup(t, 1)
  await targets[0]?.kill()
  const c = client()
  await c.until((x) => x.socket.destroyed, 5000, 'the reset')
  assert.equal(c.error?.code, 'ECONNRESET')
})

test('security groups apply at accept: a source no rule allows is closed and counted', async (t) => {
  const target = await startEchoTarget(t, 't0')
  const tg = tcpGroup([target])
  const sg = securityGroup('only-10', [{ protocol: 'tcp', fromPort: 0, toPort: 65535, cidrs: ['10.0.0.0/8'], sourceGroups: [] }])
  const dp = await startDataplane(t, state(1, sg, nlb({ securityGroups: [sg.id] }), tg, tcpListener(tg)))
  const c = new TcpClient(dp.boundPort('127.0.0.1:0') ?? 0)
  t.after(() => c.destroy())
  await c.until((x) => x.ended || x.socket.destroyed, 5000, 'the refusal')
  assert.equal(c.length, 0)
  assert.equal(countsOf(dp).connectionsRejected, 1)
  assert.equal(target.sockets.size, 0, 'nothing reached the target')
})

test('deregistration: an open connection keeps working, new connections go to the remaining target', async (t) => {
  const { client, targets, tg, l, lb, dp } = await setup(t)
  const a = client()
  assert.equal(await a.greeting(), 't0')
  const t1 = targets[1] as EchoTarget
  await applyState(dp, state(2, lb, { ...tg, targets: [{ id: '127.0.0.1', port: t1.port }] }, l))
  a.socket.write('still here\n')
  await a.until((x) => x.text.endsWith('still here\n'), 5000, 'the draining connection\'s echo')
  for (let i = 0; i < 2; i++) {
    const c = client()
    assert.equal(await c.greeting(), 't1')
    c.destroy()
  }
  a.socket.end()
  await a.closed
})

test('a target turning unhealthy has its connections reset (NLB\'s unhealthy connection termination)', async (t) => {
  const { client, targets, tg, dp, health } = await setup(t)
  const a = client()
  assert.equal(await a.greeting(), 't0')
  health.down.add(`127.0.0.1:${(targets[0] as EchoTarget).port}`)
  dp.healthChanged(tg.arn, `127.0.0.1:${(targets[0] as EchoTarget).port}`)
  await a.until((x) => x.socket.destroyed, 5000, 'the reset')
  assert.equal(a.error?.code, 'ECONNRESET')
  const c = client()
  assert.equal(await c.greeting(), 't1')
})
