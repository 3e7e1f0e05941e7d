import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { constants } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Certificate } from '../../../src/model/certificate.js'
import type { TargetGroup } from '../../../src/model/target-group.js'
import type { Action } from '../../../src/model/action.js'
import { AuthKeys } from '../../../src/dataplane/auth/keys.js'
import { seal } from '../../../src/dataplane/auth/session-cookie.js'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, forward, freePort, listener, loadBalancer, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa, type TestCa } from './tls-fixtures.js'
import { echo, grpcFrame, h2Client, h2Request, startH2Target, type H2Handler } from './target-servers.js'

interface Setup {
  ca: TestCa
  cert: Certificate
  port: number
}

async function httpsBalancer(t: TestContext, tg: TargetGroup, attrs: Parameters<typeof loadBalancer>[0] = {}): Promise<Setup & { dp: Awaited<ReturnType<typeof startDataplane>> }> {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  // X-Forwarded-Port and the access log name the listener's configured port: the test names it before binding.
  const port = await freePort()
  const dp = await startDataplane(t, state(1, loadBalancer(attrs), tg, cert, listener(port, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  return { ca, cert, port, dp }
}

for (const tls of [false, true]) {
  const how = tls ? 'TLS with ALPN h2 (HTTPS group)' : 'h2c with prior knowledge (HTTP group)'
  test(`an HTTP2 group reaches its target over ${how} with the forwarding headers, the body both ways`, async (t) => {
    const target = await startH2Target(t, echo, tls)
    const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocol: tls ? 'HTTPS' : 'HTTP', protocolVersion: 'HTTP2' })
    const { ca, port } = await httpsBalancer(t, tg)
    const session = await h2Client(t, port, ca.rootPem)
    const body = Buffer.from('ping from the client')
    const r = await h2Request(session, { ':method': 'POST', ':path': '/echo?x=1', 'content-type': 'text/plain', 'x-forwarded-for': '10.0.0.7', te: 'trailers' }, body)
    assert.equal(r.headers[':status'], 200)
    assert.equal(r.headers['x-method'], 'POST')
    assert.equal(r.headers['x-path'], '/echo?x=1')
    assert.deepEqual(r.body, body)
    const seen = target.streams[0]?.headers
    assert.equal(seen?.[':authority'], `api.example.test:${port}`)
    assert.equal(seen?.[':scheme'], tls ? 'https' : 'http')
    assert.equal(seen?.['x-forwarded-for'], '10.0.0.7, 127.0.0.1')
    assert.equal(seen?.['x-forwarded-proto'], 'https')
    assert.equal(seen?.['x-forwarded-port'], String(port))
    assert.match(String(seen?.['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
    assert.equal(seen?.te, 'trailers')
    assert.equal(seen?.['content-type'], 'text/plain')
  })
}

test('requests to an HTTP2 target share one kept session', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const { ca, port, dp } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => h2Request(session, { ':method': 'GET', ':path': `/${i}` })))
  assert.deepEqual(replies.map((r) => r.headers[':status']), Array(10).fill(200))
  for (let i = 0; i < 3; i++) assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/again' })).headers[':status'], 200)
  assert.equal(target.streams.length, 13)
  assert.equal(target.sessions, 1)
  assert.equal(dp.upstreamConnections(`h2c 127.0.0.1:${target.port}`), 1)
})

test('a megabyte goes each way through an HTTP2 group, paced by both sides flow control', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const { ca, port } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const body = randomBytes(1024 * 1024)
  const r = await h2Request(session, { ':method': 'PUT', ':path': '/big' }, body)
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.body.length, body.length)
  assert.ok(r.body.equals(body))
})

/** A gRPC server's answer: headers, one message, then grpc-status in the trailers. */
const grpcOk: H2Handler = (stream, _headers, body) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'fine' }))
  stream.end(grpcFrame(Buffer.from(`echo:${body.length}`)))
}

test('a gRPC call through an HTTPS listener gets the target trailers (grpc-status) and is logged as grpcs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-grpc-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  const target = await startH2Target(t, grpcOk)
  const tg = targetGroup('grpc', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'GRPC' })
  const { ca, port } = await httpsBalancer(t, tg, { accessLogs: { enabled: true, bucket: file, prefix: '' } })
  const session = await h2Client(t, port, ca.rootPem)
  const message = grpcFrame(Buffer.from('hello'))
  const r = await h2Request(session, { ':method': 'POST', ':path': '/helloworld.Greeter/SayHello', 'content-type': 'application/grpc', te: 'trailers' }, message)
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.headers['content-type'], 'application/grpc')
  assert.deepEqual(r.body, grpcFrame(Buffer.from(`echo:${message.length}`)))
  assert.equal(r.trailers?.['grpc-status'], '0')
  assert.equal(r.trailers?.['grpc-message'], 'fine')
  assert.equal(r.rstCode, 0)
  assert.equal(target.streams[0]?.headers[':path'], '/helloworld.Greeter/SayHello')
  assert.equal(target.streams[0]?.headers.te, 'trailers')
  const line = await eventually(() => readFileSync(file, 'utf8').trim() || undefined)
  assert.match(line ?? '', new RegExp(`^grpcs .* 200 200 .*"POST https://api\\.example\\.test:${port}/helloworld\\.Greeter/SayHello HTTP/2\\.0"`))
})

test('a trailers-only gRPC answer (grpc-status in the head) reaches the client as sent', async (t) => {
  const target = await startH2Target(t, (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true }))
  const tg = targetGroup('grpc', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'GRPC' })
  const { ca, port } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const r = await h2Request(session, { ':method': 'POST', ':path': '/AWS.ALB/healthcheck', 'content-type': 'application/grpc', te: 'trailers' }, grpcFrame(Buffer.alloc(0)))
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.headers['grpc-status'], '12')
  assert.equal(r.body.length, 0)
  assert.equal(r.rstCode, 0)
})

test('a target resetting a gRPC stream mid-answer resets the client stream with its code', async (t) => {
  const target = await startH2Target(t, (stream) => {
    // End the data without END_STREAM, then reset instead of sending trailers.
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.close(constants.NGHTTP2_CANCEL))
    stream.end(grpcFrame(Buffer.from('part')))
  })
  const tg = targetGroup('grpc', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'GRPC' })
  const { ca, port } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const r = await h2Request(session, { ':method': 'POST', ':path': '/pkg.Svc/Stream', 'content-type': 'application/grpc', te: 'trailers' }, grpcFrame(Buffer.alloc(0)))
  assert.equal(r.headers[':status'], 200)
  assert.deepEqual(r.body, grpcFrame(Buffer.from('part')))
  assert.equal(r.trailers, undefined)
  assert.equal(r.rstCode, constants.NGHTTP2_CANCEL)
})

test('a target that goes away in the middle of an answer resets the client stream', async (t) => {
  const target = await startH2Target(t, (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' })
    stream.write(grpcFrame(Buffer.from('part')), () => stream.session?.destroy())
  })
  const tg = targetGroup('grpc', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'GRPC' })
  const { ca, port } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const r = await h2Request(session, { ':method': 'POST', ':path': '/pkg.Svc/Stream', 'content-type': 'application/grpc', te: 'trailers' }, grpcFrame(Buffer.alloc(0)))
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.trailers, undefined)
  assert.notEqual(r.rstCode, constants.NGHTTP2_NO_ERROR)
})

test('an HTTP2 target that refuses connections gets the request a 502; one that never answers, a 504', async (t) => {
  const closedPort = await freePort()
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: closedPort }], {}, { protocolVersion: 'HTTP2' })
  const { ca, port, dp } = await httpsBalancer(t, tg, { idleTimeoutSeconds: 1 })
  const session = await h2Client(t, port, ca.rootPem)
  const refused = await h2Request(session, { ':method': 'GET', ':path': '/' })
  assert.equal(refused.headers[':status'], 502)
  assert.equal(countsOf(dp).targetConnectionErrors, 1)

  const silent = await startH2Target(t, () => {})
  const tg2 = targetGroup('h2-silent', [{ id: '127.0.0.1', port: silent.port }], {}, { protocolVersion: 'HTTP2' })
  const second = await httpsBalancer(t, tg2, { idleTimeoutSeconds: 1 })
  const session2 = await h2Client(t, second.port, second.ca.rootPem)
  const timedOut = await h2Request(session2, { ':method': 'GET', ':path': '/' })
  assert.equal(timedOut.headers[':status'], 504)
})

test('the client request trailers reach an HTTP2 target', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const { ca, port } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  const reply = await new Promise<number>((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': '/upload', te: 'trailers' }, { waitForTrailers: true })
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc' }))
    stream.on('response', (h) => resolve(Number(h[':status'])))
    stream.resume()
    stream.end('body')
  })
  assert.equal(reply, 200)
  await eventually(() => target.streams.length === 1)
  assert.equal(target.streams[0]?.body.toString(), 'body')
  assert.equal(target.streams[0]?.trailers?.['x-checksum'], 'abc')
})

test('a client resetting its stream cancels the stream to the target', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('grpc', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'GRPC' })
  const { ca, port, dp } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  // waitForTrailers: node's close() then resets without sending END_STREAM first.
  const stream = session.request({ ':method': 'POST', ':path': '/pkg.Svc/Upload', 'content-type': 'application/grpc', te: 'trailers' }, { waitForTrailers: true })
  stream.on('error', () => {})
  stream.write(grpcFrame(Buffer.from('first part')))
  await eventually(() => dp.outstanding(tg.arn, `127.0.0.1:${target.port}`) === 1, { message: 'the call reached the target' })
  stream.close(constants.NGHTTP2_CANCEL)
  await eventually(() => target.resets.length === 1, { message: 'the target stream was reset' })
  assert.equal(target.resets[0], constants.NGHTTP2_CANCEL)
  // The half-sent body never looked complete to the target.
  assert.equal(target.streams.length, 0)
  await eventually(() => dp.outstanding(tg.arn, `127.0.0.1:${target.port}`) === 0, { message: 'nothing in flight' })
})

test('a deregistered HTTP2 target has its sessions closed', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], { deregistrationDelaySeconds: 0 }, { protocolVersion: 'HTTP2' })
  const { ca, cert, port, dp } = await httpsBalancer(t, tg)
  const session = await h2Client(t, port, ca.rootPem)
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/' })).headers[':status'], 200)
  const key = `h2c 127.0.0.1:${target.port}`
  assert.equal(dp.upstreamConnections(key), 1)
  const empty = { ...tg, targets: [] }
  await applyState(dp, state(2, loadBalancer(), empty, cert, listener(port, [forward(empty)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  await eventually(() => dp.upstreamConnections(key) === 0, { message: 'sessions closed' })
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/' })).headers[':status'], 503)
})

test('a session to an HTTP2 target with no streams closes after the balancer idle timeout', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const { ca, port, dp } = await httpsBalancer(t, tg, { idleTimeoutSeconds: 1 })
  const session = await h2Client(t, port, ca.rootPem)
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/' })).headers[':status'], 200)
  assert.equal(dp.upstreamConnections(`h2c 127.0.0.1:${target.port}`), 1)
  await eventually(() => dp.upstreamConnections(`h2c 127.0.0.1:${target.port}`) === 0, { timeoutMs: 5000, message: 'the idle session closed' })
})

test('authenticate-oidc: a signed-in HTTP/2 request reaches an HTTP2 target with the three fields; without a session, deny answers 401', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const port = await freePort()
  const keys = new AuthKeys()
  const auth: Action = {
    type: 'authenticate-oidc',
    order: 1,
    authenticateOidc: {
      issuer: 'https://idp.example.test', authorizationEndpoint: 'https://idp.example.test/a', tokenEndpoint: 'https://idp.example.test/t', userInfoEndpoint: 'https://idp.example.test/u',
      clientId: 'app', clientSecret: 's', sessionCookieName: 'AWSELBAuthSessionCookie', scope: 'openid', sessionTimeout: 60, authenticationRequestExtraParams: {}, onUnauthenticatedRequest: 'deny',
    },
  }
  await startDataplane(t, state(1, loadBalancer(), tg, cert, listener(port, [auth, { ...forward(tg), order: 2 }], { protocol: 'HTTPS', certificates: certRefs(cert) })), { authKeys: keys })
  const session = await h2Client(t, port, ca.rootPem)
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/', 'x-amzn-oidc-identity': 'forged' })).headers[':status'], 401)
  assert.equal(target.streams.length, 0)
  const cookie = `AWSELBAuthSessionCookie-0=${seal({ k: 'https://idp.example.test app', sub: 'u1', at: 'access', claims: { sub: 'u1' }, exp: Date.now() + 60_000 }, keys.sealKey)}`
  const r = await h2Request(session, { ':method': 'GET', ':path': '/in', cookie, 'x-amzn-oidc-identity': 'forged' })
  assert.equal(r.headers[':status'], 200)
  const seen = target.streams[0]?.headers
  assert.equal(seen?.['x-amzn-oidc-identity'], 'u1')
  assert.equal(seen?.['x-amzn-oidc-accesstoken'], 'access')
  assert.match(String(seen?.['x-amzn-oidc-data']), /^[\w-]+\.[\w-]+\.[\w-]+$/)
})
