// A stopping node drains: requests in flight finish, HTTP/2 clients are sent GOAWAY, and drain()
// gives up at its timeout on what is still running (close() then ends it).
import assert from 'node:assert/strict'
import { connect as h2connect } from 'node:http2'
import { test } from 'node:test'
import { forward, get, listener, loadBalancer, portOf, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

test('drain: an HTTP/2 client gets GOAWAY, its stream in flight completes with 200, then the data plane is idle', async (t) => {
  let arrived: () => void = () => {}
  const seen = new Promise<void>((r) => (arrived = r))
  const backend = await startBackend(t, 'web', (_req, res) => {
    arrived()
    setTimeout(() => res.end('slow done'), 600)
  })
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  const session = h2connect(`https://api.example.test:${portOf(dp)}`, { ca: ca.rootPem, servername: 'api.example.test', host: '127.0.0.1' })
  t.after(() => session.destroy())
  session.on('error', () => {})
  const goaway = new Promise<number>((r) => session.once('goaway', (code: number) => r(code)))
  const stream = session.request({ ':path': '/slow' })
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    let status = 0
    let body = ''
    stream.on('response', (h) => (status = Number(h[':status'])))
    stream.on('data', (c: Buffer) => (body += c.toString()))
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
  })
  stream.end()
  await seen

  const started = Date.now()
  const drained = dp.drain(10_000)
  assert.equal(await goaway, 0, 'GOAWAY with NO_ERROR')
  assert.deepEqual(await response, { status: 200, body: 'slow done' })
  assert.deepEqual(await drained, { idle: true })
  assert.ok(Date.now() - started < 5000, 'idle as soon as the stream is done, long before the timeout')
})

test('drain: a request still running at the timeout is given up on (idle: false)', async (t) => {
  let arrived: () => void = () => {}
  const seen = new Promise<void>((r) => (arrived = r))
  const backend = await startBackend(t, 'web', (_req, res) => {
    arrived()
    const timer = setTimeout(() => res.end('late'), 5000)
    res.on('close', () => clearTimeout(timer))
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const pending = get(port, '/').catch((e: Error) => e)
  await seen
  const started = Date.now()
  assert.deepEqual(await dp.drain(300), { idle: false })
  const waited = Date.now() - started
  assert.ok(waited >= 250 && waited < 3000, `gave up at the timeout, after ${waited} ms`)
  await dp.close()
  assert.ok((await pending) instanceof Error, 'close() ends the request still in flight')
})
