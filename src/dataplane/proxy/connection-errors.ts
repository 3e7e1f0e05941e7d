import type { GroupState } from '../balancer/group.js'
import type { ProxyContext } from './context.js'

/**
 * A target connection that never came up: TargetConnectionErrorCount, or for a TCP connection
 * whose TLS handshake failed, TargetTLSNegotiationErrorCount.
 */
export function countConnectionError(ctx: ProxyContext, group: GroupState | null, handshakeFailed: boolean): void {
  if (handshakeFailed) {
    ctx.stats.targetTlsNegotiationErrors++
    if (group) ctx.metrics?.targetTlsNegotiationError?.(group.snapshot.arn)
    return
  }
  ctx.stats.targetConnectionErrors++
  if (group) ctx.metrics?.targetConnectionError(group.snapshot.arn)
}
