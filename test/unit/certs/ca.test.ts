import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { loadOrCreateCa, needsRenewal } from '../../../src/certs/ca.js'
import { validateImport } from '../../../src/certs/import.js'
import { needs } from '../../helpers/shared.js'

const run = promisify(execFile)
const DAY = 86_400_000

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'openalb-ca-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('the local CA is created on first use with a 0600 root key in a 0700 directory', async (t) => {
  const dataDir = await tempDir(t)
  const ca = await loadOrCreateCa(dataDir)
  assert.equal((await stat(join(dataDir, 'ca'))).mode & 0o777, 0o700)
  assert.equal((await stat(join(dataDir, 'ca', 'root.key'))).mode & 0o777, 0o600)
  const root = new X509Certificate(ca.rootPem)
  assert.match(root.subject, /^CN=openalb local CA [0-9a-f]{8}$/m)
  assert.equal(root.ca, true)
  assert.equal(root.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  const years = (Date.parse(root.validTo) - Date.parse(root.validFrom)) / (365 * DAY)
  assert.ok(years > 9.9 && years < 10.1, `root lifetime ${years} years`)
  assert.ok(root.checkIssued(root) && root.verify(root.publicKey), 'root is self-signed')
})

test('the local CA is loaded, not recreated, on the next start', async (t) => {
  const dataDir = await tempDir(t)
  const first = await loadOrCreateCa(dataDir)
  const second = await loadOrCreateCa(dataDir)
  assert.equal(second.rootPem, first.rootPem)
  const leaf = await second.issue({ domainName: 'api.example.test' })
  assert.ok(new X509Certificate(leaf.certificatePem).checkIssued(new X509Certificate(first.rootPem)))
})

test('a CA directory with a root certificate but no key is refused, not silently replaced', async (t) => {
  const dataDir = await tempDir(t)
  const ca = await loadOrCreateCa(dataDir)
  await rm(join(dataDir, 'ca', 'root.key'))
  await writeFile(join(dataDir, 'ca', 'root.pem'), ca.rootPem)
  await assert.rejects(loadOrCreateCa(dataDir), /incomplete: root\.pem and root\.key must both exist/)
})

test('a leaf from the local CA is ECDSA P-256, 90 days, with every name as a SAN and serverAuth', async (t) => {
  const ca = await loadOrCreateCa(await tempDir(t))
  const now = new Date()
  const issued = await ca.issue({ domainName: 'API.example.test', subjectAlternativeNames: ['localhost', '*.example.test', 'api.example.test'] }, now)
  const leaf = new X509Certificate(issued.certificatePem)
  assert.equal(leaf.subject, 'CN=api.example.test')
  assert.equal(leaf.subjectAltName, 'DNS:api.example.test, DNS:localhost, DNS:*.example.test')
  assert.equal(leaf.ca, false)
  assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'])
  assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  assert.equal(issued.keyAlgorithm, 'EC_prime256v1')
  assert.equal(issued.chainPem, ca.rootPem)
  const days = (Date.parse(issued.notAfter) - now.getTime()) / DAY
  assert.equal(Math.round(days), 90)
  assert.ok(Date.parse(issued.notBefore) <= now.getTime())
  assert.equal(issued.serial, leaf.serialNumber.toLowerCase().match(/../g)?.join(':'))
  assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(issued.privateKeyPem)))
  // What the local CA issues passes the same checks as an imported certificate.
  const imported = validateImport({ certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, chainPem: issued.chainPem, now })
  assert.ok(imported.ok, JSON.stringify(!imported.ok && imported.error))
})

test('a leaf names its issuer by key identifier (AKI equals the root SKI)', { skip: needs('openssl') }, async (t) => {
  const dir = await tempDir(t)
  const ca = await loadOrCreateCa(dir)
  const issued = await ca.issue({ domainName: 'api.example.test' })
  await writeFile(join(dir, 'leaf.pem'), issued.certificatePem)
  const rootText = (await run('openssl', ['x509', '-in', join(dir, 'ca', 'root.pem'), '-noout', '-text'])).stdout
  const leafText = (await run('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-text'])).stdout
  const ski = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(rootText)?.[1]
  const aki = /Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(leafText)?.[1]
  assert.ok(ski)
  assert.equal(aki, ski)
  assert.match(rootText, /Certificate Sign, CRL Sign/)
  assert.match(rootText, /CA:TRUE/)
})

test('openssl verify accepts a leaf of the local CA against root.pem', { skip: needs('openssl') }, async (t) => {
  const dir = await tempDir(t)
  const ca = await loadOrCreateCa(dir)
  const issued = await ca.issue({ domainName: 'api.example.test', subjectAlternativeNames: ['localhost'] })
  await writeFile(join(dir, 'leaf.pem'), issued.certificatePem)
  const { stdout } = await run('openssl', ['verify', '-CAfile', join(dir, 'ca', 'root.pem'), '-purpose', 'sslserver', join(dir, 'leaf.pem')])
  assert.match(stdout, /leaf\.pem: OK/)
})

const renewal = [
  { desc: 'just issued', elapsedDays: 0, expected: false },
  { desc: 'half way', elapsedDays: 45, expected: false },
  { desc: 'a day before two thirds', elapsedDays: 59, expected: false },
  { desc: 'at two thirds', elapsedDays: 60, expected: true },
  { desc: 'expired', elapsedDays: 91, expected: true },
]
for (const c of renewal) {
  test(`a 90-day certificate ${c.desc} ${c.expected ? 'needs' : 'does not need'} renewal`, () => {
    const notBefore = new Date('2030-01-01T00:00:00Z')
    const notAfter = new Date(notBefore.getTime() + 90 * DAY)
    assert.equal(needsRenewal(notBefore, notAfter.toISOString(), new Date(notBefore.getTime() + c.elapsedDays * DAY)), c.expected)
  })
}
