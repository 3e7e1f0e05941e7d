import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { ok, err, type Result, type Failure } from '../model/result.js'
import { formatSerial } from './serial.js'

export interface ImportInput {
  readonly certificatePem: string
  readonly privateKeyPem: string
  /** Intermediates, the one that issued the certificate first. */
  readonly chainPem?: string | undefined
  readonly now: Date
}

/** ACM's KeyAlgorithm names for the keys ALB accepts. */
export type ImportedKeyAlgorithm = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | `RSA_${number}` | 'EC_prime256v1' | 'EC_secp384r1'

export interface ImportedMaterial {
  /** The subject CN, else the first DNS SAN. */
  readonly domainName: string
  readonly subjectAlternativeNames: readonly string[]
  /** ISO 8601 times. */
  readonly notBefore: string
  readonly notAfter: string
  /** Colon-separated lower-case hex, as ACM prints it. */
  readonly serial: string
  readonly keyAlgorithm: ImportedKeyAlgorithm
  readonly subject: string
  readonly issuer: string
  /** Normalised PEMs: one certificate, the chain's certificates in order, the key as given. */
  readonly certificatePem: string
  readonly chainPem: string | undefined
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g
const KEY_BLOCK = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/

/**
 * Checks imported PEM material the way ACM's ImportCertificate and an ALB listener would,
 * and returns what DescribeCertificate shows. Messages never contain key material.
 */
export function validateImport(input: ImportInput): Result<ImportedMaterial, Failure[]> {
  const leafResult = parseSingleCertificate(input.certificatePem)
  if (!leafResult.ok) return err([leafResult.error])
  const leaf = leafResult.value

  const failures: Failure[] = []
  const keyFailure = checkKeyAlgorithm(leaf.publicKey)
  if (keyFailure) failures.push({ path: 'certificate', message: keyFailure })

  const key = parsePrivateKey(input.privateKeyPem)
  if (!key.ok) failures.push(key.error)
  else if (!leaf.checkPrivateKey(key.value)) {
    failures.push({ path: 'privateKey', message: 'does not match the certificate: it is not the private key of the certificate\'s public key' })
  }

  const notBefore = new Date(leaf.validFrom)
  const notAfter = new Date(leaf.validTo)
  if (input.now < notBefore) {
    failures.push({ path: 'certificate', message: `is not yet valid: its validity starts ${notBefore.toISOString()}` })
  } else if (input.now > notAfter) {
    failures.push({ path: 'certificate', message: `has expired: it was valid until ${notAfter.toISOString()}` })
  }

  let chainPem: string | undefined
  if (input.chainPem !== undefined && input.chainPem.trim() !== '') {
    const chain = checkChain(leaf, input.chainPem)
    if (!chain.ok) failures.push(chain.error)
    else chainPem = chain.value
  }

  if (failures.length > 0) return err(failures)
  const sans = dnsNames(leaf)
  const cn = commonName(leaf.subject)
  return ok({
    domainName: cn ?? sans[0] ?? '',
    subjectAlternativeNames: sans,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    serial: formatSerial(leaf.serialNumber),
    keyAlgorithm: keyAlgorithmOf(leaf.publicKey),
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    certificatePem: leaf.toString(),
    chainPem,
  })
}

function parseSingleCertificate(pem: string): Result<X509Certificate, Failure> {
  const blocks = pem.match(CERT_BLOCK) ?? []
  if (blocks.length === 0) {
    return err({ path: 'certificate', message: 'is not a PEM certificate: expected a -----BEGIN CERTIFICATE----- block' })
  }
  if (blocks.length > 1) {
    return err({ path: 'certificate', message: `must hold exactly one certificate, found ${blocks.length}: put intermediates in the chain` })
  }
  try {
    return ok(new X509Certificate(blocks[0] ?? ''))
  } catch {
    return err({ path: 'certificate', message: 'is malformed PEM: the CERTIFICATE block is not a valid X.509 certificate' })
  }
}

function parsePrivateKey(pem: string): Result<KeyObject, Failure> {
  const block = KEY_BLOCK.exec(pem)?.[0]
  if (!block) {
    return err({ path: 'privateKey', message: 'is not a PEM private key: expected a -----BEGIN PRIVATE KEY----- (or RSA/EC PRIVATE KEY) block' })
  }
  if (block.startsWith('-----BEGIN ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(block)) {
    return err({ path: 'privateKey', message: 'is encrypted: import the key without a passphrase' })
  }
  try {
    return ok(createPrivateKey({ key: block, format: 'pem' }))
  } catch {
    return err({ path: 'privateKey', message: 'is malformed PEM: the block is not a valid private key' })
  }
}

function checkKeyAlgorithm(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0
    return bits < 2048 ? `has an unsupported key: RSA ${bits} bits is too small, ALB needs RSA 2048 or larger` : undefined
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown'
    return curve === 'prime256v1' || curve === 'secp384r1'
      ? undefined
      : `has an unsupported key: ECDSA on ${curve}; ALB accepts ECDSA P-256 (prime256v1) and P-384 (secp384r1)`
  }
  if (type === 'ed25519' || type === 'ed448') {
    return `has an unsupported key: ${type.toUpperCase()} is not supported by ALB; use RSA 2048+ or ECDSA P-256/P-384`
  }
  return `has an unsupported key type ${type ?? 'unknown'}; use RSA 2048+ or ECDSA P-256/P-384`
}

function keyAlgorithmOf(key: KeyObject): ImportedKeyAlgorithm {
  const details = key.asymmetricKeyDetails ?? {}
  if (key.asymmetricKeyType === 'rsa') return `RSA_${details.modulusLength ?? 0}`
  return details.namedCurve === 'secp384r1' ? 'EC_secp384r1' : 'EC_prime256v1'
}

/**
 * ACM takes the chain's certificates in any order, with extra ones and with or without the
 * self-signed root: it builds the path from the leaf's issuer up through what was given and
 * refuses only a chain that holds no issuer of the leaf. The path, in order, is what is served;
 * certificates off the path are dropped.
 */
function checkChain(leaf: X509Certificate, chainPem: string): Result<string, Failure> {
  const blocks = chainPem.match(CERT_BLOCK) ?? []
  if (blocks.length === 0) {
    return err({ path: 'chain', message: 'is not PEM: expected one or more -----BEGIN CERTIFICATE----- blocks' })
  }
  const certs: X509Certificate[] = []
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block))
    } catch {
      return err({ path: `chain[${i}]`, message: 'is malformed PEM: not a valid X.509 certificate' })
    }
  }
  const path: X509Certificate[] = []
  let child = leaf
  while (!selfSigned(child)) {
    const parent = certs.find((c) => !path.includes(c) && issuedBy(child, c))
    if (!parent) break
    path.push(parent)
    child = parent
  }
  if (path.length === 0 && !selfSigned(leaf)) {
    return err({
      path: 'chain',
      message: `Could not validate the certificate with the certificate chain: no certificate in the chain issued the certificate (its issuer is ${oneLine(leaf.issuer)})`,
    })
  }
  return ok(path.map((c) => c.toString()).join(''))
}

function selfSigned(c: X509Certificate): boolean {
  return issuedBy(c, c)
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey)
}

function dnsNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName
  if (!san) return []
  return san
    .split(/,\s*/)
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice(4).toLowerCase())
}

// node:crypto gives undefined, not '', for an empty subject.
function commonName(subject: string | undefined): string | undefined {
  for (const line of (subject ?? '').split('\n')) if (line.startsWith('CN=')) return line.slice(3).toLowerCase()
  return undefined
}

function oneLine(dn: string | undefined): string {
  return (dn ?? '').replace(/\n/g, ', ')
}
