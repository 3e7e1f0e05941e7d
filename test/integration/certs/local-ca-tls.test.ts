import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { loadOrCreateCa } from '../../../src/certs/ca.js'

async function serve(t: { after: (fn: () => unknown) => void }, options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer(options, (socket) => socket.end('hello over tls\n'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as AddressInfo).port
}

function connect(port: number, options: tls.ConnectionOptions): Promise<{ text: string; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => (text += d))
      socket.on('end', () => resolve({ text, authorized: socket.authorized }))
    })
    socket.on('error', reject)
  })
}

test('a node client that trusts the local CA root accepts its leaf for api.example.test', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'openalb-ca-'))
  t.after(() => rm(dataDir, { recursive: true, force: true }))
  const ca = await loadOrCreateCa(dataDir)
  const leaf = await ca.issue({ domainName: 'api.example.test', subjectAlternativeNames: ['localhost'] })
  const port = await serve(t, { cert: leaf.certificatePem, key: leaf.privateKeyPem })

  const ok = await connect(port, { servername: 'api.example.test', ca: ca.rootPem })
  assert.equal(ok.authorized, true)
  assert.equal(ok.text, 'hello over tls\n')

  await assert.rejects(connect(port, { servername: 'other.example.test', ca: ca.rootPem }), /ERR_TLS_CERT_ALTNAME_INVALID|does not match/)
  await assert.rejects(connect(port, { servername: 'api.example.test' }), /unable to verify|self.signed|UNABLE_TO_GET_ISSUER/i)
})
