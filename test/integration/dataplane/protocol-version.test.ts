import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { TargetGroup } from '../../../src/model/target-group.js'
import { Metrics } from '../../../src/metrics/metrics.js'
import { MetricsSink } from '../../../src/dataplane/metrics-sink.js'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, forward, freePort, get, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'
import { grpcFrame, h2Client, h2Request, startH2Target } from './target-servers.js'

/**
 * ALB's 464: the request's protocol does not fit the target group's protocol version. One HTTPS
 * and one HTTP listener route /h1, /h2 and /grpc to an HTTP1, an HTTP2 and a GRPC group.
 */
async function balancer(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-464-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const logFile = join(dir, 'access.log')
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const h1Backend = await startBackend(t, 'h1')
  const h2Backend = await startH2Target(t)
  const h1 = targetGroup('h1', [{ id: '127.0.0.1', port: h1Backend.port }])
  const h2 = targetGroup('h2', [{ id: '127.0.0.1', port: h2Backend.port }], {}, { protocolVersion: 'HTTP2' })
  const grpc = targetGroup('grpc', [{ id: '127.0.0.1', port: h2Backend.port }], {}, { protocolVersion: 'GRPC' })
  const httpPort = await freePort()
  const routes = (l: ReturnType<typeof listener>, groups: [string, TargetGroup][]) =>
    groups.map(([path, g], i) => rule(l, i + 1, [{ field: 'path-pattern', values: [`${path}*`] }], [forward(g)]))
  const secure = listener(0, [forward(h1)], { protocol: 'HTTPS', certificates: certRefs(cert) })
  const plain = listener(httpPort, [forward(h1)])
  const groups: [string, TargetGroup][] = [['/h2', h2], ['/grpc', grpc]]
  const metrics = new Metrics()
  const dp = await startDataplane(
    t,
    state(1, loadBalancer({ accessLogs: { enabled: true, bucket: logFile, prefix: '' } }), h1, h2, grpc, cert, secure, plain, ...routes(secure, groups), ...routes(plain, groups)),
    { metrics: new MetricsSink(metrics) },
  )
  const httpsPort = portOf(dp)
  return { ca, dp, httpsPort, httpPort, h1Backend, h2Backend, logFile, metrics, groups: { h1, h2, grpc } }
}

function https1(port: number, ca: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: 'api.example.test', ca, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

const grpcCall = { ':method': 'POST', 'content-type': 'application/grpc', te: 'trailers' }

test('an HTTP/1.1 request to an HTTP2 or GRPC group gets 464, over HTTP and HTTPS listeners', async (t) => {
  const b = await balancer(t)
  assert.equal((await get(b.httpPort, '/h2/x')).status, 464)
  assert.equal((await get(b.httpPort, '/grpc/pkg.Svc/M', { 'content-type': 'application/grpc' }, 'POST', 'x')).status, 464)
  assert.equal(await https1(b.httpsPort, b.ca.rootPem, '/h2/x'), 464)
  assert.equal(await https1(b.httpsPort, b.ca.rootPem, '/grpc/x'), 464)
  // The same requests to the HTTP1 group are served.
  assert.equal((await get(b.httpPort, '/x')).status, 200)
  assert.equal(b.h2Backend.streams.length, 0)
  assert.equal(countsOf(b.dp).elbResponses.get(464), 4)
})

test('a gRPC call to an HTTP1 group gets 464; other HTTP/2 requests to it are served', async (t) => {
  const b = await balancer(t)
  const session = await h2Client(t, b.httpsPort, b.ca.rootPem)
  const r = await h2Request(session, { ...grpcCall, ':path': '/pkg.Svc/Method' }, grpcFrame(Buffer.from('x')))
  assert.equal(r.headers[':status'], 464)
  const web = await h2Request(session, { ':method': 'POST', ':path': '/form', 'content-type': 'text/plain' }, Buffer.from('x'))
  assert.equal(web.headers[':status'], 200)
  assert.equal(b.h1Backend.seen.length, 1)
})

test('an HTTP/2 request other than POST to a GRPC group gets 464; a gRPC POST goes through', async (t) => {
  const b = await balancer(t)
  const session = await h2Client(t, b.httpsPort, b.ca.rootPem)
  for (const method of ['GET', 'PUT', 'DELETE']) {
    const r = await h2Request(session, { ':method': method, ':path': '/grpc/pkg.Svc/Method' }, method === 'GET' || method === 'DELETE' ? undefined : Buffer.from('x'))
    assert.equal(r.headers[':status'], 464, method)
  }
  const ok = await h2Request(session, { ...grpcCall, ':path': '/grpc/pkg.Svc/Method' }, grpcFrame(Buffer.from('x')))
  assert.equal(ok.headers[':status'], 200)
  // HTTP2 groups take any HTTP/2 request, gRPC or not.
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/h2/page' })).headers[':status'], 200)
  assert.equal((await h2Request(session, { ...grpcCall, ':path': '/h2/pkg.Svc/Method' }, grpcFrame(Buffer.from('x')))).headers[':status'], 200)
  assert.equal(b.h2Backend.streams.length, 3)
  // The two gRPC calls are counted (GrpcRequestCount); the other requests are not.
  await eventually(async () => /openalb_grpc_request_count_total 2\n/.test(await b.metrics.render()) || undefined)
})

test('464 answers are counted and logged as the balancer own 4XX, with the group and the reason', async (t) => {
  const b = await balancer(t)
  assert.equal((await get(b.httpPort, '/h2/x', { 'user-agent': 'curl/8.0' })).status, 464)
  const session = await h2Client(t, b.httpsPort, b.ca.rootPem)
  assert.equal((await h2Request(session, { ':method': 'GET', ':path': '/grpc/x' })).headers[':status'], 464)
  const lines = await eventually(() => {
    const text = readFileSync(b.logFile, 'utf8').trim().split('\n')
    return text.length === 2 ? text : undefined
  })
  assert.match(lines?.[0] ?? '', new RegExp(`^http .* - -1 -1 -1 464 - .*"GET http://\\S+/h2/x HTTP/1\\.1" "curl/8\\.0" - - ${b.groups.h2.arn.replace(/[/.]/g, '\\$&')} .* "IncompatibleProtocolVersion" `))
  assert.match(lines?.[1] ?? '', new RegExp(`^grpcs .* 464 - .*${b.groups.grpc.arn.replace(/[/.]/g, '\\$&')} .* "IncompatibleProtocolVersion" `))
  assert.match(await b.metrics.render(), /openalb_httpcode_elb_count_total\{[^}]*"464"[^}]*\} 2/)
})
