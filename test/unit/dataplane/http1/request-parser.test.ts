import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DEFAULT_HEAD_LIMITS,
  isTokenName,
  parseRequestHead,
} from '../../../../src/dataplane/http1/request-parser.js'
import type { HeadLimits, ParseResult, RequestHead } from '../../../../src/dataplane/http1/request-parser.js'

const raw = (s: string): Buffer => Buffer.from(s, 'latin1')
const parse = (s: string, limits: HeadLimits = DEFAULT_HEAD_LIMITS): ParseResult => parseRequestHead(raw(s), 0, limits)

function head(r: ParseResult): RequestHead {
  if (r.kind !== 'head') assert.fail(`expected a head, got ${JSON.stringify(r)}`)
  return r.head
}

interface HeadCase {
  desc: string
  input: string
  expect: Partial<RequestHead>
}

const heads: HeadCase[] = [
  {
    desc: 'a plain GET is compliant, with path and query split',
    input: 'GET /a/b?x=1&y HTTP/1.1\r\nHost: api.example.test\r\nAccept: */*\r\n\r\n',
    expect: {
      method: 'GET', target: '/a/b?x=1&y', path: '/a/b', query: 'x=1&y', versionMinor: 1,
      headerNames: ['Host', 'Accept'], headerValues: ['api.example.test', '*/*'], host: 'api.example.test',
      bodyKind: 'none', contentLength: 0, keepAlive: true, upgrade: false, expectContinue: false,
      classification: 'compliant', classificationReason: undefined, headBytes: 64, invalidHeaderNames: 0,
    },
  },
  {
    desc: 'values lose leading and trailing OWS, names keep their case',
    input: 'GET / HTTP/1.1\r\nhOsT:\t a.test \t\r\nX-Thing:  v  w \r\n\r\n',
    expect: { headerNames: ['hOsT', 'X-Thing'], headerValues: ['a.test', 'v  w'], host: 'a.test' },
  },
  {
    desc: 'empty lines before the request line are skipped and counted (RFC 9112 2.2)',
    input: '\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: { method: 'GET', headBytes: 31 },
  },
  {
    desc: 'Content-Length frames the body',
    input: 'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\n\r\n',
    expect: { bodyKind: 'length', contentLength: 12, classification: 'compliant' },
  },
  {
    desc: 'Transfer-Encoding: chunked frames the body',
    input: 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
    expect: { bodyKind: 'chunked', classification: 'compliant' },
  },
  {
    desc: 'gzip then chunked is compliant and chunked',
    input: 'POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    expect: { bodyKind: 'chunked', classification: 'compliant' },
  },
  {
    desc: 'Transfer-Encoding with Content-Length is ambiguous and chunked wins',
    input: 'POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
    expect: { bodyKind: 'chunked', contentLength: 0, classification: 'ambiguous', classificationReason: 'BothTeClPresent' },
  },
  {
    desc: 'the same Content-Length twice is ambiguous: DuplicateContentLength',
    input: 'PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nContent-Length: 7\r\n\r\n',
    expect: { bodyKind: 'length', contentLength: 7, classification: 'ambiguous', classificationReason: 'DuplicateContentLength' },
  },
  {
    desc: 'Transfer-Encoding on HTTP/1.0 is ambiguous and closes after the message (RFC 9112 6.1)',
    input: 'POST /x HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n',
    expect: { bodyKind: 'chunked', keepAlive: false, classification: 'ambiguous', classificationReason: 'UndefinedTransferEncodingSemantics' },
  },
  {
    desc: 'GET with Content-Length: 0 is acceptable: GetHeadZeroContentLength',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n',
    expect: { bodyKind: 'none', classification: 'acceptable', classificationReason: 'GetHeadZeroContentLength' },
  },
  {
    desc: 'GET with a body length is ambiguous: UndefinedContentLengthSemantics',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n',
    expect: { bodyKind: 'length', contentLength: 3, classification: 'ambiguous', classificationReason: 'UndefinedContentLengthSemantics' },
  },
  {
    desc: 'whitespace before the colon is acceptable (NonCompliantHeader) and the name counts as invalid',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Custom : v\r\n\r\n',
    expect: { classification: 'acceptable', classificationReason: 'NonCompliantHeader', invalidHeaderNames: 1, headerNames: ['Host', 'X-Custom '] },
  },
  {
    desc: '"Transfer-Encoding :" is ambiguous (SuspiciousHeader) and does not frame the body',
    input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n',
    expect: { bodyKind: 'none', classification: 'ambiguous', classificationReason: 'SuspiciousHeader', invalidHeaderNames: 1 },
  },
  {
    desc: 'a NUL in a value is severe (BadHeader) and that field is not forwarded',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\x00b\r\nX-Ok: 1\r\n\r\n',
    expect: { classification: 'severe', classificationReason: 'BadHeader', headerNames: ['Host', 'X-Ok'] },
  },
  {
    desc: 'a bare CR in a value is severe: BadHeader',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\rContent-Length: 5\r\n\r\n',
    expect: { classification: 'severe', classificationReason: 'BadHeader', bodyKind: 'none', headerNames: ['Host'] },
  },
  {
    desc: 'a bare LF inside a CRLF head is a byte of the line: severe BadHeader',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\nContent-Length: 5\r\n\r\n',
    expect: { classification: 'severe', classificationReason: 'BadHeader', bodyKind: 'none' },
  },
  {
    desc: 'a head ended by bare LFs is read with LF line ends: acceptable NonCrLfLineTermination',
    input: 'GET /lf HTTP/1.1\nHost: a\nX: 1\n\n',
    expect: { path: '/lf', headerNames: ['Host', 'X'], classification: 'acceptable', classificationReason: 'NonCrLfLineTermination', headBytes: 31 },
  },
  {
    desc: 'obs-fold is ambiguous (MultilineHeader) and joined with one SP',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n   two\r\n\r\n',
    expect: { classification: 'ambiguous', classificationReason: 'MultilineHeader', headerValues: ['a', 'one two'] },
  },
  {
    desc: 'obs-fold of Content-Type is tolerated, as the guardian does',
    input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json;\r\n charset=utf-8\r\nContent-Length: 2\r\n\r\n',
    expect: { classification: 'compliant', headerValues: ['a', 'application/json; charset=utf-8', '2'] },
  },
  {
    desc: 'a folded line that mimics a field is not a field: " Content-Length: 10" joins the value above',
    input: 'POST / HTTP/1.1\r\nHost: a\r\nA: b\r\n Content-Length: 10\r\n\r\n',
    expect: { bodyKind: 'none', classification: 'ambiguous', classificationReason: 'SuspiciousHeader', headerValues: ['a', 'b Content-Length: 10'] },
  },
  {
    desc: 'a field line without a colon is ambiguous (MissingHeaderColon) and dropped',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n',
    expect: { classification: 'ambiguous', classificationReason: 'MissingHeaderColon', headerNames: ['Host'] },
  },
  {
    desc: 'HTTP/1.2 is read as HTTP/1.1 and acceptable: NonCompliantVersion',
    input: 'GET / HTTP/1.2\r\nHost: a\r\n\r\n',
    expect: { versionMinor: 1, classification: 'acceptable', classificationReason: 'NonCompliantVersion' },
  },
  {
    desc: 'HTTP/1.0 without Host is fine and not kept alive by default',
    input: 'GET / HTTP/1.0\r\n\r\n',
    expect: { versionMinor: 0, host: undefined, keepAlive: false, classification: 'compliant' },
  },
  {
    desc: 'HTTP/1.0 with Connection: keep-alive is kept alive',
    input: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n',
    expect: { keepAlive: true },
  },
  {
    desc: 'Connection: close ends keep-alive on HTTP/1.1',
    input: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n',
    expect: { keepAlive: false },
  },
  {
    desc: 'an Upgrade listed in Connection is an upgrade',
    input: 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    expect: { upgrade: true },
  },
  {
    desc: 'Upgrade without Connection: upgrade is not an upgrade',
    input: 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n',
    expect: { upgrade: false },
  },
  {
    desc: 'Expect: 100-continue is reported',
    input: 'PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n',
    expect: { expectContinue: true },
  },
  {
    desc: 'absolute-form takes the host from the target (RFC 9112 3.2.2)',
    input: 'GET http://user@api.example.test:8080/p/q?z=1 HTTP/1.1\r\nHost: other.test\r\n\r\n',
    expect: { host: 'api.example.test:8080', path: '/p/q', query: 'z=1', target: 'http://user@api.example.test:8080/p/q?z=1' },
  },
  {
    desc: 'absolute-form without a path has path /',
    input: 'GET HTTPS://api.example.test HTTP/1.1\r\nHost: api.example.test\r\n\r\n',
    expect: { host: 'api.example.test', path: '/', query: '' },
  },
  {
    desc: 'asterisk-form for OPTIONS',
    input: 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: { target: '*', path: '*' },
  },
  {
    desc: 'authority-form for CONNECT',
    input: 'CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n',
    expect: { method: 'CONNECT', host: 'api.example.test:443', target: 'api.example.test:443', path: '' },
  },
  {
    desc: 'a space in the target is acceptable (SpaceInUri) and percent-encoded, so a target sees one form',
    input: 'GET /a b?q=b c HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: { target: '/a%20b?q=b%20c', path: '/a%20b', query: 'q=b%20c', classification: 'acceptable', classificationReason: 'SpaceInUri' },
  },
  {
    desc: 'an empty version (HTTP/0.9 style) is acceptable; the space before it is not part of the target',
    input: 'GET /foo/bar \r\nX: y\r\n\r\n',
    expect: { target: '/foo/bar', versionMinor: 0, keepAlive: false, classification: 'acceptable', classificationReason: 'NonCompliantVersion' },
  },
  {
    desc: 'a name that is U+017F-spelled Transfer-Encoding is suspicious',
    input: 'POST / HTTP/1.1\r\nHost: a\r\nTran\xc5\xbffer-Encoding: chunked\r\n\r\n',
    expect: { bodyKind: 'none', classification: 'ambiguous', classificationReason: 'SuspiciousHeader' },
  },
  {
    desc: 'an unknown method made of tchars is fine',
    input: 'PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n',
    expect: { method: 'PURGE', classification: 'compliant' },
  },
]

for (const c of heads) {
  test(`request head: ${c.desc}`, () => {
    const h = head(parse(c.input))
    for (const [k, v] of Object.entries(c.expect)) {
      assert.deepEqual(h[k as keyof RequestHead], v, `${k} of ${JSON.stringify(c.input)}`)
    }
  })
}

interface ErrorCase {
  desc: string
  input: string
  status: number
  reason: string
  limits?: Partial<HeadLimits>
}

const errors: ErrorCase[] = [
  { desc: 'a TAB in the target is 400 in every mode: AmbiguousUri', input: 'GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'AmbiguousUri' },
  { desc: 'a control byte in the target is 400: AmbiguousUri', input: 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'AmbiguousUri' },
  { desc: 'a TAB before HTTP/ in the target is severe: BadUri', input: 'GET /a\tHTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadUri' },
  { desc: 'chunked not last is 400 (RFC 9112 6.3)', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', status: 400, reason: 'ChunkedNotLast' },
  { desc: 'a non-chunked Transfer-Encoding alone is 400', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', status: 400, reason: 'ChunkedNotLast' },
  { desc: 'an unknown transfer coding is 501 (ALB)', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n', status: 501, reason: 'BadTransferEncoding' },
  { desc: 'chunked twice is severe: MultipleTransferEncodingChunked', input: 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n', status: 400, reason: 'MultipleTransferEncodingChunked' },
  { desc: 'differing Content-Lengths are severe: MultipleContentLength', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', status: 400, reason: 'MultipleContentLength' },
  { desc: 'a list in Content-Length is severe: BadContentLength', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n', status: 400, reason: 'BadContentLength' },
  { desc: 'a 64-bit overflowing Content-Length is severe: BadContentLength', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n', status: 400, reason: 'BadContentLength' },
  { desc: 'a Content-Length beyond 2^53 cannot be counted: 400', input: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9007199254740993\r\n\r\n', status: 400, reason: 'BadContentLength' },
  { desc: 'HTTP/1.1 without Host is 400 (RFC 9112 3.2)', input: 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', status: 400, reason: 'MissingHost' },
  { desc: 'two Host fields are 400', input: 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', status: 400, reason: 'MultipleHost' },
  { desc: 'a Host with a space is 400', input: 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n', status: 400, reason: 'BadHost' },
  { desc: 'HTTP/2.0 on an HTTP/1 connection is 505 (ALB)', input: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 505, reason: 'UnsupportedVersion' },
  { desc: 'HTTP/3.0 is 505', input: 'GET / HTTP/3.0\r\nHost: a\r\n\r\n', status: 505, reason: 'UnsupportedVersion' },
  { desc: 'a garbled version is severe: BadVersion', input: 'GET / HTTX/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadVersion' },
  { desc: 'a second version hidden behind a space is severe: BadVersion', input: 'GET /a HTTP/1.1 HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadVersion' },
  { desc: 'a method with a CTL is severe: BadMethod', input: 'GE\x01T / HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadMethod' },
  { desc: 'a NUL in the target is severe: BadUri', input: 'GET /a\x00b HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadUri' },
  { desc: 'a bare CR in the target is severe: BadUri', input: 'GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadUri' },
  { desc: 'no target is 400: MissingUri', input: 'GET HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'MissingUri' },
  { desc: 'an empty target is 400: MissingUri', input: 'GET  HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'MissingUri' },
  { desc: 'a target in no known form is 400', input: 'GET foo HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadUri' },
  { desc: 'asterisk-form outside OPTIONS is 400', input: 'GET * HTTP/1.1\r\nHost: a\r\n\r\n', status: 400, reason: 'BadUri' },
  { desc: 'a request line over the limit is 414', input: `GET /${'a'.repeat(100)} HTTP/1.1\r\nHost: a\r\n\r\n`, status: 414, reason: 'RequestLineTooLong', limits: { maxRequestLineBytes: 64 } },
  { desc: 'an unterminated request line over the limit is 414 before the head ends', input: `GET /${'a'.repeat(100)}`, status: 414, reason: 'RequestLineTooLong', limits: { maxRequestLineBytes: 64 } },
  { desc: 'one field over the limit is 400 (ALB)', input: `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(100)}\r\n\r\n`, status: 400, reason: 'HeaderTooLarge', limits: { maxHeaderBytes: 64 } },
  { desc: 'a head over the limit is 400 (ALB)', input: `GET / HTTP/1.1\r\nHost: a\r\n${'X: 0123456789\r\n'.repeat(20)}`, status: 400, reason: 'HeadTooLarge', limits: { maxHeadBytes: 200 } },
  { desc: 'too many fields is 400', input: `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1\r\n'.repeat(5)}\r\n`, status: 400, reason: 'TooManyHeaders', limits: { maxHeaderCount: 4 } },
]

for (const c of errors) {
  test(`request head error: ${c.desc}`, () => {
    const r = parse(c.input, { ...DEFAULT_HEAD_LIMITS, ...c.limits })
    assert.deepEqual(r, { kind: 'error', status: c.status, reason: c.reason })
  })
}

test('a head is incomplete until its empty line arrives, byte by byte', () => {
  const text = 'POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n'
  for (let n = 0; n < text.length; n++) {
    assert.equal(parse(text.slice(0, n)).kind, 'incomplete', `after ${n} bytes`)
  }
  assert.equal(head(parse(text)).headBytes, text.length)
})

test('pipelined requests: headBytes ends the first head, the next parses from there', () => {
  const buf = raw('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n')
  const first = parseRequestHead(buf, 0, DEFAULT_HEAD_LIMITS)
  const h1 = head(first)
  assert.equal(h1.path, '/1')
  const h2 = head(parseRequestHead(buf, h1.headBytes, DEFAULT_HEAD_LIMITS))
  assert.equal(h2.path, '/2')
  assert.equal(h1.headBytes + h2.headBytes, buf.length)
})

test('a head that ends at "\\n\\n" inside a CRLF head ends there, no later than a lenient reader', () => {
  const h = head(parse('GET / HTTP/1.1\r\nHost: a\r\nX: 1\n\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n'))
  assert.equal(h.headBytes, 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\n\n'.length)
  assert.equal(h.classificationReason, 'NonCrLfLineTermination')
})

test('isTokenName accepts RFC 9110 tokens only', () => {
  assert.equal(isTokenName("X-Ok.!#$%&'*+^_`|~09"), true)
  for (const bad of ['', 'a b', 'a:', 'a\t', 'é', 'a\x00']) assert.equal(isTokenName(bad), false, JSON.stringify(bad))
})
