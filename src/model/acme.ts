import { createHash } from 'node:crypto'
import { z } from 'zod'

/** Named ACME directories: the shortcuts `acme.directoryUrl` and `--acme-directory` accept. */
export const ACME_DIRECTORIES: Readonly<Record<string, string>> = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
}

/** A shortcut's URL, or the URL as given. */
export const acmeDirectoryUrl = (value: string): string => ACME_DIRECTORIES[value] ?? value

/** The challenges openalb answers itself. */
export const ACME_CHALLENGES = ['dns-01', 'http-01', 'tls-alpn-01'] as const
export type AcmeChallenge = (typeof ACME_CHALLENGES)[number]

export const acmeSpec = z.strictObject({
  /** The CA's directory URL, or letsencrypt / letsencrypt-staging (default: `openalb up --acme-directory`). */
  directoryUrl: z
    .string()
    .min(1)
    .refine((v) => v in ACME_DIRECTORIES || /^https:\/\/\S+$/.test(v), 'must be an https:// URL, letsencrypt or letsencrypt-staging')
    .optional(),
  /** The account's contact (default: `openalb up --acme-email`). */
  email: z.string().email().optional(),
  /**
   * dns-01 (default): openalb's own DNS serves the TXT record, so the name's zone must be a hosted
   * zone openalb serves and is delegated to. http-01: openalb's HTTP listeners on the name answer
   * /.well-known/acme-challenge/ (the CA connects to port 80). tls-alpn-01: openalb's HTTPS
   * listeners answer the CA's `acme-tls/1` handshake for the name (the CA connects to port 443).
   */
  challenge: z.enum(ACME_CHALLENGES).default('dns-01'),
  /** PEM file (or text) trusted for the directory's own HTTPS, for a private ACME CA. */
  caBundle: z.string().optional(),
  /** External account binding, for CAs that require one. */
  eab: z.strictObject({ keyId: z.string().min(1), hmacKey: z.string().min(1) }).optional(),
})
export type AcmeSpec = z.input<typeof acmeSpec>

/** What a certificate keeps of its ACME settings (caBundle as PEM text). */
export interface AcmeSettings {
  readonly directoryUrl?: string | undefined
  readonly email?: string | undefined
  readonly challenge: AcmeChallenge
  readonly caBundlePem?: string | undefined
  readonly eab?: { readonly keyId: string; readonly hmacKey: string } | undefined
}

/** An ACME account openalb made: one per directory and email, its key kept in the store. */
export interface AcmeAccount {
  readonly kind: 'acme-account'
  /** A digest of directory and email. */
  readonly id: string
  readonly directoryUrl: string
  readonly email: string
  /** Never leaves the store through an API or the CLI. */
  readonly keyPem: string
  readonly accountUrl?: string | undefined
  readonly createdAt: string
}

export const acmeAccountId = (directoryUrl: string, email: string): string =>
  createHash('sha256').update(directoryUrl).update('\n').update(email.toLowerCase()).digest('hex').slice(0, 24)

/** An HTTP-01 challenge being answered: every HTTP listener serves `keyAuthorization` at its path for `host`. */
export interface AcmeHttpChallenge {
  readonly host: string
  readonly token: string
  readonly keyAuthorization: string
}

/**
 * A TLS-ALPN-01 challenge being answered (RFC 8737): every HTTPS listener answers a handshake for
 * `host` that offers ALPN `acme-tls/1` with this self-signed certificate (its acmeIdentifier
 * extension holds the key authorization's digest).
 */
export interface AcmeAlpnChallenge {
  readonly host: string
  readonly certificatePem: string
  readonly keyPem: string
}

/** The ALPN protocol of TLS-ALPN-01 (RFC 8737). */
export const ACME_TLS_ALPN = 'acme-tls/1'

export const HTTP01_PATH_PREFIX = '/.well-known/acme-challenge/'
