import type { Control } from '../control/control.js'
import { recordAlarmAction, setAlarmState } from '../control/metric-alarms.js'
import { executePolicyForAlarm } from '../control/scaling-policies.js'
import { breaches, mergeSets, OPERATOR_WORDS, statisticOf, type AlarmState, type MetricAlarm } from '../model/metric-alarm.js'
import type { StateView } from '../model/state-view.js'
import type { Datapoint } from './metric-store.js'

/** The part of a pino logger the evaluator uses. */
export interface EvaluatorLog {
  error(obj: object, msg?: string): void
}

/** What the evaluator reads: a metric's datapoints in a time range (monitoring's MetricStore). */
export interface DatapointSource {
  readonly periodMs: number
  datapoints(id: MetricAlarm, fromMs: number, toMs: number): readonly Datapoint[]
}

/** One period of the evaluation range: its start, and its value (undefined: missing). */
export interface EvaluatedPeriod {
  readonly startMs: number
  readonly value?: number | undefined
  readonly sampleCount?: number | undefined
}

export interface Evaluation {
  readonly state: AlarmState
  readonly reason: string
  readonly reasonData: string
  /** The values on the side of the threshold the state is about (a step policy picks its step from them), newest first. */
  readonly values: readonly number[]
}

/** CloudWatch's number format in state reasons (Java's: 150.0, 0.25). */
const num = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : String(v))
/** CloudWatch's time format in state reasons: dd/MM/yy HH:mm:ss (UTC). */
function reasonTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
}
const isoPlus = (ms: number): string => new Date(ms).toISOString().replace('Z', '+0000')
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many)

/**
 * The evaluation range of an alarm ending at nowMs: EvaluationPeriods periods of Period seconds,
 * newest first. A period of 60 s is one metric period of the store (a minute on AWS).
 */
export function evaluationRange(alarm: MetricAlarm, source: DatapointSource, nowMs: number): EvaluatedPeriod[] {
  const windowMs = (alarm.period / 60) * source.periodMs
  const out: EvaluatedPeriod[] = []
  for (let i = 0; i < alarm.evaluationPeriods; i++) {
    const toMs = nowMs - i * windowMs
    const fromMs = toMs - windowMs
    const set = mergeSets(source.datapoints(alarm, fromMs, toMs))
    out.push({ startMs: fromMs, value: set ? statisticOf(set, alarm.statistic) : undefined, sampleCount: set?.sampleCount })
  }
  return out
}

/**
 * An alarm's state from its evaluation range, as CloudWatch decides it: ALARM when at least
 * DatapointsToAlarm of the EvaluationPeriods breach (a missing one counting as TreatMissingData
 * says: breaching, notBreaching, or left out with ignore and missing); INSUFFICIENT_DATA when
 * every one is missing (ignore: the state stays, undefined); else OK. The reason is CloudWatch's text.
 */
export function evaluateAlarm(alarm: MetricAlarm, range: readonly EvaluatedPeriod[], nowMs: number): Evaluation | undefined {
  const n = alarm.evaluationPeriods
  const m = alarm.datapointsToAlarm ?? n
  const treat = alarm.treatMissingData ?? 'missing'
  const present = range.filter((p) => p.value !== undefined)
  const missing = range.length - present.length
  const breaching = present.filter((p) => breaches(alarm.comparisonOperator, p.value ?? 0, alarm.threshold))
  const good = present.filter((p) => !breaching.includes(p))
  const breachCount = breaching.length + (treat === 'breaching' ? missing : 0)
  const words = OPERATOR_WORDS[alarm.comparisonOperator]
  const list = (ps: readonly EvaluatedPeriod[]) => `[${ps.map((p) => `${num(p.value ?? 0)} (${reasonTime(p.startMs)})`).join(', ')}]`
  const data = {
    version: '1.0',
    queryDate: isoPlus(nowMs),
    startDate: isoPlus(range[range.length - 1]?.startMs ?? nowMs),
    statistic: alarm.statistic,
    period: alarm.period,
    recentDatapoints: [...present].reverse().map((p) => p.value),
    threshold: alarm.threshold,
    evaluatedDatapoints: present.map((p) => ({ timestamp: isoPlus(p.startMs), sampleCount: p.sampleCount, value: p.value })),
  }
  const reasonData = JSON.stringify(data)
  // A value on the breaching side when only missing data breached (a step policy needs one to pick its step).
  const edge = (side: 'breach' | 'ok') => {
    const above = alarm.comparisonOperator.startsWith('Greater') === (side === 'breach')
    const tiny = 1e-9 * Math.max(1, Math.abs(alarm.threshold))
    const strict = alarm.comparisonOperator === 'GreaterThanThreshold' || alarm.comparisonOperator === 'LessThanThreshold'
    return above ? alarm.threshold + (strict === (side === 'breach') ? tiny : 0) : alarm.threshold - (strict === (side === 'breach') ? tiny : 0)
  }
  if (breachCount >= m) {
    const shown = breaching.length > 0 ? breaching : present
    let reason: string
    if (n === 1) reason = `Threshold Crossed: 1 datapoint ${list(shown)} was ${words} the threshold (${num(alarm.threshold)}).`
    else if (m === n) reason = `Threshold Crossed: ${breachCount} datapoints ${list(shown)} were ${words} the threshold (${num(alarm.threshold)}).`
    else reason = `Threshold Crossed: ${breachCount} out of the last ${n} datapoints ${list(shown)} were ${words} the threshold (${num(alarm.threshold)}) (minimum ${m} ${plural(m, 'datapoint', 'datapoints')} for OK -> ALARM transition).`
    if (breaching.length === 0) reason = `Threshold Crossed: no datapoints were received for ${missing} ${plural(missing, 'period', 'periods')} and ${missing} missing ${plural(missing, 'datapoint was', 'datapoints were')} treated as [Breaching].`
    return { state: 'ALARM', reason, reasonData, values: breaching.length > 0 ? breaching.map((p) => p.value ?? 0) : [edge('breach')] }
  }
  const considered = present.length + (treat === 'breaching' || treat === 'notBreaching' ? missing : 0)
  if (considered === 0) {
    if (treat === 'ignore') return undefined
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} ${plural(n, 'datapoint was', 'datapoints were')} unknown.`, reasonData, values: [] }
  }
  let reason: string
  if (present.length === 0) reason = `Threshold Crossed: no datapoints were received for ${missing} ${plural(missing, 'period', 'periods')} and ${missing} missing ${plural(missing, 'datapoint was', 'datapoints were')} treated as [NonBreaching].`
  else if (n === 1) reason = `Threshold Crossed: 1 datapoint ${list(good)} was not ${words} the threshold (${num(alarm.threshold)}).`
  else if (m === n) reason = `Threshold Crossed: ${good.length} ${plural(good.length, 'datapoint', 'datapoints')} ${list(good)} ${plural(good.length, 'was', 'were')} not ${words} the threshold (${num(alarm.threshold)}).`
  else reason = `Threshold Crossed: ${n - breachCount} out of the last ${n} datapoints ${list(good)} were not ${words} the threshold (${num(alarm.threshold)}) (minimum ${n - m + 1} ${plural(n - m + 1, 'datapoint', 'datapoints')} for ALARM -> OK transition).`
  return { state: 'OK', reason, reasonData, values: good.length > 0 ? good.map((p) => p.value ?? 0) : [edge('ok')] }
}

/**
 * Evaluates every alarm once a metric period, right after the store's sample, and runs the
 * actions of the state an alarm is in: on entering it (an evaluation or SetAlarmState), and again
 * once a minute while it stays there, as CloudWatch runs Auto Scaling actions. Writes go through
 * control; in a fleet only the lock holder evaluates.
 */
export class AlarmEvaluator {
  /** Per alarm: the transition it last ran actions for, and when. */
  readonly #ran = new Map<string, { readonly transitionedAt: string; readonly atMs: number }>()

  constructor(
    private readonly control: Control,
    private readonly source: DatapointSource,
    private readonly log?: EvaluatorLog | undefined,
  ) {}

  async evaluate(view: StateView, nowMs: number): Promise<void> {
    const live = new Set<string>()
    for (const alarm of view.list('metric-alarm')) {
      live.add(alarm.name)
      try {
        await this.#one(alarm, nowMs)
      } catch (e) {
        this.log?.error({ alarm: alarm.name, err: e instanceof Error ? e.message : String(e) }, 'alarm evaluation failed')
      }
    }
    for (const name of [...this.#ran.keys()]) if (!live.has(name)) this.#ran.delete(name)
  }

  async #one(stored: MetricAlarm, nowMs: number): Promise<void> {
    const ev = evaluateAlarm(stored, evaluationRange(stored, this.source, nowMs), nowMs)
    let alarm = stored
    // As CloudWatch: the state (and its reason) is updated when the value changes.
    if (ev && ev.state !== stored.state) {
      alarm = (await this.control.mutate((d) => setAlarmState(d, stored.name, ev.state, ev.reason, ev.reasonData))).value.alarm
    }
    const actions = alarm.state === 'ALARM' ? alarm.alarmActions : alarm.state === 'OK' ? alarm.okActions : alarm.insufficientDataActions
    if (!alarm.actionsEnabled || actions.length === 0) return
    const ran = this.#ran.get(alarm.name)
    const due = !ran || ran.transitionedAt !== alarm.stateTransitionedAt || nowMs - ran.atMs >= this.source.periodMs
    if (!due) return
    this.#ran.set(alarm.name, { transitionedAt: alarm.stateTransitionedAt, atMs: nowMs })
    const entered = !ran || ran.transitionedAt !== alarm.stateTransitionedAt
    const values = ev && ev.state === alarm.state ? ev.values : []
    for (const arn of actions) {
      await this.control.mutate((d) => {
        let changed = false
        try {
          changed = executePolicyForAlarm(d, arn, { alarmName: alarm.name, state: alarm.state, metricValues: values, threshold: alarm.threshold })
        } catch (e) {
          recordAlarmAction(d, alarm.name, arn, e instanceof Error ? e.message : String(e))
          return
        }
        // CloudWatch records the action taken on entering a state; the repeats that change nothing leave no entry.
        if (changed || entered) recordAlarmAction(d, alarm.name, arn)
      })
    }
  }
}
