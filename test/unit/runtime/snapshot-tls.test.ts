import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Certificate } from '../../../src/model/certificate.js'
import { tryCompile } from '../../../src/runtime/snapshot.js'
import { fixed, listener, loadBalancer, state } from '../../integration/dataplane/fixtures.js'

let n = 0
function cert(domainName: string, status: Certificate['status'] = 'ISSUED', sans: string[] = []): Certificate {
  const id = String(++n).padStart(8, '0')
  return {
    kind: 'certificate',
    arn: `arn:aws:acm:us-east-1:000000000000:certificate/${id}-0000-4000-8000-000000000000`,
    name: `c-${id}`,
    domainName,
    subjectAlternativeNames: sans,
    source: 'local-ca',
    validationMethod: 'DNS',
    status,
    createdAt: new Date(0).toISOString(),
    ...(status === 'ISSUED' ? { certificatePem: `CERT ${domainName}`, chainPem: 'CHAIN', privateKeyPem: `KEY ${domainName}` } : {}),
    tags: {},
  }
}

const https = (port: number, certs: Certificate[], more = {}) =>
  listener(port, [fixed('200')], { protocol: 'HTTPS', certificates: certs.map((c, i) => ({ arn: c.arn, isDefault: i === 0 })), ...more })

test('an HTTPS listener carries its issued certificates, the default first, with every name', () => {
  const main = cert('api.example.test', 'ISSUED', ['localhost'])
  const extra = cert('*.example.test')
  const r = tryCompile(state(1, loadBalancer(), main, extra, https(8443, [main, extra])))
  assert.ok(r.ok)
  const certs = r.value.listeners.get('127.0.0.1:8443')?.tlsCertificates ?? []
  assert.deepEqual(certs.map((c) => [c.arn, c.isDefault, c.names]), [
    [main.arn, true, ['api.example.test', 'localhost']],
    [extra.arn, false, ['*.example.test']],
  ])
  assert.equal(certs[0]?.chainPem, 'CHAIN')
})

const pendingCases: { desc: string; defaultStatus: Certificate['status']; extraStatus: Certificate['status']; served: number }[] = [
  { desc: 'a pending default certificate leaves nothing to serve (handshakes are refused)', defaultStatus: 'PENDING_VALIDATION', extraStatus: 'ISSUED', served: 0 },
  { desc: 'a pending additional certificate is left out, the default is served', defaultStatus: 'ISSUED', extraStatus: 'PENDING_VALIDATION', served: 1 },
  { desc: 'an expired default certificate is not served', defaultStatus: 'EXPIRED', extraStatus: 'ISSUED', served: 0 },
]
for (const c of pendingCases) {
  test(`certificates not yet usable: ${c.desc}`, () => {
    const main = cert('api.example.test', c.defaultStatus)
    const extra = cert('www.example.test', c.extraStatus)
    const r = tryCompile(state(1, loadBalancer(), main, extra, https(8443, [main, extra])))
    assert.ok(r.ok, 'a listener waiting for its certificate is not a failed snapshot')
    assert.equal(r.value.listeners.get('127.0.0.1:8443')?.tlsCertificates?.length, c.served)
  })
}

test('an unknown SSL policy fails the snapshot with the listener named', () => {
  const main = cert('api.example.test')
  const l = https(8443, [main], { sslPolicy: 'ELBSecurityPolicy-Nope' })
  const r = tryCompile(state(1, loadBalancer(), main, l))
  assert.ok(!r.ok)
  assert.deepEqual(r.failures, [{ path: `listener ${l.arn}`, message: 'unknown SSL policy ELBSecurityPolicy-Nope' }])
})
