import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ChunkTracker } from '../../../../src/dataplane/http1/chunk-tracker.js'
import { ResponseHead, parseResponseHead } from '../../../../src/dataplane/http1/response-head.js'

// Cases carried over from the former http1/response-parser.ts and http1/chunked.ts tests, against the proxy's own implementations.

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

function parse(input: string, method = 'GET'): { r: string; h: ResponseHead } {
  const h = new ResponseHead()
  return { r: parseResponseHead(b(input), 0, method, h), h }
}

const heads: { desc: string; input: string; method?: string; expect: Partial<Record<keyof ResponseHead, unknown>> }[] = [
  {
    desc: 'a 200 with Content-Length',
    input: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    expect: { status: 200, reason: 'OK', versionMinor: 1, names: ['Content-Type', 'Content-Length'], values: ['text/plain', '5'], bodyKind: 'length', contentLength: 5, close: false, headBytes: 64 },
  },
  { desc: 'chunked', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', expect: { bodyKind: 'chunked' } },
  { desc: 'Transfer-Encoding wins over Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', expect: { bodyKind: 'chunked' } },
  { desc: 'a final coding other than chunked is close-delimited', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', expect: { bodyKind: 'close', close: true } },
  { desc: 'no length means close-delimited', input: 'HTTP/1.1 200 OK\r\n\r\n', expect: { bodyKind: 'close', close: true } },
  { desc: '204 has no body', input: 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none', close: false } },
  { desc: '304 has no body', input: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none' } },
  { desc: '1xx has no body', input: 'HTTP/1.1 100 Continue\r\n\r\n', expect: { status: 100, bodyKind: 'none' } },
  { desc: 'a response to HEAD has no body', method: 'HEAD', input: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none' } },
  { desc: '101 switches protocols', input: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', expect: { status: 101, bodyKind: 'none' } },
  { desc: 'Content-Length: 0 is no body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', expect: { bodyKind: 'none', close: false } },
  { desc: 'Connection: close', input: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n', expect: { close: true } },
  { desc: 'HTTP/1.0 closes unless keep-alive', input: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n', expect: { versionMinor: 0, close: true } },
  { desc: 'HTTP/1.0 with keep-alive', input: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n', expect: { close: false } },
  { desc: 'an empty reason phrase', input: 'HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n', expect: { status: 404, reason: '' } },
  { desc: 'no reason phrase at all', input: 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', expect: { status: 404, reason: '' } },
]

for (const c of heads) {
  test(`response head: ${c.desc}`, () => {
    const { r, h } = parse(c.input, c.method)
    assert.equal(r, 'ok')
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(h[k as keyof ResponseHead], v, k)
  })
}

const badHeads = [
  { desc: 'not HTTP/1.x', input: 'HTTP/2.0 200 OK\r\n\r\n' },
  { desc: 'a garbled status line', input: 'HTTP/1.1 2x0 OK\r\n\r\n' },
  { desc: 'a status below 100', input: 'HTTP/1.1 099 Odd\r\n\r\n' },
  { desc: 'differing Content-Lengths', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' },
  { desc: 'a bad Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n' },
  { desc: 'whitespace before a colon', input: 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n' },
  { desc: 'a bare CR in a value', input: 'HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n' },
  { desc: 'a NUL in a value', input: 'HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n' },
  { desc: 'a line without a colon', input: 'HTTP/1.1 200 OK\r\nNoColon\r\n\r\n' },
  { desc: 'a head over 32 KiB (ALB answers 502)', input: `HTTP/1.1 200 OK\r\n${'X: 0123456789abcdef\r\n'.repeat(2000)}\r\n` },
  { desc: 'an unterminated head over 32 KiB', input: `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(40000)}` },
]

for (const c of badHeads) {
  test(`response head is invalid: ${c.desc}`, () => {
    assert.equal(parse(c.input).r, 'invalid')
  })
}

test('response head is incomplete until the empty line', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
  for (let n = 0; n < text.length; n++) assert.equal(parse(text.slice(0, n)).r, 'incomplete', `${n}`)
})

/** Feeds `input` in pieces of `step` bytes with the data collected; returns the body and where the body ended (-1: not yet, -2: invalid). */
function track(input: string, step = Infinity): { body: string; end: number } {
  const t = new ChunkTracker()
  const sink: Buffer[] = []
  t.sink = sink
  const all = b(input)
  let end = -1
  for (let off = 0; off < all.length; off += step) {
    const piece = all.subarray(off, Math.min(all.length, off + step))
    const r = t.feed(piece, 0, piece.length)
    if (r === -2) return { body: '', end: -2 }
    if (r >= 0) {
      end = off + r
      break
    }
  }
  return { body: Buffer.concat(sink).toString('latin1'), end }
}

const goodChunks = [
  { desc: 'two chunks and the last chunk', input: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', body: 'hello world' },
  { desc: 'hex sizes in either case', input: 'A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n', body: '01234567890123456789' },
  { desc: 'chunk extensions are skipped', input: '3;name=value;x\r\nabc\r\n0;end\r\n\r\n', body: 'abc' },
  { desc: 'BWS before an extension', input: '3 ;ext\r\nabc\r\n0\r\n\r\n', body: 'abc' },
  { desc: 'trailer fields are read', input: '3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other:v\r\n\r\n', body: 'abc' },
  { desc: 'an empty body', input: '0\r\n\r\n', body: '' },
  { desc: 'leading zeros in a size', input: '0003\r\nabc\r\n0\r\n\r\n', body: 'abc' },
]

for (const c of goodChunks) {
  for (const step of [Infinity, 1, 3]) {
    test(`chunked body: ${c.desc} (fed ${step === Infinity ? 'whole' : `${step} bytes at a time`})`, () => {
      assert.deepEqual(track(c.input, step), { body: c.body, end: c.input.length })
    })
  }
}

test('chunked body: the next pipelined request starts right after the last CRLF', () => {
  const text = '3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\n'
  const t = new ChunkTracker()
  assert.equal(t.feed(b(text), 0, text.length), text.indexOf('GET'))
  assert.equal(t.done, true)
})

test('chunked body: feeding from an offset starts there', () => {
  const buf = b('xxxxx0\r\n\r\n')
  assert.equal(new ChunkTracker().feed(buf, 5, buf.length), buf.length)
})

test('chunked body: a tracker is reusable after reset', () => {
  const t = new ChunkTracker()
  t.feed(b('1\r\na\r\n0\r\n\r\n'), 0, 11)
  t.reset()
  assert.equal(t.done, false)
  assert.equal(t.feed(b('0\r\n\r\n'), 0, 5), 5)
})

const badChunks = [
  { desc: 'no size', input: '\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a non-hex size', input: 'g\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a size with a sign', input: '+3\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a 0x prefix', input: '0x3\r\nabc\r\n0\r\n\r\n' },
  { desc: 'too many size digits', input: '0000000000000001\r\na\r\n0\r\n\r\n' },
  { desc: 'a bare LF after the size', input: '3\nabc\r\n0\r\n\r\n' },
  { desc: 'data longer than its size', input: '3\r\nabcd\r\n0\r\n\r\n' },
  { desc: 'a bare LF after the data', input: '3\r\nabc\n0\r\n\r\n' },
  { desc: 'a NUL in an extension', input: '3;a\x00\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a bare LF ending the last chunk', input: '0\r\n\n' },
]

for (const c of badChunks) {
  test(`chunked body is rejected: ${c.desc}`, () => {
    assert.equal(track(c.input).end, -2)
  })
}
