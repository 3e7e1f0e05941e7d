import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import {
  concurrencyOf,
  environmentKey,
  LOG_TAIL_BYTES,
  runtimeLanguage,
  type FunctionInvoker,
  type InvocationType,
  type InvokeOutcome,
  type LambdaFunction,
} from '../model/function.js'
import type { StateView } from '../model/state-view.js'
import { appendLog, functionLogPath, openLog } from './console-log.js'
import { codeDirectoryOf } from './function-code.js'
import { NODE_HOST, PYTHON_HOST } from './function-hosts.js'
import { stopGroup } from './process-group.js'
import type { SupervisorLog } from './supervisor.js'

export interface FunctionRunnerOptions {
  readonly dataDir: string
  /** Run functions' code (`openalb up --run-user-data`): it executes code sent to the API. */
  readonly runCode: boolean
  readonly region: string
  readonly log?: SupervisorLog | undefined
  /** An idle process is ended after this long (default 10 minutes), as Lambda reclaims idle environments. */
  readonly idleMs?: number | undefined
  /** The python interpreter (default python3 on PATH). */
  readonly python?: string | undefined
}

/** Events (InvocationType Event) waiting for a free process, per function: Lambda's async queue, bounded here. */
const MAX_QUEUED_EVENTS = 1000

interface Reply {
  readonly result?: string
  readonly error?: Record<string, unknown>
}

/** One execution environment: a runtime host process that runs one invocation at a time. */
class Host {
  readonly exited: Promise<void>
  /** Resolves once the handler is loaded: undefined, or the init error (Runtime.ImportModuleError, ...). */
  readonly ready: Promise<{ errorType: string; errorMessage: string } | undefined>
  /** Milliseconds the cold start took. */
  initMs = 0
  alive = true
  idleTimer: NodeJS.Timeout | undefined
  #buffer = ''
  #waiting: ((r: Reply | undefined) => void) | undefined
  #seq = 0
  #readyResolve!: (v: { errorType: string; errorMessage: string } | undefined) => void

  constructor(
    readonly child: ChildProcess,
    readonly key: string,
  ) {
    const started = performance.now()
    this.ready = new Promise((resolve) => {
      this.#readyResolve = (v) => {
        this.initMs = performance.now() - started
        resolve(v)
      }
    })
    const chan = child.stdio[3] as Duplex
    chan.setEncoding('utf8')
    chan.on('data', (chunk: string) => this.#data(chunk))
    chan.on('error', () => undefined)
    this.exited = new Promise<void>((resolve) => {
      const gone = () => {
        this.alive = false
        this.#readyResolve({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: - Error: Runtime exited${child.exitCode !== null ? ` with error: exit status ${child.exitCode}` : child.signalCode ? ` with error: signal: ${child.signalCode}` : ''}` })
        this.#waiting?.(undefined)
        this.#waiting = undefined
        resolve()
      }
      child.once('exit', gone)
      child.once('error', gone)
    })
  }

  #data(chunk: string): void {
    this.#buffer += chunk
    for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, nl)
      this.#buffer = this.#buffer.slice(nl + 1)
      let msg: Record<string, unknown>
      try {
        msg = JSON.parse(line) as Record<string, unknown>
      } catch {
        continue
      }
      if (msg.type === 'ready') this.#readyResolve(undefined)
      else if (msg.type === 'init-error') this.#readyResolve({ errorType: String(msg.errorType), errorMessage: String(msg.errorMessage) })
      else {
        const w = this.#waiting
        this.#waiting = undefined
        w?.(msg as Reply)
      }
    }
  }

  /** Sends one invocation; resolves with the host's answer, or undefined when the process died. */
  call(event: string, requestId: string, deadlineMs: number, functionArn: string): Promise<Reply | undefined> {
    return new Promise((resolve) => {
      if (!this.alive) return resolve(undefined)
      this.#waiting = resolve
      const chan = this.child.stdio[3] as Duplex
      chan.write(`${JSON.stringify({ id: ++this.#seq, event, requestId, deadlineMs, functionArn })}\n`)
    })
  }

  stop(): Promise<void> {
    this.alive = false
    if (this.idleTimer) clearTimeout(this.idleTimer)
    return stopGroup(this.child, this.exited, 0)
  }
}

interface Pool {
  fn: LambdaFunction
  key: string
  idle: Host[]
  /** Invocations running now (each holds a process, new or warm). */
  busy: number
  events: string[]
  draining: boolean
}

const nowIso = () => new Date().toISOString()

function logSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** The log from `offset` on, at most its last LOG_TAIL_BYTES. */
function logSince(path: string, offset: number): string {
  const end = logSize(path)
  const from = Math.max(offset, end - LOG_TAIL_BYTES)
  if (end <= from) return ''
  const buf = Buffer.alloc(end - from)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, buf.length, from)
  } finally {
    closeSync(fd)
  }
  return buf.toString('utf8')
}

/**
 * Runs Lambda functions on this machine. Each function has a pool of execution environments: a
 * process of its runtime's host (this machine's node, or python3), started on the first
 * invocation (a cold start, reported as Init Duration) and kept warm for the next one. A process
 * runs one invocation at a time; a function runs at most its concurrency of them at once, and an
 * invocation past that is throttled. An invocation that outlives the function's timeout has its
 * process killed. A new code or configuration retires the warm processes: the next invocation
 * starts cold. The handler's output, and Lambda's START/END/REPORT lines, go to the function's
 * log. Nothing outlives openalb: stop() ends every process.
 */
export class FunctionRunner implements FunctionInvoker {
  readonly #opts: FunctionRunnerOptions
  readonly #pools = new Map<string, Pool>()
  readonly #byName = new Map<string, string>()
  #hostFiles: { node: string; python: string } | undefined
  #stopped = false

  constructor(options: FunctionRunnerOptions) {
    this.#opts = options
  }

  get runsCode(): boolean {
    return this.#opts.runCode
  }

  /** Each revision: functions' configurations follow; changed or deleted ones lose their warm processes. */
  reconcile(view: StateView): void {
    const seen = new Set<string>()
    this.#byName.clear()
    for (const fn of view.list('function')) {
      seen.add(fn.arn)
      this.#byName.set(fn.name, fn.arn)
      const key = environmentKey(fn)
      const pool = this.#pools.get(fn.arn)
      if (!pool) {
        this.#pools.set(fn.arn, { fn, key, idle: [], busy: 0, events: [], draining: false })
        continue
      }
      pool.fn = fn
      if (pool.key !== key) {
        pool.key = key
        for (const h of pool.idle.splice(0)) void h.stop()
      }
      this.#drainEvents(pool)
    }
    for (const [arn, pool] of this.#pools) {
      if (seen.has(arn)) continue
      this.#pools.delete(arn)
      pool.key = ''
      pool.events = []
      for (const h of pool.idle.splice(0)) void h.stop()
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    const all: Promise<void>[] = []
    for (const pool of this.#pools.values()) {
      pool.events = []
      for (const h of pool.idle.splice(0)) all.push(h.stop())
    }
    for (const h of this.#running) all.push(h.stop())
    await Promise.all(all)
  }

  readonly #running = new Set<Host>()

  /** Processes alive now for a function (tests, `openalb get functions`). */
  processes(ref: string): { idle: number; busy: number } {
    const pool = this.#pool(ref)
    return { idle: pool?.idle.length ?? 0, busy: pool?.busy ?? 0 }
  }

  #pool(ref: string): Pool | undefined {
    return this.#pools.get(ref) ?? this.#pools.get(this.#byName.get(ref) ?? '')
  }

  async invoke(ref: string, event: string, type: InvocationType = 'RequestResponse'): Promise<InvokeOutcome> {
    const pool = this.#pool(ref)
    if (!pool) return { kind: 'not-found' }
    const refusal = this.#refusal(pool.fn)
    if (refusal) return { kind: 'not-runnable', message: refusal }
    if (type === 'Event') {
      if (pool.events.length >= MAX_QUEUED_EVENTS) return { kind: 'throttled', reason: 'ConcurrentInvocationLimitExceeded' }
      pool.events.push(event)
      this.#drainEvents(pool)
      return { kind: 'ok', payload: '' }
    }
    const limit = concurrencyOf(pool.fn)
    if (pool.busy >= limit) {
      return { kind: 'throttled', reason: pool.fn.reservedConcurrency !== undefined ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded' }
    }
    return this.#run(pool, event)
  }

  /** Queued events run as processes free up (Lambda's asynchronous invocation; no retries). */
  #drainEvents(pool: Pool): void {
    while (pool.events.length > 0 && pool.busy < concurrencyOf(pool.fn) && !this.#stopped) {
      const event = pool.events.shift() ?? 'null'
      void this.#run(pool, event).then(() => this.#drainEvents(pool))
    }
  }

  #refusal(fn: LambdaFunction): string | undefined {
    if (!this.#opts.runCode) return `The function ${fn.name} cannot run: this openalb was started without --run-user-data (it executes code given to it)`
    const dir = codeDirectoryOf(this.#opts.dataDir, fn)
    if (!existsSync(dir)) return `The function ${fn.name}'s code is not on this node (${dir})`
    return undefined
  }

  async #run(pool: Pool, event: string): Promise<InvokeOutcome> {
    pool.busy++
    const fn = pool.fn
    const key = pool.key
    const requestId = randomUUID()
    const log = functionLogPath(this.#opts.dataDir, fn.name)
    let host = pool.idle.pop()
    if (host) clearTimeout(host.idleTimer)
    let cold = false
    try {
      if (!host || !host.alive) {
        host = this.#spawn(fn, key)
        cold = true
      }
      this.#running.add(host)
      const initError = await host.ready
      const logStart = logSize(log)
      appendLog(log, `START RequestId: ${requestId} Version: $LATEST\n`)
      const started = performance.now()
      const deadline = Date.now() + fn.timeoutSeconds * 1000
      let outcome: InvokeOutcome
      if (initError) {
        outcome = { kind: 'function-error', errorType: initError.errorType, payload: JSON.stringify({ errorType: initError.errorType, errorMessage: initError.errorMessage }) }
      } else {
        let timer: NodeJS.Timeout | undefined
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), fn.timeoutSeconds * 1000)
        })
        const reply = await Promise.race([host.call(event, requestId, deadline, fn.arn), timedOut])
        clearTimeout(timer)
        if (reply === 'timeout') {
          const message = `${nowIso()} ${requestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`
          appendLog(log, `${message}\n`)
          await host.stop()
          outcome = { kind: 'timeout', payload: JSON.stringify({ errorMessage: message }) }
        } else if (reply === undefined) {
          outcome = { kind: 'function-error', errorType: 'Runtime.ExitError', payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` }) }
        } else if (reply.error) {
          outcome = { kind: 'function-error', errorType: String(reply.error.errorType ?? 'Error'), payload: JSON.stringify(reply.error) }
        } else {
          outcome = { kind: 'ok', payload: reply.result ?? 'null' }
        }
      }
      const ms = performance.now() - started
      const init = cold ? ` Init Duration: ${host.initMs.toFixed(2)} ms` : ''
      appendLog(log, `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: ${fn.memorySizeMb} MB${init}\n`)
      // What the log gained while this invocation ran (Invoke's LogType Tail; lines of invocations running alongside may be in it).
      return outcome.kind === 'ok' || outcome.kind === 'function-error' || outcome.kind === 'timeout' ? { ...outcome, log: logSince(log, logStart) } : outcome
    } finally {
      pool.busy--
      if (host) {
        this.#running.delete(host)
        // A process goes back warm only while it still runs the function's current code and configuration.
        if (host.alive && pool.key === key && this.#pools.get(fn.arn) === pool && !this.#stopped) this.#keepWarm(pool, host)
        else void host.stop()
      }
    }
  }

  #keepWarm(pool: Pool, host: Host): void {
    host.idleTimer = setTimeout(() => {
      const i = pool.idle.indexOf(host)
      if (i >= 0) pool.idle.splice(i, 1)
      void host.stop()
    }, this.#opts.idleMs ?? 600_000)
    host.idleTimer.unref()
    pool.idle.push(host)
  }

  #hosts(): { node: string; python: string } {
    if (this.#hostFiles) return this.#hostFiles
    const dir = join(this.#opts.dataDir, 'functions', 'runtime')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const node = join(dir, 'node-host.mjs')
    const python = join(dir, 'python-host.py')
    writeFileSync(node, NODE_HOST, { mode: 0o600 })
    writeFileSync(python, PYTHON_HOST, { mode: 0o600 })
    this.#hostFiles = { node, python }
    return this.#hostFiles
  }

  /** A cold start: a new process of the runtime's host, in its own process group, output to the function's log. */
  #spawn(fn: LambdaFunction, key: string): Host {
    const { dataDir, region } = this.#opts
    const hosts = this.#hosts()
    const dir = codeDirectoryOf(dataDir, fn)
    const stream = `${nowIso().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomUUID().replace(/-/g, '')}`
    const env: Record<string, string> = {
      ...fn.environment,
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      LAMBDA_TASK_ROOT: dir,
      _HANDLER: fn.handler,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      // Lambda's task root is read-only: nothing is written beside the code (no __pycache__ in a YAML code directory).
      PYTHONDONTWRITEBYTECODE: '1',
    }
    const node = runtimeLanguage(fn.runtime) === 'node'
    const file = node ? process.execPath : (this.#opts.python ?? 'python3')
    const args = node ? [`--max-old-space-size=${fn.memorySizeMb}`, hosts.node] : ['-u', hosts.python]
    const out = openLog(functionLogPath(dataDir, fn.name))
    // Its own process group, so a timeout or stop reaches everything the handler started (STYLE habit 18).
    const child = spawn(file, args, { cwd: dir, env, detached: true, stdio: ['ignore', out, out, 'pipe'] })
    closeSync(out)
    this.#opts.log?.info({ function: fn.name, pid: child.pid, runtime: fn.runtime }, 'function process started (cold start)')
    return new Host(child, key)
  }
}
