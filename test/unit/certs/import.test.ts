import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateImport } from '../../../src/certs/import.js'
import { makeCert, makeChain, type MakeCertOptions } from './make-certs.js'

const DAY = 86_400_000
const now = new Date()

test('an imported certificate with its chain is accepted and described as ACM would', async () => {
  const { root, intermediate, leaf } = await makeChain({ cn: 'api.example.test', names: ['api.example.test', 'www.example.test'] })
  const result = validateImport({ certificatePem: leaf.pem, privateKeyPem: leaf.keyPem, chainPem: intermediate.pem + root.pem, now })
  assert.ok(result.ok, JSON.stringify(!result.ok && result.error))
  assert.equal(result.value.domainName, 'api.example.test')
  assert.deepEqual(result.value.subjectAlternativeNames, ['api.example.test', 'www.example.test'])
  assert.equal(result.value.keyAlgorithm, 'EC_prime256v1')
  assert.match(result.value.serial, /^[0-9a-f]{2}(:[0-9a-f]{2})+$/)
  assert.equal(result.value.notAfter, leaf.cert.notAfter.toISOString())
  assert.equal(result.value.issuer, 'CN=Test Intermediate')
  assert.equal(result.value.chainPem, intermediate.cert.toString('pem').concat('\n', root.cert.toString('pem'), '\n'))
})

test('import takes the chain as ACM does: any order, extra certificates, with or without the root, and serves the path in order', async () => {
  const { root, intermediate, leaf } = await makeChain({ cn: 'api.example.test', names: ['api.example.test'] })
  const other = await makeChain()
  const inOrder = intermediate.cert.toString('pem').concat('\n', root.cert.toString('pem'), '\n')
  const cases: { desc: string; chainPem: string; want: string }[] = [
    { desc: 'root first (the self-signed root, then the intermediate)', chainPem: root.pem + intermediate.pem, want: inOrder },
    { desc: 'a foreign root after the intermediate', chainPem: intermediate.pem + other.root.pem, want: intermediate.cert.toString('pem') + '\n' },
    { desc: 'extra certificates around the path', chainPem: other.intermediate.pem + root.pem + other.root.pem + intermediate.pem, want: inOrder },
  ]
  for (const c of cases) {
    const result = validateImport({ certificatePem: leaf.pem, privateKeyPem: leaf.keyPem, chainPem: c.chainPem, now })
    assert.ok(result.ok, `${c.desc}: ${JSON.stringify(!result.ok && result.error)}`)
    assert.equal(result.value.chainPem, c.want, c.desc)
  }
})

const accepted: { desc: string; opts: MakeCertOptions; keyAlgorithm: string; domainName: string }[] = [
  { desc: 'RSA 2048', opts: { key: 'rsa2048' }, keyAlgorithm: 'RSA_2048', domainName: 'api.example.test' },
  { desc: 'ECDSA P-384', opts: { key: 'ec384' }, keyAlgorithm: 'EC_secp384r1', domainName: 'api.example.test' },
  { desc: 'no CN: the first SAN names it', opts: { cn: undefined, names: ['first.example.test', 'second.example.test'] }, keyAlgorithm: 'EC_prime256v1', domainName: 'first.example.test' },
]
for (const c of accepted) {
  test(`import accepts ${c.desc}`, async () => {
    const { intermediate, leaf } = await makeChain({ names: ['api.example.test'], ...c.opts, cn: 'cn' in c.opts ? c.opts.cn : 'api.example.test' })
    const result = validateImport({ certificatePem: leaf.pem, privateKeyPem: leaf.keyPem, chainPem: intermediate.pem, now })
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error))
    assert.equal(result.value.keyAlgorithm, c.keyAlgorithm)
    assert.equal(result.value.domainName, c.domainName)
  })
}

interface Rejection {
  desc: string
  input: () => Promise<{ certificatePem: string; privateKeyPem: string; chainPem?: string }>
  path: string
  message: RegExp
}

const rejections: Rejection[] = [
  {
    desc: 'a certificate that is not PEM',
    input: async () => ({ certificatePem: 'hello', privateKeyPem: (await makeCert()).keyPem }),
    path: 'certificate',
    message: /^is not a PEM certificate/,
  },
  {
    desc: 'a PEM block whose body is not a certificate',
    input: async () => ({
      certificatePem: '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
      privateKeyPem: (await makeCert()).keyPem,
    }),
    path: 'certificate',
    message: /^is malformed PEM/,
  },
  {
    desc: 'a private key that is not PEM',
    input: async () => ({ certificatePem: (await makeCert({ cn: 'a.example.test' })).pem, privateKeyPem: 'secret' }),
    path: 'privateKey',
    message: /^is not a PEM private key/,
  },
  {
    desc: 'a private key block that does not parse',
    input: async () => ({
      certificatePem: (await makeCert({ cn: 'a.example.test' })).pem,
      privateKeyPem: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n',
    }),
    path: 'privateKey',
    message: /^is malformed PEM/,
  },
  {
    desc: 'a key that does not match the certificate',
    input: async () => ({ certificatePem: (await makeCert({ cn: 'a.example.test' })).pem, privateKeyPem: (await makeCert()).keyPem }),
    path: 'privateKey',
    message: /^does not match the certificate/,
  },
  {
    desc: 'an expired certificate',
    input: async () => {
      const c = await makeCert({ cn: 'a.example.test', notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - DAY) })
      return { certificatePem: c.pem, privateKeyPem: c.keyPem }
    },
    path: 'certificate',
    message: /^has expired: it was valid until \d{4}-/,
  },
  {
    desc: 'a certificate that is not yet valid',
    input: async () => {
      const c = await makeCert({ cn: 'a.example.test', notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 90 * DAY) })
      return { certificatePem: c.pem, privateKeyPem: c.keyPem }
    },
    path: 'certificate',
    message: /^is not yet valid: its validity starts \d{4}-/,
  },
  {
    desc: "a chain that does not lead to the leaf's issuer",
    input: async () => {
      const { leaf } = await makeChain()
      const other = await makeChain()
      return { certificatePem: leaf.pem, privateKeyPem: leaf.keyPem, chainPem: other.intermediate.pem + other.root.pem }
    },
    path: 'chain',
    message: /^Could not validate the certificate with the certificate chain: no certificate in the chain issued the certificate \(its issuer is CN=Test Intermediate\)/,
  },
  {
    desc: 'an RSA 1024 key',
    input: async () => {
      const { leaf } = await makeChain({ key: 'rsa1024' })
      return { certificatePem: leaf.pem, privateKeyPem: leaf.keyPem }
    },
    path: 'certificate',
    message: /^has an unsupported key: RSA 1024 bits is too small, ALB needs RSA 2048 or larger$/,
  },
  {
    desc: 'an Ed25519 key',
    input: async () => {
      const { leaf } = await makeChain({ key: 'ed25519' })
      return { certificatePem: leaf.pem, privateKeyPem: leaf.keyPem }
    },
    path: 'certificate',
    message: /^has an unsupported key: ED25519 is not supported by ALB/,
  },
  {
    desc: 'an ECDSA P-521 key',
    input: async () => {
      const { leaf } = await makeChain({ key: 'ec521' })
      return { certificatePem: leaf.pem, privateKeyPem: leaf.keyPem }
    },
    path: 'certificate',
    message: /^has an unsupported key: ECDSA on secp521r1/,
  },
  {
    desc: 'two certificates in the certificate field',
    input: async () => {
      const { intermediate, leaf } = await makeChain()
      return { certificatePem: leaf.pem + intermediate.pem, privateKeyPem: leaf.keyPem }
    },
    path: 'certificate',
    message: /^must hold exactly one certificate, found 2/,
  },
]

for (const r of rejections) {
  test(`import rejects ${r.desc}`, async () => {
    const result = validateImport({ ...(await r.input()), now: new Date() })
    assert.equal(result.ok, false)
    if (result.ok) return
    const failure = result.error.find((f) => f.path === r.path && r.message.test(f.message))
    assert.ok(failure, `expected ${r.path}: ${r.message} in ${JSON.stringify(result.error)}`)
  })
}

test('import failures never quote the private key', async () => {
  const a = await makeCert({ cn: 'a.example.test' })
  const b = await makeCert()
  const result = validateImport({ certificatePem: a.pem, privateKeyPem: b.keyPem, now })
  assert.equal(result.ok, false)
  const body = b.keyPem.split('\n')[1] ?? 'x'
  assert.ok(!JSON.stringify(result).includes(body.slice(0, 20)))
})
