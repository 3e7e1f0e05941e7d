import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { compileSni, SecureContextCache, type ListenerCertificate } from '../../../../src/dataplane/tls/sni.js'
import { DEFAULT_SSL_POLICY } from '../../../../src/model/ssl-policy.js'
import { makeCert } from '../../certs/make-certs.js'

let pems: { certificatePem: string; privateKeyPem: string }[] = []
before(async () => {
  pems = await Promise.all([1, 2, 3, 4, 5].map(async (i) => {
    const c = await makeCert({ cn: `c${i}.example.test` })
    return { certificatePem: c.pem, privateKeyPem: c.keyPem }
  }))
})

function cert(i: number, arn: string, names: string[], isDefault = false): ListenerCertificate {
  const p = pems[i]
  if (!p) throw new Error('fixture missing')
  return { arn, isDefault, names, ...p }
}

function listenerCerts(): ListenerCertificate[] {
  return [
    cert(0, 'default', ['default.example.test'], true),
    cert(1, 'api', ['api.example.test']),
    cert(2, 'wild', ['*.example.test']),
    cert(3, 'wild-a', ['*.a.example.test']),
    cert(4, 'other', ['www.example.org', 'API.EXAMPLE.ORG']),
  ]
}

const cases: { desc: string; servername: string | undefined; arn: string }[] = [
  { desc: 'an exact name picks its certificate', servername: 'api.example.test', arn: 'api' },
  { desc: 'names compare lower-case', servername: 'API.Example.Test', arn: 'api' },
  { desc: 'names given upper-case in the certificate still match', servername: 'api.example.org', arn: 'other' },
  { desc: 'the exact name beats a wildcard that also covers it', servername: 'api.example.test', arn: 'api' },
  { desc: 'a wildcard covers one label', servername: 'shop.example.test', arn: 'wild' },
  { desc: 'the most specific wildcard wins', servername: 'x.a.example.test', arn: 'wild-a' },
  { desc: 'a wildcard does not cover two labels', servername: 'y.x.b.example.test', arn: 'default' },
  { desc: 'a wildcard does not cover the bare domain', servername: 'example.test', arn: 'default' },
  { desc: 'an unknown name gets the default', servername: 'nothing.example.net', arn: 'default' },
  { desc: 'no SNI gets the default', servername: undefined, arn: 'default' },
  { desc: 'a servername of __proto__ gets the default', servername: '__proto__', arn: 'default' },
  { desc: 'a trailing dot is ignored', servername: 'api.example.test.', arn: 'api' },
]
for (const c of cases) {
  test(`SNI: ${c.desc}`, () => {
    const sni = compileSni(listenerCerts(), DEFAULT_SSL_POLICY)
    assert.equal(sni.select(c.servername).arn, c.arn)
  })
}

test('SNI: the default certificate wins when two certificates claim the same name', () => {
  const sni = compileSni([cert(1, 'extra', ['same.example.test']), cert(0, 'default', ['same.example.test'], true)], DEFAULT_SSL_POLICY)
  assert.equal(sni.select('same.example.test').arn, 'default')
  assert.equal(sni.defaultArn, 'default')
})

test('SNI: the callback hands tls the selected context', async () => {
  const sni = compileSni(listenerCerts(), DEFAULT_SSL_POLICY)
  const ctx = await new Promise((resolve, reject) => sni.sniCallback('shop.example.test', (e, c) => (e ? reject(e) : resolve(c))))
  assert.equal(ctx, sni.select('shop.example.test').context)
  assert.equal(sni.select(undefined).context, sni.defaultContext)
})

test('a new configuration version reuses the secure contexts of unchanged certificates', () => {
  const cache = new SecureContextCache()
  const v1 = compileSni(listenerCerts(), DEFAULT_SSL_POLICY, cache)
  assert.equal(cache.created, 5)
  const v2 = compileSni(listenerCerts().filter((c) => c.arn !== 'other'), DEFAULT_SSL_POLICY, cache)
  assert.equal(cache.created, 5, 'no context rebuilt')
  assert.equal(cache.size, 4, 'the removed certificate is dropped')
  assert.equal(v2.select('api.example.test').context, v1.select('api.example.test').context)
  // Re-adding a certificate builds only that one context.
  compileSni(listenerCerts(), DEFAULT_SSL_POLICY, cache)
  assert.equal(cache.created, 6)
  // A different policy needs new contexts.
  compileSni(listenerCerts(), 'ELBSecurityPolicy-TLS13-1-3-2021-06', cache)
  assert.equal(cache.created, 11)
})

test('a listener without certificates is refused at compile time', () => {
  assert.throws(() => compileSni([], DEFAULT_SSL_POLICY), /default certificate/)
})
