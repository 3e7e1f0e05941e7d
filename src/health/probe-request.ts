import type { ProtocolVersion } from '../model/target-group.js'

export const HEALTH_CHECK_USER_AGENT = 'ELB-HealthChecker/2.0'

export interface ProbeRequest {
  /** TCP: a connect only (network target groups); SSL: a connect and a TLS handshake (a Classic balancer's SSL:PORT check). */
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'SSL'
  /** The group's: HTTP1 (default) checks with an HTTP/1.1 GET, HTTP2 with an HTTP/2 GET, GRPC with a gRPC call. */
  readonly protocolVersion?: ProtocolVersion
  readonly address: string
  readonly port: number
  readonly path: string
  /** Aborted by the checker when the check's timeout passes. */
  readonly signal: AbortSignal
}

/**
 * What one probe saw: a status code (and for a gRPC call the grpc-status, from the trailers or
 * the head), or an error (refused, reset, malformed response, TLS, no HTTP/2).
 */
export type ProbeOutcome = { readonly status: number; readonly grpcStatus?: number } | { readonly error: string }

export type Probe = (req: ProbeRequest) => Promise<ProbeOutcome>
