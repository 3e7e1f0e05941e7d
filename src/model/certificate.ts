import { z } from 'zod'
import { tags, type Tags } from './schema-util.js'
import { acmeSpec, type AcmeAlpnChallenge, type AcmeHttpChallenge, type AcmeSettings } from './acme.js'

export const CertificateSource = { LOCAL_CA: 'local-ca', ACME: 'acme', IMPORTED: 'imported' } as const
export type CertificateSource = (typeof CertificateSource)[keyof typeof CertificateSource]
export const CertificateStatus = {
  PENDING_VALIDATION: 'PENDING_VALIDATION',
  ISSUED: 'ISSUED',
  INACTIVE: 'INACTIVE',
  EXPIRED: 'EXPIRED',
  VALIDATION_TIMED_OUT: 'VALIDATION_TIMED_OUT',
  REVOKED: 'REVOKED',
  FAILED: 'FAILED',
} as const
export type CertificateStatus = (typeof CertificateStatus)[keyof typeof CertificateStatus]

const domain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'must be a domain name')

export const certificateSpec = z
  .strictObject({
    /** A name for config and CLI references, unique. */
    name: z.string().min(1).max(128),
    /** The main name; a leading *. makes it a wildcard. Not needed for imported certificates. */
    domainName: domain.optional(),
    /** More names, up to 100. */
    subjectAlternativeNames: z.array(domain).max(100).default([]),
    /** local-ca (openalb's own CA, default), acme, or imported (give the PEMs). */
    source: z.enum(['local-ca', 'acme', 'imported']).default('local-ca'),
    /** DNS (default) or EMAIL. */
    validationMethod: z.enum(['DNS', 'EMAIL']).default('DNS'),
    /** imported: PEM text or a path to a PEM file. */
    certificate: z.string().optional(),
    /** imported: PEM text or a path; never printed. */
    privateKey: z.string().optional(),
    /** imported: PEM chain (intermediates) or a path. */
    chain: z.string().optional(),
    /** acme: the CA and the challenge; the directory and email default to `openalb up --acme-directory/--acme-email`. */
    acme: acmeSpec.optional(),
    tags,
  })
  .superRefine((c, ctx) => {
    if (c.source === 'imported') {
      if (!c.certificate) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is required for an imported certificate' })
      if (!c.privateKey) ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'is required for an imported certificate' })
    } else if (!c.domainName) {
      ctx.addIssue({ code: 'custom', path: ['domainName'], message: `is required for a ${c.source} certificate` })
    }
    if (c.acme && c.source !== 'acme') ctx.addIssue({ code: 'custom', path: ['acme'], message: `is only for source: acme (this certificate's source is ${c.source})` })
  })
export type CertificateSpec = z.input<typeof certificateSpec>

export interface Certificate {
  readonly kind: 'certificate'
  readonly arn: string
  readonly name: string
  readonly domainName: string
  readonly subjectAlternativeNames: readonly string[]
  readonly source: CertificateSource
  readonly validationMethod: 'DNS' | 'EMAIL'
  readonly status: CertificateStatus
  /** ISO 8601 times. */
  readonly createdAt: string
  readonly issuedAt?: string | undefined
  readonly notBefore?: string | undefined
  readonly notAfter?: string | undefined
  readonly serial?: string | undefined
  readonly keyAlgorithm?: string | undefined
  readonly certificatePem?: string | undefined
  readonly chainPem?: string | undefined
  /** Never leaves the store through an API, a log line or the CLI: see redactCertificate(). */
  readonly privateKeyPem?: string | undefined
  /** Requested through ACM with DNS validation: issued only once every name's validation CNAME is served. */
  readonly awaitsDnsRecord?: boolean | undefined
  /** Where the spec's PEMs came from, for plan: a hash of the imported material. */
  readonly importDigest?: string | undefined
  /** ACM's IdempotencyToken of the RequestCertificate that made it. */
  readonly idempotencyToken?: string | undefined
  /** ACM's certificate options (RequestCertificate / UpdateCertificateOptions); absent means ACM's defaults. */
  readonly options?: CertificateOptions | undefined
  /** Handed out once by ExportCertificate (ACM shows Exported and allows revocation only then). */
  readonly exported?: boolean | undefined
  readonly revokedAt?: string | undefined
  readonly revocationReason?: RevocationReason | undefined
  /** RenewCertificate asked for a new certificate before its time; certs/ clears it when it renews. */
  readonly renewRequested?: boolean | undefined
  /** The last managed renewal, as ACM's RenewalSummary shows it. */
  readonly renewal?: CertificateRenewal | undefined
  /** source acme: where and how it is ordered. */
  readonly acme?: AcmeSettings | undefined
  /** HTTP-01 challenges of the order in progress, answered by every HTTP listener until it is done. */
  readonly acmeHttpChallenges?: readonly AcmeHttpChallenge[] | undefined
  /** TLS-ALPN-01 challenges of the order in progress, answered by every HTTPS listener until it is done. */
  readonly acmeAlpnChallenges?: readonly AcmeAlpnChallenge[] | undefined
  /** The last failed attempt to issue or renew, and when certs/ tries again (backoff). */
  readonly failure?: IssueFailure | undefined
  readonly tags: Tags
}

export interface IssueFailure {
  /** ISO 8601. */
  readonly at: string
  /** One line: what went wrong, with the CA's problem type and detail when it gave one. */
  readonly reason: string
  /** Attempts failed in a row. */
  readonly attempts: number
  /** ISO 8601: no new attempt before this. */
  readonly retryAt: string
}

export type OptionSetting = 'ENABLED' | 'DISABLED'

export interface CertificateOptions {
  readonly certificateTransparencyLogging: OptionSetting
  /** ENABLED: the key can be exported (ACM's exportable public certificates). */
  readonly export: OptionSetting
}

/** ACM's defaults: logged to CT, not exportable. */
export const DEFAULT_CERTIFICATE_OPTIONS: CertificateOptions = { certificateTransparencyLogging: 'ENABLED', export: 'DISABLED' }

export const REVOCATION_REASONS = [
  'UNSPECIFIED',
  'KEY_COMPROMISE',
  'CA_COMPROMISE',
  'AFFILIATION_CHANGED',
  'SUPERCEDED',
  'SUPERSEDED',
  'CESSATION_OF_OPERATION',
  'CERTIFICATE_HOLD',
  'REMOVE_FROM_CRL',
  'PRIVILEGE_WITHDRAWN',
  'A_A_COMPROMISE',
] as const
export type RevocationReason = (typeof REVOCATION_REASONS)[number]

export interface CertificateRenewal {
  readonly status: 'PENDING_AUTO_RENEWAL' | 'PENDING_VALIDATION' | 'SUCCESS' | 'FAILED'
  /** ISO 8601. */
  readonly updatedAt: string
  readonly reason?: string | undefined
}

/**
 * Whose key may leave through ExportCertificate: openalb's own CA plays ACM's private CA, so what
 * it issues exports; a certificate from a public CA (ACME) only with the Export option on; an
 * imported one never (its owner has the key).
 */
export function exportable(c: Certificate): boolean {
  if (c.source === 'local-ca') return true
  if (c.source === 'acme') return (c.options ?? DEFAULT_CERTIFICATE_OPTIONS).export === 'ENABLED'
  return false
}

/** A copy that is safe to print: no private key. */
export function redactCertificate(c: Certificate): Omit<Certificate, 'privateKeyPem'> {
  const { privateKeyPem: _secret, ...rest } = c
  return rest
}
