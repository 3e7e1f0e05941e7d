import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import type { TargetGroup, TargetGroupAttributes } from '../../../src/model/target-group.js'
import type { Dataplane } from '../../../src/dataplane/dataplane.js'
import { forward, freePort, get, listener, loadBalancer, startBackend, startDataplane, state, targetGroup, type Backend } from './fixtures.js'

/** Health the test sets by hand: key -> routable (default true). */
class FakeHealth {
  readonly down = new Set<string>()
  isRoutable(_group: string, key: string): boolean {
    return !this.down.has(key)
  }
}

async function backends(t: TestContext, n: number): Promise<Backend[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startBackend(t, `b${i}`)))
}

async function setup(
  t: TestContext,
  n: number,
  attrs: Partial<TargetGroupAttributes> = {},
  health = new FakeHealth(),
): Promise<{ port: number; bs: Backend[]; tg: TargetGroup; dp: Dataplane; health: FakeHealth }> {
  const bs = await backends(t, n)
  const tg = targetGroup('web', bs.map((b) => ({ id: '127.0.0.1', port: b.port })), attrs)
  const port = await freePort()
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(port, [forward(tg)])), { health })
  return { port, bs, tg, dp, health }
}

async function tally(port: number, n: number, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const r = await get(port, '/', headers)
    counts.set(r.body, (counts.get(r.body) ?? 0) + 1)
  }
  return counts
}

test('round_robin takes the targets in turn', async (t) => {
  const { port } = await setup(t, 3)
  const seq: string[] = []
  for (let i = 0; i < 6; i++) seq.push((await get(port, '/')).body)
  assert.deepEqual(seq.slice(3), seq.slice(0, 3))
  assert.equal(new Set(seq).size, 3)
})

test('least_outstanding_requests avoids the target busy with a slow request', async (t) => {
  let release: () => void = () => {}
  const slow = await startBackend(t, 'slow', (req, res) => {
    req.resume()
    if (req.url === '/slow') release = () => res.end('slow')
    else res.end('slow')
  })
  const fast = await startBackend(t, 'fast')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: slow.port }, { id: '127.0.0.1', port: fast.port }], { algorithm: 'least_outstanding_requests' })
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tg, listener(port, [forward(tg)])))
  const pending = get(port, '/slow')
  while (slow.seen.length === 0) await new Promise((r) => setImmediate(r))
  const counts = await tally(port, 5)
  assert.equal(counts.get('fast'), 5)
  release()
  assert.equal((await pending).body, 'slow')
})

test('weighted_random spreads requests over every target', async (t) => {
  const { port } = await setup(t, 2, { algorithm: 'weighted_random' })
  const counts = await tally(port, 60)
  // Each share is binomial(60, 0.5): below 12 happens with probability < 1e-6.
  assert.ok((counts.get('b0') ?? 0) >= 12 && (counts.get('b1') ?? 0) >= 12, JSON.stringify([...counts]))
})

test('weighted forward splits traffic by weight within a statistical bound', async (t) => {
  const [a, b] = await backends(t, 2)
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a!.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b!.port }])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(port, [forward({ tg: tgA, weight: 3 }, { tg: tgB, weight: 1 })])))
  const n = 200
  const counts = await tally(port, n)
  // Expected 150 for a; sd = sqrt(200 * .75 * .25) ~ 6.1; 5 sd either side.
  const hits = counts.get('b0') ?? 0
  assert.ok(hits > 150 - 31 && hits < 150 + 31, `a got ${hits} of ${n}`)
})

test('a weight of 0 gets nothing', async (t) => {
  const [a, b] = await backends(t, 2)
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a!.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b!.port }])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(port, [forward({ tg: tgA, weight: 1 }, { tg: tgB, weight: 0 })])))
  assert.equal((await tally(port, 20)).get('b0'), 20)
})

test('group stickiness (AWSALBTG) keeps a client on the group it first got', async (t) => {
  const [a, b] = await backends(t, 2)
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a!.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b!.port }])
  const port = await freePort()
  const action: Action = { ...(forward({ tg: tgA, weight: 1 }, { tg: tgB, weight: 1 }) as Extract<Action, { type: 'forward' }>), stickiness: { enabled: true, durationSeconds: 600 } }
  await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(port, [action])))
  const first = await get(port, '/')
  const cookie = String(first.headers['set-cookie']?.find((c) => c.startsWith('AWSALBTG='))?.split(';')[0])
  assert.match(cookie, /^AWSALBTG=/)
  const counts = await tally(port, 20, { cookie })
  assert.equal(counts.get(first.body), 20)
})

test('lb_cookie stickiness: AWSALB pins the target and carries an Expires for the duration', async (t) => {
  const { port } = await setup(t, 3, { stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 120 } })
  const first = await get(port, '/')
  const set = first.headers['set-cookie']?.find((c) => c.startsWith('AWSALB='))
  assert.ok(set)
  const expires = Date.parse(/Expires=([^;]+)/.exec(set)?.[1] ?? '')
  assert.ok(Math.abs(expires - (Date.now() + 120_000)) < 5000)
  assert.doesNotMatch(set, /127\.0\.0\.1/)
  const cookie = set.split(';')[0] ?? ''
  assert.equal((await tally(port, 10, { cookie })).get(first.body), 10)
})

test('a sticky target that turns unhealthy is replaced', async (t) => {
  const { port, tg, dp, health, bs } = await setup(t, 2, { stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 120 } })
  const first = await get(port, '/')
  const cookie = (first.headers['set-cookie']?.find((c) => c.startsWith('AWSALB=')) ?? '').split(';')[0] ?? ''
  const pinned = bs.find((b) => b.name === first.body)!
  health.down.add(`127.0.0.1:${pinned.port}`)
  dp.healthChanged(tg.arn, `127.0.0.1:${pinned.port}`)
  const r = await get(port, '/', { cookie })
  assert.notEqual(r.body, first.body)
  assert.ok(r.headers['set-cookie']?.some((c) => c.startsWith('AWSALB=') && !c.startsWith(cookie)))
})

test('app_cookie stickiness follows the application cookie with AWSALBAPP-0', async (t) => {
  const bs = await Promise.all(
    ['a0', 'a1'].map((name) =>
      startBackend(t, name, (req, res) => {
        req.resume()
        if (req.url === '/login') res.setHeader('set-cookie', 'SESSION=xyz; Path=/')
        res.end(name)
      }),
    ),
  )
  const tg = targetGroup('web', bs.map((b) => ({ id: '127.0.0.1', port: b.port })), {
    stickiness: { enabled: true, type: 'app_cookie', durationSeconds: 300, cookieName: 'SESSION' },
  })
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tg, listener(port, [forward(tg)])))
  const login = await get(port, '/login')
  const app = login.headers['set-cookie']?.find((c) => c.startsWith('AWSALBAPP-0='))
  assert.ok(app, 'AWSALBAPP-0 is set when the application sets its cookie')
  assert.ok(login.headers['set-cookie']?.some((c) => c.startsWith('SESSION=xyz')))
  const cookie = `SESSION=xyz; ${app.split(';')[0]}`
  assert.equal((await tally(port, 10, { cookie })).get(login.body), 10)
})

test('fail open: with every target unhealthy, requests go to all of them', async (t) => {
  const health = new FakeHealth()
  const { port, bs, tg, dp } = await setup(t, 2, {}, health)
  for (const b of bs) {
    health.down.add(`127.0.0.1:${b.port}`)
    dp.healthChanged(tg.arn, `127.0.0.1:${b.port}`)
  }
  const counts = await tally(port, 4)
  assert.equal(counts.size, 2)
})

test('unhealthy targets get no traffic while a healthy one remains', async (t) => {
  const health = new FakeHealth()
  const { port, bs, tg, dp } = await setup(t, 3, {}, health)
  for (const b of bs.slice(1)) {
    health.down.add(`127.0.0.1:${b.port}`)
    dp.healthChanged(tg.arn, `127.0.0.1:${b.port}`)
  }
  assert.equal((await tally(port, 6)).get('b0'), 6)
})

test('slow start ramps a newly healthy target up instead of giving it its full share at once', async (t) => {
  let now = 1_000_000
  const health = new FakeHealth()
  const bs = await backends(t, 2)
  const tg = targetGroup('web', bs.map((b) => ({ id: '127.0.0.1', port: b.port })), { slowStartSeconds: 30 })
  const port = await freePort()
  const key1 = `127.0.0.1:${bs[1]!.port}`
  health.down.add(key1)
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(port, [forward(tg)])), { health, now: () => now })
  health.down.delete(key1)
  dp.healthChanged(tg.arn, key1)
  now += 3_000 // 10% into the ramp
  const early = (await tally(port, 60)).get('b1') ?? 0
  now += 30_000 // ramp over
  const late = (await tally(port, 60)).get('b1') ?? 0
  assert.ok(early < 20, `early share ${early}/60`)
  assert.equal(late, 30)
})
