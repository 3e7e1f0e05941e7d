// The TLS building blocks on a real socket, checked with openssl s_client: a plain
// tls.createServer with compileSni's serverOptions, as the HTTPS listener will use them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { loadOrCreateCa, type LocalCa } from '../../../src/certs/ca.js'
import { compileSni, SecureContextCache, type ListenerCertificate } from '../../../src/dataplane/tls/sni.js'
import { DEFAULT_SSL_POLICY } from '../../../src/model/ssl-policy.js'
import { TicketKeys } from '../../../src/dataplane/tls/ticket-keys.js'
import { needs } from '../../helpers/shared.js'
import { makeChain } from '../../unit/certs/make-certs.js'
import { DEFAULT_POLICY_VERSIONS, LEGACY_CLIENT, peerSubject, protocolOf, sClient } from '../../helpers/openssl.js'

const noOpenssl = needs('openssl')
let dataDir = ''
let ca: LocalCa
let certs: ListenerCertificate[] = []

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openalb-tls-'))
  ca = await loadOrCreateCa(dataDir)
  const issue = async (arn: string, names: string[], isDefault = false): Promise<ListenerCertificate> => {
    const [domainName = '', ...rest] = names
    const c = await ca.issue({ domainName, subjectAlternativeNames: rest })
    return { arn, isDefault, names, certificatePem: c.certificatePem, privateKeyPem: c.privateKeyPem }
  }
  const chained = await makeChain({ cn: 'chain.example.test', names: ['chain.example.test'] })
  certs = [
    await issue('default', ['default.example.test'], true),
    await issue('api', ['api.example.test']),
    await issue('wild', ['*.example.test']),
    {
      arn: 'chained',
      isDefault: false,
      names: ['chain.example.test'],
      certificatePem: chained.leaf.pem,
      chainPem: chained.intermediate.pem + chained.root.pem,
      privateKeyPem: chained.leaf.keyPem,
    },
  ]
})
after(() => rm(dataDir, { recursive: true, force: true }))

async function listen(t: { after: (fn: () => unknown) => void }, policy: string, extra?: (s: tls.Server) => void): Promise<number> {
  const sni = compileSni(certs, policy, new SecureContextCache())
  // The client closes first: a server that ends at once races s_client's own close into a reset.
  const server = tls.createServer(sni.serverOptions, (socket) => {
    socket.on('error', () => {})
    socket.write('ok\n')
  })
  server.on('tlsClientError', () => {})
  extra?.(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as AddressInfo).port
}

for (const v of DEFAULT_POLICY_VERSIONS) {
  test(`under the default policy a ${v.version} client is ${v.accepted ? 'accepted' : 'refused'}`, { skip: noOpenssl }, async (t) => {
    const port = await listen(t, DEFAULT_SSL_POLICY)
    const r = await sClient(port, [v.flag, '-servername', 'api.example.test', ...(v.extra ?? [])])
    if (v.accepted) {
      assert.ok(r.ok, r.out)
      assert.equal(protocolOf(r.out), v.version)
    } else {
      assert.ok(!r.ok || protocolOf(r.out) !== v.version, `expected ${v.version} to be refused:\n${r.out}`)
      assert.match(r.out, /alert protocol version|unsupported protocol|no protocols available|wrong version number|handshake failure/i)
    }
  })
}

test('under ELBSecurityPolicy-2016-08 a TLS 1.0 client is accepted and TLS 1.3 is not offered', { skip: noOpenssl }, async (t) => {
  const port = await listen(t, 'ELBSecurityPolicy-2016-08')
  const old = await sClient(port, ['-tls1', '-servername', 'api.example.test', ...LEGACY_CLIENT])
  assert.ok(old.ok, old.out)
  assert.equal(protocolOf(old.out), 'TLSv1')
  const modern = await sClient(port, ['-servername', 'api.example.test'])
  assert.equal(protocolOf(modern.out), 'TLSv1.2')
})

test('under ELBSecurityPolicy-TLS13-1-3-2021-06 a TLS 1.2 client is refused', { skip: noOpenssl }, async (t) => {
  const port = await listen(t, 'ELBSecurityPolicy-TLS13-1-3-2021-06')
  const r = await sClient(port, ['-tls1_2', '-servername', 'api.example.test'])
  assert.ok(!r.ok || protocolOf(r.out) !== 'TLSv1.2', r.out)
})

test('the server prefers its own cipher order (ECDHE-ECDSA-AES128-GCM-SHA256 first for TLS 1.2)', { skip: noOpenssl }, async (t) => {
  const port = await listen(t, DEFAULT_SSL_POLICY)
  const r = await sClient(port, ['-tls1_2', '-servername', 'api.example.test', '-cipher', 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256'])
  assert.match(r.out, /Cipher\s*(is|:)\s*ECDHE-ECDSA-AES128-GCM-SHA256/)
})

const sniCases: { desc: string; args: string[]; subject: string }[] = [
  { desc: 'an exact name gets its certificate', args: ['-servername', 'api.example.test'], subject: 'CN = api.example.test' },
  { desc: 'a name under the wildcard gets the wildcard certificate', args: ['-servername', 'shop.example.test'], subject: 'CN = *.example.test' },
  { desc: 'an unknown name gets the default certificate', args: ['-servername', 'unknown.example.net'], subject: 'CN = default.example.test' },
  { desc: 'a client without SNI gets the default certificate', args: ['-noservername'], subject: 'CN = default.example.test' },
]
for (const c of sniCases) {
  test(`SNI over a real handshake: ${c.desc}`, { skip: noOpenssl }, async (t) => {
    const port = await listen(t, DEFAULT_SSL_POLICY)
    for (const version of ['-tls1_2', '-tls1_3']) {
      const r = await sClient(port, [version, ...c.args])
      assert.ok(r.ok, r.out)
      assert.equal(peerSubject(r.out), c.subject, `${version}\n${r.out}`)
    }
  })
}

test('the chain is served in order: leaf, intermediate, root', { skip: noOpenssl }, async (t) => {
  const port = await listen(t, DEFAULT_SSL_POLICY)
  const r = await sClient(port, ['-servername', 'chain.example.test', '-showcerts'])
  assert.ok(r.ok, r.out)
  const depths = [...r.out.matchAll(/^\s*(\d+) s:\s*(.+)$/gm)].map((m) => `${m[1]} ${m[2]?.trim()}`)
  assert.deepEqual(depths, ['0 CN = chain.example.test', '1 CN = Test Intermediate', '2 CN = Test Root'])
})

test('a client trusting the local CA verifies the served certificate', { skip: noOpenssl }, async (t) => {
  const port = await listen(t, DEFAULT_SSL_POLICY)
  const caFile = join(dataDir, 'ca', 'root.pem')
  const r = await sClient(port, ['-servername', 'api.example.test', '-CAfile', caFile, '-verify_return_error', '-verify_hostname', 'api.example.test'])
  assert.ok(r.ok, r.out)
  assert.match(r.out, /Verify return code: 0 \(ok\)/)
})

// TLS 1.2: the ticket arrives within the handshake, so getSession() has it at secureConnect.
function handshake(port: number, session?: Buffer): Promise<{ session: Buffer | undefined; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.test', ca: ca.rootPem, session, maxVersion: 'TLSv1.2' }, () => {
      resolve({ session: socket.getSession(), reused: socket.isSessionReused() })
      socket.end()
    })
    socket.on('error', reject)
  })
}

test('session tickets resume a TLS session; after a key rotation the client falls back to a full handshake', async (t) => {
  const keys = new TicketKeys(12)
  const port = await listen(t, DEFAULT_SSL_POLICY, (server) => keys.attach(server))
  const first = await handshake(port)
  assert.equal(first.reused, false)
  assert.ok(first.session)
  const resumed = await handshake(port, first.session)
  assert.equal(resumed.reused, true, 'resumed with the ticket')
  keys.rotate()
  const afterRotation = await handshake(port, first.session)
  // Node keeps one ticket key per context, so the old ticket is refused: the handshake still succeeds.
  assert.equal(afterRotation.reused, false)
})
