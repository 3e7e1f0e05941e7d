import { createHash, createPublicKey } from 'node:crypto'
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
  /** The certificate it serves when the client can take either key (the first of `arns`). */
  readonly arn: string
  /** One certificate per key type (RSA, ECDSA) for the name: OpenSSL serves the one the client supports. */
  readonly arns: readonly string[]
  /** Identifies the material (policy and key pairs): equal keys, equal contexts. */
  readonly key: string
  /** Options for tls.createServer / setSecureContext that build this selection's context. */
  readonly options: TlsOptions
}

export interface CompiledSni {
  readonly defaultContext: SecureContext
  readonly defaultArn: string
  select(servername: string | undefined): SniSelection
  /** Every distinct selection, the default's first. */
  readonly selections: readonly SniSelection[]
  /** For tls.createServer({ SNICallback }). */
  readonly sniCallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void
  /**
   * Options for tls.createServer or server.setSecureContext: the policy (OpenSSL fixes the
   * protocol versions and ciphers from the server's own context, before SNI swaps it), the
   * default certificate, and the SNI callback. After setSecureContext, re-apply ticket keys.
   */
  readonly serverOptions: TlsOptions
}

/** The key type OpenSSL files a certificate under: one RSA and one ECDSA pair fit in one context. */
type KeyType = 'rsa' | 'ec' | 'other'
const keyTypes = new Map<string, KeyType>()
function keyTypeOf(cert: ListenerCertificate): KeyType {
  let t = keyTypes.get(cert.certificatePem)
  if (!t) {
    let type: string | undefined
    try {
      type = createPublicKey(cert.certificatePem).asymmetricKeyType
    } catch {
      type = undefined
    }
    t = type === 'rsa' || type === 'rsa-pss' ? 'rsa' : type === 'ec' ? 'ec' : 'other'
    if (keyTypes.size > 10_000) keyTypes.clear()
    keyTypes.set(cert.certificatePem, t)
  }
  return t
}

/**
 * SecureContexts by a hash of (policy, key pairs), kept across configuration versions so that a
 * change rebuilds only the contexts whose PEM changed. One per listener: each compile drops the
 * contexts its certificates no longer use.
 */
export class SecureContextCache {
  private entries = new Map<string, SecureContext>()
  /** Contexts built so far (for tests and metrics). */
  created = 0

  get size(): number {
    return this.entries.size
  }

  contextFor(certs: readonly ListenerCertificate[], policyName: string): { key: string; context: SecureContext; options: TlsOptions } {
    const key = groupKey(certs, policyName)
    const options: TlsOptions = { ...tlsOptionsFor(policyName), cert: certs.map(certWithChain), key: certs.map((c) => c.privateKeyPem) }
    let context = this.entries.get(key)
    if (!context) {
      context = createSecureContext(options)
      this.created++
      this.entries.set(key, context)
    }
    return { key, context, options }
  }

  retainOnly(keys: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!keys.has(key)) this.entries.delete(key)
  }
}

/** Certificates for one name, at most one per key type, in listener order (the default first). */
class Candidates {
  readonly certs: ListenerCertificate[] = []
  add(cert: ListenerCertificate): void {
    const type = keyTypeOf(cert)
    if (type === 'other' ? this.certs.length === 0 : !this.certs.some((c) => keyTypeOf(c) === type)) this.certs.push(cert)
  }
}

/**
 * Compiles a listener's certificates into an SNI selector: exact name first, then the most
 * specific wildcard, else the default certificate (ALB's rule; also for a client without SNI).
 * Where a name has both an RSA and an ECDSA certificate, its selection holds both, and OpenSSL
 * serves the one whose key the client supports (ECDSA first), as ALB does.
 */
export function compileSni(
  certs: readonly ListenerCertificate[],
  policyName: string,
  cache: SecureContextCache = new SecureContextCache(),
): CompiledSni {
  const defaultCert = certs.find((c) => c.isDefault) ?? certs[0]
  if (!defaultCert) throw new Error('an HTTPS listener needs a default certificate')

  const used = new Set<string>()
  const byKey = new Map<string, SniSelection>()
  const selectionFor = (group: readonly ListenerCertificate[]): SniSelection => {
    const { key, context, options } = cache.contextFor(group, policyName)
    used.add(key)
    let selection = byKey.get(key)
    if (!selection) {
      selection = Object.freeze({ context, arn: (group[0] as ListenerCertificate).arn, arns: group.map((c) => c.arn), key, options })
      byKey.set(key, selection)
    }
    return selection
  }

  // Map, not {}: a servername can say "__proto__". The default wins ties, then the earlier certificate.
  const exactNames = new Map<string, Candidates>()
  // Wildcards by the suffix they cover: "*.a.example.test" -> "a.example.test".
  const wildcardNames = new Map<string, Candidates>()
  const ordered = [defaultCert, ...certs.filter((c) => c !== defaultCert)]
  for (const cert of ordered) {
    for (const raw of cert.names) {
      const name = normalise(raw)
      const table = name.startsWith('*.') ? wildcardNames : exactNames
      const at = name.startsWith('*.') ? name.slice(2) : name
      let c = table.get(at)
      if (!c) table.set(at, (c = new Candidates()))
      c.add(cert)
    }
  }
  const fallback = selectionFor([defaultCert])
  const exact = new Map<string, SniSelection>()
  for (const [name, c] of exactNames) exact.set(name, selectionFor(c.certs))
  const wildcard = new Map<string, SniSelection>()
  for (const [suffix, c] of wildcardNames) wildcard.set(suffix, selectionFor(c.certs))
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
    selections: [fallback, ...[...byKey.values()].filter((s) => s !== fallback)],
    sniCallback,
    serverOptions: Object.freeze({ ...fallback.options, SNICallback: sniCallback }),
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

function groupKey(certs: readonly ListenerCertificate[], policyName: string): string {
  const h = createHash('sha256').update(policyName)
  for (const cert of certs) h.update('\0').update(cert.certificatePem).update('\0').update(cert.chainPem ?? '').update('\0').update(cert.privateKeyPem)
  return h.digest('hex')
}
