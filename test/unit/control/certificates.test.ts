import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deleteCertificate, importCertificate, markCertificateIssued, requestCertificate } from '../../../src/control/certificates.js'
import { changeTags } from '../../../src/control/tags.js'
import type { CertificateCheck } from '../../../src/control/draft.js'
import { DuplicateError, InUseError, InvalidCertificateError, NotFoundError, ValidationFailed } from '../../../src/control/errors.js'
import { createListener, createLoadBalancer, deleteListener } from '../../../src/control/load-balancers.js'
import { ok200, openControl, refusedUnchanged } from './fixture.js'

const fakeCheck: CertificateCheck = ({ certificatePem }) =>
  certificatePem.includes('BAD')
    ? { ok: false, error: [{ path: 'certificate', message: 'is not a PEM certificate' }] }
    : { ok: true, value: { domainName: 'api.example.test', subjectAlternativeNames: ['api.example.test'], notBefore: '2024-01-01T00:00:00.000Z', notAfter: '2025-01-01T00:00:00.000Z', serial: '01', keyAlgorithm: 'EC_prime256v1' } }

test('a requested certificate waits in PENDING_VALIDATION with its domain, lower-cased, among its names', async (t) => {
  const { control } = openControl(t)
  const { value } = await control.mutate((d) => requestCertificate(d, { name: 'api-cert', domainName: 'API.Example.test', subjectAlternativeNames: ['www.example.test'] }))
  assert.match(value.arn, /^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  assert.equal(value.status, 'PENDING_VALIDATION')
  assert.equal(value.domainName, 'api.example.test')
  assert.deepEqual(value.subjectAlternativeNames, ['api.example.test', 'www.example.test'])
  const { value: issued } = await control.mutate((d) =>
    markCertificateIssued(d, 'api-cert', { certificatePem: 'C', chainPem: '', privateKeyPem: 'K', notBefore: 'a', notAfter: 'b', serial: '1', keyAlgorithm: 'EC_prime256v1' }),
  )
  assert.equal(issued.status, 'ISSUED')
})

test('a duplicate certificate name is DuplicateError; a bad domain is ValidationFailed', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => requestCertificate(d, { name: 'api-cert', domainName: 'api.example.test' }))
  await refusedUnchanged(store, () => control.mutate((d) => requestCertificate(d, { name: 'api-cert', domainName: 'www.example.test' })), DuplicateError, 'duplicate')
  await refusedUnchanged(store, () => control.mutate((d) => requestCertificate(d, { name: 'x', domainName: 'not a domain' })), ValidationFailed, 'validation', /certificate\.domainName/)
})

test('import is refused when no certificate checker is wired', async (t) => {
  const { control, store } = openControl(t)
  await refusedUnchanged(store, () => control.mutate((d) => importCertificate(d, { certificatePem: 'C', privateKeyPem: 'K' })), InvalidCertificateError, 'invalid-certificate', /not available/)
})

test('an import takes its names from the checked PEM; a bad PEM is InvalidCertificateError; re-import keeps the ARN', async (t) => {
  const { control, store } = openControl(t, { checkCertificate: fakeCheck })
  const { value } = await control.mutate((d) => importCertificate(d, { certificatePem: 'CERT', privateKeyPem: 'KEY', tags: { a: '1' } }))
  assert.equal(value.name, 'api.example.test')
  assert.equal(value.status, 'ISSUED')
  assert.equal(value.source, 'imported')
  await refusedUnchanged(store, () => control.mutate((d) => importCertificate(d, { certificatePem: 'BAD', privateKeyPem: 'KEY' })), InvalidCertificateError, 'invalid-certificate', /certificate: is not a PEM/)
  const { value: again } = await control.mutate((d) => importCertificate(d, { arn: value.arn, certificatePem: 'CERT2', privateKeyPem: 'KEY' }))
  assert.equal(again.arn, value.arn)
  assert.deepEqual(again.tags, { a: '1' })
  await refusedUnchanged(store, () => control.mutate((d) => importCertificate(d, { arn: `${value.arn}0`, certificatePem: 'C', privateKeyPem: 'K' })), NotFoundError, 'not-found')
})

test('a certificate in use by a listener cannot be deleted, and can once the listener is gone', async (t) => {
  const { control, store } = openControl(t)
  const { value: listener } = await control.mutate((d) => {
    requestCertificate(d, { name: 'api-cert', domainName: 'api.example.test' })
    createLoadBalancer(d, { name: 'web-alb' })
    return createListener(d, 'web-alb', { port: 8443, protocol: 'HTTPS', certificates: ['api-cert'], defaultActions: ok200 })
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteCertificate(d, 'api-cert')), InUseError, 'in-use', new RegExp(`listener ${listener.arn}`))
  await control.mutate((d) => deleteListener(d, listener.arn))
  await control.mutate((d) => deleteCertificate(d, 'api-cert'))
  assert.deepEqual((await control.read()).list('certificate'), [])
})

test('tags are added and removed', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => requestCertificate(d, { name: 'api-cert', domainName: 'api.example.test', tags: { a: '1', b: '2' } }))
  const { value } = await control.mutate((d) => changeTags(d, 'certificate', 'api-cert', { c: '3' }, ['a']))
  assert.deepEqual(value.tags, { b: '2', c: '3' })
})

test('an ACM IdempotencyToken is kept on the certificate: a repeat within the hour finds it after a restart, a later one does not', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { openSqliteStore } = await import('../../../src/store/sqlite/sqlite-store.js')
  const { Control } = await import('../../../src/control/control.js')
  const { requestCertificate: request, requestedWithToken, IDEMPOTENCY_WINDOW_MS } = await import('../../../src/control/certificates.js')
  const dir = mkdtempSync(join(tmpdir(), 'openalb-idem-'))
  try {
    const first = openSqliteStore(dir)
    const made = await new Control(first).mutate((d) => request(d, { domainName: 'api.example.test', subjectAlternativeNames: [], source: 'local-ca', validationMethod: 'DNS', tags: {} }, { idempotencyToken: 'tok1' }))
    await first.close()
    const again = openSqliteStore(dir)
    const view = await new Control(again).view()
    const created = Date.parse(made.value.createdAt)
    assert.equal(requestedWithToken(view, 'tok1', 'API.example.test', created + 1000)?.arn, made.value.arn)
    assert.equal(requestedWithToken(view, 'tok1', 'www.example.test', created + 1000), undefined, 'another domain is another request')
    assert.equal(requestedWithToken(view, 'tok1', 'api.example.test', created + IDEMPOTENCY_WINDOW_MS + 1), undefined, 'after an hour the token is free')
    await again.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
