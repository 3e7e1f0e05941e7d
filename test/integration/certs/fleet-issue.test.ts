import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadOrCreateCa, type LocalCa } from '../../../src/certs/ca.js'
import { CertificateManager } from '../../../src/certs/manager.js'
import { requestCertificate } from '../../../src/control/certificates.js'
import { Control } from '../../../src/control/control.js'
import { openEtcdStore } from '../../../src/store/etcd/etcd-store.js'
import { eventually } from '../../helpers/eventually.js'
import { needsEtcd, startEtcd } from '../../helpers/etcd.js'

const quiet = { info: () => undefined, error: () => undefined }

test('a certificate is issued once per fleet: nodes reconciling together issue under the etcd lock', { skip: needsEtcd() }, async (t) => {
  const etcd = await startEtcd(1)
  const dir = mkdtempSync(join(tmpdir(), 'openalb-fleet-ca-'))
  const stores = [openEtcdStore(etcd.url), openEtcdStore(etcd.url), openEtcdStore(etcd.url)]
  t.after(async () => {
    for (const s of stores) await s.close()
    await etcd.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const real = await loadOrCreateCa(dir)
  let issued = 0
  const counting: LocalCa = {
    ...real,
    issue: async (req, now) => {
      issued++
      // Slow enough that the nodes overlap.
      await new Promise((r) => setTimeout(r, 200))
      return real.issue(req, now)
    },
  }
  const controls = stores.map((s) => new Control(s))
  const managers = stores.map((s, i) => new CertificateManager(controls[i]!, counting, quiet, { lock: (fn) => s.fleet!.tryLock('certificates', fn) }))
  await controls[0]!.mutate((d) => requestCertificate(d, { name: 'api', domainName: 'api.example.test' }))
  await Promise.all(managers.map((m) => m.reconcile()))
  await eventually(async () => (await controls[2]!.read()).list('certificate')[0]?.status === 'ISSUED', { message: 'issued' })
  // Later revisions on every node find nothing due.
  await Promise.all(managers.map((m) => m.reconcile()))
  assert.equal(issued, 1, 'one node issued it; the others saw the lock held or the result')
  const cert = (await controls[1]!.read()).list('certificate')[0]
  assert.ok(cert?.certificatePem?.includes('BEGIN CERTIFICATE'), 'every node reads the same certificate from the store')
})
