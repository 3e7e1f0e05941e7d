import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HealthChecker } from '../../../src/health/checker.js'
import { instanceResolver } from '../../helpers/instance-resolver.js'
import { FakeClock } from '../../../src/lib/fake-clock.js'
import type { Instance } from '../../../src/model/instance.js'
import { hostInstance } from '../../helpers/instances.js'
import { ScriptedProbe, TG_ARN, healthCheck, targetGroup } from './fixtures.js'

const A = { id: '10.0.0.1', port: 80 }
const B = { id: '10.0.0.2', port: 80, availabilityZone: 'us-east-1b' }
const ctx = { resolveAddress: instanceResolver([]) }

function setup() {
  const clock = new FakeClock()
  const probe = new ScriptedProbe(clock)
  const checker = new HealthChecker({ clock, probe: probe.probe, random: () => 0 })
  return { clock, probe, checker }
}

test('a new configuration keeps the state of targets that remain and checks new ones from initial', async () => {
  const { clock, checker } = setup()
  checker.update([targetGroup([A])], ctx)
  await clock.advance(0)
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'healthy')
  checker.update([targetGroup([A, B])], { resolveAddress: instanceResolver([]) })
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'healthy')
  assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), 'initial')
  await clock.advance(0)
  assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), 'healthy')
  checker.stop()
})

test('a target removed from its group is no longer checked and reported gone', async () => {
  const { clock, probe, checker } = setup()
  const changes: string[] = []
  checker.onChange((g, k, s) => changes.push(`${k} ${String(s)}`))
  checker.update([targetGroup([A, B])], ctx)
  await clock.advance(0)
  checker.update([targetGroup([A])], ctx)
  const before = probe.callsTo('10.0.0.2:80').length
  await clock.advance(60_000)
  assert.equal(probe.callsTo('10.0.0.2:80').length, before)
  assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), undefined)
  assert.ok(changes.includes('10.0.0.2:80 undefined'))
  checker.update([], ctx)
  assert.deepEqual(checker.describe(TG_ARN), [])
  assert.equal(clock.pendingCount, 0, 'no timer is left once no group remains')
})

test('a changed health check restarts timing but keeps the state', async () => {
  const { clock, probe, checker } = setup()
  checker.update([targetGroup([A])], ctx)
  await clock.advance(5_000)
  const t = clock.now()
  checker.update([targetGroup([A], { healthCheck: healthCheck({ intervalSeconds: 20, path: '/v2' }) })], ctx)
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'healthy')
  await clock.advance(45_000)
  const after = probe.calls.filter((c) => c.at >= t)
  assert.deepEqual(after.map((c) => c.at - t), [0, 20_000, 40_000])
  assert.ok(after.every((c) => c.request.path === '/v2'))
  checker.stop()
})

test('an unchanged configuration does not disturb the rhythm of checks', async () => {
  const { clock, probe, checker } = setup()
  checker.update([targetGroup([A])], ctx)
  const t0 = clock.now()
  await clock.advance(3_000)
  checker.update([targetGroup([A])], ctx)
  await clock.advance(20_000)
  assert.deepEqual(probe.calls.map((c) => c.at - t0), [0, 10_000, 20_000])
  checker.stop()
})

test('targets of a group no balancer uses are unused with Target.NotInUse and not checked', async () => {
  const { clock, probe, checker } = setup()
  checker.update([targetGroup([A])], { ...ctx, isInUse: () => false })
  await clock.advance(60_000)
  assert.equal(probe.calls.length, 0)
  assert.deepEqual(checker.describe(TG_ARN), [
    {
      target: { id: '10.0.0.1', port: 80 },
      healthCheckPort: '80',
      state: 'unused',
      reason: 'Target.NotInUse',
      description: 'Target group is not configured to receive traffic from the load balancer',
    },
  ])
  checker.update([targetGroup([A])], { ...ctx, isInUse: () => true })
  assert.equal(checker.health(TG_ARN, '10.0.0.1:80')?.reason, 'Elb.RegistrationInProgress')
  await clock.advance(0)
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'healthy')
  checker.stop()
})

test('a deregistered target shows draining until its deregistration delay ends, then disappears', async () => {
  for (const order of ['update first', 'markDraining first']) {
    const { clock, probe, checker } = setup()
    checker.update([targetGroup([A, B])], ctx)
    await clock.advance(0)
    const until = clock.now() + 300_000
    if (order === 'update first') {
      checker.update([targetGroup([A])], ctx)
      checker.markDraining(TG_ARN, '10.0.0.2:80', until)
    } else {
      checker.markDraining(TG_ARN, '10.0.0.2:80', until)
      checker.update([targetGroup([A])], ctx)
    }
    const calls = probe.callsTo('10.0.0.2:80').length
    assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), 'draining', order)
    assert.equal(checker.isRoutable(TG_ARN, '10.0.0.2:80'), false)
    assert.deepEqual(checker.describe(TG_ARN)[1], {
      target: { id: '10.0.0.2', port: 80, availabilityZone: 'us-east-1b' },
      healthCheckPort: '80',
      state: 'draining',
      reason: 'Target.DeregistrationInProgress',
      description: 'Target deregistration is in progress',
    })
    await clock.advance(299_999)
    assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), 'draining', order)
    await clock.advance(1)
    assert.equal(checker.state(TG_ARN, '10.0.0.2:80'), undefined, order)
    assert.equal(checker.describe(TG_ARN).length, 1)
    assert.equal(probe.callsTo('10.0.0.2:80').length, calls, 'a draining target is not checked')
    checker.stop()
  }
})

test('a draining target registered again starts over from initial', async () => {
  const { clock, checker } = setup()
  checker.update([targetGroup([A])], ctx)
  await clock.advance(0)
  checker.markDraining(TG_ARN, '10.0.0.1:80', clock.now() + 300_000)
  checker.update([targetGroup([])], ctx)
  checker.update([targetGroup([A])], ctx)
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'initial')
  assert.equal(checker.describe(TG_ARN).length, 1)
  await clock.advance(300_000)
  assert.equal(checker.state(TG_ARN, '10.0.0.1:80'), 'healthy', 'the old drain timer does not remove it')
  checker.stop()
})

test('describing a target that is not registered answers unused with Target.NotRegistered', () => {
  const { checker } = setup()
  checker.update([targetGroup([A])], ctx)
  assert.deepEqual(checker.describeTargets(TG_ARN, [{ id: '10.9.9.9', port: 81 }, { id: '10.0.0.1' }]), [
    {
      target: { id: '10.9.9.9', port: 81 },
      healthCheckPort: '81',
      state: 'unused',
      reason: 'Target.NotRegistered',
      description: 'Target is not registered to the target group',
    },
    {
      target: { id: '10.0.0.1', port: 80 },
      healthCheckPort: '80',
      state: 'initial',
      reason: 'Elb.RegistrationInProgress',
      description: 'Target registration is in progress',
    },
  ])
  checker.stop()
})

test('instance targets are checked at their instance address; an unknown instance is unused with Target.InvalidState', async () => {
  const { clock, probe, checker } = setup()
  const web: Instance = hostInstance({ id: 'i-0123456789abcdef0', name: 'web-1', address: '127.0.0.5' })
  const tg = targetGroup(
    [
      { id: 'i-0123456789abcdef0', port: 4000 },
      { id: 'i-00000000000000000', port: 4000 },
    ],
    { targetType: 'instance' },
  )
  checker.update([tg], { resolveAddress: instanceResolver([web]) })
  await clock.advance(0)
  assert.deepEqual(probe.calls.map((c) => c.key), ['127.0.0.5:4000'])
  assert.equal(checker.state(TG_ARN, '127.0.0.5:4000'), 'healthy')
  assert.deepEqual(
    checker.describe(TG_ARN).map((d) => [d.target.id, d.state, d.reason]),
    [
      ['i-0123456789abcdef0', 'healthy', undefined],
      ['i-00000000000000000', 'unused', 'Target.InvalidState'],
    ],
  )
  checker.stop()
})

test('healthy and unhealthy host counts follow the checks', async () => {
  const { clock, probe, checker } = setup()
  probe.answer('10.0.0.2:80', { status: 500 })
  checker.update([targetGroup([A, B])], ctx)
  await clock.advance(10_000)
  assert.deepEqual(checker.counts(TG_ARN), { healthy: 1, unhealthy: 1 })
  checker.stop()
})
