import type { Control } from '../control/control.js'
import { AlarmEvaluator, type EvaluatorLog } from './alarm-evaluator.js'
import { MetricStore, type MetricSources } from './metric-store.js'

export interface MonitorOptions {
  readonly control: Control
  readonly sources: MetricSources
  /** One metric period ($OPENALB_AUTOSCALING_METRIC_PERIOD_SECONDS; AWS: 60 s). */
  readonly periodMs: number
  /**
   * Runs the alarm evaluation only while this node holds the fleet's autoscaling lock (etcd),
   * the one that runs the groups' passes; alone there is no lock.
   */
  readonly lock?: ((pass: () => Promise<void>) => Promise<boolean>) | undefined
  readonly log?: EvaluatorLog | undefined
}

/**
 * openalb's CloudWatch on one node: every metric period the store takes its datapoints (every
 * node, from what it counted itself), then the alarms are evaluated on them (one node of a fleet).
 */
export class Monitor {
  readonly store: MetricStore
  readonly #evaluator: AlarmEvaluator
  readonly #opts: MonitorOptions
  #timer: NodeJS.Timeout | undefined
  #tick: Promise<void> = Promise.resolve()
  #stopped = false

  constructor(options: MonitorOptions) {
    this.#opts = options
    this.store = new MetricStore(options.sources, options.periodMs)
    this.#evaluator = new AlarmEvaluator(options.control, this.store, options.log)
  }

  start(): void {
    // Samples on a fixed grid from the first one (not a period after the last one ended), so that
    // an alarm's periods, counted back from now, each hold one sample however long a run took.
    const first = Date.now()
    let n = 0
    const tick = () => {
      if (this.#stopped) return
      this.#tick = this.runOnce().finally(() => {
        if (this.#stopped) return
        const now = Date.now()
        n = Math.max(n + 1, Math.ceil((now - first) / this.#opts.periodMs))
        this.#timer = setTimeout(tick, first + n * this.#opts.periodMs - now)
      })
    }
    this.#timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#tick
  }

  /** One sample and one evaluation (tests call it to step without the timer). */
  async runOnce(nowMs = Date.now()): Promise<void> {
    try {
      const view = await this.#opts.control.read()
      this.store.sample(view, nowMs)
      const evaluate = () => this.#evaluator.evaluate(view, nowMs)
      if (this.#opts.lock) await this.#opts.lock(evaluate)
      else await evaluate()
    } catch (e) {
      this.#opts.log?.error({ err: e instanceof Error ? e.message : String(e) }, 'metric sample or alarm evaluation failed')
    }
  }
}
