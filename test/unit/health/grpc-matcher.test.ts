import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HealthChecker } from '../../../src/health/checker.js'
import { grpcStatusOfHttp } from '../../../src/health/h2-probe.js'
import { instanceResolver } from '../../helpers/instance-resolver.js'
import { FakeClock } from '../../../src/lib/fake-clock.js'
import { ScriptedProbe, TG_ARN, healthCheck, targetGroup } from './fixtures.js'

const A = '10.0.0.1:50051'
const ipTarget = { id: '10.0.0.1', port: 50051 }
const ctx = { resolveAddress: instanceResolver([]) }

function setup() {
  const clock = new FakeClock()
  const probe = new ScriptedProbe(clock)
  const checker = new HealthChecker({ clock, probe: probe.probe, random: () => 0 })
  return { clock, probe, checker }
}

const grpcGroup = (grpcMatcher?: string) =>
  targetGroup([ipTarget], { protocolVersion: 'GRPC', healthCheck: healthCheck({ path: '/AWS.ALB/healthcheck', ...(grpcMatcher ? { grpcMatcher } : {}) }) })

test('a GRPC group asks the probe for a gRPC call and passes on its gRPC codes, not the HTTP status', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 200, grpcStatus: 0 })
  checker.update([grpcGroup('0-2')], ctx)
  await clock.advance(0)
  assert.equal(probe.calls[0]?.request.protocolVersion, 'GRPC')
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  probe.answer(A, { status: 200, grpcStatus: 5 })
  await clock.advance(10_000)
  await clock.advance(10_000)
  assert.deepEqual(checker.health(TG_ARN, A), { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [5]' })
  checker.stop()
})

test('a GRPC group without gRPC codes passes on ALB default 12 (UNIMPLEMENTED)', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 200, grpcStatus: 12 })
  checker.update([grpcGroup()], ctx)
  await clock.advance(0)
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  checker.stop()
})

test('HTTP2 groups are checked over HTTP/2 and judged by HTTP status', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 200, grpcStatus: 14 })
  checker.update([targetGroup([ipTarget], { protocolVersion: 'HTTP2' })], ctx)
  await clock.advance(0)
  assert.equal(probe.calls[0]?.request.protocolVersion, 'HTTP2')
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  checker.stop()
})

test('changing a GRPC group codes restarts its checks with the new codes', async () => {
  const { clock, probe, checker } = setup()
  probe.answer(A, { status: 200, grpcStatus: 0 })
  checker.update([grpcGroup('12')], ctx)
  await clock.advance(0)
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'unhealthy')
  checker.update([grpcGroup('0')], ctx)
  await clock.advance(0)
  await clock.advance(10_000)
  await clock.advance(10_000)
  assert.equal(checker.state(TG_ARN, A), 'healthy')
  checker.stop()
})

test('an answer without grpc-status maps to a gRPC code as gRPC clients map HTTP statuses', () => {
  const cases: [number, number][] = [[200, 13], [400, 13], [401, 16], [403, 7], [404, 12], [429, 14], [502, 14], [503, 14], [504, 14], [500, 2], [302, 2]]
  for (const [http, grpc] of cases) assert.equal(grpcStatusOfHttp(http), grpc, `HTTP ${http}`)
})
