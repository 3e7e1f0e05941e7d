import { test } from 'node:test'
import assert from 'node:assert/strict'
import tls from 'node:tls'
import { SSL_POLICIES, DEFAULT_SSL_POLICY, findSslPolicy } from '../../../../src/model/ssl-policy.js'
import { tlsOptionsFor } from '../../../../src/dataplane/tls/policies.js'

test('the default policy is ELBSecurityPolicy-TLS13-1-2-2021-06 with TLS 1.2 and 1.3 only', () => {
  assert.equal(DEFAULT_SSL_POLICY, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  const p = findSslPolicy(DEFAULT_SSL_POLICY)
  assert.deepEqual(p?.sslProtocols, ['TLSv1.2', 'TLSv1.3'])
  assert.deepEqual(p?.ciphers.map((c) => c.name), [
    'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
    'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
  ])
  const o = tlsOptionsFor(DEFAULT_SSL_POLICY)
  assert.equal(o.minVersion, 'TLSv1.2')
  assert.equal(o.maxVersion, 'TLSv1.3')
  assert.equal(o.honorCipherOrder, true)
  assert.ok(!o.ciphers.includes('SECLEVEL'), 'modern policies keep OpenSSL\'s security level')
})

const expected: { name: string; protocols: string[]; count: number; first: string; last: string }[] = [
  { name: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], count: 7, first: 'TLS_AES_128_GCM_SHA256', last: 'ECDHE-RSA-AES256-GCM-SHA384' },
  { name: 'ELBSecurityPolicy-TLS13-1-3-2021-06', protocols: ['TLSv1.3'], count: 3, first: 'TLS_AES_128_GCM_SHA256', last: 'TLS_CHACHA20_POLY1305_SHA256' },
  { name: 'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], count: 15, first: 'TLS_AES_128_GCM_SHA256', last: 'AES256-SHA256' },
  { name: 'ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], count: 21, first: 'TLS_AES_128_GCM_SHA256', last: 'AES256-SHA' },
  { name: 'ELBSecurityPolicy-TLS13-1-1-2021-06', protocols: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], count: 21, first: 'TLS_AES_128_GCM_SHA256', last: 'AES256-SHA' },
  { name: 'ELBSecurityPolicy-TLS13-1-0-2021-06', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], count: 21, first: 'TLS_AES_128_GCM_SHA256', last: 'AES256-SHA' },
  { name: 'ELBSecurityPolicy-2016-08', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], count: 18, first: 'ECDHE-ECDSA-AES128-GCM-SHA256', last: 'AES256-SHA' },
  { name: 'ELBSecurityPolicy-TLS-1-2-2017-01', protocols: ['TLSv1.2'], count: 12, first: 'ECDHE-ECDSA-AES128-GCM-SHA256', last: 'AES256-SHA256' },
  { name: 'ELBSecurityPolicy-TLS-1-2-Ext-2018-06', protocols: ['TLSv1.2'], count: 18, first: 'ECDHE-ECDSA-AES128-GCM-SHA256', last: 'AES256-SHA' },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', protocols: ['TLSv1.2'], count: 4, first: 'ECDHE-ECDSA-AES128-GCM-SHA256', last: 'ECDHE-RSA-AES256-GCM-SHA384' },
]
for (const e of expected) {
  test(`${e.name} offers ${e.protocols.join(', ')} with ${e.count} ciphers in ALB's order`, () => {
    const p = findSslPolicy(e.name)
    assert.ok(p)
    assert.deepEqual(p.sslProtocols, e.protocols)
    assert.equal(p.ciphers.length, e.count)
    assert.equal(p.ciphers[0]?.name, e.first)
    assert.equal(p.ciphers.at(-1)?.name, e.last)
    assert.deepEqual(p.ciphers.map((c) => c.priority), p.ciphers.map((_, i) => i + 1))
    assert.deepEqual(p.supportedLoadBalancerTypes, ['application', 'network'])
  })
}

test('every policy compiles into a node:tls secure context', () => {
  for (const p of SSL_POLICIES) {
    assert.doesNotThrow(() => tls.createSecureContext(tlsOptionsFor(p.name)), p.name)
  }
})

test('policies with TLS 1.0 or 1.1 lower the OpenSSL security level so old clients can connect', () => {
  assert.match(tlsOptionsFor('ELBSecurityPolicy-2016-08').ciphers, /:@SECLEVEL=0$/)
  assert.equal(tlsOptionsFor('ELBSecurityPolicy-2016-08').minVersion, 'TLSv1')
  assert.equal(tlsOptionsFor('ELBSecurityPolicy-TLS13-1-1-2021-06').minVersion, 'TLSv1.1')
})

test('an unknown policy name is an error, not a silent default', () => {
  assert.throws(() => tlsOptionsFor('ELBSecurityPolicy-Nope'), /unknown SSL policy/)
  assert.equal(findSslPolicy('__proto__'), undefined)
})
