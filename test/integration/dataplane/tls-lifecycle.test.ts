import assert from 'node:assert/strict'
import { connect as h2connect } from 'node:http2'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, forward, freePort, listener, loadBalancer, portOf, securityGroup, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
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
