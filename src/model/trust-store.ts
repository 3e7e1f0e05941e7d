import { z } from 'zod'
import { awsName, tags, type Tags } from './schema-util.js'

export const trustStoreSpec = z.strictObject({
  /** 1-32 letters, digits and hyphens; listeners name it in mutualAuthentication.trustStore. */
  name: awsName,
  /** A PEM file of CA certificates (relative to the config file), the trust store's bundle. */
  caCertificatesBundle: z.string().min(1),
  /** CRL files (PEM or DER, relative to the config file), each signed by a CA of the bundle. */
  revocations: z.array(z.string().min(1)).max(50).default([]),
  tags,
})
export type TrustStoreSpec = z.input<typeof trustStoreSpec>

/** Where AWS reads a trust store's bundle or a CRL (openalb: DIR/BUCKET/KEY under `openalb up --s3-dir DIR`). */
export interface S3Location {
  readonly bucket: string
  readonly key: string
  readonly version?: string | undefined
}

/** One revocation list of a trust store (AWS: RevocationType CRL). */
export interface TrustStoreRevocation {
  /** AWS's RevocationId: a number, unique in the trust store, never reused. */
  readonly id: number
  readonly type: 'CRL'
  /** The CRL as PEM (a DER file is kept as PEM). */
  readonly crlPem: string
  readonly source?: S3Location | undefined
  /** The serial numbers it revokes, uppercase hex without leading zeros (X509Certificate.serialNumber's form). */
  readonly revokedSerials: readonly string[]
  /** The SHA-256 fingerprint (colon hex, X509Certificate.fingerprint256) of the trust store CA that signed it. */
  readonly issuerFingerprint: string
}

/** An ELBv2 trust store: CA certificates that client certificates of a verify listener must chain to, and CRLs. */
export interface TrustStore {
  readonly kind: 'trust-store'
  readonly arn: string
  readonly name: string
  readonly status: 'ACTIVE'
  /** The CA certificates bundle, PEM, as read. */
  readonly caCertificatesPem: string
  readonly numberOfCaCertificates: number
  readonly caSource?: S3Location | undefined
  readonly revocations: readonly TrustStoreRevocation[]
  /** The next RevocationId to hand out. */
  readonly nextRevocationId: number
  /** ISO 8601. */
  readonly createdAt: string
  readonly tags: Tags
}

/** ELBv2 quotas: trust stores per account, CA certificates per trust store, revocation entries per trust store. */
export const MAX_CA_CERTIFICATES = 25
export const MAX_REVOKED_ENTRIES = 500_000

export const totalRevokedEntries = (t: TrustStore): number => t.revocations.reduce((n, r) => n + r.revokedSerials.length, 0)

/** ALB's mutual authentication modes of an HTTPS listener. */
export const MTLS_MODES = ['off', 'passthrough', 'verify'] as const
export type MtlsMode = (typeof MTLS_MODES)[number]

/** A listener's MutualAuthentication, as stored. */
export interface MutualAuthentication {
  readonly mode: MtlsMode
  /** verify: the trust store's ARN. */
  readonly trustStoreArn?: string | undefined
  readonly ignoreClientCertificateExpiry?: boolean | undefined
  /** on: the CertificateRequest names the trust store's CAs (AWS default off). */
  readonly advertiseTrustStoreCaNames?: 'on' | 'off' | undefined
}
