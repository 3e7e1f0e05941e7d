import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { test } from 'node:test'
import { clientHelloServerName, parseClientHello } from '../../../../src/dataplane/tls/client-hello.js'

/** The first bytes a real Node TLS client sends, captured on a plain socket. */
function capturedHello(servername: string | undefined, alpn?: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      let seen = Buffer.alloc(0)
      socket.on('data', (c: Buffer) => {
        seen = Buffer.concat([seen, c])
        if (seen.length >= 5 && seen.length >= 5 + seen.readUInt16BE(3)) {
          socket.destroy()
          server.close()
          resolve(seen)
        }
      })
    })
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      const client = tlsConnect({ port, host: '127.0.0.1', ...(servername === undefined ? {} : { servername }), ...(alpn ? { ALPNProtocols: alpn } : {}), rejectUnauthorized: false })
      client.on('error', () => {})
    })
    server.on('error', reject)
  })
}

test('the ClientHello names its server: found in a real client hello, lower-cased', async () => {
  const hello = await capturedHello('API.Example.Test')
  assert.equal(clientHelloServerName(hello), 'api.example.test')
})

test('a hello without SNI names nothing; a partial hello asks for more; other bytes are not a hello', async () => {
  const hello = await capturedHello(undefined)
  assert.equal(clientHelloServerName(hello), null)
  const named = await capturedHello('a.example.test')
  for (const cut of [0, 3, 5, 40, named.length - 1]) assert.equal(clientHelloServerName(named.subarray(0, cut)), undefined, `cut at ${cut}`)
  assert.equal(clientHelloServerName(Buffer.from('GET / HTTP/1.1\r\n\r\n')), null)
  // A record cut short inside the hello (its length says 60 bytes) is malformed: no name, no crash.
  const broken = Buffer.from(named)
  broken.writeUInt16BE(60, 3)
  assert.equal(clientHelloServerName(broken), null)
})

test('the ALPN protocols a hello offers are read in order, beside its name (TLS-ALPN-01 needs both)', async () => {
  const hello = await capturedHello('site.example.test', ['acme-tls/1'])
  assert.deepEqual(parseClientHello(hello), { serverName: 'site.example.test', alpn: ['acme-tls/1'] })
  assert.deepEqual(parseClientHello(await capturedHello('a.example.test', ['h2', 'http/1.1']))?.alpn, ['h2', 'http/1.1'])
  assert.deepEqual(parseClientHello(await capturedHello('a.example.test')), { serverName: 'a.example.test', alpn: [] })
  assert.equal(parseClientHello(hello.subarray(0, 10)), undefined)
})
