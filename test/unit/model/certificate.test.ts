import assert from 'node:assert/strict'
import { test } from 'node:test'
import { certificateSpec, redactCertificate, type Certificate } from '../../../src/model/certificate.js'
import { failuresOf, parsed, table } from './table.js'

const cert = (extra: Record<string, unknown> = {}) => ({ name: 'api-cert', domainName: 'api.example.test', ...extra })
const label = (n: number) => 'a'.repeat(n)

test('a certificate defaults to openalb\'s CA with DNS validation and no extra names', () => {
  const v = parsed(certificateSpec, cert())
  assert.equal(v.source, 'local-ca')
  assert.equal(v.validationMethod, 'DNS')
  assert.deepEqual(v.subjectAlternativeNames, [])
  assert.deepEqual(v.tags, {})
})

test('an imported certificate without its PEMs names both missing fields', () => {
  const failures = failuresOf(certificateSpec, { name: 'imp', source: 'imported' })
  assert.deepEqual(failures.map((f) => f.path).sort(), ['certificate', 'privateKey'])
  assert.ok(failures.every((f) => /required for an imported certificate/.test(f.message)))
})

table('certificate', certificateSpec, [
  { desc: 'a wildcard domain', input: cert({ domainName: '*.example.test' }) },
  { desc: 'a wildcard below the first label', input: cert({ domainName: 'a.*.example.test' }), path: 'domainName', message: /domain name/ },
  { desc: 'a double wildcard', input: cert({ domainName: '*.*.example.test' }), path: 'domainName' },
  { desc: 'a label beginning with a hyphen', input: cert({ domainName: '-api.example.test' }), path: 'domainName' },
  { desc: 'an empty label', input: cert({ domainName: 'api..example.test' }), path: 'domainName' },
  { desc: 'a 63-character label', input: cert({ domainName: `${label(63)}.test` }) },
  { desc: 'a 64-character label', input: cert({ domainName: `${label(64)}.test` }), path: 'domainName' },
  { desc: 'a 253-character name', input: cert({ domainName: [label(63), label(63), label(63), label(61)].join('.') }) },
  { desc: 'a 254-character name', input: cert({ domainName: [label(63), label(63), label(63), label(62)].join('.') }), path: 'domainName' },
  { desc: 'a local-ca certificate without a domain', input: { name: 'c' }, path: 'domainName', message: /required for a local-ca certificate/ },
  { desc: 'an acme certificate without a domain', input: { name: 'c', source: 'acme' }, path: 'domainName', message: /required for a acme certificate/ },
  { desc: 'an imported certificate without a domain', input: { name: 'c', source: 'imported', certificate: 'PEM', privateKey: 'KEY' } },
  { desc: 'an imported certificate without its key', input: { name: 'c', source: 'imported', certificate: 'PEM' }, path: 'privateKey' },
  { desc: 'source self-signed', input: cert({ source: 'self-signed' }), path: 'source' },
  { desc: 'validation by EMAIL', input: cert({ validationMethod: 'EMAIL' }) },
  { desc: 'validation by HTTP', input: cert({ validationMethod: 'HTTP' }), path: 'validationMethod' },
  { desc: '100 alternative names', input: cert({ subjectAlternativeNames: Array.from({ length: 100 }, (_, i) => `n${i}.example.test`) }) },
  { desc: '101 alternative names', input: cert({ subjectAlternativeNames: Array.from({ length: 101 }, (_, i) => `n${i}.example.test`) }), path: 'subjectAlternativeNames' },
  { desc: 'a bad alternative name', input: cert({ subjectAlternativeNames: ['ok.test', 'not a name'] }), path: 'subjectAlternativeNames[1]' },
  { desc: 'a 128-character name', input: cert({ name: 'n'.repeat(128) }) },
  { desc: 'a 129-character name', input: cert({ name: 'n'.repeat(129) }), path: 'name' },
  { desc: 'an unknown key', input: cert({ keyAlgorithm: 'RSA_2048' }), path: 'keyAlgorithm', message: /^unknown key keyAlgorithm$/ },
])

test('a redacted certificate has no private key and keeps everything else', () => {
  const c: Certificate = {
    kind: 'certificate',
    arn: 'arn:aws:acm:us-east-1:000000000000:certificate/x',
    name: 'api-cert',
    domainName: 'api.example.test',
    subjectAlternativeNames: ['api.example.test'],
    source: 'imported',
    validationMethod: 'DNS',
    status: 'ISSUED',
    createdAt: '2024-01-01T00:00:00.000Z',
    certificatePem: 'CERT',
    privateKeyPem: 'SECRET',
    tags: {},
  }
  const r = redactCertificate(c)
  assert.equal('privateKeyPem' in r, false)
  assert.equal(JSON.stringify(r).includes('SECRET'), false)
  assert.equal(r.certificatePem, 'CERT')
})
