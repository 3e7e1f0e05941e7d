import { randomUUID } from 'node:crypto'
import {
  ALARM_HISTORY_KEPT,
  alarmArn,
  COMPARISON_OPERATORS,
  METRICS,
  sortedDimensions,
  STATISTICS,
  TREAT_MISSING_DATA,
  type AlarmHistoryType,
  type AlarmState,
  type ComparisonOperator,
  type MetricAlarm,
  type MetricDimension,
  type Statistic,
  type TreatMissingData,
} from '../model/metric-alarm.js'
import type { Tags } from '../model/schema-util.js'
import type { Draft } from './draft.js'
import { InvalidValueError, LimitExceededError, NotFoundError } from './errors.js'

/**
 * CloudWatch metric alarms: PutMetricAlarm's rules, DeleteAlarms, SetAlarmState, actions on and
 * off, the history CloudWatch keeps, and the state an evaluation (monitoring/'s evaluator)
 * reaches. Actions are Auto Scaling policy ARNs only: openalb has no SNS, EC2 or Systems Manager
 * actions, and refuses them rather than storing an action that would never run.
 */

/** CloudWatch's default quota of metric alarms per account and region. */
export const MAX_ALARMS = 10000
/** Actions per state (the model's ResourceList max). */
export const MAX_ACTIONS = 5
/** CloudWatch: EvaluationPeriods x Period must not pass a day. */
export const MAX_EVALUATION_SECONDS = 86400

export interface AlarmInput {
  readonly name: string
  readonly description?: string | undefined
  readonly actionsEnabled?: boolean | undefined
  readonly okActions?: readonly string[] | undefined
  readonly alarmActions?: readonly string[] | undefined
  readonly insufficientDataActions?: readonly string[] | undefined
  readonly namespace?: string | undefined
  readonly metricName?: string | undefined
  readonly dimensions?: readonly MetricDimension[] | undefined
  readonly statistic?: string | undefined
  readonly period?: number | undefined
  readonly unit?: string | undefined
  readonly evaluationPeriods?: number | undefined
  readonly datapointsToAlarm?: number | undefined
  readonly threshold?: number | undefined
  readonly comparisonOperator?: string | undefined
  readonly treatMissingData?: string | undefined
  readonly tags?: Tags | undefined
}

const POLICY_ARN = /^arn:aws:autoscaling:[^:]+:\d{12}:scalingPolicy:[^:]*:autoScalingGroupName\/[^:]+:policyName\/.+$/

/** What an action ARN names, in the words of the refusal. */
function actionKind(arn: string): string {
  if (arn.startsWith('arn:aws:sns:')) return 'an SNS topic'
  if (/^arn:aws:automate:[^:]+:ec2:/.test(arn) || arn.startsWith('arn:aws:swf:')) return 'an EC2 action'
  if (arn.startsWith('arn:aws:ssm')) return 'a Systems Manager action'
  if (arn.startsWith('arn:aws:lambda:')) return 'a Lambda function'
  return 'not an Auto Scaling policy'
}

function checkActions(d: Draft, field: string, arns: readonly string[]): string[] {
  if (arns.length > MAX_ACTIONS) throw new InvalidValueError(`The collection ${field} must not have a size greater than ${MAX_ACTIONS}.`)
  for (const arn of arns) {
    if (!POLICY_ARN.test(arn)) throw new InvalidValueError(`Invalid action ${arn} in ${field}: ${actionKind(arn)}. openalb runs only Auto Scaling scaling policy actions (arn:aws:autoscaling:REGION:ACCOUNT:scalingPolicy:...).`)
    const p = d.get('scaling-policy', arn)
    if (!p) throw new InvalidValueError(`Invalid action ${arn} in ${field}: no such scaling policy.`)
    if (p.policyType === 'TargetTrackingScaling') throw new InvalidValueError(`Invalid action ${arn} in ${field}: the policy ${p.name} is a target tracking policy, which runs its own alarms.`)
  }
  return [...new Set(arns)]
}

function oneOf<T extends string>(field: string, value: string | undefined, values: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(values as readonly string[]).includes(value)) throw new InvalidValueError(`The value ${value} for parameter ${field} is not supported: ${values.join(', ')}.`)
  return value as T
}

/** The metric must be one openalb publishes, with one of its dimension sets: any other would never have data. */
function checkMetric(namespace: string, metricName: string, dims: readonly MetricDimension[], statistic: Statistic): void {
  const ns = METRICS[namespace]
  if (!ns) throw new InvalidValueError(`The namespace ${namespace} has no metrics in openalb: it publishes ${Object.keys(METRICS).join(' and ')} only (no PutMetricData).`)
  const spec = Object.hasOwn(ns, metricName) ? ns[metricName] : undefined
  if (!spec) throw new InvalidValueError(`The metric ${namespace} ${metricName} is not one openalb publishes: ${Object.keys(ns).join(', ')}.`)
  const names = dims.map((x) => x.name)
  if (new Set(names).size !== names.length) throw new InvalidValueError('Dimensions must not name a dimension twice.')
  const key = [...names].sort().join(',')
  if (!spec.dimensionSets.some((set) => set.join(',') === key)) {
    throw new InvalidValueError(`The metric ${namespace} ${metricName} is published with the dimensions ${spec.dimensionSets.map((s) => `[${s.join(', ')}]`).join(' or ')}, not [${names.join(', ')}].`)
  }
  if (spec.statistics && !spec.statistics.includes(statistic)) throw new InvalidValueError(`The metric ${metricName} has the statistics ${spec.statistics.join(', ')} in openalb, not ${statistic}.`)
}

function history(d: Draft, alarm: { name: string; arn: string }, type: AlarmHistoryType, summary: string, data: object): void {
  d.put({ kind: 'alarm-history', id: randomUUID(), alarmName: alarm.name, alarmArn: alarm.arn, timestamp: d.nowIso(), type, summary, data: JSON.stringify(data) })
  const all = d
    .list('alarm-history')
    .filter((h) => h.alarmName === alarm.name)
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
  for (const old of all.slice(ALARM_HISTORY_KEPT)) d.remove('alarm-history', old.id)
}

export function findAlarm(d: Draft, name: string): MetricAlarm | undefined {
  return d.list('metric-alarm').find((a) => a.name === name)
}

/** PutMetricAlarm: creates an alarm in INSUFFICIENT_DATA, or replaces one's configuration and leaves its state (as CloudWatch does). */
export function putMetricAlarm(d: Draft, input: AlarmInput, region = d.partition.region): MetricAlarm {
  const existing = findAlarm(d, input.name)
  const alarm = d.put(buildMetricAlarm(d, input, region))
  history(d, alarm, 'ConfigurationUpdate', `Alarm "${alarm.name}" ${existing ? 'updated' : 'created'}`, { version: '1.0', type: existing ? 'Update' : 'Create', alarmName: alarm.name })
  return alarm
}

/** The alarm PutMetricAlarm would store (its checks and refusals), without storing it. */
export function buildMetricAlarm(d: Draft, input: AlarmInput, region = d.partition.region): MetricAlarm {
  const required = <T>(field: string, v: T | undefined): T => {
    if (v === undefined) throw new InvalidValueError(`${field} must not be null`)
    return v
  }
  const namespace = required('Namespace', input.namespace)
  const metricName = required('MetricName', input.metricName)
  const statistic = required('Statistic', oneOf('Statistic', input.statistic, STATISTICS))
  const period = required('Period', input.period)
  const evaluationPeriods = required('EvaluationPeriods', input.evaluationPeriods)
  const threshold = required('Threshold', input.threshold)
  const comparisonOperator = required('ComparisonOperator', oneOf<ComparisonOperator>('ComparisonOperator', input.comparisonOperator, COMPARISON_OPERATORS))
  const treatMissingData = oneOf<TreatMissingData>('TreatMissingData', input.treatMissingData, TREAT_MISSING_DATA)
  if (!Number.isInteger(period) || period < 60 || period % 60 !== 0) throw new InvalidValueError(`The parameter Period must be a multiple of 60: openalb's metrics have one datapoint a minute (got ${period}).`)
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) throw new InvalidValueError('EvaluationPeriods must be at least 1.')
  if (evaluationPeriods * period > MAX_EVALUATION_SECONDS) throw new InvalidValueError('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).')
  if (input.datapointsToAlarm !== undefined && (input.datapointsToAlarm < 1 || input.datapointsToAlarm > evaluationPeriods)) {
    throw new InvalidValueError(`DatapointsToAlarm (${input.datapointsToAlarm}) must be between 1 and EvaluationPeriods (${evaluationPeriods}).`)
  }
  if (!Number.isFinite(threshold)) throw new InvalidValueError('Threshold must be a number.')
  const dimensions = sortedDimensions(input.dimensions ?? [])
  checkMetric(namespace, metricName, dimensions, statistic)
  const spec = METRICS[namespace]?.[metricName]
  if (input.unit !== undefined && input.unit !== spec?.unit) throw new InvalidValueError(`The metric ${metricName} is published with the unit ${spec?.unit ?? 'None'}: an alarm with Unit ${input.unit} would never see data.`)
  const existing = findAlarm(d, input.name)
  if (!existing && d.list('metric-alarm').length >= MAX_ALARMS) throw new LimitExceededError('alarms', MAX_ALARMS, 'Metric alarms')
  const now = d.nowIso()
  const alarm: MetricAlarm = {
    kind: 'metric-alarm',
    arn: existing?.arn ?? alarmArn(region, d.partition.accountId, input.name),
    name: input.name,
    description: input.description,
    actionsEnabled: input.actionsEnabled ?? true,
    okActions: checkActions(d, 'OKActions', input.okActions ?? []),
    alarmActions: checkActions(d, 'AlarmActions', input.alarmActions ?? []),
    insufficientDataActions: checkActions(d, 'InsufficientDataActions', input.insufficientDataActions ?? []),
    namespace,
    metricName,
    dimensions,
    statistic,
    period,
    unit: input.unit,
    evaluationPeriods,
    datapointsToAlarm: input.datapointsToAlarm,
    threshold,
    comparisonOperator,
    treatMissingData,
    // CloudWatch: an update ignores Tags (TagResource and UntagResource change them).
    tags: existing ? existing.tags : (input.tags ?? {}),
    configurationUpdatedAt: now,
    state: existing?.state ?? 'INSUFFICIENT_DATA',
    stateReason: existing?.stateReason ?? 'Unchecked: Initial alarm creation',
    stateReasonData: existing?.stateReasonData,
    stateUpdatedAt: existing?.stateUpdatedAt ?? now,
    stateTransitionedAt: existing?.stateTransitionedAt ?? now,
  }
  return alarm
}

/** DeleteAlarms: every name must exist, or nothing is deleted (CloudWatch's ResourceNotFound). */
export function deleteAlarms(d: Draft, names: readonly string[]): void {
  const alarms = names.map((n) => {
    const a = findAlarm(d, n)
    if (!a) throw new NotFoundError('metric-alarm', n)
    return a
  })
  for (const a of alarms) {
    d.remove('metric-alarm', a.arn)
    history(d, a, 'ConfigurationUpdate', `Alarm "${a.name}" deleted`, { version: '1.0', type: 'Delete', alarmName: a.name })
  }
}

/** EnableAlarmActions / DisableAlarmActions: names that do not exist are passed over, as CloudWatch does. */
export function setAlarmActionsEnabled(d: Draft, names: readonly string[], enabled: boolean): void {
  for (const n of names) {
    const a = findAlarm(d, n)
    if (a && a.actionsEnabled !== enabled) d.put({ ...a, actionsEnabled: enabled })
  }
}

/**
 * A new state: from SetAlarmState (the next evaluation may change it back, as on AWS) or from an
 * evaluation. Returns the alarm after, and whether the state changed to another value.
 */
export function setAlarmState(d: Draft, name: string, state: AlarmState, reason: string, reasonData?: string): { alarm: MetricAlarm; transitioned: boolean } {
  const a = findAlarm(d, name)
  if (!a) throw new NotFoundError('metric-alarm', name)
  if (a.state === state && a.stateReason === reason) return { alarm: a, transitioned: false }
  const now = d.nowIso()
  const transitioned = a.state !== state
  const next: MetricAlarm = { ...a, state, stateReason: reason, stateReasonData: reasonData, stateUpdatedAt: now, stateTransitionedAt: transitioned ? now : a.stateTransitionedAt }
  d.put(next)
  if (transitioned) {
    history(d, a, 'StateUpdate', `Alarm updated from ${a.state} to ${state}`, {
      version: '1.0',
      oldState: { stateValue: a.state, stateReason: a.stateReason },
      newState: { stateValue: state, stateReason: reason, ...(reasonData ? { stateReasonData: JSON.parse(reasonData) as unknown } : {}) },
    })
  }
  return { alarm: next, transitioned }
}

/** An action an alarm ran (or could not run), in its history. */
export function recordAlarmAction(d: Draft, name: string, action: string, error?: string): void {
  const a = findAlarm(d, name)
  if (!a) return
  if (error === undefined) history(d, a, 'Action', `Successfully executed action ${action}`, { actionState: 'Succeeded', notificationResource: action, stateUpdateTimestamp: Date.parse(a.stateUpdatedAt) })
  else history(d, a, 'Action', `Failed to execute action ${action}. Received error: "${error}"`, { actionState: 'Failed', notificationResource: action, error })
}

/** A deleted scaling policy leaves the alarms that named it (as Auto Scaling's DeletePolicy does); the alarms stay. */
export function forgetPolicyActions(d: Draft, policyArns: readonly string[]): void {
  const gone = new Set(policyArns)
  for (const a of d.list('metric-alarm')) {
    const keep = (l: readonly string[]) => l.filter((x) => !gone.has(x))
    if ([...a.okActions, ...a.alarmActions, ...a.insufficientDataActions].some((x) => gone.has(x))) {
      d.put({ ...a, okActions: keep(a.okActions), alarmActions: keep(a.alarmActions), insufficientDataActions: keep(a.insufficientDataActions) })
    }
  }
}

/** A history entry leaves the listing (openalb delete alarm-history ID). */
export function deleteAlarmHistoryItem(d: Draft, id: string): void {
  if (!d.get('alarm-history', id)) throw new NotFoundError('alarm-history', id)
  d.remove('alarm-history', id)
}

/** CloudWatch's limit of tags on one alarm. */
export const MAX_ALARM_TAGS = 50

/** TagResource / UntagResource on an alarm (by ARN): tags set, keys removed, within CloudWatch's 50. */
export function setAlarmTags(d: Draft, arn: string, add: Tags, removeKeys: readonly string[] = []): MetricAlarm {
  const a = d.get('metric-alarm', arn)
  if (!a) throw new NotFoundError('metric-alarm', arn)
  const tags: Record<string, string> = { ...a.tags, ...add }
  for (const k of removeKeys) delete tags[k]
  if (Object.keys(tags).length > MAX_ALARM_TAGS) throw new InvalidValueError(`An alarm can have at most ${MAX_ALARM_TAGS} tags.`)
  return d.put({ ...a, tags })
}
