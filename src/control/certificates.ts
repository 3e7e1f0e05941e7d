import { createHash } from 'node:crypto'
import { newIds } from '../model/ids.js'
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
}

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
  const name = input.name ?? existing?.name ?? m.domainName
  if (!existing && d.list('certificate').some((c) => c.name === name)) throw new DuplicateError('certificate', name)
  return d.put({
    kind: 'certificate',
    arn: existing?.arn ?? newIds.certificateArn(d.partition),
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

/** A certificate openalb obtains itself (its CA, or ACME): PENDING_VALIDATION until issued. */
export function requestCertificate(d: Draft, input: CertificateSpec): Certificate {
  const spec = validate(certificateSpec, input, 'certificate')
  if (spec.source === 'imported') throw new InvalidCertificateError([{ path: 'source', message: 'use importCertificate for imported certificates' }])
  if (d.list('certificate').some((c) => c.name === spec.name)) throw new DuplicateError('certificate', spec.name)
  const domainName = (spec.domainName ?? '').toLowerCase()
  return d.put({
    kind: 'certificate',
    arn: newIds.certificateArn(d.partition),
    name: spec.name,
    domainName,
    subjectAlternativeNames: [...new Set([domainName, ...spec.subjectAlternativeNames.map((s) => s.toLowerCase())])],
    source: spec.source,
    validationMethod: spec.validationMethod,
    status: 'PENDING_VALIDATION',
    createdAt: d.nowIso(),
    tags: spec.tags,
  })
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
    renewal: renewed ? { status: 'SUCCESS', updatedAt: d.nowIso() } : current.renewal,
  })
}

/** A renewal that failed: the certificate keeps serving what it has, and says why. */
export function markRenewalFailed(d: Draft, ref: string, reason: string): Certificate {
  const current = d.resolve('certificate', ref)
  return d.put({ ...current, renewal: { status: 'FAILED', updatedAt: d.nowIso(), reason } })
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
  return d.put({ ...cert, status: 'REVOKED', revokedAt: d.nowIso(), revocationReason: reason, renewRequested: undefined })
}

export function setCertificateStatus(d: Draft, ref: string, status: Certificate['status']): Certificate {
  return d.put({ ...d.resolve('certificate', ref), status })
}

export function tagCertificate(d: Draft, ref: string, add: Record<string, string>, remove: readonly string[] = []): Certificate {
  const current = d.resolve('certificate', ref)
  const tags: Record<string, string> = { ...current.tags, ...add }
  for (const k of remove) delete tags[k]
  return d.put({ ...current, tags })
}

export function deleteCertificate(d: Draft, ref: string): void {
  const cert = d.resolve('certificate', ref)
  const user = d.list('listener').find((l) => l.certificates.some((c) => c.arn === cert.arn))
  if (user) throw new InUseError('certificate', cert.arn, `listener ${user.arn}`)
  d.remove('certificate', cert.arn)
}
