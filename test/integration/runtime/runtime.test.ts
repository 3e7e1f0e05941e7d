import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HealthChecker } from '../../../src/health/checker.js'
import type { MapStateView, Store } from '../../../src/store/state.js'
import { Dataplane } from '../../../src/dataplane/dataplane.js'
import { Runtime } from '../../../src/runtime/runtime.js'
import { eventually } from '../../helpers/eventually.js'
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
