import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HealthChecker } from '../../../src/health/checker.js'
import type { MapStateView, Store } from '../../../src/store/state.js'
import { Dataplane } from '../../../src/dataplane/dataplane.js'
import { DnsServer } from '../../../src/dns/server.js'
import { Runtime } from '../../../src/runtime/runtime.js'
import { eventually } from '../../helpers/eventually.js'
import { balancer, decodeAnswer, lbAlias, query, rec, stateOf, zone } from '../../unit/dns/zone-fixture.js'
import { fixed, forward, freePort, get, instance, listener, loadBalancer, startBackend, state, targetGroup } from '../dataplane/fixtures.js'

/** A store holding one view at a time; set() publishes a new revision to watchers. */
class MemoryStore implements Store {
  private readonly watchers = new Set<(revision: number) => void>()
  constructor(private view: MapStateView) {}
  async load(): Promise<MapStateView> {
    return this.view
  }
  async commit(): Promise<number> {
    throw new Error('read-only in this test')
  }
  watch(onRevision: (revision: number) => void): () => void {
    this.watchers.add(onRevision)
    return () => this.watchers.delete(onRevision)
  }
  async close(): Promise<void> {}
  set(view: MapStateView): void {
    this.view = view
    for (const w of this.watchers) w(view.revision)
  }
}

test('runtime: a registered target turns healthy, traffic flows, and DescribeTargetHealth shows it', async (t) => {
  const backend = await startBackend(t, 'web-1')
  const web = instance('web-1', '127.0.0.1')
  const tg = targetGroup('web-tg', [{ id: web.id, port: backend.port }], {}, { targetType: 'instance' })
  const port = await freePort()
  const store = new MemoryStore(state(1, loadBalancer(), web, tg, listener(port, [forward(tg)])))
  const health = new HealthChecker({ random: () => 0 })
  const dataplane = new Dataplane({ health })
  const rt = new Runtime({ store, dataplane, health })
  t.after(async () => {
    await rt.stop()
    health.stop()
    await dataplane.close()
  })
  await rt.start()
  assert.equal(rt.snapshot?.revision, 1)
  await eventually(() => rt.describeTargetHealth(tg.arn)[0]?.state === 'healthy', { timeoutMs: 5000 })
  const r = await get(port, '/')
  assert.equal(r.body, 'web-1')
  assert.deepEqual(rt.describeTargetHealth(tg.arn), [{ target: { id: web.id, port: backend.port }, healthCheckPort: String(backend.port), state: 'healthy' }])
})

test('runtime: a new revision is applied; one that does not compile is rejected and the last good stays', async (t) => {
  const port = await freePort()
  const l = listener(port, [fixed('200', 'v1')])
  const store = new MemoryStore(state(1, loadBalancer(), l))
  const dataplane = new Dataplane()
  const rt = new Runtime({ store, dataplane })
  t.after(async () => {
    await rt.stop()
    await dataplane.close()
  })
  await rt.start()
  assert.equal((await get(port, '/')).body, 'v1')
  store.set(state(2, loadBalancer(), { ...l, defaultActions: [fixed('200', 'v2')] }))
  await eventually(async () => (await get(port, '/')).body === 'v2')
  // Forwarding to a group that does not exist cannot compile.
  store.set(state(3, loadBalancer(), { ...l, defaultActions: [forward(targetGroup('ghost', []))] }))
  await eventually(() => rt.lastFailures.length > 0)
  assert.equal(rt.snapshot?.revision, 2)
  assert.equal((await get(port, '/')).body, 'v2')
})

test('runtime: a deregistered target shows draining, then leaves', async (t) => {
  const backend = await startBackend(t, 'web-1')
  const tg = targetGroup('web-tg', [{ id: '127.0.0.1', port: backend.port }], { deregistrationDelaySeconds: 1 })
  const port = await freePort()
  const l = listener(port, [forward(tg)])
  const store = new MemoryStore(state(1, loadBalancer(), tg, l))
  const health = new HealthChecker({ random: () => 0 })
  const dataplane = new Dataplane({ health })
  const rt = new Runtime({ store, dataplane, health })
  t.after(async () => {
    await rt.stop()
    health.stop()
    await dataplane.close()
  })
  await rt.start()
  await eventually(() => rt.describeTargetHealth(tg.arn)[0]?.state === 'healthy')
  store.set(state(2, loadBalancer(), { ...tg, targets: [] }, l))
  await eventually(() => rt.describeTargetHealth(tg.arn)[0]?.state === 'draining')
  assert.equal(rt.describeTargetHealth(tg.arn)[0]?.reason, 'Target.DeregistrationInProgress')
  assert.equal((await get(port, '/')).status, 503)
  await eventually(() => rt.describeTargetHealth(tg.arn).length === 0, { timeoutMs: 4000 })
})

// The runtime alone follows the store: DNS and the certificate manager take in every revision from it.

function ask(server: DnsServer, name: string): { addresses: unknown[]; ttls: number[] } {
  const out = server.answer(query(name, 'A'), 'tcp')
  assert.ok(out, `an answer to ${name}`)
  const answers = (decodeAnswer(out).answers ?? []).filter((a) => a.type === 'A')
  return { addresses: answers.map((a) => ('data' in a ? a.data : undefined)), ttls: answers.map((a) => ('ttl' in a ? (a.ttl ?? -1) : -1)) }
}

test('runtime: DNS and certificates follow every revision, also one the data plane refuses', async (t) => {
  const port = await freePort()
  const lb = balancer({ bindAddress: '127.0.0.1' })
  const l = listener(port, [fixed('200', 'v1')], { loadBalancerArn: lb.arn })
  const alias = rec('api.example.test', 'A', [], 60, lbAlias(false))
  const store = new MemoryStore(stateOf([lb, l, zone(), alias, rec('a.example.test', 'A', ['192.0.2.1'])], 1))
  const dns = new DnsServer()
  const reconciled: number[] = []
  const dataplane = new Dataplane()
  const rt = new Runtime({ store, dataplane, dns, certificates: { reconcile: async (view) => void reconciled.push(view.revision) } })
  t.after(async () => {
    await rt.stop()
    await dataplane.close()
  })
  await rt.start()
  assert.deepEqual(ask(dns, 'api.example.test').addresses, ['127.0.0.1'])
  assert.deepEqual(ask(dns, 'a.example.test').addresses, ['192.0.2.1'])

  // Forwarding to a group that does not exist cannot compile; the record change in the same revision is served.
  store.set(stateOf([lb, { ...l, defaultActions: [forward(targetGroup('ghost', []))] }, zone(8), alias, rec('a.example.test', 'A', ['192.0.2.2'])], 2))
  assert.equal(await rt.settled(), 2)
  assert.ok(rt.lastFailures.length > 0)
  assert.equal(rt.snapshot?.revision, 1)
  assert.equal((await get(port, '/')).body, 'v1')
  assert.deepEqual(ask(dns, 'a.example.test').addresses, ['192.0.2.2'])
  assert.deepEqual(reconciled, [1, 2])
})

test('runtime: in a fleet a balancer answers the live nodes of its zones with the node TTL', async (t) => {
  const store = new MemoryStore(stateOf([balancer(), zone(), rec('api.example.test', 'A', [], 60, lbAlias(false))], 1))
  const dns = new DnsServer()
  const dataplane = new Dataplane()
  const rt = new Runtime({ store, dataplane, dns, node: { bindAddress: '127.0.0.2', zone: 'us-east-1a' }, fleet: { ttlSeconds: 5 } })
  t.after(async () => {
    await rt.stop()
    await dataplane.close()
  })
  await rt.start()
  assert.deepEqual(ask(dns, 'api.example.test').addresses, [], 'no live node yet')
  rt.setNodes([{ address: '127.0.0.2', zone: 'us-east-1a' }, { address: '127.0.0.3', zone: 'us-east-1c' }])
  assert.deepEqual(ask(dns, 'api.example.test'), { addresses: ['127.0.0.2'], ttls: [5] })
  rt.setNodes([{ address: '127.0.0.2', zone: 'us-east-1a' }, { address: '127.0.0.4', zone: 'us-east-1b' }])
  assert.deepEqual(ask(dns, 'api.example.test').addresses, ['127.0.0.2', '127.0.0.4'])
})
