import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import type { TargetGroup, TargetGroupAttributes } from '../../../src/model/target-group.js'
import type { Dataplane } from '../../../src/dataplane/dataplane.js'
import { applyState, forward, get, listener, loadBalancer, portOf, startBackend, startDataplane, state, targetGroup, type Backend } from './fixtures.js'
import { eventually } from '../../helpers/eventually.js'

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
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])), { health })
  const port = portOf(dp)
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
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const pending = get(port, '/slow')
  await eventually(() => slow.seen.length > 0, { message: 'the request to reach the target' })
  const counts = await tally(port, 5)
  assert.equal(counts.get('fast'), 5)
  release()
  assert.equal((await pending).body, 'slow')
})

/** A random source the test owns: a constant, or the golden-ratio sequence (evenly spread, no luck involved). */
function sequence(fixed?: number): () => number {
  let x = 0
  return () => (fixed !== undefined ? fixed : (x = (x + 0.6180339887498949) % 1))
}

test('weighted_random picks by the random source: a draw below the first share always goes to the first target', async (t) => {
  const bs = await backends(t, 2)
  const tg = targetGroup('web', bs.map((b) => ({ id: '127.0.0.1', port: b.port })), { algorithm: 'weighted_random' })
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])), { random: sequence(0.1) })
  const port = portOf(dp)
  // Round robin (the algorithm ignored) would answer b0, b1, b0, ...
  assert.deepEqual([...(await tally(port, 12))], [['b0', 12]])
})

test('weighted_random honours weights: a target a quarter into slow start gets a ninth of the requests', async (t) => {
  const bs = await backends(t, 3)
  const [b0, b1, b2] = bs.map((b) => ({ id: '127.0.0.1', port: b.port }))
  let nowMs = 1_000_000
  const tg = targetGroup('web', [b0!, b1!], { algorithm: 'weighted_random', slowStartSeconds: 40 })
  const view = (revision: number, group: TargetGroup) => state(revision, loadBalancer(), group, listener(0, [forward(group)]))
  const dp = await startDataplane(t, view(1, tg), { random: sequence(), now: () => nowMs })
  const port = portOf(dp)
  // b2 joins a group that already has targets: it ramps up over 40 s; 10 s in, its weight is 0.25.
  await applyState(dp, view(2, { ...tg, targets: [b0!, b1!, b2!] }))
  nowMs += 10_000
  const counts = await tally(port, 90)
  // Weights 1, 1, 0.25 of 2.25: 40, 40 and 10 of 90 (the even draws land within 2 of that).
  // With the weights ignored b2 would get 30; with the algorithm ignored, round robin's order.
  const got = ['b0', 'b1', 'b2'].map((name) => counts.get(name) ?? 0)
  assert.ok(got[2]! >= 8 && got[2]! <= 12, `b2 got ${got[2]} of 90: ${JSON.stringify(got)}`)
  assert.ok(got[0]! >= 38 && got[0]! <= 42 && got[1]! >= 38 && got[1]! <= 42, JSON.stringify(got))
})

test('weighted forward splits traffic by weight within a statistical bound', async (t) => {
  const [a, b] = await backends(t, 2)
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a!.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b!.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(0, [forward({ tg: tgA, weight: 3 }, { tg: tgB, weight: 1 })])))
  const port = portOf(dp)
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
  const dp = await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(0, [forward({ tg: tgA, weight: 1 }, { tg: tgB, weight: 0 })])))
  const port = portOf(dp)
  assert.equal((await tally(port, 20)).get('b0'), 20)
})

test('group stickiness (AWSALBTG) keeps a client on the group it first got', async (t) => {
  const [a, b] = await backends(t, 2)
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a!.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b!.port }])
  const action: Action = { ...(forward({ tg: tgA, weight: 1 }, { tg: tgB, weight: 1 }) as Extract<Action, { type: 'forward' }>), stickiness: { enabled: true, durationSeconds: 600 } }
  const dp = await startDataplane(t, state(1, loadBalancer(), tgA, tgB, listener(0, [action])))
  const port = portOf(dp)
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
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
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
  const key1 = `127.0.0.1:${bs[1]!.port}`
  health.down.add(key1)
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])), { health, now: () => now })
  const port = portOf(dp)
  health.down.delete(key1)
  dp.healthChanged(tg.arn, key1)
  now += 3_000 // 10% into the ramp
  const early = (await tally(port, 60)).get('b1') ?? 0
  now += 30_000 // ramp over
  const late = (await tally(port, 60)).get('b1') ?? 0
  assert.ok(early < 20, `early share ${early}/60`)
  assert.equal(late, 30)
})
