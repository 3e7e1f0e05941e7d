import { RESPONSE_HEADERS, type ListenerAttributes, type ResponseHeaderField } from '../../model/listener-attributes.js'

/**
 * The headers a listener adds to every response to the client (ALB's header modification:
 * routing.http.response.*.header_value), compiled once per config version. Both codecs use it
 * the same way, on a target's response and on the balancer's own answers (fixed responses,
 * redirects, error pages): a field the target sent under one of these names is replaced by the
 * listener's value, as nginx's proxy_hide_header + add_header and HAProxy's `http-response
 * set-header` do (AWS's guide: the load balancer adds the header; it names no exception).
 */
export interface ResponseHeaderPolicy {
  /** Lower-case names the listener sets: a target's field with one of them is dropped. */
  readonly replaced: ReadonlySet<string>
  /** HTTP/1.1: `name: value\r\n` lines. */
  readonly lines: string
  /** HTTP/2: [lower-case name, value]. */
  readonly fields: readonly (readonly [string, string])[]
}

/** A listener's policy, or undefined when it adds nothing (the usual case: no work per response). */
export function compileResponseHeaders(protocol: string, attributes: ListenerAttributes | undefined): ResponseHeaderPolicy | undefined {
  const configured = attributes?.responseHeaders
  if (configured === undefined) return undefined
  const fields: [string, string][] = []
  for (const [field, value] of Object.entries(configured)) {
    if (value === undefined || value === '') continue
    // RFC 6797 7.2: HSTS is never sent over plain HTTP (control refuses it there; a listener switched to HTTP keeps none).
    if (field === 'strictTransportSecurity' && protocol !== 'HTTPS') continue
    fields.push([RESPONSE_HEADERS[field as ResponseHeaderField].toLowerCase(), value])
  }
  if (fields.length === 0) return undefined
  return Object.freeze({
    replaced: new Set(fields.map(([name]) => name)),
    lines: fields.map(([name, value]) => `${name}: ${value}\r\n`).join(''),
    fields: Object.freeze(fields),
  })
}
