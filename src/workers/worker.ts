import { AuthKeys } from '../dataplane/auth/keys.js'
import cluster from 'node:cluster'
import pino, { type Logger } from 'pino'
import { Dataplane } from '../dataplane/dataplane.js'
import { MetricsSink } from '../dataplane/metrics-sink.js'
import type { Snapshot } from '../dataplane/snapshot.js'
import { TicketKeys } from '../dataplane/tls/ticket-keys.js'
import { lambdaSocketIn } from '../dataplane/lambda/gateway.js'
import { Metrics } from '../metrics/metrics.js'
import { compileRevision, type NodeView } from '../runtime/snapshot.js'
import { HealthMirror } from './health-mirror.js'
import type { FromWorker, InitMessage, ListenerReport, ToWorker } from './protocol.js'
import { WireStateView, type WireState } from './wire.js'

/**
 * One data-plane worker of a node (`openalb up --workers N`, a node:cluster worker). It serves
 * the listeners (their sockets are shared through cluster), and nothing else: the primary follows
 * the store, runs health checks, DNS and certificates, and sends this worker each revision it
 * applied, every health change and the TLS ticket key. The worker compiles the revision with the
 * same compileRevision as the primary and applies it to its own Dataplane.
 */

const send = (m: FromWorker): void => {
  if (process.connected) process.send?.(m)
}

/** The worker's log: stderr and the node's own log file (DATA/openalb.log), appended to by every process of the node. */
function workerLog(index: number, file: string | undefined): { log: Logger; reopen: () => void } {
  const level = process.env.OPENALB_LOG_LEVEL ?? 'info'
  const streams: pino.StreamEntry[] = [{ stream: pino.destination(2), level: 'trace' }]
  const own = file ? pino.destination({ dest: file, append: true, sync: true }) : undefined
  if (own) streams.push({ stream: own, level: 'trace' })
  return { log: pino({ level, base: { pid: process.pid, hostname: undefined, worker: index } }, pino.multistream(streams)), reopen: () => own?.reopen() }
}

class Worker {
  readonly metrics = new Metrics()
  readonly health = new HealthMirror()
  readonly dataplane: Dataplane
  readonly ticketKeys: TicketKeys
  #nextTicketKey: Buffer
  #lastReport = ''
  readonly #reportTimer: NodeJS.Timeout
  #applying: Promise<void> = Promise.resolve()

  constructor(
    readonly init: InitMessage,
    readonly log: Logger,
    readonly reopenLog: () => void,
  ) {
    this.#nextTicketKey = Buffer.from(init.ticketKey)
    // Not started: the primary rotates the key and sends it to every worker at once.
    this.ticketKeys = new TicketKeys(12, () => this.#nextTicketKey)
    this.health.load(init.routable)
    this.dataplane = new Dataplane({
      health: this.health,
      log,
      metrics: new MetricsSink(this.metrics),
      cookieKey: Buffer.from(init.cookieKey),
      authKeys: new AuthKeys(Buffer.from(init.authSecret)),
      ticketKeys: this.ticketKeys,
      // Lambda groups are served by the primary's gateways (it runs the functions): targets name their sockets.
      lambdaGateways: false,
    })
    // Listener states change on their own too (a port that came free): reported when they do.
    this.#reportTimer = setInterval(() => this.#reportIfChanged(), 1000)
  }

  handle(m: ToWorker): void {
    switch (m.t) {
      case 'apply':
        this.#queueApply(m.seq, m.state)
        return
      case 'health':
        this.health.set(m.group, m.key, m.routable)
        this.dataplane.healthChanged(m.group, m.key)
        return
      case 'ticket-key':
        this.#nextTicketKey = Buffer.from(m.key)
        this.ticketKeys.rotate()
        return
      case 'drain':
        void this.dataplane.drain(m.timeoutMs).then((r) => send({ t: 'drained', seq: m.seq, idle: r.idle }))
        return
      case 'metrics':
        void this.metrics.registry.getMetricsAsJSON().then((json) => send({ t: 'metrics', seq: m.seq, json }))
        return
      case 'reopen-logs':
        this.dataplane.accessLogs.reopen()
        this.reopenLog()
        return
      case 'stop':
        clearInterval(this.#reportTimer)
        void this.dataplane.close().finally(() => process.exit(0))
        return
      case 'init':
        return
    }
  }

  /** Revisions are applied one after the other, in the order the primary sent them. */
  #queueApply(seq: number, state: WireState): void {
    this.#applying = this.#applying.then(() => this.#apply(seq, state))
  }

  async #apply(seq: number, wire: WireState): Promise<void> {
    try {
      const dir = this.init.lambdaDir
      const node: NodeView = { ...this.init.node, lambdaSocket: (arn) => lambdaSocketIn(dir, arn) }
      const compiled = compileRevision(new WireStateView(wire), node)
      if (!compiled.snapshot.ok) {
        const error = compiled.snapshot.failures.map((f) => JSON.stringify(f)).join('; ')
        this.log.error({ revision: wire.revision, failures: compiled.snapshot.failures }, 'worker could not compile a revision the primary applied')
        send({ t: 'applied', seq, revision: wire.revision, result: undefined, error, ...this.#report() })
        return
      }
      const result = await this.dataplane.apply(this.#own(compiled.snapshot.value))
      send({ t: 'applied', seq, revision: wire.revision, result, ...this.#report() })
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e)
      this.log.error({ revision: wire.revision, error }, 'worker could not apply a revision')
      send({ t: 'applied', seq, revision: wire.revision, result: undefined, error, ...this.#report() })
    }
  }

  /** A UDP listener is served by worker 0 alone (the others leave it out of their snapshot). */
  #own(snapshot: Snapshot): Snapshot {
    const l4 = snapshot.l4Listeners
    if (this.init.udp || l4 === undefined || ![...l4.values()].some((l) => l.protocol === 'UDP')) return snapshot
    return { ...snapshot, l4Listeners: new Map([...l4].filter(([, l]) => l.protocol !== 'UDP')) }
  }

  #report(): ListenerReport {
    const states = this.dataplane.listenerStates()
    const ports: [string, number][] = []
    for (const s of states) {
      const port = this.dataplane.boundPort(s.bindKey)
      if (port !== undefined) ports.push([s.bindKey, port])
    }
    return { states, ports, counts: this.metrics.counts() }
  }

  #reportIfChanged(): void {
    const report = this.#report()
    const text = JSON.stringify([report.states, report.ports, [...report.counts]])
    if (text === this.#lastReport) return
    this.#lastReport = text
    send({ t: 'report', ...report })
  }
}

function main(): void {
  if (!cluster.isWorker) throw new Error('src/workers/worker.ts runs as a node:cluster worker of openalb up --workers N')
  // A terminal's Ctrl-C reaches the whole process group: the primary decides when workers drain and stop.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => {})
  process.on('SIGUSR1', () => {})
  let worker: Worker | undefined
  process.on('message', (m: ToWorker) => {
    if (m.t === 'init') {
      if (worker) return
      const { log, reopen } = workerLog(m.index, m.logFile)
      worker = new Worker(m, log, reopen)
      const w = worker
      if (m.state) w.handle({ t: 'apply', seq: 0, state: m.state })
      else send({ t: 'applied', seq: 0, revision: -1, result: { revision: -1, opened: [], closed: [], failed: [] }, states: [], ports: [], counts: new Map() })
      return
    }
    worker?.handle(m)
  })
  send({ t: 'ready' })
}

main()
