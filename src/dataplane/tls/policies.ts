import type { SecureContextOptions } from 'node:tls'
import { findSslPolicy, type SslProtocol } from '../../model/ssl-policy.js'

export interface PolicyTlsOptions {
  readonly minVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'
  readonly maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'
  /** OpenSSL cipher string; Node splits out the TLS 1.3 suites (TLS_*) itself. */
  readonly ciphers: string
  readonly honorCipherOrder: true
  readonly ecdhCurve: string
}

const ORDER: readonly SslProtocol[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']

/** X25519 first as ALB negotiates it; the NIST curves for clients without it. */
export const ECDH_CURVES = 'X25519:prime256v1:secp384r1'

/** node:tls options that enforce a policy. Throws for an unknown name (validate at the edge first). */
export function tlsOptionsFor(policyName: string): PolicyTlsOptions & Pick<SecureContextOptions, 'minVersion'> {
  const p = findSslPolicy(policyName)
  if (!p) throw new Error(`unknown SSL policy ${policyName}`)
  const versions = [...p.sslProtocols].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b))
  const minVersion = versions[0] ?? 'TLSv1.2'
  const maxVersion = versions[versions.length - 1] ?? 'TLSv1.3'
  const names = p.ciphers.map((c) => c.name)
  // OpenSSL 3 refuses TLS 1.0/1.1 at security level 1 (their handshake signs with SHA-1/MD5),
  // so a policy that offers them drops to level 0, as ALB still serves them.
  const legacy = minVersion === 'TLSv1' || minVersion === 'TLSv1.1'
  const ciphers = legacy ? `${names.join(':')}:@SECLEVEL=0` : names.join(':')
  return { minVersion, maxVersion, ciphers, honorCipherOrder: true, ecdhCurve: ECDH_CURVES }
}
