import type { AuthKeys } from '../dataplane/auth/keys.js'
import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client'
import type { ApplyResult, ListenerBindState, ListenerExplanation } from '../dataplane/dataplane.js'
import type { RouteRequest } from '../dataplane/router/route-request.js'
import type { Snapshot } from '../dataplane/snapshot.js'
import { TicketKeys } from '../dataplane/tls/ticket-keys.js'
import { LambdaGateways, type LambdaInvoker } from '../dataplane/lambda/gateway.js'
import type { DataplaneMetricsSink } from '../dataplane/proxy/context.js'
import type { StateView } from '../model/state-view.js'
import type { RuntimeDataplane } from '../runtime/runtime.js'
import { CountReader } from '../metrics/metrics.js'
import { HealthMirror } from './health-mirror.js'
import type { FromWorker, ListenerReport, ToWorker } from './protocol.js'
import { toWire, type WireState } from './wire.js'

export interface WorkerPoolLog {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface WorkerPoolOptions {
  /** How many data-plane processes (2 or more; one is the single-process data plane). */
  readonly count: number
  /** What health says is routable (the primary's checker). */
  readonly health: { isRoutable(groupArn: string, key: string): boolean }
  /** The node's address and zone, as the runtime compiles with. */
  readonly node?: { readonly bindAddress?: string | undefined; readonly zone?: string | undefined }
  readonly log: WorkerPoolLog
  /** The node's log file, which workers append to as well. */
  readonly logFile?: string | undefined
  /** How workers share a listening socket: 'none' (each accepts, the kernel spreads; default) or 'rr' (the primary accepts and hands out). */
  readonly scheduling?: 'none' | 'rr'
  /** Invokes functions for lambda target groups: their gateways run here, in the primary, and the workers forward to them. */
  readonly lambda?: LambdaInvoker
  /** Lambda's metrics (LambdaUserError, LambdaInternalError, processed bytes), counted here. */
  readonly lambdaMetrics?: Pick<DataplaneMetricsSink, 'lambdaError' | 'lambdaProcessedBytes'>
  /** authenticate-oidc's keys, one secret for every worker (default: a new one). */
  readonly authKeys?: AuthKeys
  /** Milliseconds a worker has to say it is ready and to apply a revision (default 20 s). */
  readonly timeoutMs?: number
}

interface Slot {
  readonly index: number
  worker: Worker | undefined
  /** Sent init: it gets every apply and health change from now on. */
  initialized: boolean
  startedAt: number
  /** Quick crashes in a row (each doubles the wait before the next start). */
  quickExits: number
  report: ListenerReport
  restart: NodeJS.Timeout | undefined
}

/** A worker that lived less than this before it exited is restarted after a growing wait. */
const QUICK_EXIT_MS = 5000
const MAX_BACKOFF_MS = 30000
const EMPTY_REPORT: ListenerReport = { states: [], ports: [], counts: new Map() }

/**
 * The primary's side of `--workers N`: N node:cluster workers that each run a Dataplane on the
 * same listening sockets. It is the runtime's data plane (RuntimeDataplane): each applied revision
 * goes to every worker (which compiles it as the primary did), every health change too, so health
 * checks run once per node. A worker that exits is replaced (the listeners stay open: the other
 * workers hold them); /metrics sums the workers.
 */
export class WorkerPool implements RuntimeDataplane {
  /** The last snapshot applied (explain reads it; the primary compiles every revision too). */
  snapshot: Snapshot | undefined
  readonly #options: WorkerPoolOptions
  readonly #slots: Slot[] = []
  readonly #routable = new HealthMirror()
  readonly #cookieKey = randomBytes(32)
  readonly #authSecret = randomBytes(32)
  readonly #ticketKeys = new TicketKeys()
  readonly #lambda: LambdaGateways
  #latest: WireState | undefined
  #seq = 0
  readonly #pending = new Map<number, { readonly waiting: Set<number>; readonly replies: Map<number, FromWorker>; readonly done: () => void }>()
  #stopping = false
  /** What exited workers had counted (Metrics.counts), so the node's totals never go down. */
  readonly #retired = new Map<string, number>()
  /** CloudWatch's sources for alarms and target tracking: the workers' counts summed (as of their last report, within a second). */
  readonly counts = new CountReader(() => this.#totals())

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.count) || options.count < 2) throw new Error(`a worker pool has 2 or more workers, got ${options.count}`)
    this.#options = options
    this.#lambda = new LambdaGateways(options.lambda, options.lambdaMetrics)
    for (let index = 0; index < options.count; index++) this.#slots.push({ index, worker: undefined, initialized: false, startedAt: 0, quickExits: 0, report: EMPTY_REPORT, restart: undefined })
    this.#ticketKeys.attach({ setTicketKeys: (key) => this.#broadcast({ t: 'ticket-key', key }) })
  }

  /** Starts every worker; resolves when each is ready (has applied the newest revision, if any). */
  async start(): Promise<void> {
    // Before the first fork: cluster reads the policy once.
    cluster.schedulingPolicy = this.#options.scheduling === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE
    // silent: the workers' stdout and stderr are pipes to this process, which passes them on. Sharing
    // the terminal's or a shell's pipe with Node processes can leave it non-blocking under the
    // programs writing beside openalb (a shell's curl then fails with EAGAIN).
    cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker.js', import.meta.url)), args: [], serialization: 'advanced', silent: true })
    this.#ticketKeys.start()
    await Promise.all(this.#slots.map((s) => this.#fork(s)))
  }

  /** The workers' process ids by index (undefined while one is being replaced). */
  pids(): (number | undefined)[] {
    return this.#slots.map((s) => s.worker?.process.pid)
  }

  #fork(slot: Slot): Promise<void> {
    const worker = cluster.fork()
    worker.process.stdout?.pipe(process.stdout, { end: false })
    worker.process.stderr?.pipe(process.stderr, { end: false })
    slot.worker = worker
    slot.initialized = false
    slot.startedAt = Date.now()
    slot.report = EMPTY_REPORT
    const timeoutMs = this.#options.timeoutMs ?? 20000
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${slot.index} (pid ${worker.process.pid}) did not start within ${timeoutMs} ms`)), timeoutMs)
      timer.unref()
      const settle = (error?: Error) => {
        clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      }
      worker.on('message', (m: FromWorker) => {
        if (slot.worker !== worker) return
        if (m.t === 'ready') {
          this.#send(worker, {
            t: 'init',
            index: slot.index,
            node: this.#options.node ?? {},
            cookieKey: this.#cookieKey,
            authSecret: this.#options.authKeys?.secret ?? this.#authSecret,
            ticketKey: this.#ticketKeys.current,
            routable: this.#routable.pairs(),
            state: this.#latest,
            udp: slot.index === 0,
            logFile: this.#options.logFile,
            lambdaDir: this.#lambda.directory(),
          })
          slot.initialized = true
          return
        }
        if (m.t === 'applied' && m.seq === 0) {
          slot.report = m
          if (m.error) this.#options.log.error({ worker: slot.index, revision: m.revision, error: m.error }, 'worker could not apply the current revision')
          for (const f of m.result?.failed ?? []) this.#options.log.error({ worker: slot.index, ...f }, 'listener could not be opened in a worker; tried again every 5 s')
          settle()
          return
        }
        this.#received(slot, m)
      })
      worker.once('exit', (code, signal) => {
        settle(new Error(`worker ${slot.index} exited before it was ready (code ${code}, signal ${signal})`))
        this.#exited(slot, worker, code, signal)
      })
    })
  }

  #received(slot: Slot, m: FromWorker): void {
    if (m.t === 'report' || m.t === 'applied') slot.report = m
    if (m.t === 'applied' || m.t === 'drained' || m.t === 'metrics') {
      const p = this.#pending.get(m.seq)
      if (!p) return
      p.replies.set(slot.index, m)
      p.waiting.delete(slot.index)
      if (p.waiting.size === 0) p.done()
    }
  }

  #exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return
    slot.worker = undefined
    slot.initialized = false
    for (const [k, n] of slot.report.counts) this.#retired.set(k, (this.#retired.get(k) ?? 0) + n)
    slot.report = EMPTY_REPORT
    // Whatever waited for this worker's answer stops waiting for it.
    for (const p of this.#pending.values()) {
      if (p.waiting.delete(slot.index) && p.waiting.size === 0) p.done()
    }
    if (this.#stopping) return
    const lived = Date.now() - slot.startedAt
    slot.quickExits = lived < QUICK_EXIT_MS ? slot.quickExits + 1 : 0
    const waitMs = slot.quickExits === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 250 * 2 ** slot.quickExits)
    this.#options.log.error(
      { worker: slot.index, workerPid: worker.process.pid, code, signal, livedMs: lived, restartInMs: waitMs },
      `worker ${slot.index} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); the other workers keep serving, a new one starts${waitMs ? ` in ${waitMs} ms` : ''}`,
    )
    slot.restart = setTimeout(() => {
      slot.restart = undefined
      if (this.#stopping) return
      this.#fork(slot).then(
        () => this.#options.log.info({ worker: slot.index, workerPid: slot.worker?.process.pid }, `worker ${slot.index} replaced (pid ${slot.worker?.process.pid})`),
        (e: unknown) => this.#options.log.error({ worker: slot.index, error: e instanceof Error ? e.message : String(e) }, 'replacement worker failed to start'),
      )
    }, waitMs)
  }

  #send(worker: Worker, m: ToWorker): void {
    if (worker.isConnected()) worker.send(m)
  }

  #broadcast(m: ToWorker): void {
    for (const s of this.#slots) if (s.worker && s.initialized) this.#send(s.worker, m)
  }

  /** Sends a request to every initialized worker and waits for each answer (an exited worker stops being waited for). */
  #ask(make: (seq: number) => ToWorker, timeoutMs: number): Promise<Map<number, FromWorker>> {
    const seq = ++this.#seq
    const targets = this.#slots.filter((s) => s.worker && s.initialized)
    return new Promise((resolve) => {
      const replies = new Map<number, FromWorker>()
      const waiting = new Set(targets.map((s) => s.index))
      const finish = () => {
        clearTimeout(timer)
        this.#pending.delete(seq)
        resolve(replies)
      }
      const timer = setTimeout(finish, timeoutMs)
      timer.unref()
      if (waiting.size === 0) return finish()
      this.#pending.set(seq, { waiting, replies, done: finish })
      const m = make(seq)
      for (const s of targets) if (s.worker) this.#send(s.worker, m)
    })
  }

  // RuntimeDataplane
  async apply(snapshot: Snapshot, state?: StateView): Promise<ApplyResult> {
    if (!state) throw new Error('the worker pool applies a revision with its state (the workers compile it)')
    this.snapshot = snapshot
    this.#lambda.sync(snapshot.targetGroups)
    const wire = toWire(state)
    this.#latest = wire
    const replies = await this.#ask((seq) => ({ t: 'apply', seq, state: wire }), this.#options.timeoutMs ?? 20000)
    const opened = new Set<string>()
    const closed = new Set<string>()
    const failed = new Map<string, string>()
    for (const [index, r] of replies) {
      if (r.t !== 'applied') continue
      if (r.error) this.#options.log.error({ worker: index, revision: r.revision, error: r.error }, 'worker could not apply a revision')
      for (const k of r.result?.opened ?? []) opened.add(k)
      for (const k of r.result?.closed ?? []) closed.add(k)
      for (const f of r.result?.failed ?? []) failed.set(f.bindKey, f.error)
    }
    return { revision: snapshot.revision, opened: [...opened], closed: [...closed], failed: [...failed].map(([bindKey, error]) => ({ bindKey, error })) }
  }

  /** Where a lambda group's target is reached: its gateway here, in the primary (the runtime and the workers compile it in). */
  lambdaSocketPath(groupArn: string): string {
    return this.#lambda.socketPath(groupArn)
  }

  healthChanged(groupArn: string, key: string): void {
    const routable = this.#options.health.isRoutable(groupArn, key)
    this.#routable.set(groupArn, key, routable)
    this.#broadcast({ t: 'health', group: groupArn, key, routable })
  }

  /**
   * Each listener as the workers have it: failed when one worker failed to bind it, listening when
   * one listens (worker 0 alone holds UDP listeners), else opening.
   */
  listenerStates(): ListenerBindState[] {
    const byKey = new Map<string, ListenerBindState>()
    const rank = (s: ListenerBindState) => (s.state === 'failed' ? 2 : s.state === 'listening' ? 1 : 0)
    for (const slot of this.#slots) {
      for (const s of slot.report.states) {
        const known = byKey.get(s.bindKey)
        if (!known || rank(s) > rank(known)) byKey.set(s.bindKey, s)
      }
    }
    return [...byKey.values()]
  }

  /** The port a bind key listens on in the workers (differs from the snapshot's only for port 0). */
  boundPort(bindKey: string): number | undefined {
    for (const slot of this.#slots) for (const [k, port] of slot.report.ports) if (k === bindKey) return port
    return undefined
  }

  /** The console's explain view, from the primary's own compile of the revision and the node's health. */
  explain(listenerArn: string, req: RouteRequest): ListenerExplanation | undefined {
    const snapshot = this.snapshot
    if (!snapshot) return undefined
    const listener = [...snapshot.listeners.values()].find((l) => l.arn === listenerArn)
    if (!listener) return undefined
    const route = listener.router.explain(req)
    const action = route.matched.action
    const groups =
      action.kind === 'forward'
        ? action.targetGroupArns.map((arn) => {
            const tg = snapshot.targetGroups.get(arn)
            const healthArn = tg?.healthGroupArn ?? arn
            return { arn, targets: (tg?.targets ?? []).map((t) => ({ key: t.key, id: t.id, routable: this.#routable.isRoutable(healthArn, t.healthKey ?? t.key) })) }
          })
        : []
    return { route, groups }
  }

  #totals(): Map<string, number> {
    const out = new Map(this.#retired)
    for (const slot of this.#slots) for (const [k, n] of slot.report.counts) out.set(k, (out.get(k) ?? 0) + n)
    return out
  }

  /** Every worker's metrics (prom-client JSON), by worker index. */
  async workerMetrics(): Promise<Map<number, MetricObjectWithValues<MetricValue<string>>[]>> {
    const replies = await this.#ask((seq) => ({ t: 'metrics', seq }), 5000)
    const out = new Map<number, MetricObjectWithValues<MetricValue<string>>[]>()
    for (const [index, r] of replies) if (r.t === 'metrics') out.set(index, r.json as MetricObjectWithValues<MetricValue<string>>[])
    return out
  }

  /**
   * The node's metrics: the primary's own families with every worker's, summed; with `byWorker`,
   * each worker's series keep a `worker` label (0..N-1) instead of being summed.
   */
  async aggregate(primary: MetricObjectWithValues<MetricValue<string>>[], byWorker = false): Promise<AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'>> {
    const workers = await this.workerMetrics()
    const label = (families: MetricObjectWithValues<MetricValue<string>>[], worker: string) => families.map((f) => ({ ...f, values: f.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })) }))
    const parts = [byWorker ? label(primary, 'primary') : primary]
    for (const [index, families] of workers) {
      parts.push(byWorker ? label(families, String(index)) : families)
    }
    return AggregatorRegistry.aggregate(parts) as AggregatorRegistry<'text/plain; version=0.0.4; charset=utf-8'>
  }

  reopenLogs(): void {
    this.#broadcast({ t: 'reopen-logs' })
  }

  /** Every worker stops accepting and lets its requests finish (the single process's drain, in each). */
  async drain(timeoutMs: number): Promise<{ readonly idle: boolean }> {
    this.#stopping = true
    const replies = await this.#ask((seq) => ({ t: 'drain', seq, timeoutMs }), timeoutMs + 1000)
    return { idle: [...replies.values()].every((r) => r.t === 'drained' && r.idle) && replies.size === this.#slots.filter((s) => s.worker).length }
  }

  /** Stops every worker (each closes its connections), killing one that does not exit within 5 s. */
  async close(): Promise<void> {
    this.#stopping = true
    this.#ticketKeys.stop()
    const exits: Promise<void>[] = []
    for (const slot of this.#slots) {
      if (slot.restart) clearTimeout(slot.restart)
      const w = slot.worker
      if (!w) continue
      exits.push(
        new Promise<void>((resolve) => {
          if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve()
          const kill = setTimeout(() => w.process.kill('SIGKILL'), 5000)
          w.once('exit', () => {
            clearTimeout(kill)
            resolve()
          })
          this.#send(w, { t: 'stop' })
        }),
      )
    }
    await Promise.all(exits)
    this.#lambda.close()
  }
}
