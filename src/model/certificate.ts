import { z } from 'zod'
import { tags, type Tags } from './schema-util.js'

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
    tags,
  })
  .superRefine((c, ctx) => {
    if (c.source === 'imported') {
      if (!c.certificate) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is required for an imported certificate' })
      if (!c.privateKey) ctx.addIssue({ code: 'custom', path: ['privateKey'], message: 'is required for an imported certificate' })
    } else if (!c.domainName) {
      ctx.addIssue({ code: 'custom', path: ['domainName'], message: `is required for a ${c.source} certificate` })
    }
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
  readonly tags: Tags
}

/** A copy that is safe to print: no private key. */
export function redactCertificate(c: Certificate): Omit<Certificate, 'privateKeyPem'> {
  const { privateKeyPem: _secret, ...rest } = c
  return rest
}
