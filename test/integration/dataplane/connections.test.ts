import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test, type TestContext } from 'node:test'
import { applyState, fixed, forward, freePort, portOf, listener, loadBalancer, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { eventually } from '../../helpers/eventually.js'

function rawExchange(t: TestContext, port: number, raw: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    t.after(() => s.destroy())
    let text = ''
    s.setEncoding('latin1')
    s.on('data', (d: string) => (text += d))
    s.on('close', () => resolve(text))
    s.write(raw)
  })
}

test('an HTTP/1.0 client gets a chunked answer without chunk framing, ended by close', async (t) => {
  const backend = await startBackend(t, 'web', (req, res) => {
    req.resume()
    res.write('hello ')
    res.end('world')
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const text = await rawExchange(t, port, 'GET / HTTP/1.0\r\nHost: a\r\n\r\n')
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
  assert.doesNotMatch(text, /transfer-encoding/i)
  assert.ok(text.endsWith('\r\n\r\nhello world'), JSON.stringify(text))
})

test('an idle client connection is closed after the balancer idle timeout', async (t) => {
  const dp = await startDataplane(t, state(1, loadBalancer({ idleTimeoutSeconds: 1 }), listener(0, [fixed('200', 'ok')])))
  const port = portOf(dp)
  const started = Date.now()
  const text = await rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  assert.match(text, /^HTTP\/1\.1 200 OK/)
  assert.ok(Date.now() - started >= 900)
})

test('a request in flight on a removed listener finishes, then its connection closes', async (t) => {
  let release: () => void = () => {}
  const backend = await startBackend(t, 'web', (req, res) => {
    req.resume()
    release = () => res.end('late')
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const answer = rawExchange(t, port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  await eventually(() => backend.seen.length > 0, { message: 'the request to reach the target' })
  await applyState(dp, state(2, loadBalancer(), tg))
  release()
  const text = await answer
  assert.match(text, /^HTTP\/1\.1 200 OK[\s\S]*connection: close\r\n\r\nlate$/)
})

test('Expect: 100-continue is passed to the target and its 100 to the client', async (t) => {
  const backend = await startBackend(t, 'web', (req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => res.end(`got ${body}`))
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const text = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1')
    t.after(() => s.destroy())
    let out = ''
    s.setEncoding('latin1')
    s.on('data', (d: string) => {
      out += d
      if (out.startsWith('HTTP/1.1 100') && !out.includes('got')) s.write('hello')
      if (out.includes('got hello')) resolve(out)
    })
    s.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n')
  })
  assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/)
})
