import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import type { LoadBalancerAttributes } from '../../../src/model/load-balancer.js'
import { compile, forward, freePort, get, listener, loadBalancer, portOf, startBackend, startDataplane, state, targetGroup, type Backend } from './fixtures.js'

/** A listener on port 0 (the kernel picks); `namedPort`: on a port named first, for what repeats the configured port. */
async function setup(t: Parameters<typeof startBackend>[0], attrs: Partial<LoadBalancerAttributes> = {}, namedPort = false): Promise<{ port: number; backend: Backend }> {
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const named = namedPort ? await freePort() : 0
  const dp = await startDataplane(t, state(1, loadBalancer(attrs), tg, listener(named, [forward(tg)])))
  return { port: namedPort ? named : portOf(dp), backend }
}

test('X-Forwarded-For: append adds the client address after what the client sent', async (t) => {
  const { port, backend } = await setup(t)
  await get(port, '/', { 'x-forwarded-for': '203.0.113.9' })
  await get(port, '/')
  assert.equal(backend.seen[0]?.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1')
  assert.equal(backend.seen[1]?.headers['x-forwarded-for'], '127.0.0.1')
})

test('X-Forwarded-For: preserve passes the header unchanged and adds none', async (t) => {
  const { port, backend } = await setup(t, { xffHeaderProcessingMode: 'preserve' })
  await get(port, '/', { 'x-forwarded-for': '203.0.113.9' })
  await get(port, '/')
  assert.equal(backend.seen[0]?.headers['x-forwarded-for'], '203.0.113.9')
  assert.equal(backend.seen[1]?.headers['x-forwarded-for'], undefined)
})

test('X-Forwarded-For: remove drops it', async (t) => {
  const { port, backend } = await setup(t, { xffHeaderProcessingMode: 'remove' })
  await get(port, '/', { 'x-forwarded-for': '203.0.113.9' })
  assert.equal(backend.seen[0]?.headers['x-forwarded-for'], undefined)
})

test('more than 30 addresses in X-Forwarded-For is answered 463', async (t) => {
  const { port, backend } = await setup(t)
  const xff = Array.from({ length: 31 }, (_, i) => `10.0.0.${i}`).join(', ')
  const r = await get(port, '/', { 'x-forwarded-for': xff })
  assert.equal(r.status, 463)
  assert.equal(backend.seen.length, 0)
})

test('X-Forwarded-Proto and X-Forwarded-Port name the listener; client values are replaced', async (t) => {
  const { port, backend } = await setup(t, {}, true)
  await get(port, '/', { 'x-forwarded-proto': 'https', 'x-forwarded-port': '1' })
  assert.equal(backend.seen[0]?.headers['x-forwarded-proto'], 'http')
  assert.equal(backend.seen[0]?.headers['x-forwarded-port'], String(port))
})

test('X-Amzn-Trace-Id gets a Root, or a Self next to the client Root', async (t) => {
  const { port, backend } = await setup(t)
  await get(port, '/')
  await get(port, '/', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' })
  assert.match(String(backend.seen[0]?.headers['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/)
  const second = String(backend.seen[1]?.headers['x-amzn-trace-id'])
  assert.match(second, /^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1$/)
})

test('hop-by-hop headers are removed and those named by Connection too; Host is kept', async (t) => {
  const { port, backend } = await setup(t)
  await get(port, '/', { host: 'Api.Example.test:8080', connection: 'x-secret, keep-alive', 'x-secret': 's', 'keep-alive': 'timeout=5', te: 'trailers', 'x-keep': 'k' })
  const h = backend.seen[0]?.headers
  assert.equal(h?.host, 'Api.Example.test:8080')
  assert.equal(h?.['x-secret'], undefined)
  assert.equal(h?.['keep-alive'], undefined)
  assert.equal(h?.te, undefined)
  assert.equal(h?.['x-keep'], 'k')
})

test('drop_invalid_header_fields drops names that are not letters, digits and hyphens', async (t) => {
  const { port, backend } = await setup(t, { dropInvalidHeaderFields: true })
  await get(port, '/', { 'x_under': '1', 'x-ok': '2' })
  assert.equal(backend.seen[0]?.headers['x_under'], undefined)
  assert.equal(backend.seen[0]?.headers['x-ok'], '2')
})

test('the target response loses its hop-by-hop headers on the way back', async (t) => {
  const backend = await startBackend(t, 'web', (req, res) => {
    req.resume()
    res.setHeader('keep-alive', 'timeout=99')
    res.setHeader('x-app', 'a')
    res.end('hi')
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const r = await get(port, '/')
  assert.equal(r.headers['keep-alive'], undefined)
  assert.equal(r.headers['x-app'], 'a')
  assert.equal(r.body, 'hi')
})

test('pipelined requests are answered in order on one connection', async (t) => {
  const backend = await startBackend(t, 'web', (req, res) => {
    req.resume()
    // The first answer is the slowest: order must still hold.
    setTimeout(() => res.end(req.url), req.url === '/1' ? 50 : 0)
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const socket = connect(port, '127.0.0.1')
  t.after(() => socket.destroy())
  socket.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (d: string) => (text += d))
  await new Promise((r) => socket.on('end', r))
  const bodies = [...text.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1])
  assert.deepEqual(bodies, ['/1', '/2', '/3'])
})

test('an absolute-form target reaches the target in origin-form with its authority as the one Host (RFC 9112 3.2.2)', async (t) => {
  const { port, backend } = await setup(t)
  const send = (raw: string) =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.on('data', () => {})
      socket.on('error', () => {})
      socket.on('close', () => resolve())
      socket.write(raw)
    })
  // Routed on other.example (the authority), so the target must not see the Host the client sent.
  await send('GET http://other.example/x?y=1 HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')
  // HTTP/1.0 may come without Host: the target gets one.
  await send('GET http://user@other.example:8080/z HTTP/1.0\r\n\r\n')
  assert.equal(backend.seen.length, 2)
  assert.equal(backend.seen[0]?.url, '/x?y=1')
  assert.deepEqual(backend.seen[0]?.rawHeaders.filter((_, i, a) => i % 2 === 0 && a[i]!.toLowerCase() === 'host').length, 1)
  assert.equal(backend.seen[0]?.headers.host, 'other.example')
  assert.equal(backend.seen[1]?.url, '/z')
  assert.equal(backend.seen[1]?.headers.host, 'other.example:8080')
})

test('Host: without preserve_host_header the listener port goes on a Host that has none; with it, Host goes as it came', async (t) => {
  const { port, backend } = await setup(t, {}, true)
  await get(port, '/', { host: 'api.example.test' })
  await get(port, '/', { host: 'api.example.test:9999' })
  await get(port, '/', { host: '[2001:db8::1]' })
  assert.deepEqual(
    backend.seen.map((s) => s.headers.host),
    [`api.example.test:${port}`, 'api.example.test:9999', `[2001:db8::1]:${port}`],
  )
  const kept = await setup(t, { preserveHostHeader: true }, true)
  await get(kept.port, '/', { host: 'api.example.test' })
  assert.equal(kept.backend.seen[0]?.headers.host, 'api.example.test')
})

test('Host: on a listener on 80 or 443 without preserve_host_header, a port the client sent is removed', async (t) => {
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  // The rule runtime/snapshot.ts compiles for port 80 (hostPortRule, unit-tested), on a listener bound to port 0.
  const compiled = compile(state(2, loadBalancer(), tg, listener(0, [forward(tg)])))
  const listeners = new Map([...compiled.listeners].map(([k, l]) => [k, { ...l, hostPortSuffix: '', hostPortStrip: true }]))
  await dp.apply({ ...compiled, listeners })
  const port = portOf(dp)
  await get(port, '/', { host: 'api.example.test:8080' })
  await get(port, '/', { host: '[2001:db8::1]:80' })
  await get(port, '/', { host: 'api.example.test' })
  assert.deepEqual(backend.seen.map((s) => s.headers.host), ['api.example.test', '[2001:db8::1]', 'api.example.test'])
})
