import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer, connect as tlsConnect, TLSSocket, createSecureContext } from 'node:tls'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import type { Certificate } from '../../../src/model/certificate.js'
import type { AlpnPolicy, Listener } from '../../../src/model/listener.js'
import type { LoadBalancer } from '../../../src/model/load-balancer.js'
import type { TargetGroup } from '../../../src/model/target-group.js'
import { countsOf, forward, listener, loadBalancer, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa, type TestCa } from './tls-fixtures.js'
import { parseProxyV2, startEchoTarget, startProxyV2Target, TcpClient, type ProxyV2Info } from './tcp-targets.js'

const NLB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/tls-nlb/0123456789abcdef'
const nlb = (attrs: Parameters<typeof loadBalancer>[0] = {}): LoadBalancer => ({ ...loadBalancer(attrs, { type: 'network', name: 'tls-nlb' }), arn: NLB_ARN })
const group = (name: string, port: number, protocol: 'TCP' | 'TLS', proxyProtocolV2 = false): TargetGroup =>
  targetGroup(name, [{ id: '127.0.0.1', port }], { proxyProtocolV2 }, { protocol })
const tlsListener = (tg: TargetGroup, certs: Certificate[], alpnPolicy: AlpnPolicy = 'None'): Listener => ({
  ...listener(0, [forward(tg)]),
  protocol: 'TLS',
  loadBalancerArn: NLB_ARN,
  certificates: certRefs(...certs),
  sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  alpnPolicy,
})

/** A TLS client of the listener: resolves once the handshake is done; every wait bounded. */
function tlsClient(t: TestContext, port: number, ca: TestCa, servername: string, alpn?: string[]): Promise<TLSSocket & { text: () => string }> {
  return new Promise((resolve, reject) => {
    let text = ''
    const s = tlsConnect({ host: '127.0.0.1', port, ca: ca.rootPem, servername, ...(alpn ? { ALPNProtocols: alpn } : {}) })
    t.after(() => s.destroy())
    s.setEncoding('latin1')
    s.on('data', (c: string) => (text += c))
    const timer = setTimeout(() => reject(new Error('handshake timed out')), 5000)
    s.once('secureConnect', () => {
      clearTimeout(timer)
      resolve(Object.assign(s, { text: () => text }))
    })
    s.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('a TLS listener terminates with the certificate SNI picks, and splices the plain bytes to a TCP group', async (t) => {
  const ca = await testCa(t)
  const [api, www] = [await ca.certificate(['api.example.test']), await ca.certificate(['www.example.test'])]
  const target = await startEchoTarget(t, 'plain')
  const tg = group('tcp-tg', target.port, 'TCP')
  const dp = await startDataplane(t, state(1, nlb(), api, www, tg, tlsListener(tg, [api, www])))
  const port = dp.boundPort('127.0.0.1:0') ?? 0
  for (const name of ['api.example.test', 'www.example.test']) {
    const c = await tlsClient(t, port, ca, name)
    assert.equal(c.authorized, true)
    assert.equal(c.getPeerCertificate().subject.CN, name)
    assert.equal(c.alpnProtocol, false, 'ALPN policy None: no ALPN')
    c.write('secret\n')
    await until(() => c.text() === 'plain\nsecret\n', 'the echo through TLS')
    c.end()
  }
  assert.equal(countsOf(dp).connectionsAccepted, 2)
})

test('ALPN policies: HTTP2Preferred picks h2, HTTP2Optional http/1.1, HTTP1Only refuses an h2-only client', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const target = await startEchoTarget(t, 'plain')
  const tg = group('tcp-tg', target.port, 'TCP')
  const both = ['http/1.1', 'h2']
  for (const [policy, offered, expected] of [
    ['HTTP2Preferred', both, 'h2'],
    ['HTTP2Optional', both, 'http/1.1'],
    ['HTTP2Only', both, 'h2'],
    ['HTTP1Only', both, 'http/1.1'],
  ] as const) {
    const dp = await startDataplane(t, state(1, nlb(), cert, tg, tlsListener(tg, [cert], policy)))
    const c = await tlsClient(t, dp.boundPort('127.0.0.1:0') ?? 0, ca, 'api.example.test', [...offered])
    assert.equal(c.alpnProtocol, expected, policy)
    c.destroy()
    await dp.close()
  }
  const dp = await startDataplane(t, state(1, nlb(), cert, tg, tlsListener(tg, [cert], 'HTTP1Only')))
  await assert.rejects(tlsClient(t, dp.boundPort('127.0.0.1:0') ?? 0, ca, 'api.example.test', ['h2']))
  assert.ok(countsOf(dp).clientTlsNegotiationErrors >= 1)
})

test('a TLS target group re-encrypts: the target sees TLS, with the ALPN protocol the client chose', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const targetCert = await ca.certificate(['target.internal'])
  const seen: { encrypted: boolean; alpn: string | false | null }[] = []
  const sockets = new Set<Socket>()
  const server = createTlsServer({ cert: targetCert.certificatePem, key: targetCert.privateKeyPem, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    seen.push({ encrypted: s.encrypted, alpn: s.alpnProtocol })
    s.write(`tls-target ${s.alpnProtocol}\n`)
    s.pipe(s)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
  const tg = group('tls-tg', (server.address() as AddressInfo).port, 'TLS')
  const dp = await startDataplane(t, state(1, nlb(), cert, tg, tlsListener(tg, [cert], 'HTTP2Preferred')))
  const c = await tlsClient(t, dp.boundPort('127.0.0.1:0') ?? 0, ca, 'api.example.test', ['h2', 'http/1.1'])
  c.write('ping\n')
  await until(() => c.text() === 'tls-target h2\nping\n', 'the echo from the TLS target')
  assert.deepEqual(seen, [{ encrypted: true, alpn: 'h2' }])
})

test('proxy_protocol_v2.enabled: the target reads the client\'s address and the listener\'s from a PROXY v2 header', async (t) => {
  const target = await startProxyV2Target(t, 'pp2')
  const tg = group('pp2-tg', target.port, 'TCP', true)
  const l = { ...listener(0, [forward(tg)]), protocol: 'TCP' as const, loadBalancerArn: NLB_ARN }
  const dp = await startDataplane(t, state(1, nlb(), tg, l))
  const port = dp.boundPort('127.0.0.1:0') ?? 0
  const c = new TcpClient(port)
  t.after(() => c.destroy())
  await new Promise<void>((r) => c.socket.once('connect', () => r()))
  c.socket.write('after the header\n')
  const line = await c.greeting()
  assert.equal(line, `pp2 from 127.0.0.1:${c.socket.localPort} to 127.0.0.1:${port}`)
  await c.until((x) => x.text.endsWith('after the header\n'), 5000, 'the bytes after the header')
  assert.equal(target.headers[0]?.command, 'PROXY')
  assert.equal(target.headers[0]?.transport, 'STREAM')
})

test('without proxy_protocol_v2 a target gets the client\'s bytes only', async (t) => {
  const target = await startProxyV2Target(t, 'pp2')
  const tg = group('pp2-tg', target.port, 'TCP', false)
  const dp = await startDataplane(t, state(1, nlb(), tg, { ...listener(0, [forward(tg)]), protocol: 'TCP' as const, loadBalancerArn: NLB_ARN }))
  const c = new TcpClient(dp.boundPort('127.0.0.1:0') ?? 0)
  t.after(() => c.destroy())
  c.socket.write('no header at all, just bytes\n')
  await c.until((x) => x.socket.destroyed || x.ended, 5000, 'the target refusing bytes that are no PROXY header')
  assert.equal(target.headers.length, 0)
})

test('access logs on a network balancer: one NLB line per TLS connection, in NLB\'s fields and order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-nlb-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'nlb.log')
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const target = await startEchoTarget(t, 'plain')
  const tg = group('tcp-tg', target.port, 'TCP')
  const l = tlsListener(tg, [cert], 'HTTP2Preferred')
  const dp = await startDataplane(t, state(1, nlb({ accessLogs: { enabled: true, bucket: file, prefix: '' } }), cert, tg, l))
  const port = dp.boundPort('127.0.0.1:0') ?? 0
  const c = await tlsClient(t, port, ca, 'api.example.test', ['h2', 'http/1.1'])
  c.write('secret\n')
  await until(() => c.text() === 'plain\nsecret\n', 'the echo through TLS')
  const clientPort = c.localPort
  c.end()
  await until(() => existsSync(file) && readFileSync(file, 'utf8').endsWith('\n'), 'the access log line')
  const fields = readFileSync(file, 'utf8').trim().split(' ')
  assert.equal(fields.length, 22, fields.join(' '))
  const [type, version, time, elb, listenerId, client, destination, connMs, handshakeMs, received, sent, alert, certArn, serial, cipher, protocol, group_, domain, alpnFe, alpnBe, alpnList, created] = fields
  assert.deepEqual([type, version, elb, listenerId, client, destination], ['tls', '2.0', 'net/tls-nlb/0123456789abcdef', l.arn.slice(l.arn.lastIndexOf('/') + 1), `127.0.0.1:${clientPort}`, `127.0.0.1:${port}`])
  assert.match(time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
  assert.match(created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/)
  assert.ok(Number(connMs) >= Number(handshakeMs) && Number(handshakeMs) >= 0, `${connMs} ${handshakeMs}`)
  assert.deepEqual([received, sent, alert, certArn, serial], ['7', '13', '-', cert.arn, '-'])
  assert.deepEqual([cipher, protocol, group_, domain, alpnFe, alpnBe, alpnList], ['TLS_AES_128_GCM_SHA256', 'tlsv13', '-', 'api.example.test', 'h2', '-', '%22h2%22%2C%22http%2F1.1%22'])
})


test('a TLS target group with proxy_protocol_v2: the PROXY v2 header goes first in plain bytes, then the re-encrypted connection', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const targetCert = await ca.certificate(['target.internal'])
  const context = createSecureContext({ cert: targetCert.certificatePem, key: targetCert.privateKeyPem })
  const headers: ProxyV2Info[] = []
  const sockets = new Set<Socket>()
  // The target reads the header in the clear, then speaks TLS on the same connection (as a target behind NLB does).
  const server = createTcpServer((raw) => {
    sockets.add(raw)
    raw.on('close', () => sockets.delete(raw))
    raw.on('error', () => {})
    let pending = Buffer.alloc(0)
    const onData = (c: Buffer) => {
      pending = Buffer.concat([pending, c])
      const parsed = parseProxyV2(pending)
      if (!parsed) return
      raw.off('data', onData)
      raw.pause()
      headers.push(parsed.info)
      const rest = pending.subarray(parsed.length)
      if (rest.length > 0) raw.unshift(rest)
      const tls = new TLSSocket(raw, { isServer: true, secureContext: context })
      tls.on('error', () => {})
      tls.once('secure', () => tls.write(`tls after pp2 from ${parsed.info.source}:${parsed.info.sourcePort}\n`))
      tls.pipe(tls)
    }
    raw.on('data', onData)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
  const tg = group('tls-pp2-tg', (server.address() as AddressInfo).port, 'TLS', true)
  const dp = await startDataplane(t, state(1, nlb(), cert, tg, tlsListener(tg, [cert])))
  const c = await tlsClient(t, dp.boundPort('127.0.0.1:0') ?? 0, ca, 'api.example.test')
  c.write('ping\n')
  await until(() => c.text() === `tls after pp2 from 127.0.0.1:${c.localPort}\nping\n`, 'the echo from the TLS target behind its PROXY header')
  assert.equal(headers.length, 1)
  assert.equal(headers[0]?.command, 'PROXY')
})
