import type { CounterHandle, HistogramHandle, Metrics } from '../metrics/metrics.js'
import type { DataplaneMetricsSink } from './proxy/context.js'
import type { ListenerSnapshot } from './snapshot.js'

/** Feeds the data plane's events into metrics/ with handles cached per listener and group. */
export class MetricsSink implements DataplaneMetricsSink {
  /** By listener ARN, then target group ARN: no key string is built per request. */
  private readonly requestCounters = new Map<string, Map<string, CounterHandle>>()
  private readonly unhealthy = new Map<string, CounterHandle>()
  private readonly responseTimes = new Map<string, HistogramHandle>()
  private readonly groupClasses = new Map<string, readonly CounterHandle[]>()

  constructor(private readonly metrics: Metrics) {}

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
    let byGroup = this.requestCounters.get(listener.arn)
    if (!byGroup) {
      byGroup = new Map()
      this.requestCounters.set(listener.arn, byGroup)
    }
    let counter = byGroup.get(targetGroupArn)
    if (!counter) {
      counter = this.metrics.requests(listener.balancer.arn, listener.arn, targetGroupArn === '' ? undefined : targetGroupArn)
      byGroup.set(targetGroupArn, counter)
    }
    counter.inc()
    if (elbStatus !== 0) this.metrics.elbStatus(elbStatus).inc()
    else if (targetStatus !== 0) {
      this.metrics.targetStatus(targetStatus).inc()
      if (targetGroupArn !== '') {
        let classes = this.groupClasses.get(targetGroupArn)
        if (!classes) {
          classes = this.metrics.targetGroupStatusClasses(targetGroupArn)
          this.groupClasses.set(targetGroupArn, classes)
        }
        classes[Math.floor(targetStatus / 100) - 1]?.inc()
      }
    }
    if (targetSeconds >= 0 && targetGroupArn !== '') {
      let h = this.responseTimes.get(targetGroupArn)
      if (!h) {
        h = this.metrics.targetResponseTime(targetGroupArn)
        this.responseTimes.set(targetGroupArn, h)
      }
      h.observe(targetSeconds)
    }
    if (action === 'redirect') this.metrics.redirects.inc()
    else if (action === 'fixed-response') this.metrics.fixedResponses.inc()
    this.metrics.processedBytes.inc(bytes)
    if (classification !== 'compliant') this.metrics.desyncNonCompliant(classification.charAt(0).toUpperCase() + classification.slice(1)).inc()
  }

  connectionOpened(): void {
    this.metrics.newConnections.inc()
    this.metrics.activeConnections.inc()
  }

  connectionClosed(): void {
    this.metrics.activeConnections.dec()
  }

  connectionRejected(reason: 'security_group'): void {
    this.metrics.rejectedConnection(reason).inc()
  }

  /** A refused or failed handshake on an HTTPS listener: ClientTLSNegotiationErrorCount. */
  clientTlsNegotiationError(): void {
    this.metrics.clientTlsNegotiationErrors.inc()
  }

  grpcRequest(): void {
    this.metrics.grpcRequests.inc()
  }

  droppedInvalidHeaders(): void {
    this.metrics.droppedInvalidHeaderRequests.inc()
  }

  targetConnectionError(targetGroupArn: string): void {
    this.metrics.targetConnectionError(targetGroupArn).inc()
  }

  targetTlsNegotiationError(targetGroupArn: string): void {
    this.metrics.targetTlsNegotiationError(targetGroupArn).inc()
  }

  lambdaError(targetGroupArn: string, kind: 'user' | 'internal'): void {
    this.metrics.lambdaError(targetGroupArn, kind).inc()
  }

  lambdaProcessedBytes(targetGroupArn: string, bytes: number): void {
    this.metrics.lambdaProcessedBytes(targetGroupArn).inc(bytes)
  }

  unhealthyRouting(targetGroupArn: string): void {
    let counter = this.unhealthy.get(targetGroupArn)
    if (!counter) {
      counter = this.metrics.unhealthyRouting(targetGroupArn)
      this.unhealthy.set(targetGroupArn, counter)
    }
    counter.inc()
  }
}
