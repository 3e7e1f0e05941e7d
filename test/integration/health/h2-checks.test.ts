import assert from 'node:assert/strict'
import { createSecureServer, createServer, type Http2SecureServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { HealthChecker } from '../../../src/health/checker.js'
import { h2Probe } from '../../../src/health/h2-probe.js'
import { HEALTH_CHECK_USER_AGENT } from '../../../src/health/probe.js'
import { instanceResolver } from '../../helpers/instance-resolver.js'
import type { HealthCheck, ProtocolVersion, TargetGroup } from '../../../src/model/target-group.js'
import { eventually } from '../../helpers/eventually.js'
import { flipBackend, selfSigned } from './backends.js'

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/grpc-tg/00000000000000bb'
const ctx = { resolveAddress: instanceResolver([]) }

// Below ALB's minimums on purpose, so each transition takes well under a second.
function fastGroup(port: number, protocolVersion: ProtocolVersion, hc: Partial<HealthCheck> = {}): TargetGroup {
  return {
    kind: 'target-group',
    arn: ARN,
    name: 'grpc-tg',
    protocol: 'HTTP',
    port: 80,
    targetType: 'ip',
    protocolVersion,
    vpcId: 'vpc-1',
    healthCheck: {
      enabled: true,
      protocol: 'HTTP',
      port: 'traffic-port',
      path: protocolVersion === 'GRPC' ? '/AWS.ALB/healthcheck' : '/healthz',
      intervalSeconds: 0.1,
      timeoutSeconds: 0.08,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      matcher: '200',
      ...(protocolVersion === 'GRPC' ? { grpcMatcher: '12' } : {}),
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
    targets: [{ id: '127.0.0.1', port }],
    tags: {},
  }
}

interface H2Backend {
  readonly port: number
  /** HTTP status of each answer. */
  status: number
  /** grpc-status of each answer (in the trailers); undefined: none sent. */
  grpcStatus: string | undefined
  readonly requests: { headers: IncomingHttpHeaders; body: Buffer }[]
  /** Sessions still open (a check closes its own). */
  open: number
}

async function h2Backend(t: TestContext, tls = false): Promise<H2Backend> {
  const backend: H2Backend = { port: 0, status: 200, grpcStatus: undefined, requests: [], open: 0 }
  let server: Http2Server | Http2SecureServer
  if (tls) {
    const { key, cert } = await selfSigned()
    server = createSecureServer({ key, cert })
  } else {
    server = createServer()
  }
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  server.on('session', (session) => {
    backend.open++
    session.once('close', () => backend.open--)
  })
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = []
    stream.on('error', () => {})
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      backend.requests.push({ headers, body: Buffer.concat(chunks) })
      const grpcStatus = backend.grpcStatus
      if (grpcStatus === undefined) {
        stream.respond({ ':status': backend.status })
        stream.end()
        return
      }
      stream.respond({ ':status': backend.status, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': grpcStatus }))
      stream.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  ;(backend as { port: number }).port = (server.address() as AddressInfo).port
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
  return backend
}

function startChecker(t: TestContext): HealthChecker {
  const checker = new HealthChecker({ random: () => 0 })
  t.after(() => checker.stop())
  return checker
}

test('an HTTP2 group is checked with an HTTP/2 GET and turns unhealthy and healthy by its status', async (t) => {
  const backend = await h2Backend(t)
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup(backend.port, 'HTTP2')], ctx)
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy' })
  const first = backend.requests[0]?.headers
  assert.equal(first?.[':method'], 'GET')
  assert.equal(first?.[':path'], '/healthz')
  assert.equal(first?.[':authority'], key)
  assert.equal(first?.['user-agent'], HEALTH_CHECK_USER_AGENT)
  backend.status = 503
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy' })
  assert.deepEqual(checker.health(ARN, key), { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [503]' })
  backend.status = 200
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy again' })
  checker.stop()
  await eventually(() => backend.open === 0, { message: 'each check closes its session' })
})

test('an HTTPS health check of an HTTP2 group speaks HTTP/2 over TLS to a self-signed target', async (t) => {
  const backend = await h2Backend(t, true)
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup(backend.port, 'HTTP2', { protocol: 'HTTPS' })], ctx)
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy' })
})

test('a GRPC group is checked with a gRPC call and judged by grpc-status against its gRPC codes', async (t) => {
  const backend = await h2Backend(t)
  // A gRPC server without the default health method answers UNIMPLEMENTED: ALB's default code 12 passes.
  backend.grpcStatus = '12'
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup(backend.port, 'GRPC')], ctx)
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy on 12' })
  const first = backend.requests[0]
  assert.equal(first?.headers[':method'], 'POST')
  assert.equal(first?.headers[':path'], '/AWS.ALB/healthcheck')
  assert.equal(first?.headers['content-type'], 'application/grpc')
  assert.equal(first?.headers.te, 'trailers')
  assert.equal(first?.headers['user-agent'], HEALTH_CHECK_USER_AGENT)
  assert.deepEqual(first?.body, Buffer.alloc(5))
  backend.grpcStatus = '14'
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy on 14' })
  assert.deepEqual(checker.health(ARN, key), { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [14]' })

  // A group whose own method answers OK (0).
  checker.update([fastGroup(backend.port, 'GRPC', { path: '/grpc.health.v1.Health/Check', grpcMatcher: '0' })], ctx)
  backend.grpcStatus = '0'
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy on 0' })
  assert.equal(backend.requests.at(-1)?.headers[':path'], '/grpc.health.v1.Health/Check')
})

test('a GRPC target answering without grpc-status is judged as gRPC clients would: 404 is UNIMPLEMENTED (12)', async (t) => {
  const backend = await h2Backend(t)
  backend.status = 404
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup(backend.port, 'GRPC')], ctx)
  await eventually(() => checker.state(ARN, key) === 'healthy', { message: 'healthy on 404 as 12' })
  backend.status = 503
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy on 503 as 14' })
  assert.equal(checker.health(ARN, key)?.description, 'Health checks failed with these codes: [14]')
})

test('an HTTP2 group whose target speaks only HTTP/1.1 fails its checks', async (t) => {
  const backend = await flipBackend(200)
  t.after(() => backend.close())
  const outcome = await h2Probe({ protocol: 'HTTP', protocolVersion: 'HTTP2', address: '127.0.0.1', port: backend.port, path: '/', signal: AbortSignal.timeout(2000) })
  assert.ok('error' in outcome, JSON.stringify(outcome))
  const checker = startChecker(t)
  const key = `127.0.0.1:${backend.port}`
  checker.update([fastGroup(backend.port, 'HTTP2')], ctx)
  await eventually(() => checker.state(ARN, key) === 'unhealthy', { message: 'unhealthy' })
  assert.notEqual(checker.health(ARN, key)?.reason, 'Target.ResponseCodeMismatch')
})
