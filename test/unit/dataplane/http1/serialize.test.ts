import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serializeRequestHead, serializeResponseHead } from '../../../../src/dataplane/http1/serialize.js'

const cases = [
  {
    desc: 'fields are kept in order and the added ones appended',
    run: () => serializeRequestHead('GET', '/a?b', ['Host', 'Accept'], ['api.example.test', '*/*'], ['X-Forwarded-For'], ['10.0.0.1']),
    want: 'GET /a?b HTTP/1.1\r\nHost: api.example.test\r\nAccept: */*\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n',
  },
  {
    desc: 'hop-by-hop fields and the names Connection lists are dropped (RFC 9110 7.6.1)',
    run: () =>
      serializeRequestHead(
        'POST', '/',
        ['Host', 'Connection', 'Keep-Alive', 'X-Private', 'Proxy-Connection', 'TE', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Content-Type'],
        ['a', 'keep-alive, X-Private', 'timeout=5', 'secret', 'keep-alive', 'trailers', 'X-Sum', 'chunked', 'websocket', 'text/plain'],
        ['Transfer-Encoding'], ['chunked'],
      ),
    want: 'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n',
  },
  {
    desc: 'an upgrade keeps Upgrade and sends Connection: Upgrade',
    run: () => serializeRequestHead('GET', '/ws', ['Host', 'Connection', 'Upgrade'], ['a', 'Upgrade', 'websocket'], [], [], { upgrade: true }),
    want: 'GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  },
  {
    desc: 'extra names to drop, case-insensitively',
    run: () => serializeRequestHead('POST', '/', ['Host', 'content-LENGTH'], ['a', '5'], [], [], { drop: ['content-length'] }),
    want: 'POST / HTTP/1.1\r\nHost: a\r\n\r\n',
  },
  {
    desc: 'SP and CTLs in the target are percent-encoded so the request line splits one way',
    run: () => serializeRequestHead('GET', '/a b\tc', ['Host'], ['a'], [], []),
    want: 'GET /a%20b%09c HTTP/1.1\r\nHost: a\r\n\r\n',
  },
  {
    desc: 'obs-text in values passes through byte for byte',
    run: () => serializeRequestHead('GET', '/', ['X'], ['caf\xe9'], [], []),
    want: 'GET / HTTP/1.1\r\nX: caf\xe9\r\n\r\n',
  },
  {
    desc: 'a response head toward the client',
    run: () => serializeResponseHead(200, 'OK', ['Content-Type', 'Connection', 'Transfer-Encoding'], ['text/html', 'close', 'chunked'], ['Content-Length'], ['5']),
    want: 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n',
  },
  {
    desc: 'a 101 response keeps Upgrade',
    run: () => serializeResponseHead(101, 'Switching Protocols', ['Upgrade', 'Connection', 'Sec-WebSocket-Accept'], ['websocket', 'Upgrade', 'x'], [], [], { upgrade: true }),
    want: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\nConnection: Upgrade\r\n\r\n',
  },
]

for (const c of cases) {
  test(`serialise: ${c.desc}`, () => {
    assert.equal(c.run().toString('latin1'), c.want)
  })
}

const injections = [
  { desc: 'CRLF in an added value', run: () => serializeRequestHead('GET', '/', [], [], ['X'], ['a\r\nEvil: 1']) },
  { desc: 'LF in a kept value', run: () => serializeRequestHead('GET', '/', ['X'], ['a\nb'], [], []) },
  { desc: 'a colon in a name', run: () => serializeRequestHead('GET', '/', ['X:Y'], ['a'], [], []) },
  { desc: 'an empty name', run: () => serializeRequestHead('GET', '/', [''], ['a'], [], []) },
  { desc: 'CR in the reason phrase', run: () => serializeResponseHead(200, 'OK\r\nX: 1', [], [], [], []) },
  { desc: 'a non-latin1 value', run: () => serializeRequestHead('GET', '/', ['X'], ['\u2028'], [], []) },
]

for (const c of injections) {
  test(`serialise refuses header injection: ${c.desc}`, () => {
    assert.throws(c.run, TypeError)
  })
}
