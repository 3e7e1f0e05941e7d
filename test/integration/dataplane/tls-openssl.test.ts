// The HTTPS listener of the real data plane, checked with openssl s_client: protocol versions per
// security policy, SNI choosing each certificate, the default without SNI, the chain in order.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import tls from 'node:tls'
import type { Certificate } from '../../../src/model/certificate.js'
import { Dataplane } from '../../../src/dataplane/dataplane.js'
import { needs } from '../../helpers/shared.js'
import { makeChain } from '../../unit/certs/make-certs.js'
import { applyState, fixed, freePort, listener, loadBalancer, state } from './fixtures.js'
import { certRefs, testCa, type TestCa } from './tls-fixtures.js'
import { DEFAULT_POLICY_VERSIONS, LEGACY_CLIENT, peerSubject, protocolOf, sClient } from '../../helpers/openssl.js'

const noOpenssl = needs('openssl')

let ca: TestCa
let dp: Dataplane
let port = 0
let legacyPort = 0
let tls13Port = 0

const cleanups: (() => unknown)[] = []
after(async () => {
  for (const f of cleanups.reverse()) await f()
})

before(async () => {
  ca = await testCa({ after: (fn) => void cleanups.push(fn) })
  const defaultCert = await ca.certificate(['default.example.test'])
  const api = await ca.certificate(['api.example.test'])
  const wild = await ca.certificate(['*.example.test'])
  const chained = await makeChain({ cn: 'chain.example.test', names: ['chain.example.test'] })
  const chain: Certificate = {
    ...(await ca.certificate(['chain.example.test'])),
    source: 'imported',
    certificatePem: chained.leaf.pem,
    chainPem: chained.intermediate.pem + chained.root.pem,
    privateKeyPem: chained.leaf.keyPem,
  }
  port = await freePort()
  legacyPort = await freePort()
  tls13Port = await freePort()
  const certs = [defaultCert, api, wild, chain]
  const ok = fixed('200', 'ok')
  dp = new Dataplane()
  await applyState(
    dp,
    state(
      1, loadBalancer(), ...certs,
      listener(port, [ok], { protocol: 'HTTPS', certificates: certRefs(...certs) }),
      listener(legacyPort, [ok], { protocol: 'HTTPS', certificates: certRefs(api), sslPolicy: 'ELBSecurityPolicy-2016-08' }),
      listener(tls13Port, [ok], { protocol: 'HTTPS', certificates: certRefs(api), sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' }),
    ),
  )
  cleanups.push(() => dp.close())
})

for (const v of DEFAULT_POLICY_VERSIONS) {
  test(`the HTTPS listener under the default policy ${v.accepted ? 'accepts' : 'refuses'} a ${v.version} client`, { skip: noOpenssl }, async () => {
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

test('a listener with ELBSecurityPolicy-2016-08 accepts a TLS 1.0 client and does not offer TLS 1.3', { skip: noOpenssl }, async () => {
  const old = await sClient(legacyPort, ['-tls1', '-servername', 'api.example.test', ...LEGACY_CLIENT])
  assert.ok(old.ok, old.out)
  assert.equal(protocolOf(old.out), 'TLSv1')
  const modern = await sClient(legacyPort, ['-servername', 'api.example.test'])
  assert.equal(protocolOf(modern.out), 'TLSv1.2')
})

test('a listener with ELBSecurityPolicy-TLS13-1-3-2021-06 refuses a TLS 1.2 client', { skip: noOpenssl }, async () => {
  const r = await sClient(tls13Port, ['-tls1_2', '-servername', 'api.example.test'])
  assert.ok(!r.ok || protocolOf(r.out) !== 'TLSv1.2', r.out)
})

const sniCases: { desc: string; args: string[]; subject: string }[] = [
  { desc: 'an exact name gets its certificate', args: ['-servername', 'api.example.test'], subject: 'CN = api.example.test' },
  { desc: 'a name under the wildcard gets the wildcard certificate', args: ['-servername', 'shop.example.test'], subject: 'CN = *.example.test' },
  { desc: 'an unknown name gets the default certificate', args: ['-servername', 'unknown.example.net'], subject: 'CN = default.example.test' },
  { desc: 'a client without SNI gets the default certificate', args: ['-noservername'], subject: 'CN = default.example.test' },
]
for (const c of sniCases) {
  test(`the HTTPS listener's SNI: ${c.desc}`, { skip: noOpenssl }, async () => {
    for (const version of ['-tls1_2', '-tls1_3']) {
      const r = await sClient(port, [version, ...c.args])
      assert.ok(r.ok, r.out)
      assert.equal(peerSubject(r.out), c.subject, `${version}\n${r.out}`)
    }
  })
}

test('the HTTPS listener serves an imported chain in order: leaf, intermediate, root', { skip: noOpenssl }, async () => {
  const r = await sClient(port, ['-servername', 'chain.example.test', '-showcerts'])
  assert.ok(r.ok, r.out)
  const depths = [...r.out.matchAll(/^\s*(\d+) s:\s*(.+)$/gm)].map((m) => `${m[1]} ${m[2]?.trim()}`)
  assert.deepEqual(depths, ['0 CN = chain.example.test', '1 CN = Test Intermediate', '2 CN = Test Root'])
})

test('a client trusting the local CA verifies the listener\'s certificate', { skip: noOpenssl }, async () => {
  const r = await sClient(port, ['-servername', 'api.example.test', '-verify_return_error', '-verify_hostname', 'api.example.test', '-CAfile', ca.rootFile])
  assert.ok(r.ok, r.out)
  assert.match(r.out, /Verify return code: 0 \(ok\)/)
})

test('the HTTPS listener resumes TLS 1.2 sessions from its tickets', async () => {
  const handshake = (session?: Buffer): Promise<{ session: Buffer | undefined; reused: boolean }> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername: 'api.example.test', ca: ca.rootPem, session, maxVersion: 'TLSv1.2' }, () => {
        resolve({ session: socket.getSession(), reused: socket.isSessionReused() })
        socket.end()
      })
      socket.on('error', reject)
    })
  const first = await handshake()
  assert.equal(first.reused, false)
  assert.ok(first.session)
  const resumed = await handshake(first.session)
  assert.equal(resumed.reused, true)
})

test('a client that asks to renegotiate (TLS 1.2) is disconnected: ALB does not support renegotiation', { skip: noOpenssl, timeout: 20_000 }, async () => {
  const { spawn } = await import('node:child_process')
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-servername', 'api.example.test'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    const deadline = Date.now() + 10_000
    while (!/Verify return code/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    assert.match(out, /Protocol\s*:\s*TLSv1\.2/, 'the handshake completed first')
    child.stdin.write('R\n') // s_client: renegotiate
    const code = await Promise.race([exited, new Promise<'still connected'>((r) => setTimeout(() => r('still connected'), 5000))])
    assert.notEqual(code, 'still connected', `the connection stays after a renegotiation request:\n${out}`)
    assert.match(out, /RENEGOTIATING/)
  } finally {
    child.kill('SIGKILL')
  }
})
