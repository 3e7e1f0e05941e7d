import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request as httpsRequest } from 'node:https'
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2'
import { test } from 'node:test'
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls'
import type { Action } from '../../../src/model/action.js'
import type { Certificate } from '../../../src/model/certificate.js'
import type { Listener } from '../../../src/model/listener.js'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, fixed, forward, freePort, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup, type Reply } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

const redirectTo = (path: string): Action => ({
  type: 'redirect',
  order: 1,
  redirect: { protocol: '#{protocol}', port: '#{port}', host: '#{host}', path, query: '#{query}', statusCode: 'HTTP_301' },
})

function httpsListener(port: number, actions: Action[], certs: Certificate[], more: Partial<Listener> = {}): Listener {
  return listener(port, actions, { protocol: 'HTTPS', certificates: certRefs(...certs), ...more })
}

/** One HTTP/1.1 request over a fresh TLS connection. */
function httpsGet(port: number, path: string, ca: string, servername = 'api.example.test', headers: Record<string, string> = {}): Promise<Reply & { alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername, ca, headers: { host: servername, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), alpn: (res.socket as TLSSocket).alpnProtocol }))
    })
    req.on('error', reject)
    req.end()
  })
}

function h2Session(t: { after: (fn: () => void) => void }, port: number, ca: string, servername = 'api.example.test'): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    // Connect to loopback but say the name, so :authority is the name, as a browser would send it.
    const session = h2connect(`https://${servername}:${port}`, { ca, servername, host: '127.0.0.1' })
    t.after(() => session.close())
    session.once('connect', () => resolve(session))
    session.once('error', reject)
  })
}

function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: Buffer): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined })
    let head: IncomingHttpHeaders = {}
    stream.on('response', (h) => (head = h))
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks) }))
    stream.on('error', reject)
    if (body !== undefined) stream.end(body)
  })
}

function peer(port: number, ca: string, servername: string | undefined, alpn?: string[]): Promise<{ socket: TLSSocket; cert: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}), ...(alpn ? { ALPNProtocols: alpn } : {}), checkServerIdentity: () => undefined })
    socket.once('secureConnect', () => resolve({ socket, cert: socket.getPeerCertificate() }))
    socket.once('error', reject)
  })
}

test('an HTTPS listener forwards HTTP/1.1 with X-Forwarded-Proto https and its port', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const backend = await startBackend(t, 'web-1')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tg, cert, httpsListener(port, [forward(tg)], [cert])))
  const r = await httpsGet(port, '/hello?x=1', ca.rootPem)
  assert.equal(r.status, 200)
  assert.equal(r.body, 'web-1')
  assert.equal(backend.seen[0]?.url, '/hello?x=1')
  assert.equal(backend.seen[0]?.headers['x-forwarded-proto'], 'https')
  assert.equal(backend.seen[0]?.headers['x-forwarded-port'], String(port))
  assert.equal(backend.seen[0]?.headers['x-forwarded-for'], '127.0.0.1')
})

test('HTTP/2 is negotiated through ALPN and routes, answers and forwards as HTTP/1.1 does', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const backend = await startBackend(t, 'web-1', (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('set-cookie', ['a=1', 'b=2'])
      res.setHeader('x-from', 'backend')
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).length}`)
    })
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const port = await freePort()
  const l = httpsListener(port, [forward(tg)], [cert])
  await startDataplane(
    t,
    state(
      1, loadBalancer(), tg, cert, l,
      rule(l, 1, [{ field: 'path-pattern', values: ['/teapot'] }], [fixed('418', 'short and stout')]),
      rule(l, 2, [{ field: 'path-pattern', values: ['/old/*'] }], [redirectTo('/new/#{path}')]),
    ),
  )
  const session = await h2Session(t, port, ca.rootPem)
  assert.equal(session.alpnProtocol, 'h2')
  // ALB's limit: 128 concurrent streams per connection, announced in SETTINGS.
  await eventually(() => session.remoteSettings.maxConcurrentStreams === 128, { message: 'SETTINGS_MAX_CONCURRENT_STREAMS 128' })

  const forwarded = await h2Request(session, { ':path': '/hello?x=1' })
  assert.equal(forwarded.headers[':status'], 200)
  assert.equal(forwarded.body.toString(), 'GET /hello?x=1 0')
  assert.equal(forwarded.headers['x-from'], 'backend')
  assert.deepEqual(forwarded.headers['set-cookie'], ['a=1', 'b=2'])
  assert.equal(backend.seen[0]?.headers['x-forwarded-proto'], 'https')
  assert.equal(backend.seen[0]?.headers['x-forwarded-port'], String(port))
  assert.equal(backend.seen[0]?.headers.host, `api.example.test:${port}`)
  assert.match(String(backend.seen[0]?.headers['x-amzn-trace-id']), /^Root=1-/)

  const upload = Buffer.alloc(300_000, 7)
  const posted = await h2Request(session, { ':method': 'POST', ':path': '/upload' }, upload)
  assert.equal(posted.body.toString(), `POST /upload ${upload.length}`)

  const teapot = await h2Request(session, { ':path': '/teapot' })
  assert.equal(teapot.headers[':status'], 418)
  assert.equal(teapot.body.toString(), 'short and stout')
  assert.equal(teapot.headers.server, 'awselb/2.0')

  // A body on a request the balancer answers itself is read and dropped; the connection goes on.
  const teapotPost = await h2Request(session, { ':method': 'POST', ':path': '/teapot' }, Buffer.alloc(200_000, 1))
  assert.equal(teapotPost.headers[':status'], 418)

  const moved = await h2Request(session, { ':path': '/old/page?q=1' })
  assert.equal(moved.headers[':status'], 301)
  assert.equal(moved.headers.location, `https://api.example.test:${port}/new/old/page?q=1`)

  // Many streams at once on one connection, each forwarded on its own upstream connection.
  const all = await Promise.all(Array.from({ length: 20 }, (_, i) => h2Request(session, { ':path': `/n/${i}` })))
  assert.deepEqual(all.map((r) => r.body.toString()), Array.from({ length: 20 }, (_, i) => `GET /n/${i} 0`))
})

test('a large response reaches an HTTP/2 client whole, paced by its flow control', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const size = 8 * 1024 * 1024
  const backend = await startBackend(t, 'big', (_req, res) => {
    const block = Buffer.alloc(64 * 1024, 97)
    let sent = 0
    res.setHeader('content-type', 'application/octet-stream')
    // No content-length: the target answers chunked and the client gets plain DATA frames.
    const pump = (): void => {
      while (sent < size) {
        sent += block.length
        if (!res.write(block)) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, httpsListener(0, [forward(tg)], [cert])))
  const port = portOf(dp)
  const session = await h2Session(t, port, ca.rootPem)
  const r = await h2Request(session, { ':path': '/big' })
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.body.length, size)
})

test('with routing.http2.enabled false, ALPN picks http/1.1 even when the client offers h2', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const dp = await startDataplane(t, state(1, loadBalancer({ http2Enabled: false }), cert, httpsListener(0, [fixed('200', 'ok')], [cert])))
  const port = portOf(dp)
  const { socket } = await peer(port, ca.rootPem, 'api.example.test', ['h2', 'http/1.1'])
  t.after(() => socket.destroy())
  assert.equal(socket.alpnProtocol, 'http/1.1')
})

test('turning routing.http2.enabled off on a running balancer takes effect on the next handshake', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const l = httpsListener(0, [fixed('200', 'ok')], [cert])
  const dp = await startDataplane(t, state(1, loadBalancer(), cert, l))
  const port = portOf(dp)
  const before = await peer(port, ca.rootPem, 'api.example.test', ['h2', 'http/1.1'])
  // An HTTP/2 connection that never sends its preface would hold the listener's close: end it now.
  before.socket.destroy()
  assert.equal(before.socket.alpnProtocol, 'h2')
  await applyState(dp, state(2, loadBalancer({ http2Enabled: false }), cert, l))
  const after = await peer(port, ca.rootPem, 'api.example.test', ['h2', 'http/1.1'])
  t.after(() => after.socket.destroy())
  assert.equal(after.socket.alpnProtocol, 'http/1.1')
})

test('an HTTP/2 connection takes a changed idle timeout from its next request on', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const l = httpsListener(0, [fixed('200', 'ok')], [cert])
  const dp = await startDataplane(t, state(1, loadBalancer({ idleTimeoutSeconds: 300 }), cert, l))
  const port = portOf(dp)
  const session = await h2Session(t, port, ca.rootPem)
  let closed = false
  session.once('close', () => (closed = true))
  assert.equal((await h2Request(session, { ':path': '/' })).headers[':status'], 200)
  await applyState(dp, state(2, loadBalancer({ idleTimeoutSeconds: 1 }), cert, l))
  assert.equal((await h2Request(session, { ':path': '/' })).headers[':status'], 200)
  await eventually(() => closed || undefined, { timeoutMs: 5000, message: 'the idle connection closed after the new 1 s timeout' })
})

test('a client offering only protocols openalb does not speak is refused with no_application_protocol (RFC 7301)', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const dp = await startDataplane(t, state(1, loadBalancer(), cert, httpsListener(0, [fixed('200', 'ok')], [cert])))
  const port = portOf(dp)
  await assert.rejects(peer(port, ca.rootPem, 'api.example.test', ['spdy/3.1']), { code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' })
  // A client that offers no ALPN at all is served HTTP/1.1.
  const { socket } = await peer(port, ca.rootPem, 'api.example.test')
  t.after(() => socket.destroy())
  assert.equal(socket.alpnProtocol, false)
})

test('a certificate added to a running listener is served on the next handshake; open connections stay', async (t) => {
  const ca = await testCa(t)
  const first = await ca.certificate(['api.example.test'])
  const second = await ca.certificate(['www.example.test'])
  const lb = loadBalancer()
  const l = httpsListener(0, [fixed('200', 'ok')], [first])
  const dp = await startDataplane(t, state(1, lb, first, l))
  const port = portOf(dp)

  const before = await peer(port, ca.rootPem, 'www.example.test')
  t.after(() => before.socket.destroy())
  assert.equal(before.cert.subject.CN, 'api.example.test', 'an unknown name gets the default certificate')

  await applyState(dp, state(2, lb, first, second, { ...l, certificates: certRefs(first, second) }))
  const after = await peer(port, ca.rootPem, 'www.example.test')
  t.after(() => after.socket.destroy())
  assert.equal(after.cert.subject.CN, 'www.example.test')

  // The connection opened before the change still carries requests.
  const answer = await new Promise<string>((resolve) => {
    let text = ''
    before.socket.on('data', (c: Buffer) => {
      text += c.toString()
      if (text.endsWith('ok')) resolve(text)
    })
    before.socket.write('GET / HTTP/1.1\r\nhost: www.example.test\r\n\r\n')
  })
  assert.match(answer, /^HTTP\/1\.1 200/)

  await applyState(dp, state(3, lb, first, second, { ...l, certificates: certRefs(first) }))
  const removed = await peer(port, ca.rootPem, 'www.example.test')
  t.after(() => removed.socket.destroy())
  assert.equal(removed.cert.subject.CN, 'api.example.test', 'a removed certificate is no longer served')
})

test('a listener whose default certificate is still pending refuses handshakes until it is issued', async (t) => {
  const ca = await testCa(t)
  const pending = await ca.certificate(['api.example.test'], 'PENDING_VALIDATION')
  const lb = loadBalancer()
  const l = httpsListener(0, [fixed('200', 'ok')], [pending])
  const dp = await startDataplane(t, state(1, lb, pending, l))
  const port = portOf(dp)
  await assert.rejects(peer(port, ca.rootPem, 'api.example.test'))
  assert.ok(countsOf(dp).clientTlsNegotiationErrors >= 1)

  const issued = { ...(await ca.certificate(['api.example.test'])), arn: pending.arn }
  await applyState(dp, state(2, lb, issued, l))
  const { socket, cert } = await peer(port, ca.rootPem, 'api.example.test')
  t.after(() => socket.destroy())
  assert.equal(cert.subject.CN, 'api.example.test')
})

test('a client whose handshake fails is counted as a client TLS negotiation error', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const dp = await startDataplane(t, state(1, loadBalancer(), cert, httpsListener(0, [fixed('200', 'ok')], [cert])))
  const port = portOf(dp)
  // TLS 1.1 only: the default policy (TLS 1.2 and 1.3) refuses it.
  await assert.rejects(
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, ca: ca.rootPem, servername: 'api.example.test', minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' })
      s.once('secureConnect', () => resolve(s))
      s.once('error', reject)
    }),
  )
  assert.ok(countsOf(dp).clientTlsNegotiationErrors >= 1)
})

test('an HTTP/2 request is logged as type h2 with the SNI name and the chosen certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer({ accessLogs: { enabled: true, bucket: file, prefix: '' } }), cert, httpsListener(port, [fixed('200', 'ok')], [cert])))
  const session = await h2Session(t, port, ca.rootPem)
  await h2Request(session, { ':path': '/x?y=1', 'user-agent': 'h2-test' })
  const line = await eventually(() => readFileSync(file, 'utf8').trim() || undefined)
  assert.ok(line)
  assert.match(line, new RegExp(`^h2 \\S+ app/test-lb/0123456789abcdef 127\\.0\\.0\\.1:\\d+ - -1 -1 -1 200 - \\d+ \\d+ "GET https://api\\.example\\.test:${port}/x\\?y=1 HTTP/2\\.0" "h2-test" `))
  assert.ok(line.includes(`"api.example.test" "${cert.arn}"`), line)
})

test('a renewed certificate (same ARN, new key and serial) is served on the next handshake', async (t) => {
  const ca = await testCa(t)
  const first = await ca.certificate(['api.example.test'])
  const lb = loadBalancer()
  const l = httpsListener(0, [fixed('200', 'ok')], [first])
  const dp = await startDataplane(t, state(1, lb, first, l))
  const port = portOf(dp)
  const before = await peer(port, ca.rootPem, 'api.example.test')
  before.socket.destroy()
  const renewed = { ...(await ca.certificate(['api.example.test'])), arn: first.arn }
  await applyState(dp, state(2, lb, renewed, l))
  const after = await peer(port, ca.rootPem, 'api.example.test')
  after.socket.destroy()
  assert.notEqual(after.cert.serialNumber, before.cert.serialNumber)
  assert.equal(after.cert.subject.CN, 'api.example.test')
})

test('an HTTPS request over HTTP/1.1 is logged as type https with the SNI name and the chosen certificate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  const ca = await testCa(t)
  const main = await ca.certificate(['api.example.test'])
  const other = await ca.certificate(['www.example.test'])
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer({ accessLogs: { enabled: true, bucket: file, prefix: '' } }), main, other, httpsListener(port, [fixed('200', 'ok')], [main, other])))
  await httpsGet(port, '/y', ca.rootPem, 'www.example.test')
  const line = await eventually(() => readFileSync(file, 'utf8').trim() || undefined)
  assert.ok(line)
  assert.match(line, new RegExp(`^https .* "GET https://www\\.example\\.test:${port}/y HTTP/1\\.1" `))
  assert.ok(line.includes(`"www.example.test" "${other.arn}"`), line)
})
