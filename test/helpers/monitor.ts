import type { MetricReader } from '../../src/api/aws/deps.js'
import type { Control } from '../../src/control/control.js'
import { Metrics } from '../../src/metrics/metrics.js'
import { Monitor } from '../../src/monitoring/monitor.js'

/**
 * A node's CloudWatch parts for API tests: the real metrics registry (the test bumps its counters as
 * the data plane would), healthy-host counts the test sets, and a Monitor the test steps with
 * runOnce(time); `reader` is what the AWS API reads before the monitor exists.
 */
export function monitorParts(periodMs: number) {
  const metrics = new Metrics()
  const hosts = new Map<string, { healthy: number; unhealthy: number }>()
  let monitor: Monitor | undefined
  const reader: MetricReader = {
    periodMs,
    datapoints: (...a) => monitor?.store.datapoints(...a) ?? [],
    metrics: (since) => monitor?.store.metrics(since) ?? [],
  }
  const start = (control: Control, defaultHosts = { healthy: 0, unhealthy: 0 }): Monitor => {
    monitor = new Monitor({
      control,
      periodMs,
      sources: {
        balancerRequestCount: (lb) => metrics.balancerRequestCount(lb),
        requestCount: (lb, tg) => metrics.requestCount(lb, tg),
        targetStatusCount: (tg, c) => metrics.targetGroupStatusCount(tg, c),
        responseTime: (tg) => metrics.targetResponseTimeTotals(tg),
        hostCounts: (tg) => hosts.get(tg) ?? defaultHosts,
        cpuSeconds: () => new Map(),
      },
    })
    return monitor
  }
  return { metrics, hosts, reader, start }
}
