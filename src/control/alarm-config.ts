import { dimension } from '../model/dimension.js'
import { alarmSpec, type AlarmAction, type MetricAlarm, type MetricDimension } from '../model/metric-alarm.js'
import { resolveGroup } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { validate } from './draft.js'
import { InvalidValueError } from './errors.js'
import { buildMetricAlarm, findAlarm, putMetricAlarm, setAlarmTags, type AlarmInput } from './metric-alarms.js'

/**
 * The YAML kind alarms: an alarm names its dimensions by the resources they are (a balancer and a
 * target group, a group or an instance) and its actions by group and policy; applied as
 * PutMetricAlarm would, and not at all when nothing changed (no history entry, no revision).
 */

function actionArn(d: Draft, a: AlarmAction): string {
  if (typeof a === 'string') return a
  const g = resolveGroup(d, a.autoScalingGroup)
  const p = d.list('scaling-policy').find((x) => x.groupName === g.name && x.name === a.policy)
  if (!p) throw new InvalidValueError(`the Auto Scaling group ${g.name} has no policy ${a.policy} (its scalingPolicies)`)
  return p.arn
}

const SAME_FIELDS = ['description', 'actionsEnabled', 'okActions', 'alarmActions', 'insufficientDataActions', 'namespace', 'metricName', 'dimensions', 'statistic', 'period', 'evaluationPeriods', 'datapointsToAlarm', 'threshold', 'comparisonOperator', 'treatMissingData'] as const

export function applyAlarm(d: Draft, input: unknown): MetricAlarm {
  const spec = validate(alarmSpec, input, 'alarm')
  const dims: MetricDimension[] = []
  if (spec.loadBalancer !== undefined) dims.push({ name: 'LoadBalancer', value: dimension(d.resolve('load-balancer', spec.loadBalancer).arn) })
  if (spec.targetGroup !== undefined) dims.push({ name: 'TargetGroup', value: dimension(d.resolve('target-group', spec.targetGroup).arn) })
  if (spec.autoScalingGroup !== undefined) dims.push({ name: 'AutoScalingGroupName', value: resolveGroup(d, spec.autoScalingGroup).name })
  if (spec.instance !== undefined) dims.push({ name: 'InstanceId', value: d.resolve('instance', spec.instance).id })
  const alarm: AlarmInput = {
    name: spec.name,
    description: spec.description,
    actionsEnabled: spec.actionsEnabled,
    alarmActions: spec.alarmActions.map((a) => actionArn(d, a)),
    okActions: spec.okActions.map((a) => actionArn(d, a)),
    insufficientDataActions: spec.insufficientDataActions.map((a) => actionArn(d, a)),
    namespace: spec.namespace,
    metricName: spec.metric,
    dimensions: dims,
    statistic: spec.statistic,
    period: spec.period,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    treatMissingData: spec.treatMissingData,
    tags: spec.tags,
  }
  const existing = findAlarm(d, spec.name)
  if (!existing) return putMetricAlarm(d, alarm)
  // What PutMetricAlarm would store, compared with what is stored: an unchanged alarm is left alone.
  const probe = buildMetricAlarm(d, alarm)
  const put = SAME_FIELDS.every((k) => JSON.stringify(probe[k]) === JSON.stringify(existing[k])) ? existing : putMetricAlarm(d, alarm)
  // PutMetricAlarm leaves an existing alarm's tags (as CloudWatch); the file's are set as TagResource would.
  if (JSON.stringify(put.tags) === JSON.stringify(spec.tags)) return put
  return setAlarmTags(d, put.arn, spec.tags, Object.keys(put.tags).filter((k) => !Object.hasOwn(spec.tags, k)))
}
