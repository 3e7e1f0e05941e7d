import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { MTLS_HEADER_NAMES, type MtlsHeaderField } from '../../model/listener-attributes.js'

/**
 * Mutual TLS of an HTTPS listener (ALB's mTLS), compiled once per snapshot: the mode, the trust
 * store's CAs and the serial numbers its CRLs revoke, by the fingerprint of the CA that signed them.
 */
export interface MtlsTerms {
  readonly mode: 'passthrough' | 'verify'
  readonly cas: readonly X509Certificate[]
  /** CA fingerprint256 -> revoked serial numbers (X509Certificate.serialNumber's form). */
  readonly revoked: ReadonlyMap<string, ReadonlySet<string>>
  readonly ignoreExpiry: boolean
  /** verify with advertiseTrustStoreCaNames on: the CA certificates OpenSSL names in its CertificateRequest. */
  readonly advertisedCaPem?: string | undefined
  /** The header names the target gets (ALB's, or the listener's routing.http.request.*.header_name). */
  readonly names: MtlsHeaderNames
  /** Lower-case names renamed away from ALB's: a client's own fields of these names never reach the target. Absent: no rename. */
  readonly renamed?: ReadonlySet<string> | undefined
}

export type MtlsHeaderNames = Readonly<Record<MtlsHeaderField, string>>

/** What a connection's requests carry to the target, computed once at the handshake. */
export interface ClientCertHeaders {
  /** HTTP/1.1: `Name: value\r\n` lines. */
  readonly lines: string
  /** HTTP/2: the same as fields (lowercase names). */
  readonly fields: Readonly<Record<string, string>>
}

export type ClientCertOutcome = { readonly ok: true; readonly headers: ClientCertHeaders | undefined } | { readonly ok: false; readonly reason: string }

/** ALB's header names (model/listener-attributes.ts), in the order it sends them. */
export const MTLS_HEADER = {
  CHAIN: MTLS_HEADER_NAMES.clientcert,
  SERIAL: MTLS_HEADER_NAMES.serialNumber,
  ISSUER: MTLS_HEADER_NAMES.issuer,
  SUBJECT: MTLS_HEADER_NAMES.subject,
  VALIDITY: MTLS_HEADER_NAMES.validity,
  LEAF: MTLS_HEADER_NAMES.leaf,
} as const

/** The lowercase prefix every mTLS header name has: a client's own such headers never reach a target. */
export const MTLS_HEADER_PREFIX = 'x-amzn-mtls-clientcert'

/** URL-encoded PEM with +, = and / left as they are (ALB: "with +=/ as safe characters"). */
export function urlEncodePem(pem: string): string {
  return encodeURIComponent(pem).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/')
}

/** A distinguished name as RFC 2253 writes it: most specific first, comma-separated (Node lists it the other way, one per line). */
export function rfc2253(name: string): string {
  return name.split('\n').filter((x) => x !== '').reverse().join(',')
}

const isoSeconds = (t: string): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')

function headersOf(pairs: readonly (readonly [string, string])[]): ClientCertHeaders {
  let lines = ''
  const fields: Record<string, string> = {}
  for (const [name, value] of pairs) {
    lines += `${name}: ${value}\r\n`
    fields[name.toLowerCase()] = value
  }
  return { lines, fields }
}

/** The certificates the client sent, leaf first (empty: none). */
function peerChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = []
  let cur = socket.getPeerCertificate(true) as { raw?: Buffer; issuerCertificate?: unknown } | null
  const seen = new Set<string>()
  while (cur && cur.raw && out.length < 10) {
    const key = cur.raw.toString('base64')
    if (seen.has(key)) break
    seen.add(key)
    out.push(new X509Certificate(cur.raw))
    cur = cur.issuerCertificate as typeof cur
  }
  return out
}

const timeProblem = (c: X509Certificate, now: number): string | undefined =>
  now > Date.parse(c.validTo) ? `certificate ${rfc2253(c.subject)} has expired` : now < Date.parse(c.validFrom) ? `certificate ${rfc2253(c.subject)} is not yet valid` : undefined

/** verify: the chain from the leaf to a CA of the trust store, each link's signature checked, none revoked or (unless ignored) out of its validity. */
export function verifyChain(chain: readonly X509Certificate[], terms: MtlsTerms, now: number): string | undefined {
  const leaf = chain[0]
  if (!leaf) return 'the client sent no certificate'
  let cur = leaf
  for (let depth = 0; depth < 10; depth++) {
    if (!terms.ignoreExpiry) {
      const t = timeProblem(cur, now)
      if (t) return t
    }
    const ca = terms.cas.find((c) => cur.checkIssued(c) && cur.verify(c.publicKey))
    if (ca) {
      if (terms.revoked.get(ca.fingerprint256)?.has(cur.serialNumber)) return `certificate ${rfc2253(cur.subject)} (serial ${cur.serialNumber}) is revoked`
      if (!terms.ignoreExpiry) return timeProblem(ca, now)
      return undefined
    }
    const next = chain.find((c) => c !== cur && c.ca && cur.checkIssued(c) && cur.verify(c.publicKey))
    if (!next) return `certificate ${rfc2253(cur.subject)} does not chain to a CA of the trust store (issuer ${rfc2253(cur.issuer)})`
    cur = next
  }
  return 'the client certificate chain is too long'
}

/**
 * Checks a finished handshake's client certificate and makes the headers its requests carry.
 * passthrough: the whole chain as sent, unverified (none when the client sent none); verify: the
 * chain must lead to the trust store, and the target gets the leaf's serial, issuer, subject,
 * validity and PEM.
 */
export function authenticateClient(socket: TLSSocket, terms: MtlsTerms, now = Date.now()): ClientCertOutcome {
  const chain = peerChain(socket)
  const names = terms.names
  if (terms.mode === 'passthrough') {
    if (chain.length === 0) return { ok: true, headers: undefined }
    return { ok: true, headers: headersOf([[names.clientcert, urlEncodePem(chain.map((c) => c.toString()).join(''))]]) }
  }
  const problem = verifyChain(chain, terms, now)
  if (problem) return { ok: false, reason: problem }
  const leaf = chain[0]!
  return {
    ok: true,
    headers: headersOf([
      [names.serialNumber, leaf.serialNumber],
      [names.issuer, rfc2253(leaf.issuer)],
      [names.subject, rfc2253(leaf.subject)],
      [names.validity, `NotBefore=${isoSeconds(leaf.validFrom)};NotAfter=${isoSeconds(leaf.validTo)}`],
      [names.leaf, urlEncodePem(leaf.toString())],
    ]),
  }
}

/** The headers of each authenticated TLS socket, set once at its handshake. */
const bySocket = new WeakMap<object, ClientCertHeaders>()

export function setClientCertHeaders(socket: object, headers: ClientCertHeaders): void {
  bySocket.set(socket, headers)
}

export function clientCertHeadersOf(socket: object): ClientCertHeaders | undefined {
  return bySocket.get(socket)
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/** A listener's terms from its mutual authentication and trust store (once per snapshot). */
export function compileMtls(
  mode: 'passthrough' | 'verify',
  store: { readonly caCertificatesPem: string; readonly revocations: readonly { readonly issuerFingerprint: string; readonly revokedSerials: readonly string[] }[] } | undefined,
  options: { readonly ignoreExpiry: boolean; readonly advertiseCaNames: boolean; readonly headerNames?: Partial<Record<MtlsHeaderField, string>> | undefined },
): MtlsTerms {
  const names: MtlsHeaderNames = Object.freeze({ ...MTLS_HEADER_NAMES, ...options.headerNames })
  const renamed = Object.entries(options.headerNames ?? {}).filter(([field, name]) => name !== undefined && name !== MTLS_HEADER_NAMES[field as MtlsHeaderField])
  const naming = { names, ...(renamed.length > 0 ? { renamed: new Set(renamed.map(([, name]) => (name as string).toLowerCase())) } : {}) }
  if (mode === 'passthrough' || !store) return Object.freeze({ mode, cas: [], revoked: new Map(), ignoreExpiry: false, ...naming })
  const revoked = new Map<string, Set<string>>()
  for (const r of store.revocations) {
    const set = revoked.get(r.issuerFingerprint) ?? new Set<string>()
    for (const serial of r.revokedSerials) set.add(serial)
    revoked.set(r.issuerFingerprint, set)
  }
  return Object.freeze({
    mode,
    cas: (store.caCertificatesPem.match(PEM_CERT) ?? []).map((pem) => new X509Certificate(pem)),
    revoked,
    ignoreExpiry: options.ignoreExpiry,
    ...naming,
    ...(options.advertiseCaNames ? { advertisedCaPem: store.caCertificatesPem } : {}),
  })
}
