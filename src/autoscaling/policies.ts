import type { Control } from '../control/control.js'
import { applyTargetTracking, resourceLabelArns } from '../control/scaling-policies.js'
import type { AutoScalingGroup, ScalingPolicy } from '../model/autoscaling.js'
import type { StateView } from '../model/state-view.js'

/** What target tracking measures, from openalb's own parts (main wires the metrics registry and the supervisor). */
export interface PolicyMetrics {
  /** RequestCount so far of a balancer's requests to a target group. */
  requestCount(loadBalancerArn: string, targetGroupArn: string): number
  /** CPU seconds used so far by each instance's processes (instances without a live process left out). */
  cpuSeconds(instanceIds: readonly string[]): ReadonlyMap<string, number>
}

/** Datapoints in a row above the target before scaling out, and below 90 % of it before scaling in (AWS's target tracking alarms). */
export const HIGH_DATAPOINTS = 3
export const LOW_DATAPOINTS = 15
export const LOW_RATIO = 0.9
/** AWS's default instance warm-up when neither the policy nor the group gives one. */
export const DEFAULT_WARMUP_SECONDS = 300

interface Reading {
  readonly atMs: number
  readonly requests?: number
  readonly cpu?: ReadonlyMap<string, number>
}

/**
 * Target tracking, as Auto Scaling runs it: every metric period (AWS: one minute;
 * $OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS for tests and demos) one datapoint per policy,
 * ALBRequestCountPerTarget as requests per minute per in-service instance (from the balancer's
 * RequestCount) and ASGAverageCPUUtilization as the average CPU of the instances' processes
 * past their warm-up. Three datapoints above the target scale out to the capacity that brings
 * the metric to the target; fifteen below 90 % of it scale in (not while instances are launching
 * or warming up, and never with DisableScaleIn). Decisions go through control.
 */
export class PolicyEvaluator {
  readonly #last = new Map<string, Reading>()
  readonly #history = new Map<string, number[]>()
  #periodStart = 0

  constructor(
    private readonly control: Control,
    private readonly metrics: PolicyMetrics,
    private readonly periodMs: number,
  ) {}

  /** Called every controller pass; takes datapoints once a period has passed. */
  async evaluate(view: StateView, nowMs: number): Promise<void> {
    if (this.#periodStart !== 0 && nowMs - this.#periodStart < this.periodMs) return
    this.#periodStart = nowMs
    const live = new Set<string>()
    for (const p of view.list('scaling-policy')) {
      if (p.policyType !== 'TargetTrackingScaling' || !p.targetTracking || !p.enabled) continue
      const g = view.list('auto-scaling-group').find((x) => x.name === p.groupName)
      if (!g) continue
      live.add(p.arn)
      await this.#evaluateOne(view, p, g, nowMs)
    }
    for (const arn of [...this.#last.keys()]) if (!live.has(arn)) (this.#last.delete(arn), this.#history.delete(arn))
  }

  async #evaluateOne(view: StateView, p: ScalingPolicy, g: AutoScalingGroup, nowMs: number): Promise<void> {
    const tt = p.targetTracking
    if (!tt) return
    const warmupMs = (p.estimatedInstanceWarmup ?? g.defaultInstanceWarmup ?? DEFAULT_WARMUP_SECONDS) * 1000
    const inService = g.members.filter((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy')
    const warm = inService.filter((m) => nowMs - Date.parse(m.stateSince) >= warmupMs)
    const settling = g.members.some((m) => m.lifecycleState.startsWith('Pending')) || warm.length < inService.length
    const previous = this.#last.get(p.arn)
    let value: number | undefined
    let wanted: number | undefined
    if (tt.metric === 'ALBRequestCountPerTarget') {
      const arns = resourceLabelArns(view.list('load-balancer'), view.list('target-group'), tt.resourceLabel ?? '')
      if (!arns) return
      const requests = this.metrics.requestCount(arns.loadBalancerArn, arns.targetGroupArn)
      this.#last.set(p.arn, { atMs: nowMs, requests })
      if (previous?.requests === undefined) return
      const perMinute = ((requests - previous.requests) * 60000) / Math.max(1, nowMs - previous.atMs)
      value = perMinute / Math.max(1, inService.length)
      wanted = Math.ceil(perMinute / tt.targetValue)
    } else {
      const cpu = this.metrics.cpuSeconds(g.members.map((m) => m.instanceId))
      this.#last.set(p.arn, { atMs: nowMs, cpu })
      if (!previous?.cpu) return
      const seconds = Math.max(0.001, (nowMs - previous.atMs) / 1000)
      const samples = warm.flatMap((m) => {
        const now = cpu.get(m.instanceId)
        const before = previous.cpu?.get(m.instanceId)
        return now !== undefined && before !== undefined ? [((now - before) / seconds) * 100] : []
      })
      if (samples.length === 0) return
      value = samples.reduce((a, b) => a + b, 0) / samples.length
      wanted = Math.ceil((samples.length * value) / tt.targetValue)
    }
    const history = [...(this.#history.get(p.arn) ?? []), value].slice(-LOW_DATAPOINTS)
    this.#history.set(p.arn, history)
    const high = history.length >= HIGH_DATAPOINTS && history.slice(-HIGH_DATAPOINTS).every((v) => v > tt.targetValue)
    const low = !tt.disableScaleIn && !settling && history.length >= LOW_DATAPOINTS && history.every((v) => v < tt.targetValue * LOW_RATIO)
    if (high && wanted > g.desiredCapacity) await this.#decide(p, wanted, true)
    else if (low && wanted < g.desiredCapacity) await this.#decide(p, wanted, false)
  }

  async #decide(p: ScalingPolicy, desired: number, high: boolean): Promise<void> {
    await this.control.mutate((d) => applyTargetTracking(d, p.arn, desired, high))
    // The alarm's datapoints start again: the next decision waits for new ones, as the new capacity serves.
    this.#history.delete(p.arn)
  }
}
