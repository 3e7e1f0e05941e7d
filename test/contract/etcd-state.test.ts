import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { openEtcdStore, parseEtcdUrl } from '../../src/store/etcd/etcd-store.js'
import { StoreUnavailable, type Store } from '../../src/store/state.js'
import { eventually } from '../helpers/eventually.js'
import { needsEtcd, startEtcd, type EtcdCluster } from '../helpers/etcd.js'
import { sg, stateContract } from './state.js'

const skip = needsEtcd()
let single: EtcdCluster | undefined
let prefixes = 0

before(async () => {
  if (!skip) single = await startEtcd(1)
})
after(async () => {
  await single?.stop()
})

// Every test gets its own key prefix on the one single-member etcd, as separate stores would.
stateContract(
  'etcd',
  async () => {
    const url = `${single!.url}/t${++prefixes}`
    const opened: Store[] = []
    const open = () => {
      const s = openEtcdStore(url)
      opened.push(s)
      return s
    }
    return {
      store: open(),
      reopen: async () => open(),
      cleanup: async () => {
        for (const s of opened) await s.close()
      },
    }
  },
  { skip },
)

test('etcd URLs name members and an optional key prefix', () => {
  assert.deepEqual(parseEtcdUrl('etcd://127.0.0.1:2379'), { hosts: ['127.0.0.1:2379'], prefix: '/openalb' })
  assert.deepEqual(parseEtcdUrl('etcd://a:1,b:2/fleet-x/'), { hosts: ['a:1', 'b:2'], prefix: '/fleet-x' })
  assert.throws(() => parseEtcdUrl('etcd://a'), /not HOST:PORT/)
  assert.throws(() => parseEtcdUrl('http://a:1'), /etcd:\/\/HOST:PORT/)
})

test('etcd: nodes register under a lease, are listed while alive and leave when they stop', { skip }, async () => {
  const a = openEtcdStore(`${single!.url}/nodes1`, { leaseTtlSeconds: 2 })
  const b = openEtcdStore(`${single!.url}/nodes1`, { leaseTtlSeconds: 2 })
  try {
    const node = (name: string, zone: string) => ({ name, zone, address: '127.0.0.2', controlUrl: 'http://127.0.0.2:4566', version: 'v', startedAt: new Date().toISOString(), workers: 1 })
    const seen: string[][] = []
    const stop = b.fleet!.watchNodes((nodes) => seen.push(nodes.map((n) => n.name)))
    const m1 = await a.fleet!.join(node('n1', 'us-east-1a'))
    const m2 = await a.fleet!.join(node('n2', 'us-east-1b'))
    assert.deepEqual((await b.fleet!.nodes()).map((n) => `${n.name}@${n.zone}`), ['n1@us-east-1a', 'n2@us-east-1b'])
    await eventually(() => seen.some((s) => s.length === 2), { message: 'the watcher saw both nodes' })
    // Renewed: still there after more than one TTL.
    await new Promise((r) => setTimeout(r, 2500))
    assert.equal((await b.fleet!.nodes()).length, 2)
    await m1.leave()
    assert.deepEqual((await b.fleet!.nodes()).map((n) => n.name), ['n2'])
    await eventually(() => JSON.stringify(seen.at(-1)) === '["n2"]', { message: 'the watcher saw n1 leave' })
    await m2.leave()
    stop()
  } finally {
    await a.close()
    await b.close()
  }
})

test('etcd: a fleet lock is held by one node at a time', { skip }, async () => {
  const a = openEtcdStore(`${single!.url}/locks1`)
  const b = openEtcdStore(`${single!.url}/locks1`)
  try {
    let inner: boolean | undefined
    const ran = await a.fleet!.tryLock('certificates', async () => {
      inner = await b.fleet!.tryLock('certificates', async () => undefined)
    })
    assert.equal(ran, true)
    assert.equal(inner, false, 'the second node could not take the lock while the first held it')
    assert.equal(await b.fleet!.tryLock('certificates', async () => undefined), true, 'free again after release')
  } finally {
    await a.close()
    await b.close()
  }
})

test('etcd unreachable: reads and writes fail with StoreUnavailable, and the watcher catches up when it is back', { skip }, async () => {
  const cluster = await startEtcd(1)
  const s = openEtcdStore(cluster.url, { callTimeoutMs: 500 })
  try {
    assert.equal(await s.commit(0, [{ op: 'put', resource: sg('sg-1') }]), 1)
    const seen: number[] = []
    const stop = s.watch((r) => seen.push(r))
    await eventually(() => seen.includes(1), { message: 'the watcher started' })
    await cluster.members[0]!.kill()
    await assert.rejects(s.commit(1, [{ op: 'put', resource: sg('sg-2') }]), (e: unknown) => e instanceof StoreUnavailable && /unavailable/.test(e.message))
    await assert.rejects(s.load(), StoreUnavailable)
    await cluster.members[0]!.restart()
    // Another writer commits while this store's watch reconnects: it still hears the revision.
    const other = openEtcdStore(cluster.url)
    await eventually(async () => (await other.load().then(() => true, () => false)), { message: 'etcd answers again', timeoutMs: 10000 })
    await other.commit(1, [{ op: 'put', resource: sg('sg-2') }])
    await other.close()
    await eventually(() => seen.includes(2), { message: 'revision 2 seen after the outage', timeoutMs: 10000 })
    assert.equal((await s.load()).get('security-group', 'sg-2')?.id, 'sg-2')
    stop()
  } finally {
    await s.close()
    await cluster.stop()
  }
})

test('etcd with three members: one member killed, writes still succeed; two killed, they fail', { skip }, async () => {
  const cluster = await startEtcd(3)
  const s = openEtcdStore(cluster.url, { callTimeoutMs: 1000 })
  try {
    assert.equal(await s.commit(0, [{ op: 'put', resource: sg('sg-1') }]), 1)
    await cluster.members[0]!.kill()
    await eventually(async () => (await s.commit(1, [{ op: 'put', resource: sg('sg-2') }]).then(() => true, () => false)), { message: 'a write with one member down', timeoutMs: 10000 })
    assert.equal((await s.load()).revision, 2)
    await cluster.members[1]!.kill()
    await assert.rejects(s.commit(2, [{ op: 'put', resource: sg('sg-3') }]), StoreUnavailable)
  } finally {
    await s.close()
    await cluster.stop()
  }
})
