import type { DataplaneMetricsSink } from '../../src/dataplane/proxy/context.js'
import type { ListenerSnapshot } from '../../src/dataplane/snapshot.js'

/**
 * A metrics sink for tests: counts each event the data plane reports (it keeps no counts of its
 * own), and passes every event on to `next` (a real MetricsSink) when there is one.
 */
export class DataplaneCounts implements DataplaneMetricsSink {
  connectionsAccepted = 0
  /** Closed at accept by the security groups. */
  connectionsRejected = 0
  activeConnections = 0
  requests = 0
  /** Responses the balancer generated itself, by status. */
  readonly elbResponses = new Map<number, number>()
  /** Responses from targets, by status. */
  readonly targetResponses = new Map<number, number>()
  nonCompliantRequests = 0
  targetConnectionErrors = 0
  targetTlsNegotiationErrors = 0
  droppedInvalidHeaderRequests = 0
  retries = 0
  clientTlsNegotiationErrors = 0
  grpcRequests = 0

  constructor(private readonly next?: DataplaneMetricsSink) {}

  request(
    listener: ListenerSnapshot,
    targetGroupArn: string,
    action: 'forward' | 'redirect' | 'fixed-response' | undefined,
    elbStatus: number,
    targetStatus: number,
    targetSeconds: number,
    bytes: number,
    classification: string,
  ): void {
    this.requests++
    if (elbStatus !== 0) this.elbResponses.set(elbStatus, (this.elbResponses.get(elbStatus) ?? 0) + 1)
    else if (targetStatus !== 0) this.targetResponses.set(targetStatus, (this.targetResponses.get(targetStatus) ?? 0) + 1)
    if (classification !== 'compliant') this.nonCompliantRequests++
    this.next?.request(listener, targetGroupArn, action, elbStatus, targetStatus, targetSeconds, bytes, classification)
  }

  connectionOpened(): void {
    this.connectionsAccepted++
    this.activeConnections++
    this.next?.connectionOpened()
  }

  connectionClosed(): void {
    this.activeConnections--
    this.next?.connectionClosed()
  }

  connectionRejected(reason: 'security_group'): void {
    this.connectionsRejected++
    this.next?.connectionRejected(reason)
  }

  targetConnectionError(targetGroupArn: string): void {
    this.targetConnectionErrors++
    this.next?.targetConnectionError(targetGroupArn)
  }

  targetTlsNegotiationError(targetGroupArn: string): void {
    this.targetTlsNegotiationErrors++
    this.next?.targetTlsNegotiationError?.(targetGroupArn)
  }

  unhealthyRouting(targetGroupArn: string): void {
    this.next?.unhealthyRouting(targetGroupArn)
  }

  grpcRequest(): void {
    this.grpcRequests++
    this.next?.grpcRequest?.()
  }

  clientTlsNegotiationError(): void {
    this.clientTlsNegotiationErrors++
    this.next?.clientTlsNegotiationError?.()
  }

  lambdaError(targetGroupArn: string, kind: 'user' | 'internal'): void {
    this.next?.lambdaError?.(targetGroupArn, kind)
  }

  lambdaProcessedBytes(targetGroupArn: string, bytes: number): void {
    this.next?.lambdaProcessedBytes?.(targetGroupArn, bytes)
  }

  retry(): void {
    this.retries++
    this.next?.retry?.()
  }

  droppedInvalidHeaders(): void {
    this.droppedInvalidHeaderRequests++
    this.next?.droppedInvalidHeaders?.()
  }

  l4TargetConnectionError(): void {
    this.targetConnectionErrors++
    this.next?.l4TargetConnectionError?.()
  }
}
