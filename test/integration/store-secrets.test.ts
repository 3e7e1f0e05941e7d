import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { Control } from '../../src/control/control.js'
import { markCertificateIssued, requestCertificate } from '../../src/control/certificates.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { openEtcdStore } from '../../src/store/etcd/etcd-store.js'
import { SecretSealer } from '../../src/store/secrets.js'
import type { Resource } from '../../src/model/resources.js'
import { Etcd3 } from 'etcd3'
import { needsEtcd, startEtcd } from '../helpers/etcd.js'

const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg-not-a-real-key\n-----END PRIVATE KEY-----\n'

async function storeWithKey(dir: string): Promise<string> {
  const store = openSqliteStore(dir)
  const control = new Control(store)
  const { value } = await control.mutate((d) => requestCertificate(d, { domainName: 'api.example.test', subjectAlternativeNames: [], source: 'local-ca', validationMethod: 'DNS', tags: {} }))
  await control.mutate((d) =>
    markCertificateIssued(d, value.arn, { certificatePem: 'CERT', chainPem: '', privateKeyPem: KEY, notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', serial: '01', keyAlgorithm: 'EC_prime256v1' }),
  )
  await store.close()
  return value.arn
}

test('private keys are sealed at rest in the SQLite file (AES-256-GCM under store.key, 0600) and read back in clear', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-secrets-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const arn = await storeWithKey(dir)
  assert.equal(statSync(join(dir, 'store.key')).mode & 0o777, 0o600)
  const db = new Database(join(dir, 'state.db'), { readonly: true })
  const bodies = (db.prepare('SELECT body FROM resources').all() as { body: string }[]).map((r) => r.body).join('\n')
  db.close()
  assert.doesNotMatch(bodies, /BEGIN PRIVATE KEY/, 'no key in clear in the file')
  assert.match(bodies, /openalb-sealed:v1:/)
  const again = openSqliteStore(dir)
  t.after(() => again.close())
  assert.equal((await again.load()).get('certificate', arn)?.privateKeyPem, KEY)
})

test('a store opened with another key says which key is wrong; a store written before sealing still reads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-secrets-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  await storeWithKey(dir)
  writeFileSync(join(dir, 'store.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`)
  const wrong = openSqliteStore(dir)
  await assert.rejects(wrong.load(), /cannot open the private key of certificate .*: the store key \(OPENALB_STORE_KEY, or the data directory's store\.key\) is not the one it was sealed with/)
  await wrong.close()

  // Written in clear (before sealing): read as it is.
  const legacy = mkdtempSync(join(tmpdir(), 'openalb-secrets-legacy-'))
  t.after(() => rmSync(legacy, { recursive: true, force: true }))
  const first = openSqliteStore(legacy)
  await first.close()
  const db = new Database(join(legacy, 'state.db'))
  db.prepare("INSERT INTO resources (kind, key, body, revision) VALUES ('certificate', 'arn:x', ?, 1)").run(JSON.stringify({ kind: 'certificate', arn: 'arn:x', name: 'x', privateKeyPem: KEY }))
  db.prepare("UPDATE meta SET value = 1 WHERE key = 'revision'").run()
  db.close()
  const reopened = openSqliteStore(legacy)
  t.after(() => reopened.close())
  assert.equal((await reopened.load()).get('certificate', 'arn:x')?.privateKeyPem, KEY)
  assert.ok(existsSync(join(legacy, 'store.key')))
})

test('the etcd store seals private keys with OPENALB_STORE_KEY', { skip: needsEtcd() }, async (t) => {
  const etcd = await startEtcd(1)
  t.after(() => etcd.stop())
  const previous = process.env.OPENALB_STORE_KEY
  process.env.OPENALB_STORE_KEY = Buffer.alloc(32, 3).toString('base64')
  t.after(() => {
    if (previous === undefined) delete process.env.OPENALB_STORE_KEY
    else process.env.OPENALB_STORE_KEY = previous
  })
  const url = `${etcd.url}/sealed`
  const store = openEtcdStore(url)
  t.after(() => store.close())
  const control = new Control(store)
  const { value } = await control.mutate((d) => requestCertificate(d, { domainName: 'api.example.test', subjectAlternativeNames: [], source: 'local-ca', validationMethod: 'DNS', tags: {} }))
  await control.mutate((d) => markCertificateIssued(d, value.arn, { certificatePem: 'CERT', chainPem: '', privateKeyPem: KEY, notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', serial: '01', keyAlgorithm: 'EC_prime256v1' }))
  const raw = new Etcd3({ hosts: etcd.url.replace('etcd://', '').split(',').map((h) => `http://${h}`) })
  t.after(() => raw.close())
  const values = Object.values(await raw.getAll().prefix('/sealed/').strings()).join('\n')
  assert.doesNotMatch(values, /BEGIN PRIVATE KEY/)
  assert.match(values, /openalb-sealed:v1:/)
  const other = openEtcdStore(url)
  t.after(() => other.close())
  assert.equal((await other.load()).get('certificate', value.arn)?.privateKeyPem, KEY)
})

test('authenticate-oidc client secrets are sealed at rest in listeners and rules, and read back in clear', () => {
  const key = Buffer.alloc(32, 9)
  const sealer = new SecretSealer(key)
  const oidc = { type: 'authenticate-oidc', order: 1, authenticateOidc: { issuer: 'https://idp.test', clientId: 'app', clientSecret: 'the-client-secret' } }
  const forward = { type: 'forward', order: 2, targetGroups: [] }
  for (const r of [
    { kind: 'listener', arn: 'arn:listener', defaultActions: [oidc, forward] },
    { kind: 'rule', arn: 'arn:rule', actions: [oidc, forward] },
  ] as unknown as Resource[]) {
    const text = sealer.encode(r)
    assert.doesNotMatch(text, /the-client-secret/)
    assert.match(text, /"clientSecret":"openalb-sealed:v1:/)
    assert.deepEqual(sealer.decode(text), r)
    assert.equal(sealer.encode(sealer.decode(text)).includes('the-client-secret'), false)
    assert.throws(() => new SecretSealer(Buffer.alloc(32, 1)).decode(text), /cannot open the client secret of (listener|rule) arn:(listener|rule): the store key/)
    // Moved to another resource, a sealed secret does not open.
    assert.throws(() => sealer.decode(text.replace(/"arn:(listener|rule)"/, '"arn:other"')), /cannot open the client secret/)
  }
  // Written in clear (before sealing): read as it is.
  const clear = { kind: 'listener', arn: 'arn:l', defaultActions: [oidc] } as unknown as Resource
  assert.deepEqual(sealer.decode(JSON.stringify(clear)), clear)
})
