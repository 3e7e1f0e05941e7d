import { createHash } from 'node:crypto'
import { classicUsersOfCertificate } from './classic-load-balancers.js'
import type { z } from 'zod'
import { newIds } from '../model/ids.js'
import { acmeAccountId, acmeDirectoryUrl, type AcmeAccount, type AcmeAlpnChallenge, type AcmeHttpChallenge, type AcmeSettings } from '../model/acme.js'
import { certificateSpec, exportable, type Certificate, type CertificateOptions, type CertificateSpec, type RevocationReason } from '../model/certificate.js'
import { DuplicateError, InUseError, InvalidCertificateError, NotFoundError } from './errors.js'
import { validate, type Draft } from './draft.js'

export interface ImportInput {
  readonly name?: string | undefined
  readonly certificatePem: string
  readonly privateKeyPem: string
  readonly chainPem?: string | undefined
  /** Re-import onto this certificate (ACM ImportCertificate with CertificateArn). */
  readonly arn?: string | undefined
  readonly tags?: Record<string, string> | undefined
  /** ACM: a new certificate has no name of its own and is named after its id (the ARN's last part). */
  readonly namedAfterId?: boolean | undefined
  /** ACM: the caller's region, which a new certificate's ARN names (default the partition's). */
  readonly region?: string | undefined
}

/** The id part of a certificate ARN (arn:...:certificate/ID). */
const idOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1)

export const importDigest = (certificatePem: string, chainPem = '') =>
  createHash('sha256').update(certificatePem).update('\0').update(chainPem).digest('hex')

export function importCertificate(d: Draft, input: ImportInput): Certificate {
  const check = d.ctx.checkCertificate
  if (!check) throw new InvalidCertificateError([{ path: '', message: 'certificate import is not available in this process' }])
  const result = check({ certificatePem: input.certificatePem, privateKeyPem: input.privateKeyPem, chainPem: input.chainPem, now: d.ctx.now() })
  if (!result.ok) throw new InvalidCertificateError(result.error)
  const m = result.value
  const existing = input.arn ? d.get('certificate', input.arn) : undefined
  if (input.arn && !existing) throw new NotFoundError('certificate', input.arn)
  const arn = existing?.arn ?? newIds.certificateArn(d.partition, input.region)
  const name = input.name ?? existing?.name ?? (input.namedAfterId ? idOf(arn) : m.domainName)
  if (!existing && d.list('certificate').some((c) => c.name === name)) throw new DuplicateError('certificate', name)
  return d.put({
    kind: 'certificate',
    arn,
    name,
    domainName: m.domainName,
    subjectAlternativeNames: m.subjectAlternativeNames,
    source: 'imported',
    validationMethod: 'DNS',
    status: 'ISSUED',
    createdAt: existing?.createdAt ?? d.nowIso(),
    issuedAt: d.nowIso(),
    notBefore: m.notBefore,
    notAfter: m.notAfter,
    serial: m.serial,
    keyAlgorithm: m.keyAlgorithm,
    certificatePem: input.certificatePem.trim() + '\n',
    chainPem: input.chainPem ? input.chainPem.trim() + '\n' : undefined,
    privateKeyPem: input.privateKeyPem,
    importDigest: importDigest(input.certificatePem, input.chainPem),
    tags: { ...(existing?.tags ?? {}), ...(input.tags ?? {}) },
  })
}

export interface RequestOptions {
  /** ACM's RequestCertificate: issued only once every name's validation CNAME is served. */
  readonly awaitsDnsRecord?: boolean
  /** ACM's certificate options (RequestCertificate); absent means ACM's defaults. */
  readonly options?: CertificateOptions | undefined
  /** ACM's IdempotencyToken: kept on the certificate, so a repeat within the hour finds it after a restart too. */
  readonly idempotencyToken?: string | undefined
  /** ACM: the caller's region, which the certificate's ARN names (default the partition's). */
  readonly region?: string | undefined
}

/** The main name lowercased first, then the other names, each once. */
function namesOf(spec: { readonly domainName?: string | undefined; readonly subjectAlternativeNames: readonly string[] }): { domainName: string; subjectAlternativeNames: string[] } {
  const domainName = (spec.domainName ?? '').toLowerCase()
  return { domainName, subjectAlternativeNames: [...new Set([domainName, ...spec.subjectAlternativeNames.map((s) => s.toLowerCase())])] }
}

/**
 * A certificate openalb obtains itself (its CA, or ACME): PENDING_VALIDATION until issued.
 * Without a name (ACM has none) it is named after its id.
 */
export function requestCertificate(d: Draft, input: Omit<CertificateSpec, 'name'> & { readonly name?: string | undefined }, options: RequestOptions = {}): Certificate {
  const arn = newIds.certificateArn(d.partition, options.region)
  const spec = validate(certificateSpec, { ...input, name: input.name ?? idOf(arn) }, 'certificate')
  if (spec.source === 'imported') throw new InvalidCertificateError([{ path: 'source', message: 'use importCertificate for imported certificates' }])
  if (d.list('certificate').some((c) => c.name === spec.name)) throw new DuplicateError('certificate', spec.name)
  return d.put({
    kind: 'certificate',
    arn,
    name: spec.name,
    ...namesOf(spec),
    source: spec.source,
    validationMethod: spec.validationMethod,
    status: 'PENDING_VALIDATION',
    createdAt: d.nowIso(),
    ...(spec.source === 'acme' ? { acme: acmeSettings(spec.acme) } : {}),
    tags: spec.tags,
    ...(options.awaitsDnsRecord ? { awaitsDnsRecord: true } : {}),
    ...(options.options ? { options: options.options } : {}),
    ...(options.idempotencyToken ? { idempotencyToken: options.idempotencyToken } : {}),
  })
}

/** ACM returns the same certificate for a repeated IdempotencyToken and domain within an hour. */
export const IDEMPOTENCY_WINDOW_MS = 60 * 60 * 1000

/** The certificate an earlier RequestCertificate made with this token and domain, within the window. */
export function requestedWithToken(d: Draft, token: string, domainName: string, now: number): Certificate | undefined {
  const domain = domainName.toLowerCase()
  return d
    .list('certificate')
    .find((c) => c.idempotencyToken === token && c.domainName === domain && now - Date.parse(c.createdAt) < IDEMPOTENCY_WINDOW_MS)
}

/**
 * Config apply on a certificate openalb obtains itself: with the same source and names, only its
 * validation method and tags change; with new names (or source) it is requested again, keeping
 * its ARN, and issued anew (its old material is dropped).
 */
export function updateRequestedCertificate(d: Draft, ref: string, input: CertificateSpec): Certificate {
  const current = d.resolve('certificate', ref)
  const spec = validate(certificateSpec, input, 'certificate')
  if (spec.source === 'imported') throw new InvalidCertificateError([{ path: 'source', message: 'use importCertificate for imported certificates' }])
  const names = namesOf(spec)
  const acme = spec.source === 'acme' ? acmeSettings(spec.acme) : undefined
  if (current.source === spec.source && current.domainName === names.domainName && JSON.stringify(current.subjectAlternativeNames) === JSON.stringify(names.subjectAlternativeNames)) {
    // New ACME settings take effect at the next order; a failure's backoff starts over.
    const acmeChanged = JSON.stringify(current.acme ?? null) !== JSON.stringify(acme ?? null)
    return d.put({ ...current, validationMethod: spec.validationMethod, acme, ...(acmeChanged ? { failure: undefined } : {}), tags: spec.tags })
  }
  const { certificatePem: _c, chainPem: _ch, privateKeyPem: _k, failure: _f, ...rest } = current
  return d.put({ ...rest, source: spec.source, ...names, validationMethod: spec.validationMethod, status: 'PENDING_VALIDATION', acme, tags: spec.tags })
}

/** A certificate spec's acme block as the resource keeps it; caBundle must be PEM text by now (config reads the file). */
export function acmeSettings(spec: z.output<typeof certificateSpec>['acme']): AcmeSettings {
  if (spec?.caBundle !== undefined && !spec.caBundle.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidCertificateError([{ path: 'acme.caBundle', message: 'must be PEM certificates (or, in a config file, the path of a PEM file)' }])
  }
  return {
    directoryUrl: spec?.directoryUrl === undefined ? undefined : acmeDirectoryUrl(spec.directoryUrl),
    email: spec?.email,
    challenge: spec?.challenge === 'http-01' ? 'http-01' : 'dns-01',
    caBundlePem: spec?.caBundle,
    eab: spec?.eab,
  }
}

/** What certs/ writes back once it has issued or renewed a certificate. */
export interface IssuedMaterial {
  readonly certificatePem: string
  readonly chainPem: string
  readonly privateKeyPem: string
  readonly notBefore: string
  readonly notAfter: string
  readonly serial: string
  readonly keyAlgorithm: string
}

export function markCertificateIssued(d: Draft, ref: string, m: IssuedMaterial): Certificate {
  const current = d.resolve('certificate', ref)
  const renewed = current.status === 'ISSUED'
  return d.put({
    ...current,
    ...m,
    status: 'ISSUED',
    issuedAt: d.nowIso(),
    renewRequested: undefined,
    failure: undefined,
    renewal: renewed ? { status: 'SUCCESS', updatedAt: d.nowIso() } : current.renewal,
  })
}

/** Why a certificate cannot be renewed on request, or undefined when it can. */
export function renewalRefusal(c: Certificate): string | undefined {
  if (c.source === 'imported') return `Certificate ${c.arn} is an imported certificate: import a new certificate to renew it`
  if (c.status !== 'ISSUED') return `Certificate ${c.arn} is ${c.status}: only an issued certificate can be renewed`
  return undefined
}

/** RenewCertificate: certs/ issues a new certificate for the same names on its next run. */
export function requestRenewal(d: Draft, ref: string): Certificate {
  const current = d.resolve('certificate', ref)
  const refusal = renewalRefusal(current)
  if (refusal) throw new InvalidCertificateError([{ path: 'certificate', message: refusal }])
  return d.put({ ...current, renewRequested: true, renewal: { status: 'PENDING_AUTO_RENEWAL', updatedAt: d.nowIso() } })
}

export function setCertificateOptions(d: Draft, ref: string, options: CertificateOptions): Certificate {
  return d.put({ ...d.resolve('certificate', ref), options })
}

/** ExportCertificate: the material leaves, and ACM remembers that it did. */
export function markCertificateExported(d: Draft, ref: string): Certificate {
  const current = d.resolve('certificate', ref)
  if (!exportable(current)) throw new InvalidCertificateError([{ path: 'certificate', message: `certificate ${current.arn} cannot be exported` }])
  return current.exported ? current : d.put({ ...current, exported: true })
}

/** RevokeCertificate: permanent; the certificate is never served again. */
export function revokeCertificate(d: Draft, ref: string, reason: RevocationReason): Certificate {
  const cert = d.resolve('certificate', ref)
  const user = d.list('listener').find((l) => l.certificates.some((c) => c.arn === cert.arn))
  if (user) throw new InUseError('certificate', cert.arn, `listener ${user.arn}`)
  const classic = classicUsersOfCertificate(d, cert.arn)
  if (classic) throw new InUseError('certificate', cert.arn, classic)
  return d.put({ ...cert, status: 'REVOKED', revokedAt: d.nowIso(), revocationReason: reason, renewRequested: undefined })
}

export function setCertificateStatus(d: Draft, ref: string, status: Certificate['status']): Certificate {
  return d.put({ ...d.resolve('certificate', ref), status })
}


export function deleteCertificate(d: Draft, ref: string): void {
  const cert = d.resolve('certificate', ref)
  const user = d.list('listener').find((l) => l.certificates.some((c) => c.arn === cert.arn))
  if (user) throw new InUseError('certificate', cert.arn, `listener ${user.arn}`)
  const classic = classicUsersOfCertificate(d, cert.arn)
  if (classic) throw new InUseError('certificate', cert.arn, classic)
  d.remove('certificate', cert.arn)
}

/** certs/ keeps the ACME account it made (its key and URL), once per directory and email. */
export function saveAcmeAccount(d: Draft, account: Omit<AcmeAccount, 'kind' | 'id' | 'createdAt'>): AcmeAccount {
  const id = acmeAccountId(account.directoryUrl, account.email)
  const existing = d.get('acme-account', id)
  return d.put({ kind: 'acme-account', id, createdAt: existing?.createdAt ?? d.nowIso(), ...account })
}

export function deleteAcmeAccount(d: Draft, id: string): void {
  if (!d.get('acme-account', id)) throw new NotFoundError('acme-account', id)
  d.remove('acme-account', id)
}

/** An attempt to issue or renew failed: say why, and when certs/ tries again. */
export function markIssueFailed(d: Draft, ref: string, reason: string, retryAt: Date): Certificate {
  const current = d.resolve('certificate', ref)
  const attempts = (current.failure?.attempts ?? 0) + 1
  const failure = { at: d.nowIso(), reason, attempts, retryAt: retryAt.toISOString() }
  const renewal = current.status === 'ISSUED' ? { status: 'FAILED' as const, updatedAt: d.nowIso(), reason } : current.renewal
  return d.put({ ...current, failure, renewal })
}

/** certs/ starts (present) or ends answering a TLS-ALPN-01 challenge of a certificate's order. */
export function setAcmeAlpnChallenge(d: Draft, ref: string, challenge: AcmeAlpnChallenge, present: boolean): Certificate {
  const current = d.resolve('certificate', ref)
  const others = (current.acmeAlpnChallenges ?? []).filter((c) => c.host !== challenge.host)
  const next = present ? [...others, challenge] : others
  return d.put({ ...current, acmeAlpnChallenges: next.length > 0 ? next : undefined })
}

/** certs/ starts (present) or ends answering an HTTP-01 challenge of a certificate's order. */
export function setAcmeHttpChallenge(d: Draft, ref: string, challenge: AcmeHttpChallenge, present: boolean): Certificate {
  const current = d.resolve('certificate', ref)
  const others = (current.acmeHttpChallenges ?? []).filter((c) => c.token !== challenge.token)
  const next = present ? [...others, challenge] : others
  return d.put({ ...current, acmeHttpChallenges: next.length > 0 ? next : undefined })
}
