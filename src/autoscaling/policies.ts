import type { Control } from '../control/control.js'
import { applyTargetTracking, resourceLabelArns } from '../control/scaling-policies.js'
import type { AutoScalingGroup, ScalingPolicy } from '../model/autoscaling.js'
import type { StateView } from '../model/state-view.js'
import { dimension } from '../model/dimension.js'
import type { Datapoint, MetricId } from '../model/metric-alarm.js'

/**
 * Where target tracking reads its datapoints: the metric store of monitoring/ (main wires it), the
 * one home of what openalb counted per metric period (CloudWatch alarms read the same).
 */
export interface PolicyMetrics {
  /** Milliseconds one metric period lasts (AWS: 60000). */
  readonly periodMs: number
  /** When the newest sample was taken, and how many were (datapoints come from the second on). */
  readonly lastSampleMs: number
  readonly samples: number
  datapoints(id: MetricId, fromMs: number, toMs: number): readonly Datapoint[]
}

/** Datapoints in a row above the target before scaling out, and below 90 % of it before scaling in (AWS's target tracking alarms). */
export const HIGH_DATAPOINTS = 3
export const LOW_DATAPOINTS = 15
export const LOW_RATIO = 0.9
/** AWS's default instance warm-up when neither the policy nor the group gives one. */
export const DEFAULT_WARMUP_SECONDS = 300

/**
 * Target tracking, as Auto Scaling runs it: once a metric period (AWS: one minute;
 * $OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS for tests and demos) one datapoint per policy from
 * the metric store's newest sample: ALBRequestCountPerTarget as the period's RequestCount of the
 * balancer to the target group, per minute, per in-service instance; ASGAverageCPUUtilization as
 * the average CPUUtilization of the group's instances past their warm-up. Three datapoints above
 * the target scale out to the capacity that brings the metric to the target; fifteen below 90 %
 * of it scale in (not while instances are launching or warming up, and never with
 * DisableScaleIn). Decisions go through control.
 */
export class PolicyEvaluator {
  readonly #history = new Map<string, number[]>()
  #seenSampleMs = 0

  constructor(
    private readonly control: Control,
    private readonly metrics: PolicyMetrics,
  ) {}

  /** Called every controller pass; takes a datapoint for each policy once the store has a new sample. */
  async evaluate(view: StateView, nowMs: number): Promise<void> {
    const at = this.metrics.lastSampleMs
    if (at === this.#seenSampleMs || this.metrics.samples < 2) return
    this.#seenSampleMs = at
    const live = new Set<string>()
    for (const p of view.list('scaling-policy')) {
      if (p.policyType !== 'TargetTrackingScaling' || !p.targetTracking || !p.enabled) continue
      const g = view.list('auto-scaling-group').find((x) => x.name === p.groupName)
      if (!g) continue
      live.add(p.arn)
      await this.#evaluateOne(view, p, g, at, nowMs)
    }
    for (const arn of [...this.#history.keys()]) if (!live.has(arn)) this.#history.delete(arn)
  }

  /** The newest sample's datapoint of a metric (undefined: none, as after a period without requests). */
  #latest(id: MetricId, at: number): Datapoint | undefined {
    return this.metrics.datapoints(id, at - 1, at)[0]
  }

  async #evaluateOne(view: StateView, p: ScalingPolicy, g: AutoScalingGroup, at: number, nowMs: number): Promise<void> {
    const tt = p.targetTracking
    if (!tt) return
    const warmupMs = (p.estimatedInstanceWarmup ?? g.defaultInstanceWarmup ?? DEFAULT_WARMUP_SECONDS) * 1000
    const inService = g.members.filter((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy')
    const warm = inService.filter((m) => nowMs - Date.parse(m.stateSince) >= warmupMs)
    const settling = g.members.some((m) => m.lifecycleState.startsWith('Pending')) || warm.length < inService.length
    let value: number
    let wanted: number
    if (tt.metric === 'ALBRequestCountPerTarget') {
      const arns = resourceLabelArns(view.list('load-balancer'), view.list('target-group'), tt.resourceLabel ?? '')
      if (!arns) return
      const dims = [
        { name: 'LoadBalancer', value: dimension(arns.loadBalancerArn) },
        { name: 'TargetGroup', value: dimension(arns.targetGroupArn) },
      ]
      // No datapoint: no requests in the period (ALB publishes none).
      const requests = this.#latest({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: dims }, at)?.sum ?? 0
      const perMinute = (requests * 60000) / this.metrics.periodMs
      value = perMinute / Math.max(1, inService.length)
      wanted = Math.ceil(perMinute / tt.targetValue)
    } else {
      const samples = warm.flatMap((m) => {
        const dp = this.#latest({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [{ name: 'InstanceId', value: m.instanceId }] }, at)
        return dp ? [dp.sum / Math.max(1, dp.sampleCount)] : []
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
