import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { Metrics } from '../../../src/metrics/metrics.js'
import { MetricsSink } from '../../../src/dataplane/metrics-sink.js'
import { selfSigned } from '../../aws/self-signed.js'
import { countsOf, forward, freePort, get, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'
import { h2Client, h2Request, startHttpsTarget } from './target-servers.js'

const https = { protocol: 'HTTPS' as const, port: 443 }

test('an HTTPS target group behind an HTTP listener reaches its target over TLS without SNI or certificate checks', async (t) => {
  const target = await startHttpsTarget(t, 'secure-1')
  const tg = targetGroup('secure', [{ id: '127.0.0.1', port: target.port }], {}, https)
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tg, listener(port, [forward(tg)])))
  const r = await get(port, '/hello?x=1', { host: 'api.example.test' })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'secure-1')
  const seen = target.seen[0]
  assert.equal(seen?.encrypted, true)
  assert.equal(seen?.url, '/hello?x=1')
  assert.equal(seen?.headers['x-forwarded-proto'], 'http')
  assert.equal(seen?.headers['x-forwarded-port'], String(port))
  assert.equal(seen?.headers['x-forwarded-for'], '127.0.0.1')
  // Targets are addresses: no server name goes out in the handshake.
  assert.deepEqual(target.handshakes, [false])
})

test('TLS connections to a target are kept alive and reused, like plain ones', async (t) => {
  const target = await startHttpsTarget(t, 'secure-1')
  const tg = targetGroup('secure', [{ id: '127.0.0.1', port: target.port }], {}, https)
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  for (let i = 0; i < 5; i++) assert.equal((await get(port, `/${i}`)).status, 200)
  assert.equal(target.seen.length, 5)
  assert.equal(target.handshakes.length, 1)
  assert.equal(dp.upstreamConnections(`https 127.0.0.1:${target.port}`), 1)
})

test('an HTTPS target group behind an HTTPS listener serves HTTP/1.1 and HTTP/2 clients', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const target = await startHttpsTarget(t, 'secure-1')
  const tg = targetGroup('secure', [{ id: '127.0.0.1', port: target.port }], {}, https)
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), tg, cert, listener(port, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  const h1 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/h1', servername: 'api.example.test', ca: ca.rootPem, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(h1.status, 200)
  assert.equal(h1.body, 'secure-1')
  const session = await h2Client(t, port, ca.rootPem)
  const r = await h2Request(session, { ':path': '/h2', ':method': 'GET' })
  assert.equal(r.headers[':status'], 200)
  assert.equal(r.body.toString(), 'secure-1')
  assert.deepEqual(target.seen.map((x) => x.url), ['/h1', '/h2'])
  const seen = target.seen[1]
  assert.equal(seen?.encrypted, true)
  assert.equal(seen?.headers['x-forwarded-proto'], 'https')
  assert.equal(seen?.headers['x-forwarded-port'], String(port))
})

test('a target that does not finish the TLS handshake gets the request a 502 and counts TargetTLSNegotiationErrorCount', async (t) => {
  // A plain HTTP server in an HTTPS group: it answers the ClientHello with an HTTP 400.
  const plain = await startBackend(t, 'plain')
  const tg = targetGroup('secure', [{ id: '127.0.0.1', port: plain.port }], {}, https)
  const metrics = new Metrics()
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])), { metrics: new MetricsSink(metrics) })
  const port = portOf(dp)
  const r = await get(port, '/')
  assert.equal(r.status, 502)
  assert.equal(countsOf(dp).targetTlsNegotiationErrors, 1)
  assert.equal(countsOf(dp).targetConnectionErrors, 0)
  assert.match(await metrics.render(), /openalb_target_tls_negotiation_error_count_total\{[^}]*\} 1/)
})

/** One port that speaks TLS to clients that start a handshake and plain HTTP to the others. */
async function dualProtocolTarget(t: TestContext): Promise<{ port: number; tlsConnections: number; plainConnections: number }> {
  const cert = await selfSigned('dual.internal')
  const counts = { port: 0, tlsConnections: 0, plainConnections: 0 }
  const plain = createHttpServer((req, res) => {
    req.resume()
    res.end('plain')
  })
  const secure = createHttpsServer({ cert: cert.certificatePem, key: cert.privateKeyPem }, (req, res) => {
    req.resume()
    res.end('tls')
  })
  const sockets = new Set<Socket>()
  const front = createNetServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null
      if (first === null) return
      socket.unshift(first)
      // 0x16: a TLS handshake record.
      if (first[0] === 0x16) {
        counts.tlsConnections++
        secure.emit('connection', socket)
      } else {
        counts.plainConnections++
        plain.emit('connection', socket)
      }
    })
  })
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r))
  counts.port = (front.address() as AddressInfo).port
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => front.close(() => r()))
  })
  return counts
}

test('an HTTP and an HTTPS group naming the same address:port never share a connection', async (t) => {
  const target = await dualProtocolTarget(t)
  const plainTg = targetGroup('plain', [{ id: '127.0.0.1', port: target.port }])
  const tlsTg = targetGroup('secure', [{ id: '127.0.0.1', port: target.port }], {}, https)
  const l = listener(0, [forward(plainTg)])
  const dp = await startDataplane(t, state(1, loadBalancer(), plainTg, tlsTg, l, rule(l, 1, [{ field: 'path-pattern', values: ['/tls'] }], [forward(tlsTg)])))
  const port = portOf(dp)
  for (let i = 0; i < 3; i++) {
    const p = await get(port, '/plain')
    const s = await get(port, '/tls')
    assert.equal(p.body, 'plain')
    assert.equal(s.body, 'tls')
  }
  assert.equal(target.plainConnections, 1)
  assert.equal(target.tlsConnections, 1)
  assert.equal(dp.upstreamConnections(`127.0.0.1:${target.port}`), 1)
  assert.equal(dp.upstreamConnections(`https 127.0.0.1:${target.port}`), 1)
})
