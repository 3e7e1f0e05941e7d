import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Dataplane } from '../../../src/dataplane/dataplane.js'
import type { L4ListenerSnapshot, Snapshot } from '../../../src/dataplane/snapshot.js'
import type { Listener } from '../../../src/model/listener.js'
import type { LoadBalancer } from '../../../src/model/load-balancer.js'
import type { TargetGroup, TargetGroupAttributes } from '../../../src/model/target-group.js'
import type { MapStateView } from '../../../src/store/state.js'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, compile, forward, freePort, listener, loadBalancer, securityGroup, startDataplane, state, targetGroup } from './fixtures.js'
import { startEchoTarget, startUdpTarget, TcpClient, udpClient } from './tcp-targets.js'

const NLB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/udp-nlb/0123456789abcdef'
const nlb = (more: Partial<LoadBalancer> = {}): LoadBalancer => ({ ...loadBalancer({}, { type: 'network', name: 'udp-nlb', ...more }), arn: NLB_ARN })
const group = (ports: number[], protocol: 'UDP' | 'TCP_UDP' | 'TCP', attrs: Partial<TargetGroupAttributes> = {}): TargetGroup =>
  targetGroup(`${protocol.toLowerCase().replace('_', '-')}-tg`, ports.map((port) => ({ id: '127.0.0.1', port })), attrs, { protocol })
const l4 = (tg: TargetGroup, protocol: Listener['protocol'], port = 0): Listener => ({ ...listener(port, [forward(tg)]), protocol, loadBalancerArn: NLB_ARN })

/** The compiled snapshot with every UDP flow's idle timeout cut to `idleMs` (NLB's is 120 s). */
function withIdle(view: MapStateView, idleMs: number): Snapshot {
  const s = compile(view)
  const l4s = new Map<string, L4ListenerSnapshot>()
  for (const [k, v] of s.l4Listeners ?? []) l4s.set(k, v.protocol === 'UDP' ? { ...v, idleTimeoutMs: idleMs } : v)
  return { ...s, l4Listeners: l4s }
}

async function udpPlane(t: TestContext, view: MapStateView, idleMs = 120_000): Promise<{ dp: Dataplane; port: number }> {
  const dp = await startDataplane(t, state(0))
  await dp.apply(withIdle(view, idleMs))
  const port = dp.boundPort('udp 127.0.0.1:0')
  assert.ok(port)
  return { dp, port }
}

test('a UDP listener forwards datagrams per flow: each client address and port keeps its target, replies come back', async (t) => {
  const [u0, u1] = [await startUdpTarget(t, 'u0'), await startUdpTarget(t, 'u1')]
  const tg = group([u0.port, u1.port], 'UDP')
  const { dp, port } = await udpPlane(t, state(1, nlb(), tg, l4(tg, 'UDP')))
  const a = await udpClient(t, port)
  const b = await udpClient(t, port)
  assert.equal(await a.reply('one'), 'u0:one')
  assert.equal(await b.reply('two'), 'u1:two', 'a new flow takes the next target')
  assert.equal(await a.reply('three'), 'u0:three', 'the flow keeps its target')
  assert.equal(dp.udpFlows('udp 127.0.0.1:0'), 2)
})

test('an idle UDP flow is forgotten; the client\'s next datagram starts a new flow', async (t) => {
  const [u0, u1] = [await startUdpTarget(t, 'u0'), await startUdpTarget(t, 'u1')]
  const tg = group([u0.port, u1.port], 'UDP')
  const { dp, port } = await udpPlane(t, state(1, nlb(), tg, l4(tg, 'UDP')), 150)
  const a = await udpClient(t, port)
  assert.equal(await a.reply('x'), 'u0:x')
  await eventually(() => dp.udpFlows('udp 127.0.0.1:0') === 0, { timeoutMs: 3000, message: 'the flow idled out' })
  assert.equal(await a.reply('y'), 'u1:y', 'a new flow, the next target')
})

test('TCP_UDP: one port takes TCP connections and UDP datagrams, to the same targets', async (t) => {
  const tcp = await startEchoTarget(t, 'both')
  const udp = await startUdpTarget(t, 'both', tcp.port)
  const tg = group([tcp.port], 'TCP_UDP')
  const port = await freePort()
  const dp = await startDataplane(t, state(1, nlb(), tg, l4(tg, 'TCP_UDP', port)))
  assert.equal(dp.boundPort(`127.0.0.1:${port}`), port)
  assert.equal(dp.boundPort(`udp 127.0.0.1:${port}`), port, 'TCP and UDP on one port')
  const c = new TcpClient(port)
  t.after(() => c.destroy())
  assert.equal(await c.greeting(), 'both')
  const u = await udpClient(t, port)
  assert.equal(await u.reply('dgram'), 'both:dgram')
  assert.deepEqual(udp.received, ['dgram'])
})

test('security groups: a UDP listener admits only sources of its UDP rules', async (t) => {
  const u0 = await startUdpTarget(t, 'u0')
  const tg = group([u0.port], 'UDP')
  const tcpOnly = securityGroup('tcp-only', [{ protocol: 'tcp', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/0'], sourceGroups: [] }])
  const { dp, port } = await udpPlane(t, state(1, tcpOnly, nlb({ securityGroups: [tcpOnly.id] }), tg, l4(tg, 'UDP')))
  const a = await udpClient(t, port)
  await assert.rejects(a.reply('blocked', 300))
  assert.deepEqual(u0.received, [])
  assert.ok(countsOf(dp).connectionsRejected >= 1)
  const udpOpen = securityGroup('udp-open', [{ protocol: 'udp', fromPort: 0, toPort: 65535, cidrs: ['127.0.0.0/8'], sourceGroups: [] }])
  await dp.apply(withIdle(state(2, udpOpen, nlb({ securityGroups: [udpOpen.id] }), tg, l4(tg, 'UDP')), 120_000))
  assert.equal(await a.reply('allowed'), 'u0:allowed')
})

test('deregistration of a UDP target: its flow lives until the delay ends, then is closed (termination is on for UDP)', async (t) => {
  const [u0, u1] = [await startUdpTarget(t, 'u0'), await startUdpTarget(t, 'u1')]
  const tg = group([u0.port, u1.port], 'UDP', { deregistrationDelaySeconds: 1 })
  const lb = nlb()
  const l = l4(tg, 'UDP')
  const { dp, port } = await udpPlane(t, state(1, lb, tg, l))
  const a = await udpClient(t, port)
  assert.equal(await a.reply('before'), 'u0:before')
  await dp.apply(withIdle(state(2, lb, { ...tg, targets: [{ id: '127.0.0.1', port: u1.port }] }, l), 120_000))
  assert.equal(await a.reply('draining'), 'u0:draining', 'the flow stays on its draining target')
  const b = await udpClient(t, port)
  assert.equal(await b.reply('new'), 'u1:new', 'a new flow goes to the remaining target')
  await eventually(() => dp.udpFlows('udp 127.0.0.1:0') === 1, { timeoutMs: 4000, message: 'the draining flow closed at the end of the delay' })
  assert.equal(await a.reply('after'), 'u1:after')
})

test('deregistration with connection_termination on a TCP group: the open connection is reset when the delay ends', async (t) => {
  const [t0, t1] = [await startEchoTarget(t, 't0'), await startEchoTarget(t, 't1')]
  const tg = group([t0.port, t1.port], 'TCP', { deregistrationDelaySeconds: 1, connectionTermination: true })
  const lb = nlb()
  const l = l4(tg, 'TCP')
  const dp = await startDataplane(t, state(1, lb, tg, l))
  const c = new TcpClient(dp.boundPort('127.0.0.1:0') ?? 0)
  t.after(() => c.destroy())
  assert.equal(await c.greeting(), 't0')
  const started = Date.now()
  await dp.apply(withIdle(state(2, lb, { ...tg, targets: [{ id: '127.0.0.1', port: t1.port }] }, l), 120_000))
  c.socket.write('still\n')
  await c.until((x) => x.text.endsWith('still\n'), 3000, 'the echo while draining')
  await c.until((x) => x.socket.destroyed, 4000, 'the reset at the end of the delay')
  assert.equal(c.error?.code, 'ECONNRESET')
  assert.ok(Date.now() - started >= 900, 'not before the delay')
})
