import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_RESPONSE_LIMITS, parseResponseHead } from '../../../../src/dataplane/http1/response-parser.js'
import type { ResponseHead, ResponseParseResult } from '../../../../src/dataplane/http1/response-parser.js'

const parse = (s: string, method = 'GET'): ResponseParseResult =>
  parseResponseHead(Buffer.from(s, 'latin1'), 0, DEFAULT_RESPONSE_LIMITS, method)

const heads: { desc: string; input: string; method?: string; expect: Partial<ResponseHead> }[] = [
  {
    desc: 'a 200 with Content-Length',
    input: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
    expect: {
      statusCode: 200, reason: 'OK', versionMinor: 1, headerNames: ['Content-Type', 'Content-Length'],
      headerValues: ['text/plain', '5'], bodyKind: 'length', contentLength: 5, keepAlive: true, upgrade: false,
      headBytes: 64,
    },
  },
  { desc: 'chunked', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', expect: { bodyKind: 'chunked' } },
  { desc: 'Transfer-Encoding wins over Content-Length', input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', expect: { bodyKind: 'chunked', contentLength: 0 } },
  { desc: 'a final coding other than chunked is close-delimited', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', expect: { bodyKind: 'close', keepAlive: false } },
  { desc: 'no length means close-delimited', input: 'HTTP/1.1 200 OK\r\n\r\n', expect: { bodyKind: 'close', keepAlive: false } },
  { desc: '204 has no body', input: 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none', keepAlive: true } },
  { desc: '304 has no body', input: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none' } },
  { desc: '1xx has no body', input: 'HTTP/1.1 100 Continue\r\n\r\n', expect: { statusCode: 100, bodyKind: 'none' } },
  { desc: 'a response to HEAD has no body', method: 'HEAD', input: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', expect: { bodyKind: 'none' } },
  { desc: '101 switches protocols', input: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', expect: { upgrade: true, bodyKind: 'none', keepAlive: false } },
  { desc: 'Content-Length: 0 is no body', input: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', expect: { bodyKind: 'none', keepAlive: true } },
  { desc: 'a list of identical Content-Lengths is one (RFC 9110 8.6)', input: 'HTTP/1.1 200 OK\r\nContent-Length: 4, 4\r\n\r\n', expect: { bodyKind: 'length', contentLength: 4 } },
  { desc: 'Connection: close', input: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n', expect: { keepAlive: false } },
  { desc: 'HTTP/1.0 closes unless keep-alive', input: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n', expect: { versionMinor: 0, keepAlive: false } },
  { desc: 'HTTP/1.0 with keep-alive', input: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n', expect: { keepAlive: true } },
  { desc: 'an empty reason phrase', input: 'HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n', expect: { statusCode: 404, reason: '' } },
  { desc: 'no reason phrase at all', input: 'HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n', expect: { statusCode: 404, reason: '' } },
  { desc: 'LF line ends are tolerated from targets', input: 'HTTP/1.1 200 OK\nContent-Length: 2\n\n', expect: { bodyKind: 'length', headBytes: 35 } },
  { desc: 'obs-fold is joined with SP', input: 'HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n', expect: { headerValues: ['one two', '0'] } },
]

for (const c of heads) {
  test(`response head: ${c.desc}`, () => {
    const r = parse(c.input, c.method)
    if (r.kind !== 'head') assert.fail(JSON.stringify(r))
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(r.head[k as keyof ResponseHead], v, k)
  })
}

const errors = [
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

for (const c of errors) {
  test(`response head is malformed: ${c.desc}`, () => {
    assert.equal(parse(c.input).kind, 'error')
  })
}

test('response head is incomplete until the empty line', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
  for (let n = 0; n < text.length; n++) assert.equal(parse(text.slice(0, n)).kind, 'incomplete', `${n}`)
})
