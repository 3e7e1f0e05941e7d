// Rule transforms through the data plane (ALB's host-header-rewrite and url-rewrite): applied
// after routing to what a forward sends, over HTTP/1.1 and HTTP/2, never to redirects; a match whose
// result cannot be sent is a 500.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect as h2connect } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import type { Transform } from '../../../src/model/rule.js'
import { eventually } from '../../helpers/eventually.js'
import { fixed, forward, get, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup, type Backend } from './fixtures.js'
import { h2Client, h2Request, startH2Target } from './target-servers.js'
import { certRefs, testCa } from './tls-fixtures.js'

const url = (regex: string, replace: string): Transform => ({ type: 'url-rewrite', rewrites: [{ regex, replace }] })
const host = (regex: string, replace: string): Transform => ({ type: 'host-header-rewrite', rewrites: [{ regex, replace }] })
const redirect: Action = {
  type: 'redirect',
  order: 1,
  redirect: { protocol: '#{protocol}', port: '#{port}', host: 'moved.example.test', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' },
}

/**
 * Rules: 10 /api/* forward with both transforms; 20 /old/* redirect (control refuses transforms on
 * a rule without forward; the snapshot here is built by hand, so the data plane's own guarantee shows);
 * 30 /bad/* forward with a url-rewrite whose result is not a path; 40 /api2/* forward, transforms
 * that cannot match. Default: fixed 404, so a transform that changed routing would show.
 */
async function setup(t: TestContext, opts: { https?: boolean; log?: string } = {}): Promise<{ port: number; backend: Backend; ca?: string }> {
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const ca = opts.https ? await testCa(t) : undefined
  const cert = ca ? await ca.certificate(['api.example.test']) : undefined
  const l = listener(0, [fixed('404', 'no rule')], cert ? { protocol: 'HTTPS', certificates: certRefs(cert) } : {})
  const withTransforms = (priority: number, path: string, actions: Action[], transforms: Transform[]) => ({ ...rule(l, priority, [{ field: 'path-pattern', values: [path] }], actions), transforms })
  const lb = loadBalancer(opts.log ? { accessLogs: { enabled: true, bucket: opts.log, prefix: '' } } : {})
  const dp = await startDataplane(
    t,
    state(
      1,
      lb,
      tg,
      l,
      ...(cert ? [cert] : []),
      withTransforms(10, '/api/*', [forward(tg)], [url('^/api/(.*)$', '/v2/$1'), host('^api\\.(.*)$', 'internal.$1')]),
      withTransforms(20, '/old/*', [redirect], [url('^/old/(.*)$', '/new/$1')]),
      withTransforms(30, '/bad/*', [forward(tg)], [url('^/(.*)$', '$1')]),
      withTransforms(40, '/api2/*', [forward(tg)], [url('^/nothing-matches$', '/x'), host('^nothing\\.', 'x.')]),
    ),
  )
  return { port: portOf(dp), backend, ...(ca ? { ca: ca.rootPem } : {}) }
}

test('HTTP/1.1: url-rewrite and host-header-rewrite change what the target gets, not the routing', async (t) => {
  const { port, backend } = await setup(t)
  const r = await get(port, '/api/users?id=7', { host: `api.example.test:${port}` })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'web')
  const seen = backend.seen.at(-1)
  assert.equal(seen?.url, '/v2/users?id=7')
  // The port the client sent is kept; the regex sees the host without it.
  assert.equal(seen?.headers.host, `internal.example.test:${port}`)
  // The rewritten path (/v2/...) would not match rule 10: routing used the request as sent.
})

test('HTTP/1.1: transforms that do not match leave the request as it came', async (t) => {
  const { port, backend } = await setup(t)
  const r = await get(port, '/api2/x?q=1', { host: 'www.example.test' })
  assert.equal(r.status, 200)
  assert.equal(backend.seen.at(-1)?.url, '/api2/x?q=1')
  assert.equal(backend.seen.at(-1)?.headers.host, 'www.example.test')
})

test('HTTP/1.1: a rewrite whose result cannot be sent is a 500 and reaches no target', async (t) => {
  const { port, backend } = await setup(t)
  const before = backend.seen.length
  const r = await get(port, '/bad/x', { host: 'api.example.test' })
  assert.equal(r.status, 500)
  assert.equal(backend.seen.length, before)
})

test('a redirect rule ignores transforms: the Location is built from the request as sent', async (t) => {
  const { port } = await setup(t)
  const r = await get(port, '/old/page?a=1', { host: 'api.example.test' })
  assert.equal(r.status, 301)
  // (The listener is configured on port 0, which #{port} repeats.)
  assert.match(String(r.headers.location), /^http:\/\/moved\.example\.test:\d+\/old\/page\?a=1$/)
})

test('the access log records the request as the client sent it, and TransformFailed for a 500', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-transforms-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  const { port } = await setup(t, { log: file })
  await get(port, '/api/users', { host: 'api.example.test' })
  await get(port, '/bad/x', { host: 'api.example.test' })
  const lines = await eventually(() => {
    const text = readFileSync(file, 'utf8').trim().split('\n')
    return text.length === 2 ? text : undefined
  })
  assert.match(lines?.[0] ?? '', /"GET http:\/\/api\.example\.test:\d+\/api\/users HTTP\/1\.1"/)
  assert.match(lines?.[1] ?? '', / 500 - .*"TransformFailed"/)
})

test('HTTP/2 to an HTTP/1.1 target: :path and :authority are rewritten the same way', async (t) => {
  const { port, backend, ca } = await setup(t, { https: true })
  const session = h2connect(`https://api.example.test:${port}`, { ca: ca ?? '', servername: 'api.example.test', host: '127.0.0.1' })
  t.after(() => session.close())
  session.on('error', () => {})
  const ask = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const s = session.request({ ':path': path })
      let status = 0
      s.on('response', (h) => (status = Number(h[':status'])))
      s.on('error', reject)
      s.resume()
      s.on('close', () => resolve(status))
      s.end()
    })
  assert.equal(await ask('/api/users?id=7'), 200)
  assert.equal(backend.seen.at(-1)?.url, '/v2/users?id=7')
  assert.equal(backend.seen.at(-1)?.headers.host, `internal.example.test:${port}`)
  const before = backend.seen.length
  assert.equal(await ask('/bad/x'), 500)
  assert.equal(backend.seen.length, before)
})

test('HTTP/2 to an HTTP2 target group: the target stream opens with the rewritten :path and :authority', async (t) => {
  const target = await startH2Target(t)
  const tg = targetGroup('h2', [{ id: '127.0.0.1', port: target.port }], {}, { protocolVersion: 'HTTP2' })
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const l = listener(0, [fixed('404', 'no rule')], { protocol: 'HTTPS', certificates: certRefs(cert) })
  const r10 = { ...rule(l, 10, [{ field: 'path-pattern', values: ['/api/*'] }], [forward(tg)]), transforms: [url('^/api/(.*)$', '/v2/$1'), host('^api\\.(.*)$', 'internal.$1')] }
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, l, r10))
  const port = portOf(dp)
  const session = await h2Client(t, port, ca.rootPem)
  const r = await h2Request(session, { ':method': 'GET', ':path': '/api/users?id=7' })
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.headers['x-path'], '/v2/users?id=7')
  assert.equal(target.streams[0]?.headers[':authority'], `internal.example.test:${port}`)
})
