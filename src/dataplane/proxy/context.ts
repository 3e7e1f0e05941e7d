import type { AccessLogSinks } from '../access-log.js'
import type { GroupState } from '../balancer/group.js'
import type { TokenSigner } from '../balancer/cookies.js'
import type { HeadLimits } from '../http1/request-parser.js'
import type { ListenerSnapshot, Snapshot } from '../snapshot.js'

/** Counts the data plane keeps itself (tests and the admin API read them; metrics/ can mirror them). */
export interface DataplaneStats {
  connectionsAccepted: number
  /** Closed at accept by the security groups (RejectedConnectionCount). */
  connectionsRejected: number
  activeConnections: number
  requests: number
  /** Responses the balancer generated itself, by status (HTTPCode_ELB_*). */
  elbResponses: Map<number, number>
  /** Responses from targets, by status (HTTPCode_Target_*). */
  targetResponses: Map<number, number>
  targetConnectionErrors: number
  /** TLS handshakes with targets of HTTPS groups that failed (TargetTLSNegotiationErrorCount). */
  targetTlsNegotiationErrors: number
  /** DesyncMitigationMode_NonCompliant_Request_Count. */
  nonCompliantRequests: number
  droppedInvalidHeaderRequests: number
  retries: number
  /** TLS handshakes with clients that failed (ClientTLSNegotiationErrorCount), refused ones included. */
  clientTlsNegotiationErrors: number
  /** HTTP/2 connections from clients (ALPN h2) accepted so far. */
  http2Connections: number
}

export function newStats(): DataplaneStats {
  return {
    connectionsAccepted: 0,
    connectionsRejected: 0,
    activeConnections: 0,
    requests: 0,
    elbResponses: new Map(),
    targetResponses: new Map(),
    targetConnectionErrors: 0,
    targetTlsNegotiationErrors: 0,
    nonCompliantRequests: 0,
    droppedInvalidHeaderRequests: 0,
    retries: 0,
    clientTlsNegotiationErrors: 0,
    http2Connections: 0,
  }
}

/** Optional hooks for metrics/ (MetricsSink adapts Metrics); positional arguments, so nothing is allocated per request. */
export interface DataplaneMetricsSink {
  /**
   * One finished request. elbStatus is 0 when the target answered; targetStatus 0 when it did not;
   * targetSeconds is -1 without a target response; bytes counts both directions.
   */
  request(
    listener: ListenerSnapshot,
    targetGroupArn: string,
    action: 'forward' | 'redirect' | 'fixed-response' | undefined,
    elbStatus: number,
    targetStatus: number,
    targetSeconds: number,
    bytes: number,
    classification: string,
  ): void
  connectionOpened(): void
  connectionClosed(): void
  connectionRejected(reason: 'security_group'): void
  targetConnectionError(targetGroupArn: string): void
  /** A TLS handshake with a target of an HTTPS group failed (TargetTLSNegotiationErrorCount). */
  targetTlsNegotiationError?(targetGroupArn: string): void
  unhealthyRouting(targetGroupArn: string): void
  /** A gRPC request (content-type application/grpc*) over HTTP/2 (GrpcRequestCount). */
  grpcRequest?(): void
  /** A client's TLS handshake failed, or was refused while the listener has no certificate yet (ClientTLSNegotiationErrorCount). */
  clientTlsNegotiationError?(): void
  /** A request to a function that failed: the function's fault (LambdaUserError) or the balancer's or Lambda's (LambdaInternalError). */
  lambdaError?(targetGroupArn: string, kind: 'user' | 'internal'): void
  /** Bytes of requests to and responses from a function (LambdaTargetProcessedBytes). */
  lambdaProcessedBytes?(targetGroupArn: string, bytes: number): void
}

/** A minimal logger (pino fits). */
export interface DataplaneLog {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** What a client connection needs from the data plane around it. */
export interface ProxyContext {
  readonly current: Snapshot
  readonly signer: TokenSigner
  readonly stats: DataplaneStats
  readonly metrics: DataplaneMetricsSink | undefined
  readonly accessLogs: AccessLogSinks
  readonly headLimits: HeadLimits
  readonly log: DataplaneLog | undefined
  group(arn: string): GroupState | undefined
  readonly random: () => number
  now(): number
}
