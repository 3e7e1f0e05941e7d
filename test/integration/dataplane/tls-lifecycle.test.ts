import assert from 'node:assert/strict'
import { connect as h2connect } from 'node:http2'
import { request as httpsRequest } from 'node:https'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, compile, fixed, forward, freePort, listener, loadBalancer, portOf, securityGroup, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

test('security groups are enforced on an HTTPS listener before any TLS work', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const port = await freePort()
  const deny = securityGroup('web-sg', [{ protocol: 'tcp', fromPort: port, toPort: port, cidrs: ['10.0.0.0/8'], sourceGroups: [] }])
  const tg = targetGroup('web', [])
  const l = listener(port, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })
  const dp = await startDataplane(t, state(1, deny, cert, tg, loadBalancer({}, { securityGroups: [deny.id] }), l))
  await assert.rejects(
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, servername: 'api.example.test', ca: ca.rootPem }, () => resolve(s))
      s.once('error', reject)
    }),
  )
  assert.equal(countsOf(dp).connectionsRejected, 1)
  assert.equal(countsOf(dp).clientTlsNegotiationErrors, 0, 'a refused source is not a TLS error')
})

test('removing an HTTPS listener sends GOAWAY: the HTTP/2 request in flight finishes, the connection closes', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  let release: (() => void) | undefined
  const backend = await startBackend(t, 'slow', (_req, res) => {
    release = () => res.end('finished')
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const lb = loadBalancer()
  const dp = await startDataplane(t, state(1, lb, cert, tg, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  const port = portOf(dp)
  const session = h2connect(`https://api.example.test:${port}`, { ca: ca.rootPem, host: '127.0.0.1', servername: 'api.example.test' })
  t.after(() => session.destroy())
  session.on('error', () => {})
  let goaway = false
  session.once('goaway', () => (goaway = true))
  const answer = new Promise<string>((resolve, reject) => {
    const stream = session.request({ ':path': '/slow' })
    let body = ''
    stream.setEncoding('utf8')
    stream.on('data', (c: string) => (body += c))
    stream.on('end', () => resolve(body))
    stream.on('error', reject)
  })
  await eventually(() => release !== undefined, { message: 'the request reached the target' })
  const removed = applyState(dp, state(2, lb, cert, tg))
  await eventually(() => goaway, { message: 'GOAWAY received' })
  release?.()
  assert.equal(await answer, 'finished')
  await removed
  await eventually(() => session.closed || session.destroyed, { message: 'the connection closes' })
})

test('the security groups are checked once per connection, before the handshake, for HTTP/1.1 and HTTP/2 alike', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const port = await freePort()
  const allow = securityGroup('web-sg', [{ protocol: 'tcp', fromPort: port, toPort: port, cidrs: ['127.0.0.0/8'], sourceGroups: [] }])
  const view = state(1, allow, cert, loadBalancer({}, { securityGroups: [allow.id] }), listener(port, [fixed('200', 'in')], { protocol: 'HTTPS', certificates: certRefs(cert) }))
  const dp = await startDataplane(t, view)
  // The same snapshot, with its listener's source check counted.
  const compiled = compile(view)
  let checks = 0
  const listeners = new Map(
    [...compiled.listeners].map(([k, l]) => {
      const sources = l.allowedSources
      assert.ok(sources, 'the listener has security groups')
      const counted = Object.create(sources) as typeof sources
      counted.contains = (address: string) => {
        checks++
        return sources.contains(address)
      }
      return [k, { ...l, allowedSources: counted }]
    }),
  )
  await dp.apply({ ...compiled, listeners })
  const h1 = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, servername: 'api.example.test', ca: ca.rootPem, agent: false }, (res) => {
      res.setEncoding('utf8')
      let body = ''
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
  assert.equal(h1, 'in')
  assert.equal(checks, 1, 'HTTP/1.1 over TLS: one check')
  const session = h2connect(`https://api.example.test:${port}`, { ca: ca.rootPem, host: '127.0.0.1', servername: 'api.example.test' })
  t.after(() => session.destroy())
  const h2 = await new Promise<string>((resolve, reject) => {
    const stream = session.request({ ':path': '/' })
    stream.setEncoding('utf8')
    let body = ''
    stream.on('data', (c: string) => (body += c))
    stream.on('end', () => resolve(body))
    stream.on('error', reject)
  })
  assert.equal(h2, 'in')
  assert.equal(checks, 2, 'HTTP/2: one check')
})
