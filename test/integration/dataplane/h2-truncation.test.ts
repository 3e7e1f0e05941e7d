// An HTTP/1.1 target that dies in the middle of its body must not look like a complete answer to
// an HTTP/2 client: the stream ends with RST_STREAM, never with END_STREAM.
import assert from 'node:assert/strict'
import { connect as h2connect, type ClientHttp2Session } from 'node:http2'
import { createServer, type Server, type Socket } from 'node:net'
import { test } from 'node:test'
import { forward, freePort, portOf, listener, loadBalancer, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

/** A target that answers the head and one part of the body, then closes its connection (unless told to stay). */
async function dyingTarget(t: { after: (fn: () => Promise<void> | void) => void }, head: string, firstPart: string, dies = true): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => {
      socket.write(`${head}${firstPart}`)
      if (dies) setImmediate(() => socket.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const a = server.address()
  return typeof a === 'object' && a !== null ? a.port : 0
}

function outcome(session: ClientHttp2Session): Promise<{ status: number; body: string; ended: boolean; rstCode: number }> {
  return new Promise((resolve) => {
    const stream = session.request({ ':path': '/' })
    let status = 0
    let body = ''
    let ended = false
    stream.on('response', (h) => (status = Number(h[':status'])))
    stream.on('data', (c: Buffer) => (body += c.toString()))
    stream.on('end', () => (ended = true))
    stream.on('error', () => {})
    stream.on('close', () => resolve({ status, body, ended, rstCode: stream.rstCode ?? 0 }))
    stream.end()
  })
}

for (const [framing, head, part] of [
  ['chunked', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '5\r\nhello\r\n'],
  ['content-length', 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n', 'hello'],
] as const) {
  test(`a ${framing} answer cut off by the target reaches an HTTP/2 client as a reset stream, not a complete one`, async (t) => {
    const ca = await testCa(t)
    const cert = await ca.certificate(['api.example.test'])
    const targetPort = await dyingTarget(t, head, part)
    const tg = targetGroup('web', [{ id: '127.0.0.1', port: targetPort }])
    const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
    const port = portOf(dp)
    const session = h2connect(`https://api.example.test:${port}`, { ca: ca.rootPem, servername: 'api.example.test', host: '127.0.0.1' })
    t.after(() => session.close())
    session.on('error', () => {})
    const r = await outcome(session)
    assert.equal(r.status, 200)
    assert.equal(r.body, 'hello')
    assert.equal(r.ended, false, 'the stream must not end cleanly')
    assert.notEqual(r.rstCode, 0, 'the stream is reset with an error code')
  })
}

test('a complete chunked answer ends the HTTP/2 stream cleanly', async (t) => {
  const ca = await testCa(t)
  const cert = await ca.certificate(['api.example.test'])
  const targetPort = await dyingTarget(t, 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', false)
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: targetPort }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })))
  const port = portOf(dp)
  const session = h2connect(`https://api.example.test:${port}`, { ca: ca.rootPem, servername: 'api.example.test', host: '127.0.0.1' })
  t.after(() => session.close())
  const r = await outcome(session)
  assert.deepEqual(r, { status: 200, body: 'hello world', ended: true, rstCode: 0 })
})
