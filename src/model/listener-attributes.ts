import { z } from 'zod'

/**
 * Listener attributes (ALB's header modification, NLB's TCP idle timeout): the response headers
 * a listener adds, whether the balancer's own answers carry `Server: awselb/2.0`, the names the
 * mutual TLS headers reach targets under, and an NLB TCP listener's idle timeout. Each value's
 * rule is here, once: the API (ModifyListenerAttributes) and the YAML file check through it.
 */

/** The response headers a listener can add, by model field: the header's name and what AWS lets it hold. */
export const RESPONSE_HEADERS = {
  strictTransportSecurity: 'Strict-Transport-Security',
  accessControlAllowOrigin: 'Access-Control-Allow-Origin',
  accessControlAllowMethods: 'Access-Control-Allow-Methods',
  accessControlAllowHeaders: 'Access-Control-Allow-Headers',
  accessControlAllowCredentials: 'Access-Control-Allow-Credentials',
  accessControlExposeHeaders: 'Access-Control-Expose-Headers',
  accessControlMaxAge: 'Access-Control-Max-Age',
  contentSecurityPolicy: 'Content-Security-Policy',
  xContentTypeOptions: 'X-Content-Type-Options',
  xFrameOptions: 'X-Frame-Options',
} as const
export type ResponseHeaderField = keyof typeof RESPONSE_HEADERS

/** The mutual TLS headers a listener can rename, by model field: ALB's name (tls/client-cert.ts sends them). */
export const MTLS_HEADER_NAMES = {
  clientcert: 'X-Amzn-Mtls-Clientcert',
  serialNumber: 'X-Amzn-Mtls-Clientcert-Serial-Number',
  issuer: 'X-Amzn-Mtls-Clientcert-Issuer',
  subject: 'X-Amzn-Mtls-Clientcert-Subject',
  validity: 'X-Amzn-Mtls-Clientcert-Validity',
  leaf: 'X-Amzn-Mtls-Clientcert-Leaf',
} as const
export type MtlsHeaderField = keyof typeof MTLS_HEADER_NAMES

/** NLB TCP listeners: tcp.idle_timeout.seconds, 60-6000, default 350 (AWS). */
export const TCP_IDLE_TIMEOUT_RANGE = [60, 6000] as const

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'CONNECT', 'OPTIONS', 'PUT', 'TRACE', 'PATCH']
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#,]+$/i
/** Visible ASCII and spaces: no control characters (a CR or LF would split the response). */
const FIELD_VALUE = /^[\x20-\x7e]*$/

const tokenList = (v: string): boolean => v === '*' || v.split(',').every((t) => TOKEN.test(t.trim()))

/**
 * What is wrong with a response header's value, or undefined. '' turns the header off (ALB's
 * default). The values follow AWS's header modification guide; where it says nothing more
 * (CSP's grammar) the value only has to be a valid field value, as nginx's add_header takes it.
 */
export function responseHeaderProblem(field: ResponseHeaderField, value: string): string | undefined {
  if (value === '') return undefined
  if (!FIELD_VALUE.test(value) || value.trim() !== value) return 'must be printable ASCII without leading or trailing spaces'
  if (value.length > 1024) return 'must be at most 1024 characters'
  switch (field) {
    case 'strictTransportSecurity': {
      // RFC 6797 6.1: max-age (required, once), includeSubDomains and preload (optional, once each).
      const seen = new Set<string>()
      let maxAge = false
      for (const raw of value.split(';')) {
        const d = raw.trim()
        const name = (d.split('=')[0] ?? '').trim().toLowerCase()
        if (seen.has(name)) return `repeats the directive ${name}`
        seen.add(name)
        if (name === 'max-age') {
          if (!/^max-age\s*=\s*"?\d{1,10}"?$/i.test(d)) return 'needs max-age=SECONDS (a whole number)'
          maxAge = true
        } else if (name !== 'includesubdomains' && name !== 'preload') return `has the unknown directive '${d}': max-age=SECONDS, includeSubDomains, preload`
        else if (d.includes('=')) return `${d}: includeSubDomains and preload take no value`
      }
      return maxAge ? undefined : 'needs max-age=SECONDS'
    }
    case 'accessControlAllowOrigin':
      return value === '*' || value === 'null' || ORIGIN.test(value) ? undefined : "must be '*', 'null' or one origin (https://example.com)"
    case 'accessControlAllowMethods':
      return value === '*' || value.split(',').every((m) => HTTP_METHODS.includes(m.trim())) ? undefined : `must be '*' or methods among ${HTTP_METHODS.join(', ')}, comma-separated`
    case 'accessControlAllowHeaders':
    case 'accessControlExposeHeaders':
      return tokenList(value) ? undefined : "must be '*' or header names, comma-separated"
    case 'accessControlAllowCredentials':
      return value === 'true' ? undefined : "can only be 'true'"
    case 'accessControlMaxAge':
      return /^\d{1,5}$/.test(value) && Number(value) <= 86400 ? undefined : 'must be a number of seconds from 0 to 86400'
    case 'contentSecurityPolicy':
      return undefined
    case 'xContentTypeOptions':
      return value === 'nosniff' ? undefined : "can only be 'nosniff'"
    case 'xFrameOptions':
      return value === 'DENY' || value === 'SAMEORIGIN' || /^ALLOW-FROM [^\s]+$/.test(value) ? undefined : "must be 'DENY', 'SAMEORIGIN' or 'ALLOW-FROM ORIGIN'"
  }
}

/** Names the balancer sets on forwarded requests itself: a renamed mTLS header may not take one of them. */
const RESERVED_REQUEST_NAMES = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-amzn-trace-id', 'connection', 'content-length', 'transfer-encoding']

/** What is wrong with a new name for an mTLS header, or undefined. */
export function headerNameProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 40) return 'must be 1 to 40 characters'
  if (!/^[A-Za-z0-9-]+$/.test(value)) return 'may hold only letters, digits and hyphens'
  if (RESERVED_REQUEST_NAMES.includes(value.toLowerCase())) return `is a header the balancer sets itself (${value})`
  return undefined
}

const responseHeadersSpec = z.strictObject(
  Object.fromEntries(Object.keys(RESPONSE_HEADERS).map((k) => [k, z.string().optional()])) as Record<ResponseHeaderField, z.ZodOptional<z.ZodString>>,
)
const mtlsHeaderNamesSpec = z.strictObject(
  Object.fromEntries(Object.keys(MTLS_HEADER_NAMES).map((k) => [k, z.string().optional()])) as Record<MtlsHeaderField, z.ZodOptional<z.ZodString>>,
)

export const listenerAttributesSpec = z
  .strictObject({
    /** routing.http.response.server.enabled: false leaves `Server: awselb/2.0` off the balancer's own answers (default true). */
    serverEnabled: z.boolean().optional(),
    /** routing.http.response.*.header_value: headers every response to the client gets ('' or absent: none). */
    responseHeaders: responseHeadersSpec.optional(),
    /** routing.http.request.x_amzn_mtls_clientcert*.header_name: the names the mTLS headers reach targets under. */
    mtlsHeaderNames: mtlsHeaderNamesSpec.optional(),
    /** NLB TCP listeners: tcp.idle_timeout.seconds (60-6000, default 350). */
    tcpIdleTimeoutSeconds: z.number().int().min(TCP_IDLE_TIMEOUT_RANGE[0]).max(TCP_IDLE_TIMEOUT_RANGE[1]).optional(),
  })
  .superRefine((a, ctx) => {
    for (const [field, value] of Object.entries(a.responseHeaders ?? {})) {
      const problem = value === undefined ? undefined : responseHeaderProblem(field as ResponseHeaderField, value)
      if (problem) ctx.addIssue({ code: 'custom', path: ['responseHeaders', field], message: `${RESPONSE_HEADERS[field as ResponseHeaderField]} ${problem}` })
    }
    const names = new Map<string, string>()
    for (const [field, value] of Object.entries(a.mtlsHeaderNames ?? {})) {
      if (value === undefined) continue
      const problem = headerNameProblem(value)
      if (problem) ctx.addIssue({ code: 'custom', path: ['mtlsHeaderNames', field], message: `the new name of ${MTLS_HEADER_NAMES[field as MtlsHeaderField]} ${problem}` })
      const other = names.get(value.toLowerCase())
      if (other) ctx.addIssue({ code: 'custom', path: ['mtlsHeaderNames', field], message: `${value} already names ${other}` })
      names.set(value.toLowerCase(), MTLS_HEADER_NAMES[field as MtlsHeaderField])
    }
  })
export type ListenerAttributesSpec = z.input<typeof listenerAttributesSpec>

/** As stored: only what differs from the defaults (a header set to '' or a name set back to ALB's is absent). */
export interface ListenerAttributes {
  readonly serverEnabled?: boolean | undefined
  readonly responseHeaders?: Readonly<Partial<Record<ResponseHeaderField, string>>> | undefined
  readonly mtlsHeaderNames?: Readonly<Partial<Record<MtlsHeaderField, string>>> | undefined
  readonly tcpIdleTimeoutSeconds?: number | undefined
}

/** Which attributes a listener's protocol has: ALB's for HTTP and HTTPS, NLB's idle timeout for TCP (AWS: not UDP, TLS or TCP_UDP's UDP side). */
export function attributeProblem(protocol: string, a: ListenerAttributesSpec): { path: string; message: string } | undefined {
  const http = protocol === 'HTTP' || protocol === 'HTTPS'
  if (!http && (a.serverEnabled !== undefined || a.responseHeaders !== undefined || a.mtlsHeaderNames !== undefined)) {
    return { path: a.serverEnabled !== undefined ? 'serverEnabled' : a.responseHeaders !== undefined ? 'responseHeaders' : 'mtlsHeaderNames', message: `is an attribute of HTTP and HTTPS listeners, not ${protocol}` }
  }
  if (a.tcpIdleTimeoutSeconds !== undefined && protocol !== 'TCP' && protocol !== 'TCP_UDP' && protocol !== 'TLS') {
    return { path: 'tcpIdleTimeoutSeconds', message: `is an attribute of TCP listeners, not ${protocol}` }
  }
  if (protocol === 'HTTP' && a.responseHeaders?.strictTransportSecurity) {
    // RFC 6797 7.2: an HSTS host must not send the header over plain HTTP (browsers ignore it there).
    return { path: 'responseHeaders.strictTransportSecurity', message: 'Strict-Transport-Security is sent only over HTTPS: set it on an HTTPS listener' }
  }
  if (protocol === 'HTTP' && a.mtlsHeaderNames !== undefined && Object.values(a.mtlsHeaderNames).some((v) => v !== undefined)) {
    return { path: 'mtlsHeaderNames', message: 'mutual TLS headers exist only on HTTPS listeners' }
  }
  return undefined
}

/** A validated spec as stored: defaults dropped. */
export function storedAttributes(a: ListenerAttributesSpec): ListenerAttributes {
  const headers = Object.fromEntries(Object.entries(a.responseHeaders ?? {}).filter(([, v]) => v !== undefined && v !== ''))
  const names = Object.fromEntries(Object.entries(a.mtlsHeaderNames ?? {}).filter(([k, v]) => v !== undefined && v !== MTLS_HEADER_NAMES[k as MtlsHeaderField]))
  return {
    ...(a.serverEnabled === false ? { serverEnabled: false } : {}),
    ...(Object.keys(headers).length > 0 ? { responseHeaders: headers } : {}),
    ...(Object.keys(names).length > 0 ? { mtlsHeaderNames: names } : {}),
    ...(a.tcpIdleTimeoutSeconds !== undefined && a.tcpIdleTimeoutSeconds !== 350 ? { tcpIdleTimeoutSeconds: a.tcpIdleTimeoutSeconds } : {}),
  }
}
