import { createHash } from 'node:crypto'
import { createSecureContext, type SecureContext, type TlsOptions } from 'node:tls'
import { tlsOptionsFor } from './policies.js'

export interface ListenerCertificate {
  readonly arn: string
  /** The listener's default certificate: served without SNI or when no name matches. */
  readonly isDefault: boolean
  readonly certificatePem: string
  /** Intermediates, served after the leaf in this order. */
  readonly chainPem?: string | undefined
  readonly privateKeyPem: string
  /** DNS names the certificate covers (CN and SANs); "*.example.test" covers one label. */
  readonly names: readonly string[]
}

export interface SniSelection {
  readonly context: SecureContext
  readonly arn: string
}

export interface CompiledSni {
  readonly defaultContext: SecureContext
  readonly defaultArn: string
  select(servername: string | undefined): SniSelection
  /** For tls.createServer({ SNICallback }). */
  readonly sniCallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void
  /**
   * Options for tls.createServer or server.setSecureContext: the policy (OpenSSL fixes the
   * protocol versions and ciphers from the server's own context, before SNI swaps it), the
   * default certificate, and the SNI callback. After setSecureContext, re-apply ticket keys.
   */
  readonly serverOptions: TlsOptions
}

/**
 * SecureContexts by a hash of (policy, certificate, chain, key), kept across configuration
 * versions so that a change rebuilds only the contexts whose PEM changed. One per listener:
 * each compile drops the contexts its certificates no longer use.
 */
export class SecureContextCache {
  private entries = new Map<string, SecureContext>()
  /** Contexts built so far (for tests and metrics). */
  created = 0

  get size(): number {
    return this.entries.size
  }

  contextFor(cert: ListenerCertificate, policyName: string): { key: string; context: SecureContext } {
    const key = materialKey(cert, policyName)
    let context = this.entries.get(key)
    if (!context) {
      context = createSecureContext({
        ...tlsOptionsFor(policyName),
        cert: certWithChain(cert),
        key: cert.privateKeyPem,
      })
      this.created++
      this.entries.set(key, context)
    }
    return { key, context }
  }

  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!keys.has(key)) this.entries.delete(key)
  }
}

/**
 * Compiles a listener's certificates into an SNI selector: exact name first, then the most
 * specific wildcard, else the default certificate (ALB's rule; also for a client without SNI).
 */
export function compileSni(
  certs: readonly ListenerCertificate[],
  policyName: string,
  cache: SecureContextCache = new SecureContextCache(),
): CompiledSni {
  const defaultCert = certs.find((c) => c.isDefault) ?? certs[0]
  if (!defaultCert) throw new Error('an HTTPS listener needs a default certificate')

  const used = new Set<string>()
  const selectionFor = (cert: ListenerCertificate): SniSelection => {
    const { key, context } = cache.contextFor(cert, policyName)
    used.add(key)
    return Object.freeze({ context, arn: cert.arn })
  }

  const fallback = selectionFor(defaultCert)
  // Map, not {}: a servername can say "__proto__". The default wins ties, then the earlier certificate.
  const exact = new Map<string, SniSelection>()
  // Wildcards by the suffix they cover: "*.a.example.test" -> "a.example.test".
  const wildcard = new Map<string, SniSelection>()
  const ordered = [defaultCert, ...certs.filter((c) => c !== defaultCert)]
  for (const cert of ordered) {
    const selection = cert === defaultCert ? fallback : selectionFor(cert)
    for (const raw of cert.names) {
      const name = normalise(raw)
      if (name.startsWith('*.')) {
        const suffix = name.slice(2)
        if (!wildcard.has(suffix)) wildcard.set(suffix, selection)
      } else if (!exact.has(name)) exact.set(name, selection)
    }
  }
  cache.retainOnly(used)

  const hasWildcards = wildcard.size > 0
  const select = (servername: string | undefined): SniSelection => {
    if (!servername) return fallback
    const name = normalise(servername)
    const hit = exact.get(name)
    if (hit) return hit
    if (hasWildcards) {
      // A wildcard covers exactly one label: "*.example.test" matches "a.example.test" but
      // neither "example.test" nor "b.a.example.test". The longest suffix is the one left of the first dot.
      const dot = name.indexOf('.')
      if (dot > 0) {
        const covered = wildcard.get(name.slice(dot + 1))
        if (covered) return covered
      }
    }
    return fallback
  }

  const sniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, select(servername).context)
  }
  return Object.freeze({
    defaultContext: fallback.context,
    defaultArn: fallback.arn,
    select,
    sniCallback,
    serverOptions: Object.freeze({
      ...tlsOptionsFor(policyName),
      cert: certWithChain(defaultCert),
      key: defaultCert.privateKeyPem,
      SNICallback: sniCallback,
    }),
  })
}

function normalise(name: string): string {
  const lower = name.toLowerCase()
  return lower.endsWith('.') ? lower.slice(0, -1) : lower
}

function certWithChain(cert: ListenerCertificate): string {
  return cert.chainPem ? `${ensureNewline(cert.certificatePem)}${cert.chainPem}` : cert.certificatePem
}

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`
}

function materialKey(cert: ListenerCertificate, policyName: string): string {
  return createHash('sha256')
    .update(policyName).update('\0')
    .update(cert.certificatePem).update('\0')
    .update(cert.chainPem ?? '').update('\0')
    .update(cert.privateKeyPem)
    .digest('hex')
}
