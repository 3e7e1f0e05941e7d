import { z } from 'zod'
import { tags, type Tags } from './schema-util.js'

/**
 * CloudWatch metric alarms on the metrics openalb measures itself (its balancers' requests and
 * target health, its instances' CPU), and the history CloudWatch keeps of them. openalb has no
 * PutMetricData: a metric it does not produce can never have data, so the catalogue below is the
 * whole list an alarm may watch.
 */

export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const
export type AlarmState = (typeof ALARM_STATES)[number]

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const
export type Statistic = (typeof STATISTICS)[number]

/** The operators of a static threshold (the band operators need anomaly detection, which openalb has not). */
export const COMPARISON_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number]

export const TREAT_MISSING_DATA = ['breaching', 'notBreaching', 'ignore', 'missing'] as const
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number]

export interface MetricDimension {
  readonly name: string
  readonly value: string
}

/** One metric: its namespace, name and dimensions (sorted by name: the order does not make another metric). */
export interface MetricId {
  readonly namespace: string
  readonly metricName: string
  readonly dimensions: readonly MetricDimension[]
}

/** What one period of a metric holds (CloudWatch's statistic set). */
export interface StatisticSet {
  readonly sum: number
  readonly sampleCount: number
  readonly minimum: number
  readonly maximum: number
}

/** One datapoint: what a metric counted in the metric period that ended at atMs (epoch ms). */
export interface Datapoint extends StatisticSet {
  readonly atMs: number
}

export interface MetricSpec {
  readonly unit: string
  /** The dimension sets it is published with, each sorted by name. */
  readonly dimensionSets: readonly (readonly string[])[]
  /** Statistics it has (default all five). */
  readonly statistics?: readonly Statistic[]
}

const LB_TG = ['LoadBalancer', 'TargetGroup']
const counted = (unit = 'Count'): MetricSpec => ({ unit, dimensionSets: [LB_TG] })

/** The metrics openalb publishes (names, units and dimensions as ALB and EC2 publish them). */
export const METRICS: Readonly<Record<string, Readonly<Record<string, MetricSpec>>>> = {
  'AWS/ApplicationELB': {
    RequestCount: { unit: 'Count', dimensionSets: [['LoadBalancer'], LB_TG] },
    RequestCountPerTarget: { unit: 'Count', dimensionSets: [['TargetGroup'], LB_TG] },
    HTTPCode_Target_2XX_Count: counted(),
    HTTPCode_Target_3XX_Count: counted(),
    HTTPCode_Target_4XX_Count: counted(),
    HTTPCode_Target_5XX_Count: counted(),
    // The data plane keeps a histogram of response times: their sum and count, not each one's value.
    TargetResponseTime: { unit: 'Seconds', dimensionSets: [LB_TG], statistics: ['SampleCount', 'Average', 'Sum'] },
    HealthyHostCount: counted(),
    UnHealthyHostCount: counted(),
  },
  'AWS/EC2': {
    CPUUtilization: { unit: 'Percent', dimensionSets: [['InstanceId'], ['AutoScalingGroupName']] },
  },
}

/** A metric's key: one string per metric, whatever the order its dimensions were given in. */
export function metricKey(m: MetricId): string {
  const dims = [...m.dimensions].sort((a, b) => a.name.localeCompare(b.name)).map((d) => `${d.name}=${d.value}`)
  return `${m.namespace}\u0000${m.metricName}\u0000${dims.join('\u0000')}`
}

export function sortedDimensions(dims: readonly MetricDimension[]): MetricDimension[] {
  return [...dims].sort((a, b) => a.name.localeCompare(b.name))
}

export interface MetricAlarm {
  readonly kind: 'metric-alarm'
  /** arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME */
  readonly arn: string
  readonly name: string
  readonly description?: string | undefined
  readonly actionsEnabled: boolean
  /** Auto Scaling policy ARNs, run on entering (and, as AWS runs Auto Scaling actions, once a minute while in) each state. */
  readonly okActions: readonly string[]
  readonly alarmActions: readonly string[]
  readonly insufficientDataActions: readonly string[]
  readonly namespace: string
  readonly metricName: string
  /** Sorted by name. */
  readonly dimensions: readonly MetricDimension[]
  readonly statistic: Statistic
  /** Seconds, a multiple of 60 (openalb's metrics have one datapoint a minute). */
  readonly period: number
  readonly unit?: string | undefined
  readonly evaluationPeriods: number
  /** M of "M out of N" (default: evaluationPeriods). */
  readonly datapointsToAlarm?: number | undefined
  readonly threshold: number
  readonly comparisonOperator: ComparisonOperator
  /** Default missing. */
  readonly treatMissingData?: TreatMissingData | undefined
  readonly tags: Tags
  /** ISO 8601. */
  readonly configurationUpdatedAt: string
  readonly state: AlarmState
  readonly stateReason: string
  readonly stateReasonData?: string | undefined
  /** ISO 8601: the last state update (a SetAlarmState or an evaluation that changed the state). */
  readonly stateUpdatedAt: string
  /** ISO 8601: when the state last changed to another value. */
  readonly stateTransitionedAt: string
}

export type AlarmHistoryType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action'

/** One entry of DescribeAlarmHistory (kept per alarm, newest ALARM_HISTORY_KEPT). */
export interface AlarmHistoryItem {
  readonly kind: 'alarm-history'
  readonly id: string
  readonly alarmName: string
  readonly alarmArn: string
  /** ISO 8601. */
  readonly timestamp: string
  readonly type: AlarmHistoryType
  readonly summary: string
  /** JSON, as CloudWatch writes it. */
  readonly data: string
}

export const ALARM_HISTORY_KEPT = 100

export const alarmArn = (region: string, accountId: string, name: string): string => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`

/** The words AWS puts in a state reason: "greater than the threshold", "less than or equal to the threshold". */
export const OPERATOR_WORDS: Readonly<Record<ComparisonOperator, string>> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
}

export function breaches(op: ComparisonOperator, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold
    case 'GreaterThanThreshold':
      return value > threshold
    case 'LessThanThreshold':
      return value < threshold
    case 'LessThanOrEqualToThreshold':
      return value <= threshold
  }
}

export function statisticOf(s: StatisticSet, statistic: Statistic): number {
  switch (statistic) {
    case 'Sum':
      return s.sum
    case 'SampleCount':
      return s.sampleCount
    case 'Minimum':
      return s.minimum
    case 'Maximum':
      return s.maximum
    case 'Average':
      return s.sampleCount === 0 ? 0 : s.sum / s.sampleCount
  }
}

export function mergeSets(sets: readonly StatisticSet[]): StatisticSet | undefined {
  if (sets.length === 0) return undefined
  let sum = 0
  let sampleCount = 0
  let minimum = Infinity
  let maximum = -Infinity
  for (const s of sets) {
    sum += s.sum
    sampleCount += s.sampleCount
    minimum = Math.min(minimum, s.minimum)
    maximum = Math.max(maximum, s.maximum)
  }
  return { sum, sampleCount, minimum, maximum }
}

// The YAML kind alarms (config/).

/** An action: a scaling policy of a group by name, or a policy ARN. */
const alarmAction = z.union([
  z.string().regex(/^arn:/, 'must be a scaling policy ARN, or { autoScalingGroup, policy }'),
  z.strictObject({
    /** The Auto Scaling group (name) whose policy runs. */
    autoScalingGroup: z.string().min(1),
    /** A simple or step policy of that group (its scalingPolicies). */
    policy: z.string().min(1),
  }),
])

export const alarmSpec = z
  .strictObject({
    /** 1-255 characters, unique. */
    name: z.string().min(1).max(255),
    description: z.string().max(1024).optional(),
    namespace: z.enum(['AWS/ApplicationELB', 'AWS/EC2']).default('AWS/ApplicationELB'),
    /** A metric openalb publishes (docs/autoscaling.md lists them): RequestCountPerTarget, CPUUtilization, ... */
    metric: z.string().min(1),
    /** The dimensions, by the resources they name: a balancer and a target group (names or ARNs) for AWS/ApplicationELB; a group or an instance for AWS/EC2. */
    loadBalancer: z.string().min(1).optional(),
    targetGroup: z.string().min(1).optional(),
    autoScalingGroup: z.string().min(1).optional(),
    instance: z.string().min(1).optional(),
    statistic: z.enum(STATISTICS),
    /** Seconds, a multiple of 60 (default 60). */
    period: z.number().int().min(60).multipleOf(60, 'must be a multiple of 60').default(60),
    evaluationPeriods: z.number().int().min(1).default(1),
    /** M of "M out of N" (default: evaluationPeriods). */
    datapointsToAlarm: z.number().int().min(1).optional(),
    threshold: z.number(),
    comparison: z.enum(COMPARISON_OPERATORS),
    treatMissingData: z.enum(TREAT_MISSING_DATA).default('missing'),
    actionsEnabled: z.boolean().default(true),
    /** Policies run on entering ALARM, and once a minute while in it. */
    alarmActions: z.array(alarmAction).max(5).default([]),
    /** Policies run on entering OK, and once a minute while in it. */
    okActions: z.array(alarmAction).max(5).default([]),
    insufficientDataActions: z.array(alarmAction).max(5).default([]),
    tags,
  })
  .superRefine((a, ctx) => {
    if (a.datapointsToAlarm !== undefined && a.datapointsToAlarm > a.evaluationPeriods) {
      ctx.addIssue({ code: 'custom', path: ['datapointsToAlarm'], message: `must be at most evaluationPeriods (${a.evaluationPeriods})` })
    }
    if (a.period * a.evaluationPeriods > 86400) ctx.addIssue({ code: 'custom', path: ['evaluationPeriods'], message: 'period x evaluationPeriods must be at most a day (86400 s)' })
  })
export type AlarmSpec = z.input<typeof alarmSpec>
export type AlarmAction = z.output<typeof alarmAction>
