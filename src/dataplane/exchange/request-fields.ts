import type { XffMode } from '../../model/load-balancer.js'
import type { ListenerSnapshot } from '../snapshot.js'
import type { ClientCertHeaders } from '../tls/client-cert.js'

/** Request-field helpers HTTP/1 and HTTP/2 exchanges share. */

/** ALB answers 463 when X-Forwarded-For holds more than 30 addresses. */
export const MAX_XFF_ENTRIES = 30

export function tooManyForwardedFor(xff: string | undefined): boolean {
  if (xff === undefined) return false
  let n = 1
  for (let i = 0; i < xff.length; i++) if (xff.charCodeAt(i) === 44) n++
  return n > MAX_XFF_ENTRIES
}

/** A Host header or :authority without its port, case kept ("[::1]:80" -> "[::1]"). */
export function hostWithoutPort(host: string): string {
  if (host.charCodeAt(0) === 91) {
    const close = host.indexOf(']')
    return close < 0 ? host : host.slice(0, close + 1)
  }
  const colon = host.indexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

/**
 * A Host as the target gets it (ALB's preserve_host_header rule, compiled per listener): the
 * listener's `:PORT` added when the Host names no port, or, on 80 and 443, a port removed.
 */
export function hostForTarget(host: string, listener: ListenerSnapshot): string {
  const suffix = listener.hostPortSuffix
  if ((suffix === '' && !listener.hostPortStrip) || host === '') return host
  let afterName = 0
  if (host.charCodeAt(0) === 91) {
    afterName = host.indexOf(']') + 1
    if (afterName === 0) return host
  }
  const colon = host.indexOf(':', afterName)
  if (listener.hostPortStrip) return colon < 0 ? host : host.slice(0, colon)
  return colon < 0 ? host + suffix : host
}

/**
 * The header lines the balancer adds to a forwarded request: X-Forwarded-For per the balancer's
 * mode (append the client, keep what came, or drop it), X-Forwarded-Proto and -Port, the trace id,
 * and a mutual TLS connection's client certificate fields (made once at its handshake).
 */
export function forwardingHeaderLines(mode: XffMode, xff: string | undefined, clientAddress: string, listener: ListenerSnapshot, traceId: string, clientCert?: ClientCertHeaders): string {
  let s = ''
  if (mode === 'append') s = `x-forwarded-for: ${xff === undefined ? clientAddress : `${xff}, ${clientAddress}`}\r\n`
  else if (mode === 'preserve' && xff !== undefined) s = `x-forwarded-for: ${xff}\r\n`
  s = `${s}${listener.forwardedProtoPort}x-amzn-trace-id: ${traceId}\r\n`
  return clientCert === undefined ? s : s + clientCert.lines
}

/** The same forwarding headers as fields of an HTTP/2 request to a target. */
export function forwardingHeaders(
  mode: XffMode,
  xff: string | undefined,
  clientAddress: string,
  listener: ListenerSnapshot,
  traceId: string,
  into: Record<string, number | string | string[] | undefined>,
  clientCert?: ClientCertHeaders,
): void {
  if (mode === 'append') into['x-forwarded-for'] = xff === undefined ? clientAddress : `${xff}, ${clientAddress}`
  else if (mode === 'preserve' && xff !== undefined) into['x-forwarded-for'] = xff
  into['x-forwarded-proto'] = listener.protocol === 'HTTPS' ? 'https' : 'http'
  into['x-forwarded-port'] = String(listener.port)
  into['x-amzn-trace-id'] = traceId
  if (clientCert !== undefined) Object.assign(into, clientCert.fields)
}

/**
 * Removes the header lines of a request head (its first line kept) whose names are in `names`
 * (lower-case): those a Connection header named, and a client's own copies of a listener's renamed
 * mTLS headers. Rare: only when a request lists extra names or the listener renames.
 */
export function dropNamed(head: string, names: ReadonlySet<string>): string {
  const lines = head.split('\r\n')
  return lines.filter((line, i) => i === 0 || line === '' || !names.has(line.slice(0, line.indexOf(':')).toLowerCase())).join('\r\n')
}
