// Builds test certificates with @peculiar/x509 on node's webcrypto: roots, intermediates and
// leaves with any key type and validity, so each import rule has a certificate that breaks it.
import 'reflect-metadata'
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Crypto)

export type KeyKind = 'ec256' | 'ec384' | 'ec521' | 'rsa1024' | 'rsa2048' | 'ed25519'

const PARAMS: Record<KeyKind, EcKeyGenParams | RsaHashedKeyGenParams | { name: 'Ed25519' }> = {
  ec256: { name: 'ECDSA', namedCurve: 'P-256' },
  ec384: { name: 'ECDSA', namedCurve: 'P-384' },
  ec521: { name: 'ECDSA', namedCurve: 'P-521' },
  rsa1024: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  rsa2048: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  ed25519: { name: 'Ed25519' },
}

export interface Issued {
  readonly cert: x509.X509Certificate
  readonly pem: string
  readonly keyPem: string
  readonly keys: CryptoKeyPair
}

const DAY = 86_400_000

export async function makeKeys(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(PARAMS[kind], true, ['sign', 'verify'])) as CryptoKeyPair
}

export interface MakeCertOptions {
  readonly cn?: string
  readonly names?: readonly string[]
  readonly key?: KeyKind
  /** Signed by this certificate's key; self-signed when absent. */
  readonly issuer?: Issued
  readonly ca?: boolean
  readonly notBefore?: Date
  readonly notAfter?: Date
}

export async function makeCert(opts: MakeCertOptions = {}): Promise<Issued> {
  const keys = await makeKeys(opts.key ?? 'ec256')
  const now = Date.now()
  const subject = opts.cn === undefined ? '' : `CN=${opts.cn}`
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(opts.ca ?? false, undefined, true),
    new x509.KeyUsagesExtension(
      opts.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ]
  if (opts.names?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(opts.names.map((value) => ({ type: 'dns' as const, value }))))
  }
  if (!opts.ca) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]))
  const signer = opts.issuer?.keys ?? keys
  const common = {
    notBefore: opts.notBefore ?? new Date(now - DAY),
    notAfter: opts.notAfter ?? new Date(now + 30 * DAY),
    extensions,
    signingAlgorithm: signingAlgorithm(signer.privateKey),
  }
  const cert = opts.issuer
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject,
        issuer: opts.issuer.cert.subject,
        publicKey: keys.publicKey,
        signingKey: opts.issuer.keys.privateKey,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: subject, keys })
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return { cert, pem: cert.toString('pem') + '\n', keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n', keys }
}

function signingAlgorithm(key: CryptoKey): Algorithm | EcdsaParams {
  if (key.algorithm.name === 'ECDSA') return { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams
  return key.algorithm
}

/** root -> intermediate -> leaf, the shape of a public CA's chain. */
export async function makeChain(leafOpts: MakeCertOptions = {}): Promise<{ root: Issued; intermediate: Issued; leaf: Issued }> {
  const root = await makeCert({ cn: 'Test Root', ca: true, notAfter: new Date(Date.now() + 3650 * DAY) })
  const intermediate = await makeCert({ cn: 'Test Intermediate', ca: true, issuer: root })
  const leaf = await makeCert({ cn: 'api.example.test', names: ['api.example.test'], ...leafOpts, issuer: intermediate })
  return { root, intermediate, leaf }
}
