import { deleteAlarms, putMetricAlarm, setAlarmActionsEnabled, setAlarmState, setAlarmTags } from '../../../control/metric-alarms.js'
import {
  ALARM_STATES,
  METRICS,
  mergeSets,
  sortedDimensions,
  STATISTICS,
  statisticOf,
  type AlarmState,
  type MetricAlarm,
  type MetricDimension,
  type MetricId,
  type Statistic,
} from '../../../model/metric-alarm.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { DatedValue } from '../protocol/json-1.0.js'
import type { Params } from '../protocol/params.js'

/**
 * CloudWatch's alarm and metric operations (version 2010-08-01; Query for AWS CLI v2, JSON 1.0
 * in its AWS Query compatible form for the SDK v3 and CLI v1). Handlers return plain values with
 * Dates; each protocol writes Dates its way (Query: ISO 8601, JSON: epoch seconds).
 */

export const CLOUDWATCH_VERSION = '2010-08-01'
export const CLOUDWATCH_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/'
export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801'

type CwValue = DatedValue
type Result = Record<string, CwValue> | undefined
type Handler = (call: Call) => Promise<Result>

const invalidValue = (message: string) => new AwsError('InvalidParameterValue', message)
const combination = (message: string) => new AwsError('InvalidParameterCombination', message)
const missing = (name: string) => new AwsError('MissingParameter', `The parameter ${name} is required.`)

function only(p: Params, handled: readonly string[], refusals: Readonly<Record<string, string>> = {}): void {
  for (const k of Object.keys(p.raw)) {
    if (handled.includes(k)) continue
    throw invalidValue(refusals[k] ?? `The parameter ${k} is not supported by openalb.`)
  }
}

function num(p: Params, key: string): number | undefined {
  const v = p.raw[key]
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'number' ? v : Number(v)
  if (!Number.isFinite(n)) throw invalidValue(`The parameter ${key} must be a number.`)
  return n
}

/** A timestamp: epoch seconds (JSON) or ISO 8601 (Query). */
function time(p: Params, key: string): number | undefined {
  const v = p.raw[key]
  if (v === undefined || v === null || v === '') return undefined
  const ms = typeof v === 'number' ? v * 1000 : /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) * 1000 : Date.parse(String(v))
  if (!Number.isFinite(ms)) throw invalidValue(`The parameter ${key} must be a timestamp (ISO 8601 or epoch seconds).`)
  return ms
}

function dimensions(p: Params, key = 'Dimensions', valueRequired = true): { name: string; value?: string | undefined }[] {
  return p.objs(key).map((d) => {
    only(d, ['Name', 'Value'])
    const name = d.str('Name')
    if (name === undefined) throw missing(`${key}.Name`)
    const value = d.str('Value')
    if (valueRequired && value === undefined) throw missing(`${key}.Value`)
    return { name, value }
  })
}

const dims = (p: Params, key = 'Dimensions'): MetricDimension[] => dimensions(p, key).map((d) => ({ name: d.name, value: d.value ?? '' }))
const dimsOut = (ds: readonly MetricDimension[]) => ds.map((d) => ({ Name: d.name, Value: d.value }))

function alarmOut(a: MetricAlarm): Record<string, CwValue> {
  return {
    AlarmName: a.name,
    AlarmArn: a.arn,
    AlarmDescription: a.description,
    AlarmConfigurationUpdatedTimestamp: new Date(a.configurationUpdatedAt),
    ActionsEnabled: a.actionsEnabled,
    OKActions: [...a.okActions],
    AlarmActions: [...a.alarmActions],
    InsufficientDataActions: [...a.insufficientDataActions],
    StateValue: a.state,
    StateReason: a.stateReason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: new Date(a.stateUpdatedAt),
    MetricName: a.metricName,
    Namespace: a.namespace,
    Statistic: a.statistic,
    Dimensions: dimsOut(a.dimensions),
    Period: a.period,
    Unit: a.unit,
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm,
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
    StateTransitionedTimestamp: new Date(a.stateTransitionedAt),
  }
}

const PUT_REFUSALS: Record<string, string> = {
  Metrics: 'Metrics (metric math) is not supported by openalb: give MetricName, Namespace, Statistic and Dimensions.',
  ExtendedStatistic: 'ExtendedStatistic (percentiles) is not supported by openalb: its metrics keep sums, counts, minimums and maximums only.',
  EvaluateLowSampleCountPercentile: 'EvaluateLowSampleCountPercentile is not supported by openalb (no percentiles).',
  ThresholdMetricId: 'ThresholdMetricId (anomaly detection bands) is not supported by openalb.',
  EvaluationCriteria: 'EvaluationCriteria (PromQL alarms) is not supported by openalb.',
  EvaluationInterval: 'EvaluationInterval is not supported by openalb: alarms are evaluated once a minute.',
}

const PutMetricAlarm: Handler = async (call) => {
  const p = call.params
  only(
    p,
    ['AlarmName', 'AlarmDescription', 'ActionsEnabled', 'OKActions', 'AlarmActions', 'InsufficientDataActions', 'MetricName', 'Namespace', 'Statistic', 'Dimensions', 'Period', 'Unit', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'ComparisonOperator', 'TreatMissingData', 'Tags'],
    PUT_REFUSALS,
  )
  const tags = tagsIn(p)
  await call.deps.control.mutate((d) =>
    putMetricAlarm(
      d,
      {
        name: p.required('AlarmName'),
        description: p.str('AlarmDescription'),
        actionsEnabled: p.bool('ActionsEnabled'),
        okActions: p.strings('OKActions'),
        alarmActions: p.strings('AlarmActions'),
        insufficientDataActions: p.strings('InsufficientDataActions'),
        namespace: p.str('Namespace'),
        metricName: p.str('MetricName'),
        dimensions: dims(p),
        statistic: p.str('Statistic'),
        period: p.int('Period'),
        unit: p.str('Unit'),
        evaluationPeriods: p.int('EvaluationPeriods'),
        datapointsToAlarm: p.int('DatapointsToAlarm'),
        threshold: num(p, 'Threshold'),
        comparisonOperator: p.str('ComparisonOperator'),
        treatMissingData: p.str('TreatMissingData'),
        tags: p.has('Tags') ? tags : undefined,
      },
      call.region,
    ),
  )
  return undefined
}

function stateValue(p: Params): AlarmState | undefined {
  const v = p.str('StateValue')
  if (v !== undefined && !(ALARM_STATES as readonly string[]).includes(v)) throw invalidValue(`The value ${v} for parameter StateValue is not valid: ${ALARM_STATES.join(', ')}.`)
  return v as AlarmState | undefined
}

const DescribeAlarms: Handler = async (call) => {
  const p = call.params
  only(p, ['AlarmNames', 'AlarmNamePrefix', 'AlarmTypes', 'ChildrenOfAlarmName', 'ParentsOfAlarmName', 'StateValue', 'ActionPrefix', 'MaxRecords', 'NextToken'])
  const names = p.strings('AlarmNames')
  const prefix = p.str('AlarmNamePrefix')
  if (names && names.length > 0 && prefix !== undefined) throw combination('AlarmNames and AlarmNamePrefix cannot be given together.')
  const types = p.strings('AlarmTypes') ?? []
  const state = stateValue(p)
  const action = p.str('ActionPrefix')
  const d = await call.deps.control.view()
  // openalb has metric alarms only: composite alarms are none, and a metric alarm has no parents or children.
  const metricTypes = types.length === 0 || types.includes('MetricAlarm')
  const related = p.str('ChildrenOfAlarmName') !== undefined || p.str('ParentsOfAlarmName') !== undefined
  const all = metricTypes && !related
    ? d
        .list('metric-alarm')
        .filter((a) => (!names || names.length === 0 || names.includes(a.name)) && (prefix === undefined || a.name.startsWith(prefix)) && (state === undefined || a.state === state))
        .filter((a) => action === undefined || [...a.okActions, ...a.alarmActions, ...a.insufficientDataActions].some((x) => x.startsWith(action)))
        .sort((a, b) => a.name.localeCompare(b.name))
    : []
  const pg = page(all, p.str('NextToken'), p.int('MaxRecords') ?? 50, 'InvalidNextToken', 100)
  return { MetricAlarms: pg.items.map(alarmOut), CompositeAlarms: types.includes('CompositeAlarm') ? [] : undefined, NextToken: pg.next }
}

const DescribeAlarmsForMetric: Handler = async (call) => {
  const p = call.params
  only(p, ['MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Dimensions', 'Period', 'Unit'])
  const metricName = p.str('MetricName') ?? ''
  const namespace = p.str('Namespace') ?? ''
  if (metricName === '') throw missing('MetricName')
  if (namespace === '') throw missing('Namespace')
  const wanted = p.has('Dimensions') ? sortedDimensions(dims(p)) : undefined
  const statistic = p.str('Statistic')
  const period = p.int('Period')
  const unit = p.str('Unit')
  const d = await call.deps.control.view()
  const same = (a: readonly MetricDimension[], b: readonly MetricDimension[]) => a.length === b.length && a.every((x, i) => x.name === b[i]?.name && x.value === b[i]?.value)
  const out = d
    .list('metric-alarm')
    .filter((a) => a.metricName === metricName && a.namespace === namespace)
    .filter((a) => (wanted === undefined || same(a.dimensions, wanted)) && (statistic === undefined || a.statistic === statistic) && (period === undefined || a.period === period) && (unit === undefined || a.unit === unit))
    .filter(() => !p.has('ExtendedStatistic'))
    .sort((a, b) => a.name.localeCompare(b.name))
  return { MetricAlarms: out.map(alarmOut) }
}

const DeleteAlarms: Handler = async (call) => {
  const p = call.params
  only(p, ['AlarmNames'])
  await call.deps.control.mutate((d) => deleteAlarms(d, p.strings('AlarmNames') ?? []))
  return undefined
}

const SetAlarmState: Handler = async (call) => {
  const p = call.params
  only(p, ['AlarmName', 'StateValue', 'StateReason', 'StateReasonData'])
  const name = p.required('AlarmName')
  const state = stateValue(p)
  if (state === undefined) throw missing('StateValue')
  const reason = p.str('StateReason')
  if (reason === undefined) throw missing('StateReason')
  const data = p.str('StateReasonData')
  if (data !== undefined) {
    try {
      JSON.parse(data)
    } catch {
      throw new AwsError('InvalidFormat', 'StateReasonData is not valid JSON.')
    }
  }
  await call.deps.control.mutate((d) => setAlarmState(d, name, state, reason, data))
  return undefined
}

const actionsEnabled =
  (enabled: boolean): Handler =>
  async (call) => {
    const p = call.params
    only(p, ['AlarmNames'])
    await call.deps.control.mutate((d) => setAlarmActionsEnabled(d, p.strings('AlarmNames') ?? [], enabled))
    return undefined
  }

const HISTORY_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction'] as const

const DescribeAlarmHistory: Handler = async (call) => {
  const p = call.params
  only(p, ['AlarmName', 'AlarmTypes', 'HistoryItemType', 'StartDate', 'EndDate', 'MaxRecords', 'NextToken', 'ScanBy'], { AlarmContributorId: 'AlarmContributorId is not supported by openalb (no multi-time-series alarms).' })
  const name = p.str('AlarmName')
  const type = p.str('HistoryItemType')
  if (type !== undefined && !(HISTORY_TYPES as readonly string[]).includes(type)) throw invalidValue(`The value ${type} for parameter HistoryItemType is not valid: ${HISTORY_TYPES.join(', ')}.`)
  const types = p.strings('AlarmTypes') ?? []
  const from = time(p, 'StartDate')
  const to = time(p, 'EndDate')
  const scan = p.str('ScanBy') ?? 'TimestampDescending'
  if (scan !== 'TimestampDescending' && scan !== 'TimestampAscending') throw invalidValue(`The value ${scan} for parameter ScanBy is not valid: TimestampDescending, TimestampAscending.`)
  const d = await call.deps.control.view()
  const items = (types.length > 0 && !types.includes('MetricAlarm') ? [] : d.list('alarm-history'))
    .filter((h) => (name === undefined || h.alarmName === name) && (type === undefined || h.type === type))
    .filter((h) => (from === undefined || Date.parse(h.timestamp) >= from) && (to === undefined || Date.parse(h.timestamp) <= to))
    .sort((a, b) => (scan === 'TimestampAscending' ? a.timestamp.localeCompare(b.timestamp) : b.timestamp.localeCompare(a.timestamp)))
  const pg = page(items, p.str('NextToken'), p.int('MaxRecords') ?? 100, 'InvalidNextToken', 100)
  return {
    AlarmHistoryItems: pg.items.map((h) => ({ AlarmName: h.alarmName, AlarmType: 'MetricAlarm', Timestamp: new Date(h.timestamp), HistoryItemType: h.type, HistorySummary: h.summary, HistoryData: h.data })),
    NextToken: pg.next,
  }
}

function metricsDeps(call: Call) {
  const m = call.deps.monitoring
  if (!m) throw new AwsError('InternalServiceError', 'openalb runs no metric store on this endpoint.', 500)
  return m
}

const ListMetrics: Handler = async (call) => {
  const p = call.params
  only(p, ['Namespace', 'MetricName', 'Dimensions', 'NextToken', 'RecentlyActive', 'IncludeLinkedAccounts', 'OwningAccount'])
  const ns = p.str('Namespace')
  const name = p.str('MetricName')
  const filters = dimensions(p, 'Dimensions', false)
  const recently = p.str('RecentlyActive')
  if (recently !== undefined && recently !== 'PT3H') throw invalidValue(`The value ${recently} for parameter RecentlyActive is not valid: PT3H.`)
  const m = metricsDeps(call)
  const since = recently ? Date.now() - 3 * 3600 * 1000 : 0
  const all = m
    .metrics(since)
    .filter((x) => (ns === undefined || x.namespace === ns) && (name === undefined || x.metricName === name))
    .filter((x) => filters.every((f) => x.dimensions.some((d) => d.name === f.name && (f.value === undefined || d.value === f.value))))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.metricName.localeCompare(b.metricName) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions)))
  const pg = page(all, p.str('NextToken'), 500, 'InvalidNextToken', 500)
  return { Metrics: pg.items.map((x) => ({ Namespace: x.namespace, MetricName: x.metricName, Dimensions: dimsOut(x.dimensions) })), NextToken: pg.next }
}

/** CloudWatch's limit of datapoints one GetMetricStatistics call returns. */
const MAX_DATAPOINTS = 1440

interface Bucket {
  readonly startMs: number
  readonly set: NonNullable<ReturnType<typeof mergeSets>>
}

/** A metric's datapoints between two times in periods of Period seconds (60 s: one metric period of the store). */
function buckets(call: Call, id: MetricId, fromMs: number, toMs: number, period: number): Bucket[] {
  const m = metricsDeps(call)
  if (!Number.isInteger(period) || period < 60 || period % 60 !== 0) throw invalidValue(`The parameter Period must be a multiple of 60: openalb's metrics have one datapoint a minute (got ${period}).`)
  if (toMs <= fromMs) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.')
  const windowMs = (period / 60) * m.periodMs
  const count = Math.ceil((toMs - fromMs) / windowMs)
  if (count > MAX_DATAPOINTS) throw combination(`You have requested up to ${count.toLocaleString('en-US')} datapoints, which exceeds the limit of ${MAX_DATAPOINTS.toLocaleString('en-US')}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`)
  const byStart = new Map<number, Parameters<typeof mergeSets>[0][number][]>()
  for (const dp of m.datapoints(id, fromMs - windowMs, toMs + windowMs)) {
    const start = Math.floor((dp.atMs - 1) / windowMs) * windowMs
    if (start < fromMs - windowMs || start >= toMs) continue
    const l = byStart.get(start) ?? []
    l.push(dp)
    byStart.set(start, l)
  }
  return [...byStart.entries()]
    .sort((a, b) => a[0] - b[0])
    .flatMap(([startMs, l]) => {
      const set = mergeSets(l)
      return set ? [{ startMs, set }] : []
    })
}

function checkStatistics(namespace: string, metricName: string, stats: readonly string[]): Statistic[] {
  for (const s of stats) if (!(STATISTICS as readonly string[]).includes(s)) throw invalidValue(`The value ${s} for parameter Statistics is not valid: ${STATISTICS.join(', ')}.`)
  const spec = METRICS[namespace]?.[metricName]
  const allowed = spec?.statistics
  for (const s of stats) if (allowed && !allowed.includes(s as Statistic)) throw invalidValue(`The metric ${metricName} has the statistics ${allowed.join(', ')} in openalb, not ${s}.`)
  return stats as Statistic[]
}

const GetMetricStatistics: Handler = async (call) => {
  const p = call.params
  only(p, ['Namespace', 'MetricName', 'Dimensions', 'StartTime', 'EndTime', 'Period', 'Statistics', 'Unit'], { ExtendedStatistics: 'ExtendedStatistics (percentiles) is not supported by openalb: its metrics keep sums, counts, minimums and maximums only.' })
  const namespace = p.str('Namespace') ?? ''
  const metricName = p.str('MetricName') ?? ''
  if (namespace === '') throw missing('Namespace')
  if (metricName === '') throw missing('MetricName')
  const from = time(p, 'StartTime')
  const to = time(p, 'EndTime')
  const period = p.int('Period')
  if (from === undefined) throw missing('StartTime')
  if (to === undefined) throw missing('EndTime')
  if (period === undefined) throw missing('Period')
  const stats = checkStatistics(namespace, metricName, p.strings('Statistics') ?? [])
  if (stats.length === 0) throw missing('Statistics')
  const unit = METRICS[namespace]?.[metricName]?.unit
  const asked = p.str('Unit')
  const found = buckets(call, { namespace, metricName, dimensions: sortedDimensions(dims(p)) }, from, to, period)
  const datapoints = asked !== undefined && asked !== unit ? [] : found
  const field: Record<Statistic, string> = { SampleCount: 'SampleCount', Average: 'Average', Sum: 'Sum', Minimum: 'Minimum', Maximum: 'Maximum' }
  return {
    Label: metricName,
    Datapoints: datapoints.map((b) => {
      const out: Record<string, CwValue> = { Timestamp: new Date(b.startMs) }
      for (const s of stats) out[field[s]] = statisticOf(b.set, s)
      out.Unit = unit ?? 'None'
      return out
    }),
  }
}

const GetMetricData: Handler = async (call) => {
  const p = call.params
  only(p, ['MetricDataQueries', 'StartTime', 'EndTime', 'NextToken', 'ScanBy', 'MaxDatapoints'], { LabelOptions: 'LabelOptions is not supported by openalb.' })
  const from = time(p, 'StartTime')
  const to = time(p, 'EndTime')
  if (from === undefined) throw missing('StartTime')
  if (to === undefined) throw missing('EndTime')
  const scan = p.str('ScanBy') ?? 'TimestampDescending'
  const queries = p.objs('MetricDataQueries')
  if (queries.length === 0) throw missing('MetricDataQueries')
  const results: Record<string, CwValue>[] = []
  for (const q of queries) {
    only(q, ['Id', 'MetricStat', 'Label', 'ReturnData', 'Period'], { Expression: 'Expression (metric math) is not supported by openalb: use MetricStat.', AccountId: 'AccountId is not supported by openalb (one account).' })
    const id = q.required('Id')
    const ms = q.obj('MetricStat')
    if (!ms) throw invalidValue(`The query ${id} must have a MetricStat.`)
    only(ms, ['Metric', 'Period', 'Stat', 'Unit'])
    const metric = ms.obj('Metric')
    if (!metric) throw missing(`MetricDataQueries.${id}.MetricStat.Metric`)
    only(metric, ['Namespace', 'MetricName', 'Dimensions'])
    const namespace = metric.required('Namespace')
    const metricName = metric.required('MetricName')
    const stat = checkStatistics(namespace, metricName, [ms.required('Stat')])[0] as Statistic
    const period = ms.int('Period')
    if (period === undefined) throw missing(`MetricDataQueries.${id}.MetricStat.Period`)
    const found = buckets(call, { namespace, metricName, dimensions: sortedDimensions(dims(metric)) }, from, to, period)
    if (scan === 'TimestampDescending') found.reverse()
    if (q.bool('ReturnData') === false) continue
    results.push({ Id: id, Label: q.str('Label') ?? metricName, Timestamps: found.map((b) => new Date(b.startMs)), Values: found.map((b) => statisticOf(b.set, stat)), StatusCode: 'Complete' })
  }
  return { MetricDataResults: results, Messages: [] }
}

/** The alarm a tag operation names; anything else (a dashboard, a rule, a stream: openalb has none) is not found. */
async function taggedAlarm(call: Call): Promise<string> {
  const arn = call.params.required('ResourceARN')
  if (!(await call.deps.control.view()).get('metric-alarm', arn)) {
    throw new AwsError('ResourceNotFoundException', `The specified resource ${arn} does not exist: openalb tags metric alarms only.`, 404)
  }
  return arn
}

function tagsIn(p: Params): Record<string, string> {
  const tags: Record<string, string> = {}
  for (const t of p.objs('Tags')) {
    only(t, ['Key', 'Value'])
    tags[t.required('Key')] = t.str('Value') ?? ''
  }
  return tags
}

const ListTagsForResource: Handler = async (call) => {
  only(call.params, ['ResourceARN'])
  const arn = await taggedAlarm(call)
  const a = (await call.deps.control.view()).get('metric-alarm', arn)
  return { Tags: Object.entries(a?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) }
}

const TagResource: Handler = async (call) => {
  only(call.params, ['ResourceARN', 'Tags'])
  const arn = await taggedAlarm(call)
  const tags = tagsIn(call.params)
  await call.deps.control.mutate((d) => setAlarmTags(d, arn, tags))
  return {}
}

const UntagResource: Handler = async (call) => {
  only(call.params, ['ResourceARN', 'TagKeys'])
  const arn = await taggedAlarm(call)
  const keys = call.params.strings('TagKeys') ?? []
  await call.deps.control.mutate((d) => setAlarmTags(d, arn, {}, keys))
  return {}
}

export const CLOUDWATCH_OPERATIONS: Readonly<Record<string, Handler>> = {
  ListTagsForResource,
  TagResource,
  UntagResource,
  PutMetricAlarm,
  DescribeAlarms,
  DescribeAlarmsForMetric,
  DeleteAlarms,
  SetAlarmState,
  EnableAlarmActions: actionsEnabled(true),
  DisableAlarmActions: actionsEnabled(false),
  DescribeAlarmHistory,
  ListMetrics,
  GetMetricStatistics,
  GetMetricData,
}
