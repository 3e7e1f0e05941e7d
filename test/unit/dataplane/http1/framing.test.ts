import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ChunkTracker } from '../../../../src/dataplane/http1/chunk-tracker.js'
import { ResponseHead, parseResponseHead } from '../../../../src/dataplane/http1/response-head.js'

const b = (s: string): Buffer => Buffer.from(s, 'latin1')

test('the chunk tracker finds the end of a chunked body across any split', () => {
  const body = '4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\n'
  const after = 'GET / HTTP/1.1\r\n'
  const all = b(body + after)
  for (let split = 1; split < body.length; split++) {
    const t = new ChunkTracker()
    assert.equal(t.feed(all.subarray(0, split), 0, split), -1, `split ${split}`)
    const rest = all.subarray(split)
    assert.equal(t.feed(rest, 0, rest.length), body.length - split)
    assert.ok(t.done)
  }
})

const invalidChunks = [
  { desc: 'no size', text: '\r\n' },
  { desc: 'non-hex size', text: 'zz\r\n' },
  { desc: 'missing CRLF after data', text: '1\r\nab\r\n' },
  { desc: 'bare LF after size', text: '1\nA\r\n' },
  { desc: 'size overflow', text: 'ffffffffffffffff1\r\n' },
]
for (const c of invalidChunks) {
  test(`the chunk tracker rejects ${c.desc}`, () => {
    const t = new ChunkTracker()
    assert.equal(t.feed(b(c.text), 0, c.text.length), -2)
  })
}

test('a response head gives status, framing and keep-alive', () => {
  const h = new ResponseHead()
  assert.equal(parseResponseHead(b('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabc'), 0, 'GET', h), 'ok')
  assert.deepEqual([h.status, h.reason, h.bodyKind, h.contentLength, h.close, h.headBytes], [200, 'OK', 'length', 3, false, 46])
  assert.deepEqual(h.names, ['Content-Length', 'X-A'])
})

const framing: { desc: string; head: string; method?: string; kind: string; close?: boolean }[] = [
  { desc: 'chunked', head: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', kind: 'chunked' },
  { desc: 'no length: until close', head: 'HTTP/1.1 200 OK\r\n\r\n', kind: 'close', close: true },
  { desc: '204 has no body', head: 'HTTP/1.1 204 No Content\r\n\r\n', kind: 'none' },
  { desc: '304 has no body', head: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', kind: 'none' },
  { desc: 'HEAD has no body', head: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', method: 'HEAD', kind: 'none' },
  { desc: 'HTTP/1.0 closes unless keep-alive', head: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n', kind: 'length', close: true },
  { desc: 'Connection: close', head: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n', kind: 'length', close: true },
]
for (const c of framing) {
  test(`response framing: ${c.desc}`, () => {
    const h = new ResponseHead()
    assert.equal(parseResponseHead(b(c.head), 0, c.method ?? 'GET', h), 'ok')
    assert.equal(h.bodyKind, c.kind)
    assert.equal(h.close, c.close ?? false)
  })
}

const invalidHeads = [
  { desc: 'not HTTP', text: 'SSH-2.0-OpenSSH\r\n\r\n' },
  { desc: 'two different Content-Lengths', text: 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' },
  { desc: 'a space in a header name', text: 'HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n' },
  { desc: 'a line without colon', text: 'HTTP/1.1 200 OK\r\nnocolon\r\n\r\n' },
  { desc: 'a bad status', text: 'HTTP/1.1 2x0 OK\r\n\r\n' },
]
for (const c of invalidHeads) {
  test(`a response head with ${c.desc} is invalid (502)`, () => {
    assert.equal(parseResponseHead(b(c.text), 0, 'GET', new ResponseHead()), 'invalid')
  })
}

test('an unfinished response head is incomplete until it passes 32 KiB', () => {
  assert.equal(parseResponseHead(b('HTTP/1.1 200 OK\r\nX: y\r\n'), 0, 'GET', new ResponseHead()), 'incomplete')
  assert.equal(parseResponseHead(b(`HTTP/1.1 200 OK\r\nX: ${'y'.repeat(33 * 1024)}\r\n`), 0, 'GET', new ResponseHead()), 'invalid')
})
