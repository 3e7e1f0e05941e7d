import { deletePolicy, executePolicy, putScalingPolicy } from '../../../control/scaling-policies.js'
import type { ScalingPolicy, StepAdjustment } from '../../../model/autoscaling.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import type { XmlValue } from '../protocol/xml.js'

/** Auto Scaling's scaling policy operations. */

type Result = Record<string, XmlValue> | undefined
type Handler = (call: Call) => Promise<Result>

const invalid = (message: string) => new AwsError('ValidationError', message)

function only(p: Params, handled: readonly string[]): void {
  for (const k of Object.keys(p.raw)) if (!handled.includes(k)) throw invalid(`${k} is not supported by openalb`)
}

const number = (p: Params, key: string): number | undefined => {
  const v = p.str(key)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw invalid(`${key} must be a number`)
  return n
}

const alarmArn = (call: Call, name: string) => `arn:aws:cloudwatch:${call.region}:${call.deps.control.partition.accountId}:alarm:${name}`

function policyOut(call: Call, p: ScalingPolicy): Record<string, XmlValue> {
  const tt = p.targetTracking
  return {
    AutoScalingGroupName: p.groupName,
    PolicyName: p.name,
    PolicyARN: p.arn,
    PolicyType: p.policyType,
    AdjustmentType: p.adjustmentType,
    MinAdjustmentMagnitude: p.minAdjustmentMagnitude,
    ScalingAdjustment: p.scalingAdjustment,
    Cooldown: p.cooldown,
    StepAdjustments: p.stepAdjustments.map((s) => ({ MetricIntervalLowerBound: s.lower, MetricIntervalUpperBound: s.upper, ScalingAdjustment: s.adjustment })),
    MetricAggregationType: p.policyType === 'StepScaling' ? (p.metricAggregationType ?? 'Average') : undefined,
    EstimatedInstanceWarmup: p.estimatedInstanceWarmup,
    Alarms: p.alarms.map((AlarmName) => ({ AlarmName, AlarmARN: alarmArn(call, AlarmName) })),
    TargetTrackingConfiguration: tt
      ? { PredefinedMetricSpecification: { PredefinedMetricType: tt.metric, ResourceLabel: tt.resourceLabel }, TargetValue: tt.targetValue, DisableScaleIn: tt.disableScaleIn }
      : undefined,
    Enabled: p.enabled,
  }
}

function steps(p: Params): StepAdjustment[] {
  return p.objs('StepAdjustments').map((s) => {
    for (const k of Object.keys(s.raw)) if (!['MetricIntervalLowerBound', 'MetricIntervalUpperBound', 'ScalingAdjustment'].includes(k)) throw invalid(`StepAdjustments.${k} is not supported by openalb`)
    const adjustment = s.int('ScalingAdjustment')
    if (adjustment === undefined) throw invalid('StepAdjustments.ScalingAdjustment is required')
    return { lower: number(s, 'MetricIntervalLowerBound'), upper: number(s, 'MetricIntervalUpperBound'), adjustment }
  })
}

const PutScalingPolicy: Handler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'PolicyName', 'PolicyType', 'AdjustmentType', 'MinAdjustmentMagnitude', 'ScalingAdjustment', 'Cooldown', 'MetricAggregationType', 'StepAdjustments', 'EstimatedInstanceWarmup', 'TargetTrackingConfiguration', 'Enabled'])
  const ttc = p.obj('TargetTrackingConfiguration')
  let targetTracking: { metric: string; resourceLabel?: string | undefined; targetValue: number; disableScaleIn?: boolean | undefined } | undefined
  if (ttc) {
    for (const k of Object.keys(ttc.raw)) if (!['PredefinedMetricSpecification', 'TargetValue', 'DisableScaleIn'].includes(k)) throw invalid(`TargetTrackingConfiguration.${k} is not supported by openalb (predefined metrics only)`)
    const pm = ttc.obj('PredefinedMetricSpecification')
    if (!pm) throw invalid('TargetTrackingConfiguration.PredefinedMetricSpecification is required: openalb has no CloudWatch for a customized metric.')
    const target = number(ttc, 'TargetValue')
    if (target === undefined) throw invalid('TargetTrackingConfiguration.TargetValue is required')
    targetTracking = { metric: pm.required('PredefinedMetricType'), resourceLabel: pm.str('ResourceLabel'), targetValue: target, disableScaleIn: ttc.bool('DisableScaleIn') }
  }
  const aggregation = p.str('MetricAggregationType')
  if (aggregation !== undefined && !['Average', 'Minimum', 'Maximum'].includes(aggregation)) throw invalid(`MetricAggregationType ${aggregation} is not valid: Average, Minimum or Maximum.`)
  const policy = (
    await call.deps.control.mutate((d) =>
      putScalingPolicy(d, p.required('AutoScalingGroupName'), {
        name: p.required('PolicyName'),
        policyType: p.str('PolicyType'),
        adjustmentType: p.str('AdjustmentType'),
        scalingAdjustment: p.int('ScalingAdjustment'),
        minAdjustmentMagnitude: p.int('MinAdjustmentMagnitude'),
        cooldown: p.int('Cooldown'),
        stepAdjustments: steps(p),
        metricAggregationType: aggregation,
        estimatedInstanceWarmup: p.int('EstimatedInstanceWarmup'),
        targetTracking,
        enabled: p.bool('Enabled'),
      }),
    )
  ).value
  return { PolicyARN: policy.arn, Alarms: policy.alarms.map((AlarmName) => ({ AlarmName, AlarmARN: alarmArn(call, AlarmName) })) }
}

const DescribePolicies: Handler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'PolicyNames', 'PolicyTypes', 'MaxRecords', 'NextToken'])
  const group = p.str('AutoScalingGroupName')
  const names = p.strings('PolicyNames') ?? []
  const types = p.strings('PolicyTypes') ?? []
  const d = await call.deps.control.view()
  const all = d
    .list('scaling-policy')
    .filter((x) => (group === undefined || x.groupName === group) && (names.length === 0 || names.includes(x.name) || names.includes(x.arn)) && (types.length === 0 || types.includes(x.policyType)))
    .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name))
  const pg = page(all, p.str('NextToken'), p.int('MaxRecords') ?? 50, 'InvalidNextToken', 100)
  return { ScalingPolicies: pg.items.map((x) => policyOut(call, x)), NextToken: pg.next }
}

const DeletePolicy: Handler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'PolicyName'])
  await call.deps.control.mutate((d) => deletePolicy(d, p.str('AutoScalingGroupName'), p.required('PolicyName')))
  return undefined
}

const ExecutePolicy: Handler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'PolicyName', 'HonorCooldown', 'MetricValue', 'BreachThreshold'])
  await call.deps.control.mutate((d) =>
    executePolicy(d, p.str('AutoScalingGroupName'), p.required('PolicyName'), { honorCooldown: p.bool('HonorCooldown'), metricValue: number(p, 'MetricValue'), breachThreshold: number(p, 'BreachThreshold') }),
  )
  return undefined
}

const DescribeAdjustmentTypes: Handler = async (call) => {
  only(call.params, [])
  return { AdjustmentTypes: ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'].map((AdjustmentType) => ({ AdjustmentType })) }
}

export const POLICY_OPERATIONS: Readonly<Record<string, Handler>> = { PutScalingPolicy, DescribePolicies, DeletePolicy, ExecutePolicy, DescribeAdjustmentTypes }
