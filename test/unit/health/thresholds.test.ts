import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HealthChecker } from '../../../src/health/checker.js'
import { instanceResolver } from '../../helpers/instance-resolver.js'
import { FakeClock } from '../../../src/lib/fake-clock.js'
import { ScriptedProbe, TG_ARN, healthCheck, targetGroup } from './fixtures.js'

const A = '10.0.0.1:8080'
const ipTarget = { id: '10.0.0.1', port: 8080 }
const ctx = { resolveAddress: instanceResolver([]) }

/** A checker on a fake clock whose first check of every target falls at the start of the interval. */
function setup(random = () => 0) {
  const clock = new FakeClock()
  const probe = new ScriptedProbe(clock)
  const checker = new HealthChecker({ clock, probe: probe.probe, random })
  return { clock, probe, checker }
}

test('a newly registered target is initial (Elb.RegistrationInProgress) until its first check starts', () => {
  const { checker } = setup(() => 0.5)
  checker.update([targetGroup([ipTarget])], ctx)
  assert.deepEqual(checker.health(TG_ARN, A), {
    state: 'initial',
    reason: 'Elb.RegistrationInProgress',
    description: 'Target registration is in progress',
  })
  assert.equal(checker.isRoutable(TG_ARN, A), false)
  checker.stop()
})

test('while its first check is under way a new target is initial with Elb.InitialHealthChecking', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, 'hang')
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(0)
  assert.deepEqual(checker.health(TG_ARN, A), {
    state: 'initial',
    reason: 'Elb.InitialHealthChecking',
    description: 'Initial health checks in progress',
  })
  checker.stop()
})

test('a new target passing one check turns healthy, whatever the healthy threshold', async () => {
  const { clock, checker } = setup()
  checker.update([targetGroup([ipTarget], { healthCheck: healthCheck({ healthyThreshold: 5 }) })], ctx)
  await clock.advance(0)
  assert.deepEqual(checker.health(TG_ARN, A), { state: 'healthy' })
  assert.equal(checker.isRoutable(TG_ARN, A), true)
  checker.stop()
})

test('a healthy target failing 2 checks in a row turns unhealthy: Target.ResponseCodeMismatch with the code', async () => {
  const { clock, probe, checker } = setup()
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(0)
  probe.answer(A, { status: 503 })
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'healthy', 'one failure is below the unhealthy threshold')
  await clock.advance(10_000)
  assert.deepEqual(checker.health(TG_ARN, A), {
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
  })
  checker.stop()
})

test('a failure between successes resets the count: an unhealthy target needs healthyThreshold passes in a row', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 500 })
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'unhealthy', 'a new target failing unhealthyThreshold checks turns unhealthy')
  probe.answer(A, { status: 200 })
  await clock.advance(20_000)
  assert.equal(checker.state(TG_ARN, A), 'unhealthy', 'two passes are below the healthy threshold of 3')
  probe.answer(A, { status: 404 })
  await clock.advance(10_000)
  assert.equal(checker.health(TG_ARN, A)?.description, 'Health checks failed with these codes: [404]')
  probe.answer(A, { status: 200 })
  await clock.advance(20_000)
  assert.equal(checker.state(TG_ARN, A), 'unhealthy')
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  checker.stop()
})

test('a new target stays initial while failing fewer checks than the unhealthy threshold', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 503 })
  checker.update([targetGroup([ipTarget], { healthCheck: healthCheck({ unhealthyThreshold: 3 }) })], ctx)
  await clock.advance(10_000)
  assert.equal(checker.health(TG_ARN, A)?.reason, 'Elb.InitialHealthChecking')
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'unhealthy')
  checker.stop()
})

test('a check with no answer within the timeout fails with Target.Timeout and its request is aborted', async () => {
  const { clock, probe, checker } = setup()
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(0)
  probe.answer(A, 'hang')
  await clock.advance(10_000 + 4_999)
  assert.deepEqual(probe.aborted, [])
  await clock.advance(1)
  assert.deepEqual(probe.aborted, [A])
  await clock.advance(10_000 + 5_000)
  assert.deepEqual(checker.health(TG_ARN, A), { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' })
  checker.stop()
})

test('a refused connection or a malformed answer fails with Target.FailedHealthChecks', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { error: 'connect ECONNREFUSED 10.0.0.1:8080' })
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(10_000)
  assert.deepEqual(checker.health(TG_ARN, A), {
    state: 'unhealthy',
    reason: 'Target.FailedHealthChecks',
    description: 'Health checks failed',
  })
  checker.stop()
})

test('the matcher decides success: a range 200-299 accepts 204', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 204 })
  checker.update([targetGroup([ipTarget], { healthCheck: healthCheck({ matcher: '200-299' }) })], ctx)
  await clock.advance(0)
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  checker.stop()
})

test('checks of one target run one interval apart, on the configured path, protocol and port', async () => {
  const { clock, probe, checker } = setup()
  const hc = healthCheck({ port: '9000', protocol: 'HTTPS', path: '/ping', intervalSeconds: 7 })
  checker.update([targetGroup([ipTarget], { healthCheck: hc })], ctx)
  const t0 = clock.now()
  await clock.advance(30_000)
  assert.deepEqual(
    probe.callsTo('10.0.0.1:9000').map((at) => at - t0),
    [0, 7_000, 14_000, 21_000, 28_000],
  )
  const first = probe.calls[0]?.request
  assert.equal(first?.protocol, 'HTTPS')
  assert.equal(first?.path, '/ping')
  assert.equal(checker.describe(TG_ARN)[0]?.healthCheckPort, '9000')
  checker.stop()
})

test('first checks of 1000 targets are spread over the interval, not sent in one burst', async () => {
  let i = 0
  const { clock, probe, checker } = setup(() => (i++ % 1000) / 1000)
  const targets = Array.from({ length: 1000 }, (_, n) => ({ id: `10.1.${n >> 8}.${n & 255}`, port: 80 }))
  checker.update([targetGroup(targets)], ctx)
  const t0 = clock.now()
  await clock.advance(9_999)
  const perSecond = new Map<number, number>()
  for (const c of probe.calls) {
    const s = Math.floor((c.at - t0) / 1000)
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1)
  }
  assert.equal(probe.calls.length, 1000)
  assert.equal(perSecond.size, 10)
  for (const n of perSecond.values()) assert.equal(n, 100)
  checker.stop()
})

test('onChange reports state changes, not every check', async () => {
  const { clock, probe, checker } = setup()
  const seen: string[] = []
  checker.view().onChange((g, k, s) => seen.push(`${k} ${s}`))
  checker.update([targetGroup([ipTarget])], ctx)
  await clock.advance(30_000)
  probe.answer(A, { status: 502 })
  await clock.advance(30_000)
  assert.deepEqual(seen, [`${A} initial`, `${A} healthy`, `${A} unhealthy`])
  checker.stop()
})
