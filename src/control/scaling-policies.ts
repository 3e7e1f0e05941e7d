import { randomUUID } from 'node:crypto'
import { policyArn, type AutoScalingGroup, type PredefinedMetric, type ScalingPolicy, type StepAdjustment } from '../model/autoscaling.js'
import { dimension } from '../model/dimension.js'
import { causeTime, resolveGroup, suspended } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { forgetPolicyActions } from './metric-alarms.js'
import { ActivityInProgressError, InvalidValueError, LimitExceededError } from './errors.js'

/**
 * Scaling policies: PutScalingPolicy's rules, ExecutePolicy (simple and step scaling: what a
 * CloudWatch alarm would run), and the desired capacity a target tracking decision sets
 * (autoscaling/'s policy evaluator measures and decides; this writes it, with AWS's cause text).
 */

/** Auto Scaling's limit of scaling policies per group. */
export const MAX_POLICIES = 50

export interface PolicyInput {
  readonly name: string
  readonly policyType?: string | undefined
  readonly adjustmentType?: string | undefined
  readonly scalingAdjustment?: number | undefined
  readonly minAdjustmentMagnitude?: number | undefined
  readonly cooldown?: number | undefined
  readonly stepAdjustments: readonly StepAdjustment[]
  readonly metricAggregationType?: string | undefined
  readonly estimatedInstanceWarmup?: number | undefined
  readonly targetTracking?: { metric: string; resourceLabel?: string | undefined; targetValue: number; disableScaleIn?: boolean | undefined } | undefined
  readonly enabled?: boolean | undefined
}

const ADJUSTMENTS = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'] as const

/** ALBRequestCountPerTarget's ResourceLabel: app/LB/ID/targetgroup/TG/ID, naming a balancer that forwards to a target group of the group. */
function checkResourceLabel(d: Draft, g: AutoScalingGroup, label: string | undefined): void {
  if (label === undefined) throw new InvalidValueError('ResourceLabel is required for the predefined metric type ALBRequestCountPerTarget.')
  const m = /^(app\/[^/]+\/[^/]+)\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label)
  if (!m) throw new InvalidValueError(`ResourceLabel ${label} is not valid: app/LOAD_BALANCER_NAME/ID/targetgroup/TARGET_GROUP_NAME/ID.`)
  const tg = g.targetGroupArns.find((arn) => dimension(arn) === m[2])
  if (!tg) throw new InvalidValueError(`The target group ${m[2] ?? ''} of ResourceLabel ${label} is not attached to the Auto Scaling group ${g.name}.`)
  if (!d.list('load-balancer').some((lb) => dimension(lb.arn) === m[1])) throw new InvalidValueError(`The load balancer ${m[1] ?? ''} of ResourceLabel ${label} does not exist.`)
}

/** The balancer and target group ARNs a ResourceLabel names (the evaluator reads their request count). */
export function resourceLabelArns(balancers: readonly { arn: string }[], targetGroups: readonly { arn: string }[], label: string): { loadBalancerArn: string; targetGroupArn: string } | undefined {
  const m = /^(app\/[^/]+\/[^/]+)\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label)
  const lb = balancers.find((x) => dimension(x.arn) === m?.[1])
  const tg = targetGroups.find((x) => dimension(x.arn) === m?.[2])
  return lb && tg ? { loadBalancerArn: lb.arn, targetGroupArn: tg.arn } : undefined
}

export function putScalingPolicy(d: Draft, groupName: string, input: PolicyInput): ScalingPolicy {
  const g = resolveGroup(d, groupName)
  const type = input.policyType ?? 'SimpleScaling'
  if (type !== 'TargetTrackingScaling' && type !== 'SimpleScaling' && type !== 'StepScaling') throw new InvalidValueError(`Policy type ${type} is not supported by openalb (TargetTrackingScaling, SimpleScaling, StepScaling).`)
  const existing = d.list('scaling-policy').find((p) => p.groupName === g.name && p.name === input.name)
  if (!existing && d.list('scaling-policy').filter((p) => p.groupName === g.name).length >= MAX_POLICIES) throw new LimitExceededError('scaling-policies', MAX_POLICIES, `Auto Scaling group '${g.name}'`)
  const adjustmentType = input.adjustmentType
  if (adjustmentType !== undefined && !(ADJUSTMENTS as readonly string[]).includes(adjustmentType)) throw new InvalidValueError(`Adjustment type ${adjustmentType} is not valid: ${ADJUSTMENTS.join(', ')}.`)
  let targetTracking: ScalingPolicy['targetTracking']
  if (type === 'TargetTrackingScaling') {
    const tt = input.targetTracking
    if (!tt) throw new InvalidValueError('TargetTrackingConfiguration is required for a policy of type TargetTrackingScaling.')
    if (tt.metric !== 'ALBRequestCountPerTarget' && tt.metric !== 'ASGAverageCPUUtilization') {
      throw new InvalidValueError(`Predefined metric type ${tt.metric} is not supported by openalb (ALBRequestCountPerTarget, ASGAverageCPUUtilization).`)
    }
    if (tt.metric === 'ALBRequestCountPerTarget') checkResourceLabel(d, g, tt.resourceLabel)
    if (!(tt.targetValue > 0)) throw new InvalidValueError('TargetValue must be greater than 0.')
    targetTracking = { metric: tt.metric as PredefinedMetric, resourceLabel: tt.resourceLabel, targetValue: tt.targetValue, disableScaleIn: tt.disableScaleIn ?? false }
    if (input.scalingAdjustment !== undefined || input.stepAdjustments.length > 0 || adjustmentType !== undefined) throw new InvalidValueError('ScalingAdjustment, StepAdjustments and AdjustmentType are not valid for a policy of type TargetTrackingScaling.')
  } else if (type === 'SimpleScaling') {
    if (input.scalingAdjustment === undefined) throw new InvalidValueError('ScalingAdjustment is required for a policy of type SimpleScaling.')
    if (adjustmentType === undefined) throw new InvalidValueError('AdjustmentType is required for a policy of type SimpleScaling.')
  } else {
    if (input.stepAdjustments.length === 0) throw new InvalidValueError('StepAdjustments is required for a policy of type StepScaling.')
    if (adjustmentType === undefined) throw new InvalidValueError('AdjustmentType is required for a policy of type StepScaling.')
    const open = input.stepAdjustments.filter((s) => s.lower === undefined || s.upper === undefined)
    if (open.length === 0) throw new InvalidValueError('There must be a step adjustment with an unspecified upper or lower bound.')
  }
  const uuid = existing ? '' : randomUUID()
  const arn = existing?.arn ?? policyArn(g.region, d.partition.accountId, uuid, g.name, input.name)
  const alarms = type === 'TargetTrackingScaling' ? (existing?.alarms.length ? existing.alarms : [`TargetTracking-${g.name}-AlarmHigh-${randomUUID()}`, `TargetTracking-${g.name}-AlarmLow-${randomUUID()}`]) : []
  return d.put({
    kind: 'scaling-policy',
    arn,
    name: input.name,
    groupName: g.name,
    policyType: type,
    adjustmentType: adjustmentType as ScalingPolicy['adjustmentType'],
    scalingAdjustment: input.scalingAdjustment,
    minAdjustmentMagnitude: input.minAdjustmentMagnitude,
    cooldown: input.cooldown,
    stepAdjustments: [...input.stepAdjustments],
    metricAggregationType: input.metricAggregationType,
    estimatedInstanceWarmup: input.estimatedInstanceWarmup,
    targetTracking,
    alarms,
    enabled: input.enabled ?? true,
  })
}

export function findPolicy(d: Draft, groupName: string | undefined, ref: string): ScalingPolicy {
  const p = d.list('scaling-policy').find((x) => x.arn === ref || (x.name === ref && (groupName === undefined || x.groupName === groupName)))
  if (!p) throw new InvalidValueError(`No scaling policy found for service namespace: autoscaling, resource ID: autoScalingGroup/${groupName ?? ''}, scalable dimension: autoscaling:autoScalingGroup:DesiredCapacity, policy name: ${ref}`)
  return p
}

export function deletePolicy(d: Draft, groupName: string | undefined, ref: string): void {
  const p = findPolicy(d, groupName, ref)
  d.remove('scaling-policy', p.arn)
  forgetPolicyActions(d, [p.arn])
}

/** The capacity a simple or step adjustment gives, within the group's bounds (AWS rounds percent changes away from zero, at least MinAdjustmentMagnitude). */
function adjusted(g: AutoScalingGroup, p: ScalingPolicy, adjustment: number, base = g.desiredCapacity): number {
  let next: number
  if (p.adjustmentType === 'ExactCapacity') next = adjustment
  else if (p.adjustmentType === 'PercentChangeInCapacity') {
    let change = (base * adjustment) / 100
    change = change < 0 ? Math.floor(change) : Math.ceil(change)
    if (p.minAdjustmentMagnitude !== undefined && Math.abs(change) < p.minAdjustmentMagnitude) change = Math.sign(change || 1) * p.minAdjustmentMagnitude
    next = base + change
  } else next = base + adjustment
  return Math.max(g.minSize, Math.min(g.maxSize, next))
}

/** Sets the desired capacity a policy decided, with the cause its activities will carry. */
function setByPolicy(d: Draft, g: AutoScalingGroup, desired: number, cause: string): AutoScalingGroup {
  if (desired === g.desiredCapacity) return g
  return d.put({ ...g, desiredCapacity: desired, lastScalingAt: d.nowIso(), pendingCause: `${cause} changing the desired capacity from ${g.desiredCapacity} to ${desired}.` })
}

/**
 * ExecutePolicy: a simple policy adds its adjustment (HonorCooldown refuses during the cooldown);
 * a step policy takes the step the metric value falls in, measured from the breach threshold.
 */
export function executePolicy(d: Draft, groupName: string | undefined, ref: string, opts: { honorCooldown?: boolean | undefined; metricValue?: number | undefined; breachThreshold?: number | undefined }): AutoScalingGroup {
  const p = findPolicy(d, groupName, ref)
  const g = resolveGroup(d, p.groupName)
  if (suspended(g, 'AlarmNotification') && opts.honorCooldown) throw new ActivityInProgressError('AlarmNotification is suspended for the group.')
  if (p.policyType === 'TargetTrackingScaling') throw new InvalidValueError('ExecutePolicy is not supported for a policy of type TargetTrackingScaling.')
  const cause = `At ${causeTime(d.nowIso())} a user request executed policy ${p.name}`
  if (p.policyType === 'SimpleScaling') {
    const cooldown = p.cooldown ?? g.defaultCooldown
    if (opts.honorCooldown && g.lastScalingAt !== undefined && Date.parse(g.lastScalingAt) + cooldown * 1000 > d.ctx.now().getTime()) {
      throw new ActivityInProgressError(`The scaling policy ${p.name} is in its cooldown period.`)
    }
    return setByPolicy(d, g, adjusted(g, p, p.scalingAdjustment ?? 0), cause)
  }
  if (opts.metricValue === undefined || opts.breachThreshold === undefined) throw new InvalidValueError('MetricValue and BreachThreshold are required for a policy of type StepScaling.')
  const step = stepFor(p, opts.metricValue, opts.breachThreshold)
  if (!step) throw new InvalidValueError(`No step adjustment found for metric value ${opts.metricValue} and breach threshold ${opts.breachThreshold}.`)
  return setByPolicy(d, g, adjusted(g, p, step.adjustment), cause)
}

/**
 * The step a metric value falls in, its bounds relative to the breach threshold. Above the
 * threshold a step's lower bound is inclusive and its upper exclusive; below it the other way
 * round (Auto Scaling's rule, so that a value on a bound between two steps takes one of them).
 */
export function stepFor(p: ScalingPolicy, metricValue: number, threshold: number): StepAdjustment | undefined {
  const diff = metricValue - threshold
  const above = diff >= 0
  return p.stepAdjustments.find((s) =>
    above
      ? (s.lower === undefined || diff >= s.lower) && (s.upper === undefined || diff < s.upper)
      : (s.lower === undefined || diff > s.lower) && (s.upper === undefined || diff <= s.upper),
  )
}

/** What an alarm hands the policy it runs: its name and state, the metric value it saw and its threshold. */
export interface AlarmTrigger {
  readonly alarmName: string
  readonly state: string
  /** The values of the datapoints the alarm evaluated, newest first; a step policy aggregates them by its MetricAggregationType. */
  readonly metricValues: readonly number[]
  readonly threshold: number
}

/** A step policy's view of an alarm's datapoints: their Average (default), Minimum or Maximum. */
export function aggregateFor(p: ScalingPolicy, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  if (p.metricAggregationType === 'Minimum') return Math.min(...values)
  if (p.metricAggregationType === 'Maximum') return Math.max(...values)
  return values.reduce((a, b) => a + b, 0) / values.length
}

/**
 * An alarm runs a simple or step policy (its AlarmActions or OKActions), as Auto Scaling does on
 * the alarm's notification: nothing while AlarmNotification is suspended or the group is being
 * deleted; a simple policy waits out its cooldown (the notification is dropped, no activity); a
 * step policy takes the step the alarm's value falls in, and while instances it launched are
 * still warming up (EstimatedInstanceWarmup, else the group's DefaultInstanceWarmup, else its
 * DefaultCooldown) they count as added already, so a second breach only adds what a larger step
 * adds beyond them. Returns whether the desired capacity changed.
 */
export function executePolicyForAlarm(d: Draft, policyArnRef: string, trigger: AlarmTrigger): boolean {
  const p = d.get('scaling-policy', policyArnRef)
  if (!p || !p.enabled || p.policyType === 'TargetTrackingScaling') return false
  const g = resolveGroup(d, p.groupName)
  if (g.status || suspended(g, 'AlarmNotification')) return false
  const now = d.ctx.now().getTime()
  const cause = `At ${causeTime(d.nowIso())} a monitor alarm ${trigger.alarmName} in state ${trigger.state} triggered policy ${p.name}`
  let desired: number
  if (p.policyType === 'SimpleScaling') {
    const cooldown = p.cooldown ?? g.defaultCooldown
    if (g.lastScalingAt !== undefined && Date.parse(g.lastScalingAt) + cooldown * 1000 > now) return false
    desired = adjusted(g, p, p.scalingAdjustment ?? 0)
  } else {
    const value = aggregateFor(p, trigger.metricValues)
    if (value === undefined) return false
    const step = stepFor(p, value, trigger.threshold)
    if (!step) return false
    const warmupMs = (p.estimatedInstanceWarmup ?? g.defaultInstanceWarmup ?? g.defaultCooldown) * 1000
    const warming = g.members.filter((m) => m.lifecycleState.startsWith('Pending') || (m.lifecycleState === 'InService' && now - Date.parse(m.joinedAt) < warmupMs)).length
    if (step.adjustment > 0 && p.adjustmentType !== 'ExactCapacity') {
      desired = Math.max(g.desiredCapacity, adjusted(g, p, step.adjustment, g.desiredCapacity - warming))
    } else desired = adjusted(g, p, step.adjustment)
  }
  if (desired === g.desiredCapacity) return false
  setByPolicy(d, g, desired, cause)
  return true
}

/** A target tracking alarm fired: the group goes to the capacity the evaluator computed, within its bounds. */
export function applyTargetTracking(d: Draft, policyArnRef: string, desired: number, high: boolean): AutoScalingGroup | undefined {
  const p = d.get('scaling-policy', policyArnRef)
  if (!p || !p.enabled) return undefined
  const g = resolveGroup(d, p.groupName)
  if (g.status || suspended(g, 'AlarmNotification')) return g
  const next = Math.max(g.minSize, Math.min(g.maxSize, desired))
  if (high ? next <= g.desiredCapacity : next >= g.desiredCapacity) return g
  const alarm = (high ? p.alarms[0] : p.alarms[1]) ?? ''
  return setByPolicy(d, g, next, `At ${causeTime(d.nowIso())} a monitor alarm ${alarm} in state ALARM triggered policy ${p.name}`)
}
