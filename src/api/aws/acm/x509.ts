import { X509Certificate } from 'node:crypto'
import type { Certificate } from '../../../model/certificate.js'

/** A distinguished name as ACM's DistinguishedName shape spells it. */
export interface DistinguishedName {
  readonly CommonName?: string
  readonly Organization?: string
  readonly OrganizationalUnit?: string
  readonly Country?: string
  readonly State?: string
  readonly Locality?: string
}

const DN_KEYS: Readonly<Record<string, keyof DistinguishedName>> = { CN: 'CommonName', O: 'Organization', OU: 'OrganizationalUnit', C: 'Country', ST: 'State', L: 'Locality' }

function parseDn(text: string | undefined): DistinguishedName {
  const out: Record<string, string> = {}
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=')
    const key = DN_KEYS[line.slice(0, eq)]
    if (eq > 0 && key) out[key] = line.slice(eq + 1)
  }
  return out
}

/** What ACM shows of a certificate's X.509 body; undefined while nothing is issued or the PEM is not one. */
export interface X509View {
  readonly issuer: DistinguishedName
  readonly subject: DistinguishedName
}

const cache = new WeakMap<Certificate, X509View | null>()

/** The issued certificate's names, parsed once per stored version of the resource. */
export function x509Of(c: Certificate): X509View | undefined {
  const hit = cache.get(c)
  if (hit !== undefined) return hit ?? undefined
  let view: X509View | null = null
  if (c.certificatePem) {
    try {
      const x = new X509Certificate(c.certificatePem)
      view = { issuer: parseDn(x.issuer), subject: parseDn(x.subject) }
    } catch {
      view = null
    }
  }
  cache.set(c, view)
  return view ?? undefined
}

/** ACM's one-word Issuer: the issuing organisation (ACM prints "Amazon"), else its common name. */
export function issuerName(c: Certificate): string | undefined {
  const x = x509Of(c)
  if (x) return x.issuer.Organization ?? x.issuer.CommonName
  if (!c.certificatePem) return undefined
  return c.source === 'acme' ? 'ACME' : c.source === 'local-ca' ? 'openalb' : undefined
}
