import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect as h2connect } from 'node:http2'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { requestCertificate } from '../../src/control/certificates.js'
import { addListenerCertificates } from '../../src/control/load-balancers.js'
import { eventually } from '../helpers/eventually.js'
import { startTutorial } from '../helpers/tutorial.js'

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** GET through the balancer on 127.0.0.1, naming `host` in SNI and Host, verifying against openalb's CA. */
function httpsGet(port: number, path: string, ca: string, host = 'api.example.test'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername: host, headers: { host: `${host}:${port}` }, ca, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function httpGet(port: number, path: string, host: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` }, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }))
    })
    req.on('error', reject)
    req.end()
  })
}

function servedCommonName(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername, ca }, () => {
      resolve(String(socket.getPeerCertificate().subject.CN))
      socket.end()
    })
    socket.on('error', reject)
  })
}

test('the tutorial over HTTPS: http:// redirects to https://, which answers from the server over HTTP/1.1 and HTTP/2 with a certificate from openalb\'s CA', async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const ca = readFileSync(tut.caFile, 'utf8')
  const { http, https } = tut.ports

  // The certificate is issued a moment after the config is applied; the listener serves once it is.
  const first = await eventually(async () => {
    try {
      return await httpsGet(https, '/hello', ca)
    } catch {
      return undefined
    }
  }, { timeoutMs: 20000, message: 'the HTTPS listener serves the issued certificate' })
  assert.ok(first)
  assert.equal(first.status, 200)
  assert.match(first.body, /^hello from \d+: GET \/hello xff=127\.0\.0\.1 proto=https/)

  const moved = await httpGet(http, '/some/path?x=1', 'api.example.test')
  assert.equal(moved.status, 301)
  const location = new URL(String(moved.headers.location))
  assert.equal(location.href, `https://api.example.test:${https}/some/path?x=1`)
  const landed = await httpsGet(Number(location.port), `${location.pathname}${location.search}`, ca, location.hostname)
  assert.equal(landed.status, 200)
  assert.match(landed.body, /GET \/some\/path\?x=1 .*proto=https/)

  // localhost is on the certificate too.
  assert.equal((await httpsGet(https, '/', ca, 'localhost')).status, 200)

  // HTTP/2 through ALPN, verified against the same CA.
  const session = h2connect(`https://api.example.test:${https}`, { ca, host: '127.0.0.1', servername: 'api.example.test' })
  t.after(() => session.close())
  const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const stream = session.request({ ':path': '/over-h2' })
    let status = 0
    let body = ''
    stream.setEncoding('utf8')
    stream.on('response', (h) => (status = Number(h[':status'])))
    stream.on('data', (c: string) => (body += c))
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', reject)
  })
  assert.equal(session.alpnProtocol, 'h2')
  assert.equal(h2.status, 200)
  assert.match(h2.body, /GET \/over-h2 .*proto=https/)

  // A TLS 1.1 client is refused by the default policy and counted in /metrics.
  await assert.rejects(
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: https, servername: 'api.example.test', ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }, () => resolve(s))
      s.once('error', reject)
    }),
  )
  const metrics = await eventually(async () => {
    const text = await (await fetch(`${tut.lb.controlUrl}/metrics`)).text()
    const m = /^openalb_client_tls_negotiation_error_count_total(?:\{[^}]*\})? (\d+)/m.exec(text)
    return m && Number(m[1]) >= 1 ? text : undefined
  }, { timeoutMs: 5000, message: 'ClientTLSNegotiationErrorCount counts the refused handshake' })
  assert.ok(metrics)
})

test('a certificate added through control to the running HTTPS listener is served on the next handshake', async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const ca = readFileSync(tut.caFile, 'utf8')
  const { https } = tut.ports
  await eventually(async () => (await servedCommonName(https, 'api.example.test', ca).catch(() => '')) === 'api.example.test', {
    timeoutMs: 20000,
    message: 'the tutorial certificate is served',
  })
  assert.equal(await servedCommonName(https, 'www.example.test', ca).catch(() => 'refused'), 'refused', 'www is not on the default certificate: verification fails')

  const view = await tut.lb.control.view()
  const listener = view.list('listener').find((l) => l.port === https)
  assert.ok(listener)
  await tut.lb.control.mutate((d) => {
    const cert = requestCertificate(d, { name: 'www-example-test', domainName: 'www.example.test', source: 'local-ca' })
    addListenerCertificates(d, listener.arn, [cert.arn])
  })
  await eventually(async () => (await servedCommonName(https, 'www.example.test', ca).catch(() => '')) === 'www.example.test', {
    timeoutMs: 20000,
    message: 'the new certificate is served once openalb\'s CA has issued it',
  })
  assert.equal(await servedCommonName(https, 'api.example.test', ca), 'api.example.test')
})
