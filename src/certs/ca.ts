import 'reflect-metadata'
import { webcrypto, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile, rename, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'
import { formatSerial } from './serial.js'

x509.cryptoProvider.set(webcrypto as unknown as Crypto)

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const
const DAY_MS = 24 * 60 * 60 * 1000
/** Leaf lifetime, as ACM and Let's Encrypt: 90 days. */
export const LEAF_LIFETIME_DAYS = 90
export const ROOT_LIFETIME_DAYS = 3650
/** Backdating absorbs small clock differences between openalb and its clients. */
const BACKDATE_MS = 5 * 60 * 1000

export interface IssueRequest {
  readonly domainName: string
  readonly subjectAlternativeNames?: readonly string[]
}

export interface IssuedCertificate {
  readonly certificatePem: string
  /** The root, which is the whole chain for a leaf of the local CA. */
  readonly chainPem: string
  readonly privateKeyPem: string
  /** ISO 8601 times. */
  readonly notBefore: string
  readonly notAfter: string
  /** Colon-separated lower-case hex, as ACM prints serials. */
  readonly serial: string
  readonly keyAlgorithm: 'EC_prime256v1'
}

export interface LocalCa {
  readonly rootPem: string
  /** "openalb local CA <short id>" */
  readonly commonName: string
  issue(request: IssueRequest, now?: Date): Promise<IssuedCertificate>
}

/** True once two thirds of the lifetime have passed: when openalb renews, as ACM does well before expiry. */
export function needsRenewal(notBefore: Date | string, notAfter: Date | string, now: Date): boolean {
  const start = new Date(notBefore).getTime()
  const end = new Date(notAfter).getTime()
  return now.getTime() >= start + ((end - start) * 2) / 3
}

/** Opens the CA in <dataDir>/ca, creating the root on first use (root.key 0600, directory 0700). */
export async function loadOrCreateCa(dataDir: string): Promise<LocalCa> {
  const dir = join(dataDir, 'ca')
  const certPath = join(dir, 'root.pem')
  const keyPath = join(dir, 'root.key')
  const existing = await readPair(certPath, keyPath)
  if (existing) return openCa(existing.certPem, existing.keyPem)

  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
  const created = await createRoot()
  // Key first, each through a temporary name, so a crash never leaves a root.pem without its key.
  await writeAtomic(keyPath, created.keyPem, 0o600)
  await writeAtomic(certPath, created.certPem, 0o644)
  return openCa(created.certPem, created.keyPem)
}

async function readPair(certPath: string, keyPath: string): Promise<{ certPem: string; keyPem: string } | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)])
  if (certPem === undefined && keyPem === undefined) return undefined
  if (certPem === undefined || keyPem === undefined) {
    throw new Error(`the local CA in ${certPath.replace(/root\.pem$/, '')} is incomplete: root.pem and root.key must both exist (remove the directory to create a new CA)`)
  }
  return { certPem, keyPem }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

async function writeAtomic(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(tmp, text, { mode, flag: 'wx' })
  await chmod(tmp, mode)
  await rename(tmp, path)
}

async function createRoot(): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair
  const shortId = randomBytes(4).toString('hex')
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: `CN=openalb local CA ${shortId}, O=openalb`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + ROOT_LIFETIME_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyPem(keys.privateKey) }
}

async function openCa(certPem: string, keyPem: string): Promise<LocalCa> {
  const root = new x509.X509Certificate(certPem)
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pemBody(keyPem), EC_P256, false, ['sign'])
  const rootPublicKey = await root.publicKey.export(EC_P256, ['verify'])
  const authorityKeyId = await x509.AuthorityKeyIdentifierExtension.create(rootPublicKey)
  const commonName = root.subjectName.getField('CN')[0] ?? root.subject
  const rootPem = root.toString('pem') + '\n'

  return {
    rootPem,
    commonName,
    async issue(request, now = new Date()) {
      const names = uniqueNames([request.domainName, ...(request.subjectAlternativeNames ?? [])])
      const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair
      const notBefore = new Date(now.getTime() - BACKDATE_MS)
      const notAfter = new Date(now.getTime() + LEAF_LIFETIME_DAYS * DAY_MS)
      const serialHex = randomSerialHex()
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serialHex,
        subject: [{ CN: [names[0] ?? request.domainName] }],
        issuer: root.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey,
        signingAlgorithm: SIGNING,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
          authorityKeyId,
        ],
      })
      return {
        certificatePem: leaf.toString('pem') + '\n',
        chainPem: rootPem,
        privateKeyPem: await privateKeyPem(keys.privateKey),
        notBefore: leaf.notBefore.toISOString(),
        notAfter: leaf.notAfter.toISOString(),
        serial: formatSerial(serialHex),
        keyAlgorithm: 'EC_prime256v1',
      }
    },
  }
}

function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0))]
}

/** 16 random bytes with the top bit clear: a positive serial of full length (RFC 5280 allows up to 20 octets). */
function randomSerialHex(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01
  return bytes.toString('hex')
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key))
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n'
}

function pemBody(pem: string): ArrayBuffer {
  return x509.PemConverter.decodeFirst(pem)
}
