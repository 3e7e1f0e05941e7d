import type { AccessLogSinks } from '../access-log.js'
import type { GroupState } from '../balancer/group.js'
import type { TokenSigner } from '../balancer/cookies.js'
import type { AuthKeys } from '../auth/keys.js'
import type { HeadLimits } from '../http1/request-parser.js'
import type { ListenerSnapshot, Snapshot } from '../snapshot.js'

/**
 * What the data plane reports as it works, for metrics/ (MetricsSink adapts Metrics) and for
 * tests (test/helpers/dataplane-counts.ts counts each event); the data plane keeps no counts of
 * its own. Positional arguments, so nothing is allocated per request.
 */
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
  /** A request went to a second target after its first attempt failed before reaching the first (the one retry). */
  retry?(): void
  /** A request lost header fields to routing.http.drop_invalid_header_fields.enabled (DroppedInvalidHeaderRequestCount). */
  droppedInvalidHeaders?(): void
  /** A network listener's flow whose target connection failed. */
  l4TargetConnectionError?(): void
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
  /** authenticate-oidc's cookie and signing keys (one secret per node). */
  readonly authKeys: AuthKeys
  readonly metrics: DataplaneMetricsSink | undefined
  readonly accessLogs: AccessLogSinks
  readonly headLimits: HeadLimits
  readonly log: DataplaneLog | undefined
  group(arn: string): GroupState | undefined
  readonly random: () => number
  now(): number
}
