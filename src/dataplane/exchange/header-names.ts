import { MTLS_HEADER, MTLS_HEADER_PREFIX } from '../tls/client-cert.js'

/** How the proxy treats a header on its way through; decided by length first, so most names cost one switch. */
export const Hdr = {
  KEEP: 0,
  /** Hop-by-hop or framing: dropped, the proxy writes its own. */
  DROP: 1,
  XFF: 2,
  TRACE: 3,
  CONNECTION: 4,
  UPGRADE: 5,
  COOKIE: 6,
  SET_COOKIE: 7,
} as const

function is(name: string, lower: string): boolean {
  return name === lower || name.toLowerCase() === lower
}

/** For request headers going to the target. */
export function requestHeaderKind(name: string): number {
  switch (name.length) {
    case 2:
      return is(name, 'te') ? Hdr.DROP : Hdr.KEEP
    case 7:
      if (is(name, 'upgrade')) return Hdr.UPGRADE
      return is(name, 'trailer') ? Hdr.DROP : Hdr.KEEP
    case 10:
      if (is(name, 'connection')) return Hdr.CONNECTION
      return is(name, 'keep-alive') ? Hdr.DROP : Hdr.KEEP
    case 14:
      return is(name, 'content-length') ? Hdr.DROP : Hdr.KEEP
    case 15:
      if (is(name, 'x-forwarded-for')) return Hdr.XFF
      return is(name, 'x-amzn-trace-id') ? Hdr.TRACE : Hdr.KEEP
    case 16:
      return is(name, 'proxy-connection') || is(name, 'x-forwarded-port') || is(name, 'x-amzn-oidc-data') ? Hdr.DROP : Hdr.KEEP
    case 17:
      return is(name, 'transfer-encoding') || is(name, 'x-forwarded-proto') ? Hdr.DROP : Hdr.KEEP
    // authenticate-oidc's fields are the balancer's: a client's own never reach a target.
    case 20:
      return is(name, 'x-amzn-oidc-identity') ? Hdr.DROP : Hdr.KEEP
    case 23:
      return is(name, 'x-amzn-oidc-accesstoken') ? Hdr.DROP : Hdr.KEEP
    // The mTLS fields are the balancer's: a client's own never reach a target.
    case 22:
    case 27:
    case 29:
    case 30:
    case 31:
    case 36:
      return isMtlsField(name) ? Hdr.DROP : Hdr.KEEP
    default:
      return Hdr.KEEP
  }
}

/** X-Amzn-Mtls-Clientcert and its -Serial-Number, -Issuer, -Subject, -Validity and -Leaf. */
function isMtlsField(name: string): boolean {
  // Most names of these lengths do not start with x: no lowercase copy for them.
  if ((name.charCodeAt(0) | 0x20) !== 0x78) return false
  const lower = name.toLowerCase()
  if (!lower.startsWith(MTLS_HEADER_PREFIX)) return false
  for (const h of Object.values(MTLS_HEADER)) if (h.toLowerCase() === lower) return true
  return false
}

/** For response headers going to the client. */
export function responseHeaderKind(name: string): number {
  switch (name.length) {
    case 2:
      return is(name, 'te') ? Hdr.DROP : Hdr.KEEP
    case 7:
      if (is(name, 'upgrade')) return Hdr.UPGRADE
      return is(name, 'trailer') ? Hdr.DROP : Hdr.KEEP
    case 10:
      if (is(name, 'set-cookie')) return Hdr.SET_COOKIE
      return is(name, 'connection') || is(name, 'keep-alive') ? Hdr.DROP : Hdr.KEEP
    case 14:
      return is(name, 'content-length') ? Hdr.DROP : Hdr.KEEP
    case 16:
      return is(name, 'proxy-connection') ? Hdr.DROP : Hdr.KEEP
    case 17:
      return is(name, 'transfer-encoding') ? Hdr.DROP : Hdr.KEEP
    default:
      return Hdr.KEEP
  }
}

/** The extra hop-by-hop names a Connection header lists (beyond close, keep-alive, upgrade), lower-cased. */
export function connectionTokens(value: string, into: Set<string>): void {
  for (const raw of value.split(',')) {
    const t = raw.trim().toLowerCase()
    if (t !== '' && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') into.add(t)
  }
}

/** ALB's drop_invalid_header_fields: valid names are letters, digits and hyphens. */
export function isAlbValidHeaderName(name: string): boolean {
  if (name.length === 0) return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45)) return false
  }
  return true
}
