import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ChunkedDecoder } from '../../../../src/dataplane/http1/chunked.js'
import type { FeedResult } from '../../../../src/dataplane/http1/chunked.js'

/** Feeds `input` in pieces of `step` bytes; returns the body, the bytes consumed and the last result. */
function decode(input: string, step = Infinity): { body: string; consumed: number; result: FeedResult } {
  const dec = new ChunkedDecoder()
  const all = Buffer.from(input, 'latin1')
  let body = ''
  const onData = (buf: Buffer, from: number, to: number): void => {
    body += buf.toString('latin1', from, to)
  }
  let consumed = 0
  let result: FeedResult = { consumed: 0, done: false }
  for (let off = 0; off < all.length; off += step) {
    const piece = all.subarray(off, Math.min(all.length, off + step))
    result = dec.feed(piece, 0, onData)
    if ('error' in result) return { body, consumed, result }
    consumed += result.consumed
    if (result.done) break
  }
  return { body, consumed, result }
}

const good = [
  { desc: 'two chunks and the last chunk', input: '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', body: 'hello world' },
  { desc: 'hex sizes in either case', input: 'A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n', body: '01234567890123456789' },
  { desc: 'chunk extensions are skipped', input: '3;name=value;x\r\nabc\r\n0;end\r\n\r\n', body: 'abc' },
  { desc: 'BWS before an extension', input: '3 ;ext\r\nabc\r\n0\r\n\r\n', body: 'abc' },
  { desc: 'trailer fields are read', input: '3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other:v\r\n\r\n', body: 'abc' },
  { desc: 'an empty body', input: '0\r\n\r\n', body: '' },
  { desc: 'leading zeros in a size', input: '0003\r\nabc\r\n0\r\n\r\n', body: 'abc' },
]

for (const c of good) {
  for (const step of [Infinity, 1, 3]) {
    test(`chunked body: ${c.desc} (fed ${step === Infinity ? 'whole' : `${step} bytes at a time`})`, () => {
      const r = decode(c.input, step)
      assert.deepEqual(r.result.hasOwnProperty('error') ? r.result : { ok: true }, { ok: true })
      assert.equal(r.body, c.body)
      assert.equal(r.consumed, c.input.length)
    })
  }
}

test('chunked body: the next pipelined request starts right after the last CRLF', () => {
  const text = '3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\n'
  const dec = new ChunkedDecoder()
  const r = dec.feed(Buffer.from(text, 'latin1'), 0, () => {})
  assert.deepEqual(r, { consumed: text.indexOf('GET'), done: true })
  assert.equal(dec.done, true)
  assert.equal(dec.bodyBytes, 3)
})

test('chunked body: feeding from an offset counts consumed from there', () => {
  const buf = Buffer.from('xxxxx0\r\n\r\n', 'latin1')
  assert.deepEqual(new ChunkedDecoder().feed(buf, 5, () => {}), { consumed: 5, done: true })
})

test('chunked body: a decoder is reusable after reset', () => {
  const dec = new ChunkedDecoder()
  dec.feed(Buffer.from('1\r\na\r\n0\r\n\r\n'), 0, () => {})
  dec.reset()
  assert.equal(dec.done, false)
  assert.deepEqual(dec.feed(Buffer.from('0\r\n\r\n'), 0, () => {}), { consumed: 5, done: true })
})

const bad = [
  { desc: 'no size', input: '\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a non-hex size', input: 'g\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a size with a sign', input: '+3\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a 0x prefix', input: '0x3\r\nabc\r\n0\r\n\r\n' },
  { desc: 'too many size digits', input: '00000000000001\r\na\r\n0\r\n\r\n' },
  { desc: 'a bare LF after the size', input: '3\nabc\r\n0\r\n\r\n' },
  { desc: 'whitespace after the size without an extension', input: '3 \r\nabc\r\n0\r\n\r\n' },
  { desc: 'data longer than its size', input: '3\r\nabcd\r\n0\r\n\r\n' },
  { desc: 'a bare LF after the data', input: '3\r\nabc\n0\r\n\r\n' },
  { desc: 'a NUL in an extension', input: '3;a\x00\r\nabc\r\n0\r\n\r\n' },
  { desc: 'a trailer line without a colon', input: '0\r\nX-No-Colon\r\n\r\n' },
  { desc: 'a trailer name with a space', input: '0\r\nX Bad: 1\r\n\r\n' },
  { desc: 'a bare CR in a trailer value', input: '0\r\nX: a\rb\r\n\r\n' },
  { desc: 'a bare LF ending the last chunk', input: '0\r\n\n' },
]

for (const c of bad) {
  test(`chunked body is rejected: ${c.desc}`, () => {
    const r = decode(c.input)
    assert.ok('error' in r.result, `expected an error, got ${JSON.stringify(r.result)}`)
  })
}
