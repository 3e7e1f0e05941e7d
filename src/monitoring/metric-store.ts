import { forwardedGroupArns } from '../model/action.js'
import { dimension } from '../model/dimension.js'
import { metricKey, sortedDimensions, type Datapoint, type MetricDimension, type MetricId, type StatisticSet } from '../model/metric-alarm.js'

export type { Datapoint }
import type { StateView } from '../model/state-view.js'

/** What the store samples, from openalb's own parts (main wires the metrics registry, the health checker and the supervisor). */
export interface MetricSources {
  /** Requests so far of a balancer, every listener and action. */
  balancerRequestCount(loadBalancerArn: string): number
  /** Requests so far a balancer forwarded to a target group. */
  requestCount(loadBalancerArn: string, targetGroupArn: string): number
  /** A target group's responses so far of a status class ('2XX' .. '5XX'). */
  targetStatusCount(targetGroupArn: string, statusClass: string): number
  /** A target group's response times so far: seconds summed, and how many. */
  responseTime(targetGroupArn: string): { readonly sum: number; readonly count: number }
  /** Healthy and unhealthy targets of a group now, as this node's checker sees them. */
  hostCounts(targetGroupArn: string): { readonly healthy: number; readonly unhealthy: number }
  /** CPU seconds used so far by each instance's processes (instances without a live process left out). */
  cpuSeconds(instanceIds: readonly string[]): ReadonlyMap<string, number>
}

/** Datapoints a metric keeps: a day of minutes. */
export const DATAPOINTS_KEPT = 1440

const ALB = 'AWS/ApplicationELB'
const EC2 = 'AWS/EC2'
const STATUS_CLASSES = ['2XX', '3XX', '4XX', '5XX'] as const

const single = (v: number): StatisticSet => ({ sum: v, sampleCount: 1, minimum: v, maximum: v })

/**
 * openalb's CloudWatch: every metric period (a minute on AWS; $OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS
 * stands for it in tests and demos) one datapoint per metric, made from the counters the data
 * plane, the health checker and the instance supervisor keep: what they counted since the last
 * sample. As ALB does, the request metrics have no datapoint for a period without requests;
 * HealthyHostCount and UnHealthyHostCount have one every period. This node's datapoints, in
 * memory: alarms and target tracking read them, nothing writes them to the store.
 */
export class MetricStore {
  readonly #series = new Map<string, { readonly id: MetricId; readonly points: Datapoint[] }>()
  readonly #counters = new Map<string, number>()
  #lastAtMs = 0

  constructor(
    private readonly sources: MetricSources,
    /** Milliseconds one metric period lasts (AWS: 60000). */
    readonly periodMs: number,
  ) {}

  #samples = 0

  /** When the last sample was taken (0 before the first). */
  get lastSampleMs(): number {
    return this.#lastAtMs
  }

  /** Samples taken so far (the first only sets the baselines: datapoints come from the second on). */
  get samples(): number {
    return this.#samples
  }

  /** Takes one datapoint per metric for the period since the last sample (the first sample only sets the baselines). */
  sample(view: StateView, nowMs: number): void {
    const first = this.#lastAtMs === 0
    this.#samples++
    const seconds = Math.max(0.001, (nowMs - this.#lastAtMs) / 1000)
    this.#lastAtMs = nowMs
    const seen = new Set<string>()
    /** The growth of a counter since the last sample (undefined the first time it is read). */
    const delta = (key: string, now: number): number | undefined => {
      seen.add(key)
      const before = this.#counters.get(key)
      this.#counters.set(key, now)
      return before === undefined || first ? undefined : Math.max(0, now - before)
    }
    const put = (namespace: string, metricName: string, dims: readonly MetricDimension[], s: StatisticSet) => this.#put({ namespace, metricName, dimensions: sortedDimensions(dims) }, { ...s, atMs: nowMs })
    const counted = (namespace: string, metricName: string, dims: readonly MetricDimension[], key: string, now: number): number | undefined => {
      const d = delta(key, now)
      // ALB publishes request metrics only for periods with requests.
      if (d !== undefined && d > 0) put(namespace, metricName, dims, single(d))
      return d
    }

    const balancers = view.list('load-balancer').filter((lb) => lb.type === 'application')
    for (const lb of balancers) {
      const LoadBalancer = { name: 'LoadBalancer', value: dimension(lb.arn) }
      counted(ALB, 'RequestCount', [LoadBalancer], `rc\u0000${lb.arn}`, this.sources.balancerRequestCount(lb.arn))
      for (const tgArn of forwardedBy(view, lb.arn)) {
        const TargetGroup = { name: 'TargetGroup', value: dimension(tgArn) }
        const both = [LoadBalancer, TargetGroup]
        const hosts = this.sources.hostCounts(tgArn)
        const requests = counted(ALB, 'RequestCount', both, `rc\u0000${lb.arn}\u0000${tgArn}`, this.sources.requestCount(lb.arn, tgArn))
        if (requests !== undefined && requests > 0) {
          // RequestCount divided by the group's healthy targets (by all its targets when none is healthy).
          const tg = view.get('target-group', tgArn)
          const per = requests / Math.max(1, hosts.healthy || tg?.targets.length || 1)
          put(ALB, 'RequestCountPerTarget', both, single(per))
          put(ALB, 'RequestCountPerTarget', [TargetGroup], single(per))
        }
        for (const c of STATUS_CLASSES) counted(ALB, `HTTPCode_Target_${c}_Count`, both, `code\u0000${tgArn}\u0000${c}`, this.sources.targetStatusCount(tgArn, c))
        const rt = this.sources.responseTime(tgArn)
        const n = delta(`rtn\u0000${tgArn}`, rt.count)
        const total = delta(`rts\u0000${tgArn}`, rt.sum)
        if (n !== undefined && total !== undefined && n > 0) put(ALB, 'TargetResponseTime', both, { sum: total, sampleCount: n, minimum: total / n, maximum: total / n })
        if (!first) {
          put(ALB, 'HealthyHostCount', both, single(hosts.healthy))
          put(ALB, 'UnHealthyHostCount', both, single(hosts.unhealthy))
        }
      }
    }

    const running = view.list('instance').filter((i) => i.state === 'running')
    const cpu = this.sources.cpuSeconds(running.map((i) => i.id))
    const percent = new Map<string, number>()
    for (const [id, used] of cpu) {
      const d = delta(`cpu\u0000${id}`, used)
      if (d === undefined) continue
      const p = Math.min(100, (d / seconds) * 100)
      percent.set(id, p)
      put(EC2, 'CPUUtilization', [{ name: 'InstanceId', value: id }], single(p))
    }
    for (const g of view.list('auto-scaling-group')) {
      const values = g.members.flatMap((m) => (percent.has(m.instanceId) ? [percent.get(m.instanceId) ?? 0] : []))
      if (values.length === 0) continue
      put(EC2, 'CPUUtilization', [{ name: 'AutoScalingGroupName', value: g.name }], {
        sum: values.reduce((a, b) => a + b, 0),
        sampleCount: values.length,
        minimum: Math.min(...values),
        maximum: Math.max(...values),
      })
    }
    for (const key of [...this.#counters.keys()]) if (!seen.has(key)) this.#counters.delete(key)
    // A metric without a datapoint for a day of periods (its resource deleted, or no traffic) leaves ListMetrics.
    const oldest = nowMs - DATAPOINTS_KEPT * this.periodMs
    for (const [key, series] of this.#series) if ((series.points[series.points.length - 1]?.atMs ?? 0) < oldest) this.#series.delete(key)
  }

  /** A metric's datapoints that ended in (fromMs, toMs], oldest first. */
  datapoints(id: MetricId, fromMs: number, toMs: number): Datapoint[] {
    const s = this.#series.get(metricKey(id))
    return s ? s.points.filter((p) => p.atMs > fromMs && p.atMs <= toMs) : []
  }

  /** Every metric with a datapoint after sinceMs (ListMetrics). */
  metrics(sinceMs = 0): MetricId[] {
    return [...this.#series.values()].filter((s) => (s.points[s.points.length - 1]?.atMs ?? 0) > sinceMs).map((s) => s.id)
  }

  #put(id: MetricId, point: Datapoint): void {
    const key = metricKey(id)
    let s = this.#series.get(key)
    if (!s) this.#series.set(key, (s = { id, points: [] }))
    s.points.push(point)
    if (s.points.length > DATAPOINTS_KEPT) s.points.splice(0, s.points.length - DATAPOINTS_KEPT)
  }
}

/** The target groups a balancer forwards to (its listeners' default actions and rules). */
function forwardedBy(view: StateView, loadBalancerArn: string): string[] {
  const out = new Set<string>()
  const listeners = view.list('listener').filter((l) => l.loadBalancerArn === loadBalancerArn)
  const ids = new Set(listeners.map((l) => l.arn))
  for (const l of listeners) for (const arn of forwardedGroupArns(l.defaultActions)) out.add(arn)
  for (const r of view.list('rule')) if (ids.has(r.listenerArn)) for (const arn of forwardedGroupArns(r.actions)) out.add(arn)
  return [...out]
}
