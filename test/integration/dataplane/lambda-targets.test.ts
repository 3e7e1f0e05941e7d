import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect as h2connect, type IncomingHttpHeaders } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { FunctionRunner } from '../../../src/compute/function-runner.js'
import { Dataplane } from '../../../src/dataplane/dataplane.js'
import { defaultHealthCheck } from '../../../src/model/target-group.js'
import type { LambdaFunction } from '../../../src/model/function.js'
import { tryCompile } from '../../../src/runtime/snapshot.js'
import { forward, listener, loadBalancer, portOf, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

const HANDLER = `exports.handler = async (event) => {
  if (event.path === '/throw') throw new Error('boom')
  return { statusCode: 202, headers: { 'x-proto': event.headers['x-forwarded-proto'] ?? '-', 'content-type': 'application/json' }, body: JSON.stringify({ path: event.path, query: event.queryStringParameters, method: event.httpMethod, body: event.body }) }
}
`

function fn(dir: string): LambdaFunction {
  return {
    kind: 'function',
    arn: 'arn:aws:lambda:us-east-1:000000000000:function:h2',
    name: 'h2',
    runtime: 'nodejs20.x',
    handler: 'index.handler',
    role: 'arn:aws:iam::000000000000:role/x',
    description: '',
    codeDirectory: dir,
    codeSha256: 'x',
    codeSize: 1,
    environment: {},
    timeoutSeconds: 3,
    memorySizeMb: 128,
    policy: [],
    tags: {},
    lastModified: new Date().toISOString(),
    revisionId: 'r1',
  }
}

test('a lambda group answers HTTP/2 and HTTP/1.1 clients of an HTTPS listener alike; a function error is 502 on both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-lambda-h2-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'index.js'), HANDLER)
  const runner = new FunctionRunner({ dataDir: dir, runCode: true, region: 'us-east-1' })
  t.after(() => runner.stop())
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const f = fn(dir)
  const tg = targetGroup('fn-tg', [{ id: f.arn, port: 0 }], {}, { targetType: 'lambda', port: 0, healthCheck: { ...defaultHealthCheck(), enabled: false } })
  const view = state(1, loadBalancer(), cert, f, tg, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) }))
  runner.reconcile(view)
  const dp = new Dataplane({ lambda: runner })
  t.after(() => dp.close())
  const compiled = tryCompile(view, { lambdaSocket: (arn) => dp.lambdaSocketPath(arn) })
  assert.ok(compiled.ok)
  await dp.apply(compiled.value)
  const port = portOf(dp)

  const session = h2connect(`https://api.example.test:${port}`, { ca: ca.rootPem, servername: 'api.example.test', host: '127.0.0.1' })
  t.after(() => session.close())
  const h2 = (path: string, method = 'GET', body?: string) =>
    new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const stream = session.request({ ':path': path, ':method': method, 'content-type': 'text/plain' }, { endStream: body === undefined })
      let head: IncomingHttpHeaders = {}
      stream.on('response', (h) => (head = h))
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks).toString() }))
      stream.on('error', reject)
      if (body !== undefined) stream.end(body)
    })
  const a = await h2('/api/x?a=1', 'POST', 'hello')
  assert.equal(a.headers[':status'], 202)
  assert.equal(a.headers['x-proto'], 'https')
  assert.deepEqual(JSON.parse(a.body), { path: '/api/x', query: { a: '1' }, method: 'POST', body: 'hello' })
  const failed = await h2('/throw')
  assert.equal(failed.headers[':status'], 502)
  assert.equal(failed.headers['x-openalb-lambda-error'], undefined)

  // The same group over HTTP/1.1 (ALPN http/1.1).
  const h1 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    import('node:https').then(({ request }) => {
      const req = request({ host: '127.0.0.1', port, path: '/throw', servername: 'api.example.test', ca: ca.rootPem, agent: false, headers: { host: 'api.example.test' } }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }))
      })
      req.on('error', reject)
      req.end()
    }, reject)
  })
  assert.equal(h1.status, 502)
  assert.match(h1.body, /502 Bad Gateway/)
})
