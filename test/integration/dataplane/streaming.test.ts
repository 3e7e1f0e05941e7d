import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { forward, freePort, portOf, listener, loadBalancer, startBackend, startDataplane, state, targetGroup } from './fixtures.js'

const TOTAL = 200 * 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

/** Samples RSS while fn runs; returns its growth past the level seen once 20 MiB have gone through. */
async function rssGrowth(progress: () => number, fn: () => Promise<void>): Promise<number> {
  let baseline = 0
  let peak = 0
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss
    if (baseline === 0 && progress() > 20 * 1024 * 1024) baseline = rss
    if (baseline !== 0) peak = Math.max(peak, rss)
  }, 20)
  try {
    await fn()
  } finally {
    clearInterval(timer)
  }
  assert.ok(baseline > 0, 'the transfer was sampled')
  return peak - baseline
}

test('a 200 MiB download streams through in constant memory', async (t) => {
  const backend = await startBackend(t, 'big', (req, res) => {
    req.resume()
    let sent = 0
    const pump = (): void => {
      while (sent < TOTAL) {
        sent += CHUNK.length
        if (!res.write(CHUNK)) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  let received = 0
  const growth = await rssGrowth(
    () => received,
    () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          assert.equal(res.headers['transfer-encoding'], 'chunked')
          res.on('data', (c: Buffer) => (received += c.length))
          res.on('end', resolve)
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end()
      }),
  )
  assert.equal(received, TOTAL)
  assert.ok(growth < 48 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`)
})

test('a 200 MiB upload streams through to the target in constant memory', async (t) => {
  let got = 0
  const backend = await startBackend(t, 'sink', (req, res) => {
    req.on('data', (c: Buffer) => (got += c.length))
    req.on('end', () => res.end(String(got)))
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  let body = ''
  const growth = await rssGrowth(
    () => got,
    () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/upload', method: 'PUT', agent: false, headers: { 'content-length': TOTAL } }, (res) => {
          res.setEncoding('utf8')
          res.on('data', (d: string) => (body += d))
          res.on('end', resolve)
        })
        req.on('error', reject)
        let sent = 0
        const pump = (): void => {
          while (sent < TOTAL) {
            sent += CHUNK.length
            if (!req.write(CHUNK)) return void req.once('drain', pump)
          }
          req.end()
        }
        pump()
      }),
  )
  assert.equal(body, String(TOTAL))
  assert.ok(growth < 48 * 1024 * 1024, `RSS grew by ${Math.round(growth / 1048576)} MiB`)
})

test('a chunked upload is forwarded chunked and ends where its last chunk ends', async (t) => {
  const backend = await startBackend(t, 'sink', (req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d: string) => (body += d))
    req.on('end', () => res.end(`${req.headers['transfer-encoding']}:${body}`))
  })
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const { connect } = await import('node:net')
  const s = connect(port, '127.0.0.1')
  t.after(() => s.destroy())
  s.write('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')
  s.write('6\r\n world\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
  let text = ''
  s.setEncoding('latin1')
  s.on('data', (d: string) => (text += d))
  await new Promise((r) => s.on('end', r))
  assert.match(text, /chunked:hello world/)
  // The request after the chunked body was parsed as a request of its own.
  assert.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2)
})
