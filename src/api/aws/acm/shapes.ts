import type { Draft } from '../../../control/draft.js'
import { DEFAULT_CERTIFICATE_OPTIONS, type Certificate } from '../../../model/certificate.js'
import { validationRecordFor } from '../../../model/certificate-validation.js'
import { issuerName } from './x509.js'

/** JSON timestamps are epoch seconds. */
export const epoch = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso) / 1000)

export const certificateType = (c: Certificate): string => (c.source === 'imported' ? 'IMPORTED' : 'AMAZON_ISSUED')

/** The balancers whose listeners use a certificate (ACM's InUseBy lists balancer ARNs). */
export function usersOf(d: Draft, arn: string): string[] {
  return [...new Set(d.list('listener').filter((l) => l.certificates.some((c) => c.arn === arn)).map((l) => l.loadBalancerArn))]
}

function validationStatus(c: Certificate): string {
  if (c.status === 'ISSUED' || c.status === 'EXPIRED' || c.status === 'INACTIVE' || c.status === 'REVOKED') return 'SUCCESS'
  if (c.status === 'FAILED' || c.status === 'VALIDATION_TIMED_OUT') return 'FAILED'
  return 'PENDING_VALIDATION'
}

export function domainValidationOptions(c: Certificate): Record<string, unknown>[] {
  if (c.source === 'imported') return []
  const names = c.subjectAlternativeNames.length > 0 ? c.subjectAlternativeNames : [c.domainName]
  return names.map((domain) => {
    const base = domain.replace(/^\*\./, '')
    const option: Record<string, unknown> = { DomainName: domain, ValidationDomain: base, ValidationStatus: validationStatus(c), ValidationMethod: c.validationMethod }
    if (c.validationMethod === 'DNS') {
      const r = validationRecordFor(c.arn, domain)
      option.ResourceRecord = { Name: r.name, Type: 'CNAME', Value: r.value }
    } else {
      option.ValidationEmails = ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@${base}`)
    }
    return option
  })
}

export function certificateDetail(d: Draft, c: Certificate): Record<string, unknown> {
  const imported = c.source === 'imported'
  const issued = c.certificatePem !== undefined
  return {
    CertificateArn: c.arn,
    DomainName: c.domainName,
    SubjectAlternativeNames: c.subjectAlternativeNames.length > 0 ? c.subjectAlternativeNames : [c.domainName],
    DomainValidationOptions: imported ? undefined : domainValidationOptions(c),
    Serial: c.serial,
    Subject: `CN=${c.domainName}`,
    Issuer: issued ? issuerName(c) : undefined,
    CreatedAt: epoch(c.createdAt),
    IssuedAt: imported ? undefined : epoch(c.issuedAt),
    ImportedAt: imported ? epoch(c.issuedAt) : undefined,
    Status: c.status,
    RevokedAt: epoch(c.revokedAt),
    RevocationReason: c.revocationReason,
    NotBefore: epoch(c.notBefore),
    NotAfter: epoch(c.notAfter),
    KeyAlgorithm: c.keyAlgorithm ?? (imported ? undefined : 'EC_prime256v1'),
    SignatureAlgorithm: issued ? (c.keyAlgorithm?.startsWith('RSA') ? 'SHA256WITHRSA' : 'SHA256WITHECDSA') : undefined,
    InUseBy: usersOf(d, c.arn),
    Type: certificateType(c),
    KeyUsages: issued ? [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }] : [],
    ExtendedKeyUsages: issued ? [{ Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' }] : [],
    RenewalEligibility: renewalEligibility(d, c),
    RenewalSummary: c.renewal && {
      RenewalStatus: c.renewal.status,
      DomainValidationOptions: domainValidationOptions(c),
      RenewalStatusReason: c.renewal.status === 'FAILED' ? 'OTHER' : undefined,
      UpdatedAt: epoch(c.renewal.updatedAt),
    },
    Options: optionsShape(c),
  }
}

/** ACM renews a managed certificate while something uses it (or it was exported); imported ones never. */
export function renewalEligibility(d: Draft, c: Certificate): 'ELIGIBLE' | 'INELIGIBLE' {
  if (c.source === 'imported' || c.status === 'REVOKED') return 'INELIGIBLE'
  return usersOf(d, c.arn).length > 0 || c.exported === true ? 'ELIGIBLE' : 'INELIGIBLE'
}

export function optionsShape(c: Certificate): Record<string, string> {
  const o = c.options ?? DEFAULT_CERTIFICATE_OPTIONS
  return { CertificateTransparencyLoggingPreference: o.certificateTransparencyLogging, Export: o.export }
}

export function certificateSummary(d: Draft, c: Certificate): Record<string, unknown> {
  const detail = certificateDetail(d, c)
  return {
    CertificateArn: c.arn,
    DomainName: c.domainName,
    SubjectAlternativeNameSummaries: detail.SubjectAlternativeNames,
    HasAdditionalSubjectAlternativeNames: false,
    Status: c.status,
    Type: detail.Type,
    KeyAlgorithm: detail.KeyAlgorithm,
    KeyUsages: (detail.KeyUsages as { Name: string }[]).map((k) => k.Name),
    ExtendedKeyUsages: (detail.ExtendedKeyUsages as { Name: string }[]).map((k) => k.Name),
    InUse: (detail.InUseBy as string[]).length > 0,
    RenewalEligibility: detail.RenewalEligibility,
    NotBefore: detail.NotBefore,
    NotAfter: detail.NotAfter,
    CreatedAt: detail.CreatedAt,
    IssuedAt: detail.IssuedAt,
    ImportedAt: detail.ImportedAt,
  }
}
