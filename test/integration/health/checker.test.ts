import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HealthChecker } from '../../../src/health/checker.js'
import { httpProbe } from '../../../src/health/probe.js'
import { instanceResolver } from '../../helpers/instance-resolver.js'
import type { HealthCheck, TargetGroup } from '../../../src/model/target-group.js'
import { eventually } from '../../helpers/eventually.js'
import { flipBackend, garbageBackend, refusedPort, selfSigned, silentBackend } from './backends.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-tg/00000000000000aa'

// Below ALB's minimums on purpose, so the test runs in well under a second per transition.
function fastGroup(ports: readonly number[], hc: Partial<HealthCheck> = {}): TargetGroup {
  return {
    kind: 'target-group',
    arn: ARN,
    name: 'web-tg',
    protocol: 'HTTP',
    port: 80,
    targetType: 'ip',
    protocolVersion: 'HTTP1',
    vpcId: 'vpc-1',
    healthCheck: {
      enabled: true,
      protocol: 'HTTP',
      port: 'traffic-port',
      path: '/healthz',
      intervalSeconds: 0.1,
      timeoutSeconds: 0.08,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      matcher: '200',
      ...hc,
    },
    attributes: {
      deregistrationDelaySeconds: 0,
      slowStartSeconds: 0,
      algorithm: 'round_robin',
      stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
      crossZone: 'use_load_balancer_configuration',
      proxyProtocolV2: false,
    },
    targets: ports.map((port) => ({ id: '127.0.0.1', port })),
    tags: {},
  }
}

const ctx = { resolveAddress: instanceResolver([]) }

function startChecker(t: { after(fn: () => void): void }): HealthChecker {
  const checker = new HealthChecker({ random: () => 0 })
  t.after(() => checker.stop())
  return checker
}

test('a target that flips to 503 turns unhealthy with its code, and healthy again when it answers 200', async (t) => {
  const backend = await flipBackend(200)
  t.after(() => backend.close())
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup([backend.port])], ctx)
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy' })
  backend.status = 503
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy' })
  assert.deepEqual(checker.health(ARN, key), {
    state: 'unhealthy',
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [503]',
  })
  backend.status = 200
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy again' })
})

test('each check is a GET with ELB-HealthChecker/2.0 and Host address:port, on a connection closed afterwards', async (t) => {
  const backend = await flipBackend(200)
  t.after(() => backend.close())
  const checker = startChecker(t)
  checker.update([fastGroup([backend.port])], ctx)
  await eventually(() => backend.requests.length >= 3, { message: 'three checks' })
  checker.stop()
  const first = backend.requests[0]
  assert.equal(first?.method, 'GET')
  assert.equal(first?.url, '/healthz')
  assert.equal(first?.headers['user-agent'], 'ELB-HealthChecker/2.0')
  assert.equal(first?.headers.host, `127.0.0.1:${backend.port}`)
  assert.equal(first?.headers.connection, 'close')
  assert.equal(backend.connections.accepted, backend.requests.length, 'one connection per check')
  await eventually(() => backend.connections.open === 0, { message: 'connections closed' })
})

test('a target that accepts but never answers turns unhealthy with Target.Timeout, its checks cut at the timeout', async (t) => {
  const backend = await silentBackend()
  t.after(() => backend.close())
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup([backend.port])], ctx)
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy' })
  assert.equal(checker.health(ARN, key)?.reason, 'Target.Timeout')
  assert.equal(checker.health(ARN, key)?.description, 'Request timed out')
  checker.stop()
  await eventually(() => backend.open() === 0, { message: 'timed-out checks leave no connection open' })
})

test('a refused connection and a non-HTTP answer both fail with Target.FailedHealthChecks', async (t) => {
  const garbage = await garbageBackend()
  t.after(() => garbage.close())
  const refused = await refusedPort()
  const checker = startChecker(t)
  checker.update([fastGroup([refused, garbage.port])], ctx)
  for (const port of [refused, garbage.port]) {
    const key = `127.0.0.1:${port}`
    await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: `unhealthy ${key}` })
    assert.deepEqual(checker.health(ARN, key), {
      state: 'unhealthy',
      reason: 'Target.FailedHealthChecks',
      description: 'Health checks failed',
    })
  }
})

test('HTTPS checks accept a target with a self-signed certificate, as ALB does', async (t) => {
  const backend = await flipBackend(200, await selfSigned())
  t.after(() => backend.close())
  const checker = startChecker(t)
  checker.update([fastGroup([backend.port], { protocol: 'HTTPS' })], ctx)
  await eventually(() => checker.state(ARN, `127.0.0.1:${backend.port}`) === 'healthy', { message: 'healthy over HTTPS' })
  assert.equal(backend.requests[0]?.headers['user-agent'], 'ELB-HealthChecker/2.0')
})

test('the probe reports the status of one GET and stops when aborted', async (t) => {
  const ok = await flipBackend(418)
  const silent = await silentBackend()
  t.after(() => Promise.all([ok.close(), silent.close()]))
  const signal = new AbortController().signal
  assert.deepEqual(await httpProbe({ protocol: 'HTTP', address: '127.0.0.1', port: ok.port, path: '/', signal }), { status: 418 })
  const abort = new AbortController()
  const pending = httpProbe({ protocol: 'HTTP', address: '127.0.0.1', port: silent.port, path: '/', signal: abort.signal })
  await eventually(() => silent.open() === 1, { message: 'connected' })
  abort.abort()
  const outcome = await pending
  assert.ok('error' in outcome)
  await eventually(() => silent.open() === 0, { message: 'aborted connection closed' })
})
