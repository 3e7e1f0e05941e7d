import 'reflect-metadata'
import { verify as cryptoVerify, X509Certificate } from 'node:crypto'
import * as x509 from '@peculiar/x509'
import { newIds } from '../model/ids.js'
import { awsName } from '../model/schema-util.js'
import {
  MAX_CA_CERTIFICATES,
  MAX_REVOKED_ENTRIES,
  totalRevokedEntries,
  type S3Location,
  type TrustStore,
  type TrustStoreRevocation,
} from '../model/trust-store.js'
import { validate, type Draft } from './draft.js'
import { ControlError, DuplicateError, InUseError, LimitExceededError, NotFoundError } from './errors.js'

/** What a trust store's content is refused for: AWS's InvalidCaCertificatesBundle / InvalidRevocationContent (and their NotFound). */
export class TrustContentError extends ControlError {
  readonly code = 'invalid-trust-content'
  constructor(
    readonly reason: 'bundle-invalid' | 'bundle-missing' | 'crl-invalid' | 'crl-missing',
    message: string,
  ) {
    super(message)
  }
}

/** A revocation id the trust store does not have (RevocationIdNotFound). */
export class RevocationNotFoundError extends ControlError {
  readonly code = 'not-found'
  constructor(readonly id: number) {
    super(`Revocation id '${id}' not found`)
  }
}

export interface TrustBundle {
  readonly pem: string
  readonly count: number
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** The CA certificates of a bundle file: one or more PEM certificates, nothing else, each a CA. */
export function readTrustBundle(content: Buffer | string): TrustBundle {
  const text = content.toString('utf8')
  const blocks = text.match(PEM_CERT) ?? []
  const rest = text.replace(PEM_CERT, '').trim()
  if (blocks.length === 0 || rest !== '') throw new TrustContentError('bundle-invalid', 'The specified ca certificate bundle is in an invalid format, or corrupt.')
  for (const b of blocks) {
    let cert: X509Certificate
    try {
      cert = new X509Certificate(b)
    } catch {
      throw new TrustContentError('bundle-invalid', 'The specified ca certificate bundle is in an invalid format, or corrupt.')
    }
    if (!cert.ca) throw new TrustContentError('bundle-invalid', `The specified ca certificate bundle holds a certificate that is not a CA (basic constraints CA:FALSE): ${cert.subject.replace(/\n/g, ', ')}`)
  }
  if (blocks.length > MAX_CA_CERTIFICATES) throw new LimitExceededError('ca-certificates-per-trust-store', MAX_CA_CERTIFICATES, 'CA certificates in a trust store')
  return { pem: blocks.join('\n') + '\n', count: blocks.length }
}

export interface ParsedCrl {
  readonly pem: string
  readonly revokedSerials: readonly string[]
  readonly issuerFingerprint: string
}

/** Serial as X509Certificate.serialNumber writes it: uppercase hex, no leading zero pairs. */
const normalSerial = (hex: string): string => hex.toUpperCase().replace(/^(00)+(?=.)/, '')

/** The bytes of the DER element at `at` (tag, length and content) and where the next one starts. */
function derElement(der: Uint8Array, at: number): { start: number; contentStart: number; end: number } {
  let i = at + 1
  const first = der[i++] ?? 0
  let length = first
  if (first & 0x80) {
    length = 0
    for (let n = first & 0x7f; n > 0; n--) length = length * 256 + (der[i++] ?? 0)
  }
  if (i + length > der.length) throw new Error('truncated DER')
  return { start: at, contentStart: i, end: i + length }
}

/** Hash names node:crypto verifies with, by the CRL's signature algorithm. */
const HASHES: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' }

/** Whether `ca` signed the CRL (its tbsCertList and signature read from the DER). */
function signedBy(der: Uint8Array, crl: x509.X509Crl, ca: X509Certificate): boolean {
  const outer = derElement(der, 0)
  const tbs = derElement(der, outer.contentStart)
  const alg = derElement(der, tbs.end)
  const sig = derElement(der, alg.end)
  const hash = HASHES[(crl.signatureAlgorithm as { hash?: { name?: string } }).hash?.name ?? '']
  if (!hash || (crl.signatureAlgorithm as { name: string }).name === 'RSA-PSS') return false
  try {
    // BIT STRING: the first content byte is the count of unused bits (0).
    return cryptoVerify(hash, der.subarray(tbs.start, tbs.end), ca.publicKey, der.subarray(sig.contentStart + 1, sig.end))
  } catch {
    return false
  }
}

/** A CRL file (PEM or DER) signed by one of the bundle's CAs. */
export function readCrl(content: Buffer, bundlePem: string): ParsedCrl {
  let crl: x509.X509Crl
  try {
    const text = content.toString('latin1')
    crl = new x509.X509Crl(text.includes('-----BEGIN X509 CRL-----') ? text : new Uint8Array(content))
  } catch {
    throw new TrustContentError('crl-invalid', 'The provided revocation file is an invalid format, or uses an incorrect algorithm.')
  }
  const der = new Uint8Array(crl.rawData)
  for (const block of bundlePem.match(PEM_CERT) ?? []) {
    const ca = new X509Certificate(block)
    if (signedBy(der, crl, ca)) {
      return { pem: crlPem(crl.rawData), revokedSerials: crl.entries.map((e) => normalSerial(e.serialNumber)), issuerFingerprint: ca.fingerprint256 }
    }
  }
  throw new TrustContentError('crl-invalid', `The provided revocation file is not signed by a CA certificate of the trust store (issuer ${crl.issuer}).`)
}

/** A CRL in the PEM form OpenSSL reads (X509 CRL). */
function crlPem(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')
  return `-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`
}

export function findTrustStore(d: Draft, arn: string): TrustStore {
  const t = d.get('trust-store', arn)
  if (!t) throw new NotFoundError('trust-store', arn)
  return t
}

export interface NewRevocation {
  readonly crl: ParsedCrl
  readonly source?: S3Location | undefined
}

function withRevocations(t: TrustStore, added: readonly NewRevocation[]): TrustStore {
  let next = t.nextRevocationId
  const revocations: TrustStoreRevocation[] = [...t.revocations]
  for (const a of added) {
    revocations.push({ id: next++, type: 'CRL', crlPem: a.crl.pem, source: a.source, revokedSerials: a.crl.revokedSerials, issuerFingerprint: a.crl.issuerFingerprint })
  }
  const out = { ...t, revocations, nextRevocationId: next }
  if (totalRevokedEntries(out) > MAX_REVOKED_ENTRIES) throw new LimitExceededError('revocation-entries-per-trust-store', MAX_REVOKED_ENTRIES, 'revoked entries in a trust store')
  return out
}

export function createTrustStore(d: Draft, input: { name: string; bundle: TrustBundle; source?: S3Location | undefined; tags?: Record<string, string> | undefined; revocations?: readonly NewRevocation[] }): TrustStore {
  const name = validate(awsName, input.name, 'Name')
  if (d.list('trust-store').some((t) => t.name === name)) throw new DuplicateError('trust-store', name)
  if (d.list('trust-store').length >= d.quota('trust-stores-per-account')) throw new LimitExceededError('trust-stores', d.quota('trust-stores-per-account'), 'trust stores')
  const t: TrustStore = {
    kind: 'trust-store',
    arn: newIds.trustStoreArn(d.partition, name),
    name,
    status: 'ACTIVE',
    caCertificatesPem: input.bundle.pem,
    numberOfCaCertificates: input.bundle.count,
    caSource: input.source,
    revocations: [],
    nextRevocationId: 1,
    createdAt: d.nowIso(),
    tags: { ...(input.tags ?? {}) },
  }
  return d.put(withRevocations(t, input.revocations ?? []))
}

/** ModifyTrustStore: a new CA bundle; the revocations stay. */
export function modifyTrustStore(d: Draft, arn: string, bundle: TrustBundle, source?: S3Location): TrustStore {
  const t = findTrustStore(d, arn)
  return d.put({ ...t, caCertificatesPem: bundle.pem, numberOfCaCertificates: bundle.count, caSource: source })
}

/** The listeners whose mutual authentication names the trust store. */
export function trustStoreUsers(d: Draft, arn: string): string[] {
  return d
    .list('listener')
    .filter((l) => l.mutualAuthentication?.trustStoreArn === arn)
    .map((l) => l.arn)
    .sort()
}

export function deleteTrustStore(d: Draft, arn: string): void {
  const t = findTrustStore(d, arn)
  const users = trustStoreUsers(d, t.arn)
  if (users.length > 0) throw new InUseError('trust-store', t.arn, `listener ${users[0]}`)
  d.remove('trust-store', t.arn)
}

export function addTrustStoreRevocations(d: Draft, arn: string, added: readonly NewRevocation[]): TrustStoreRevocation[] {
  const t = findTrustStore(d, arn)
  const out = d.put(withRevocations(t, added))
  return out.revocations.slice(t.revocations.length)
}

export function findRevocation(t: TrustStore, id: number): TrustStoreRevocation {
  const r = t.revocations.find((x) => x.id === id)
  if (!r) throw new RevocationNotFoundError(id)
  return r
}

export function removeTrustStoreRevocations(d: Draft, arn: string, ids: readonly number[]): TrustStore {
  const t = findTrustStore(d, arn)
  for (const id of ids) findRevocation(t, id)
  return d.put({ ...t, revocations: t.revocations.filter((r) => !ids.includes(r.id)) })
}

/** Config apply: the file's trust store, its bundle and CRLs replaced by the file's (ids start over only when the CRLs changed). */
export function putTrustStoreFromConfig(d: Draft, input: { name: string; bundle: TrustBundle; revocations: readonly NewRevocation[]; tags: Record<string, string> }): TrustStore {
  const current = d.list('trust-store').find((t) => t.name === input.name)
  if (!current) return createTrustStore(d, input)
  const same = current.revocations.length === input.revocations.length && current.revocations.every((r, i) => r.crlPem === input.revocations[i]?.crl.pem)
  const base: TrustStore = { ...current, caCertificatesPem: input.bundle.pem, numberOfCaCertificates: input.bundle.count, caSource: undefined, tags: { ...input.tags } }
  return d.put(same ? base : withRevocations({ ...base, revocations: [] }, input.revocations))
}
