import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect as h2connect } from 'node:http2'
import { connect, createServer, type AddressInfo } from 'node:net'
import { test } from 'node:test'
import { applyState, countsOf, forward, freePort, get, listener, loadBalancer, portOf, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { eventually } from '../../helpers/eventually.js'
import { certRefs, testCa } from './tls-fixtures.js'

async function rawBackend(t: Parameters<typeof startBackend>[0], onData: (socket: import('node:net').Socket) => void): Promise<number> {
  const server = createServer((s) => {
    s.on('error', () => {})
    s.once('data', () => onData(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  t.after(() => server.unref())
  return (server.address() as AddressInfo).port
}

test('503 with ALB\'s page when the target group has no registered targets', async (t) => {
  const tg = targetGroup('empty', [])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const r = await get(port, '/')
  assert.equal(r.status, 503)
  assert.match(r.body, /<title>503 Service Temporarily Unavailable<\/title>/)
  assert.equal(countsOf(dp).elbResponses.get(503), 1)
})

test('502 when the target resets the connection before answering', async (t) => {
  const backendPort = await rawBackend(t, (s) => s.resetAndDestroy())
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backendPort }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const r = await get(port, '/')
  assert.equal(r.status, 502)
  assert.equal(r.body, '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n')
})

test('502 when the target sends something that is not an HTTP response', async (t) => {
  const backendPort = await rawBackend(t, (s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'))
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backendPort }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  assert.equal((await get(port, '/')).status, 502)
})

test('502 when the target closes without answering', async (t) => {
  const backendPort = await rawBackend(t, (s) => s.end())
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backendPort }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  assert.equal((await get(port, '/')).status, 502)
})

test('504 when the target does not answer within the idle timeout', async (t) => {
  const backendPort = await rawBackend(t, () => {})
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backendPort }])
  const dp = await startDataplane(t, state(1, loadBalancer({ idleTimeoutSeconds: 1 }), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const r = await get(port, '/')
  assert.equal(r.status, 504)
  assert.match(r.body, /504 Gateway Time-out/)
})

test('a refused connection is retried once on another target: no failed request', async (t) => {
  const backend = await startBackend(t, 'alive')
  const dead = await freePort()
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: dead }, { id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  for (let i = 0; i < 6; i++) {
    const r = await get(port, '/', {}, 'POST', 'body')
    assert.equal(r.status, 200)
    assert.equal(r.body, 'alive')
  }
  assert.ok(countsOf(dp).retries >= 3)
})

test('502 when the only target refuses connections', async (t) => {
  const dead = await freePort()
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: dead }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  assert.equal((await get(port, '/')).status, 502)
  assert.equal(countsOf(dp).targetConnectionErrors, 1)
})

test('a malformed request is answered 400 and the connection closed', async (t) => {
  const tg = targetGroup('web', [])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const { connect } = await import('node:net')
  const socket = connect(port, '127.0.0.1')
  socket.write('GET / HTTP/1.1 trailing-garbage\r\nHost: a\r\n\r\n')
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (d: string) => (text += d))
  await new Promise((r) => socket.on('close', r))
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.match(text, /connection: close/)
})

test('a kept-alive target connection that closes as a request goes out on it costs no request: the bodyless request goes to another target', async (t) => {
  const alive = await startBackend(t, 'alive')
  // Answers the first request on each connection and keeps it open, then drops the connection at the next.
  const server = createServer((s) => {
    s.on('error', () => {})
    let answered = false
    s.on('data', () => {
      if (answered) s.destroy()
      else s.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst')
      answered = true
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => server.close(() => r())))
  t.after(() => server.unref())
  const closing = (server.address() as AddressInfo).port
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: closing }, { id: '127.0.0.1', port: alive.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  for (let i = 0; i < 6; i++) assert.equal((await get(port, '/')).status, 200)
  assert.ok(countsOf(dp).retries >= 1)
  // The same race for an HTTP/2 client of the HTTP1 group: one rule for both codecs.
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  await applyState(dp, state(2, loadBalancer(), tg, cert, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  const before = countsOf(dp).retries
  const session = h2connect(`https://api.example.test:${portOf(dp)}`, { ca: ca.rootPem, host: '127.0.0.1', servername: 'api.example.test' })
  t.after(() => session.destroy())
  for (let i = 0; i < 6; i++) {
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/' })
      let code = 0
      stream.on('response', (h) => (code = Number(h[':status'])))
      stream.resume()
      stream.on('end', () => resolve(code))
      stream.on('error', reject)
    })
    assert.equal(status, 200, `HTTP/2 request ${i}`)
  }
  assert.ok(countsOf(dp).retries > before, 'the HTTP/2 client\'s request was retried too')
})

test('a request cut after its response began, by the client or by the target, gives its target back its in-flight count', async (t) => {
  // The head and part of the body go out; then the client leaves (/stay) or the target dies (/die).
  const backendPort = await rawBackend(t, (s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial')
    setTimeout(() => s.destroy(), 50)
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backendPort }], { algorithm: 'least_outstanding_requests' })
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const key = `127.0.0.1:${backendPort}`
  for (const clientLeaves of [true, false]) {
    const s = connect(port, '127.0.0.1')
    s.on('error', () => {})
    s.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
    await once(s, 'data')
    assert.equal(dp.outstanding(tg.arn, key), 1, 'in flight while the body streams')
    if (clientLeaves) s.destroy()
    else await once(s, 'close')
    await eventually(() => dp.outstanding(tg.arn, key) === 0, { timeoutMs: 5000, message: `in-flight count back to 0 (${clientLeaves ? 'client left' : 'target died'})` })
    s.destroy()
  }
})
