import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test, type TestContext } from 'node:test'
import type { LoadBalancerAttributes } from '../../../src/model/load-balancer.js'
import { forward, freePort, portOf, listener, loadBalancer, startBackend, startDataplane, state, targetGroup, type Backend } from './fixtures.js'

async function setup(t: TestContext, attrs: Partial<LoadBalancerAttributes>): Promise<{ port: number; backend: Backend }> {
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(attrs), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  return { port, backend }
}

/** Sends raw bytes and collects everything until the balancer closes (or `waitMs` of quiet after a full answer). */
function exchange(t: TestContext, port: number, raw: string): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    t.after(() => s.destroy())
    let text = ''
    s.setEncoding('latin1')
    let timer: NodeJS.Timeout | undefined
    s.on('data', (d: string) => {
      text += d
      clearTimeout(timer)
      // Kept open: settle once an answer is in and nothing more comes.
      timer = setTimeout(() => resolve({ text, closed: false }), 150)
    })
    s.on('close', () => {
      clearTimeout(timer)
      resolve({ text, closed: true })
    })
    s.write(raw)
  })
}

const TE_CL = 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
const NON_COMPLIANT_NAME = 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n'

test('defensive: an ambiguous request (TE and CL) is forwarded, then both connections close', async (t) => {
  const { port, backend } = await setup(t, { desyncMitigationMode: 'defensive' })
  const r = await exchange(t, port, TE_CL)
  assert.match(r.text, /^HTTP\/1\.1 200 OK/)
  assert.match(r.text, /connection: close/)
  assert.equal(r.closed, true)
  assert.equal(backend.seen.length, 1)
  assert.equal(backend.seen[0]?.headers['content-length'], undefined)
})

test('strictest: an ambiguous request is refused with 400', async (t) => {
  const { port, backend } = await setup(t, { desyncMitigationMode: 'strictest' })
  const r = await exchange(t, port, TE_CL)
  assert.match(r.text, /^HTTP\/1\.1 400 Bad Request/)
  assert.equal(r.closed, true)
  assert.equal(backend.seen.length, 0)
})

test('strictest: an acceptable (non-compliant) request is refused too', async (t) => {
  const { port } = await setup(t, { desyncMitigationMode: 'strictest' })
  assert.match((await exchange(t, port, NON_COMPLIANT_NAME)).text, /^HTTP\/1\.1 400 /)
})

test('monitor: an ambiguous request is forwarded and the connection stays open', async (t) => {
  const { port } = await setup(t, { desyncMitigationMode: 'monitor' })
  const r = await exchange(t, port, TE_CL)
  assert.match(r.text, /^HTTP\/1\.1 200 OK/)
  assert.equal(r.closed, false)
})

test('a header name with a space is never passed on to the target', async (t) => {
  const { port, backend } = await setup(t, { desyncMitigationMode: 'monitor' })
  await exchange(t, port, 'GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nX-Ok: 1\r\n\r\n')
  assert.equal(backend.seen.length, 1)
  assert.ok(!backend.seen[0]?.rawHeaders.some((h) => /transfer-encoding/i.test(h)))
  assert.equal(backend.seen[0]?.headers['x-ok'], '1')
})

test('differing Content-Length headers are refused with 400 before any target sees them', async (t) => {
  const { port, backend } = await setup(t, { desyncMitigationMode: 'monitor' })
  const r = await exchange(t, port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!')
  assert.match(r.text, /^HTTP\/1\.1 400 /)
  assert.equal(backend.seen.length, 0)
})

test('an unknown transfer coding is answered 501', async (t) => {
  const { port } = await setup(t, {})
  assert.match((await exchange(t, port, 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n')).text, /^HTTP\/1\.1 501 /)
})
