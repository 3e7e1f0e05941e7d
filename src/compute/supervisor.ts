import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Control } from '../control/control.js'
import { completeTransition, purgeTerminated } from '../control/instances.js'
import { TERMINATED_VISIBLE_SECONDS, type Instance } from '../model/instance.js'
import type { StateView } from '../model/state-view.js'
import { AddressClaims } from './address-claims.js'
import { consoleLine, instanceDir, openConsoleLog } from './console-log.js'
import { stopGroup } from './process-group.js'

export interface SupervisorLog {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface SupervisorOptions {
  readonly control: Control
  readonly dataDir: string
  /** Run instances' user data and commands (`openalb up --run-user-data`): it executes code sent to the API. */
  readonly runUserData: boolean
  readonly log?: SupervisorLog | undefined
  /** How long a stop waits after SIGTERM before SIGKILL (default 5 s). */
  readonly stopTimeoutMs?: number | undefined
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const CLOCK_TICKS = 100

/** What DescribeInstanceStatus reports of an instance's own check (EC2's instance reachability). */
export interface InstanceCheck {
  readonly status: 'ok' | 'impaired' | 'initializing' | 'not-applicable'
  readonly reachability: 'passed' | 'failed' | 'initializing'
  /** ISO 8601, when the check started failing. */
  readonly impairedSince?: string | undefined
}

interface Running {
  readonly child: ChildProcess
  readonly exited: Promise<void>
  exit?: { code: number | null; signal: NodeJS.Signals | null; at: string }
  /** The reboot request this process was started after. */
  readonly rebootMark: string | undefined
}

/** The program an instance runs: a #! user data script or a command; undefined for none. */
function programOf(i: Instance): { kind: 'script'; text: string } | { kind: 'command'; argv: readonly string[] } | { kind: 'not-a-script' } | undefined {
  if (i.command && i.command.length > 0) return { kind: 'command', argv: i.command }
  if (i.userData === undefined || i.userData === '') return undefined
  return i.userData.startsWith('#!') ? { kind: 'script', text: i.userData } : { kind: 'not-a-script' }
}

const rebootMark = (i: Instance): string | undefined => (i.stateReason?.startsWith('openalb.reboot:') ? i.stateReason : undefined)

/**
 * Carries out the instances' state changes on this machine: a pending instance's program starts
 * (in its own process group, output to its console log, its identity in the environment) and it
 * turns running; stopping and shutting-down signal the group (SIGTERM, then SIGKILL) and end in
 * stopped or terminated. A program that exits leaves the instance running with a failed check, as
 * EC2 shows a dead server. Nothing it starts outlives openalb: stop() ends every group.
 */
export class InstanceSupervisor {
  readonly #procs = new Map<string, Running>()
  readonly #notRun = new Map<string, string>()
  readonly #claims = new AddressClaims()
  readonly #opts: SupervisorOptions
  #latest: StateView | undefined
  #pass: Promise<void> = Promise.resolve()
  #queued = false
  #stopped = false

  constructor(options: SupervisorOptions) {
    this.#opts = options
  }

  /** Each revision: bring processes and states in line (one pass at a time; the last view wins). */
  reconcile(view: StateView): void {
    this.#latest = view
    if (this.#queued || this.#stopped) return
    this.#queued = true
    this.#pass = this.#pass.then(async () => {
      this.#queued = false
      const v = this.#latest
      if (v) await this.#reconcile(v).catch((e: unknown) => this.#opts.log?.error({ err: e instanceof Error ? e.message : String(e) }, 'instance reconcile failed'))
    })
  }

  /** Resolves when the passes queued so far are done (tests, shutdown). */
  settled(): Promise<void> {
    return this.#pass
  }

  check(i: Instance): InstanceCheck {
    if (!i.launched) return { status: 'ok', reachability: 'passed' }
    if (i.state !== 'running') return { status: i.state === 'pending' ? 'initializing' : 'not-applicable', reachability: 'initializing' }
    const refused = this.#notRun.get(i.id)
    if (refused !== undefined) return { status: 'impaired', reachability: 'failed', impairedSince: refused }
    const p = this.#procs.get(i.id)
    if (p?.exit) return { status: 'impaired', reachability: 'failed', impairedSince: p.exit.at }
    if (!p && programOf(i)?.kind !== undefined && programOf(i)?.kind !== 'not-a-script') return { status: 'initializing', reachability: 'initializing' }
    return { status: 'ok', reachability: 'passed' }
  }

  /**
   * CPU seconds (user + system) the processes of each instance's process group have used, read
   * from /proc; instances without a live process are left out. Target tracking on
   * ASGAverageCPUUtilization divides its deltas by the time between readings.
   */
  cpuSeconds(ids: readonly string[]): Map<string, number> {
    const byGroup = new Map<number, string>()
    for (const id of ids) {
      const pid = this.#procs.get(id)?.child.pid
      if (pid !== undefined && !this.#procs.get(id)?.exit) byGroup.set(pid, id)
    }
    const out = new Map<string, number>()
    if (byGroup.size === 0) return out
    let pids: string[]
    try {
      pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n))
    } catch {
      return out
    }
    for (const pid of pids) {
      let stat: string
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue // gone since the listing
      }
      // Fields after the command name: state ppid pgrp ... utime (14) stime (15), in clock ticks.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const id = byGroup.get(Number(f[2]))
      if (id === undefined) continue
      out.set(id, (out.get(id) ?? 0) + (Number(f[11]) + Number(f[12])) / CLOCK_TICKS)
    }
    return out
  }

  async stop(): Promise<void> {
    this.#stopped = true
    await this.#pass
    await Promise.all([...this.#procs.keys()].map((id) => this.#kill(id)))
    this.#claims.close()
  }

  async #reconcile(view: StateView): Promise<void> {
    const { control } = this.#opts
    const now = Date.now()
    // The addresses this openalb's instances hold, claimed on the machine (address-claims.ts).
    const held = new Set(view.list('instance').filter((i) => i.launched && i.state !== 'terminated').map((i) => i.address))
    this.#claims.sync(held, (address, err) => this.#opts.log?.warn({ address, err: err.message }, 'could not claim an instance address'))
    for (const i of view.list('instance')) {
      if (!i.launched) continue
      switch (i.state) {
        case 'pending':
          this.#start(i)
          await control.mutate((d) => completeTransition(d, i.id, 'pending', 'running'))
          break
        case 'running': {
          const p = this.#procs.get(i.id)
          if (p && p.rebootMark !== rebootMark(i)) {
            consoleLine(this.#opts.dataDir, i.id, 'reboot requested: restarting')
            await this.#kill(i.id)
            this.#start(i)
          } else if (!p) this.#start(i) // openalb restarted while the instance was running
          break
        }
        case 'stopping':
          await this.#kill(i.id)
          await control.mutate((d) => completeTransition(d, i.id, 'stopping', 'stopped'))
          break
        case 'shutting-down':
          await this.#kill(i.id)
          await control.mutate((d) => completeTransition(d, i.id, 'shutting-down', 'terminated'))
          break
        case 'stopped':
        case 'terminated':
          if (this.#procs.has(i.id)) await this.#kill(i.id)
          this.#notRun.delete(i.id)
          break
      }
    }
    const expired = view.list('instance').some((i) => i.state === 'terminated' && now - Date.parse(i.stateChangedAt) > TERMINATED_VISIBLE_SECONDS * 1000)
    if (expired) await control.mutate((d) => purgeTerminated(d, now))
  }

  #start(i: Instance): void {
    if (this.#procs.has(i.id) || this.#stopped) return
    const program = programOf(i)
    const { dataDir, log } = this.#opts
    if (program === undefined) return
    if (program.kind === 'not-a-script') {
      if (!this.#notRun.has(i.id)) consoleLine(dataDir, i.id, 'user data is not a #! script; openalb runs no cloud-init, so nothing was run')
      this.#notRun.delete(i.id)
      return
    }
    if (!this.#opts.runUserData) {
      if (!this.#notRun.has(i.id)) {
        const at = new Date().toISOString()
        this.#notRun.set(i.id, at)
        consoleLine(dataDir, i.id, 'user data NOT run: this openalb was started without --run-user-data (it executes code sent to the API)')
        log?.warn({ instance: i.id }, 'instance user data not run: start openalb with --run-user-data to run it')
      }
      return
    }
    this.#notRun.delete(i.id)
    const dir = instanceDir(dataDir, i.id)
    const out = openConsoleLog(dataDir, i.id)
    let file: string
    let args: string[]
    if (program.kind === 'script') {
      file = join(dir, 'user-data')
      writeFileSync(file, program.text, { mode: 0o700 })
      args = []
    } else {
      file = program.argv[0] ?? ''
      args = program.argv.slice(1)
    }
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      OPENALB_INSTANCE_ID: i.id,
      OPENALB_PRIVATE_IP: i.address,
      OPENALB_PRIVATE_DNS_NAME: i.privateDnsName,
      OPENALB_AVAILABILITY_ZONE: i.availabilityZone,
      OPENALB_SUBNET_ID: i.subnetId,
      OPENALB_VPC_ID: i.vpcId,
      OPENALB_REGION: i.region,
    }
    consoleLine(dataDir, i.id, `starting ${program.kind === 'script' ? 'user data' : `command ${file}`} on ${i.address}`)
    // Its own process group, so stop and terminate reach everything it starts (STYLE habit 18).
    const child = spawn(file, args, { cwd: dir, env, detached: true, stdio: ['ignore', out, out] })
    closeSync(out)
    const running: Running = {
      child,
      rebootMark: rebootMark(i),
      exited: new Promise<void>((resolve) => {
        const done = (code: number | null, signal: NodeJS.Signals | null) => {
          running.exit = { code, signal, at: new Date().toISOString() }
          consoleLine(dataDir, i.id, `process exited (${signal ?? `code ${code ?? '?'}`})`)
          resolve()
        }
        child.once('exit', done)
        child.once('error', (e) => {
          consoleLine(dataDir, i.id, `could not start: ${e.message}`)
          running.exit = { code: null, signal: null, at: new Date().toISOString() }
          resolve()
        })
      }),
    }
    this.#procs.set(i.id, running)
    if (child.pid !== undefined) consoleLine(dataDir, i.id, `process ${child.pid} started`)
    log?.info({ instance: i.id, pid: child.pid, address: i.address }, 'instance process started')
  }

  /** SIGTERM to the group, SIGKILL after the timeout; resolves once the process is gone. */
  async #kill(id: string): Promise<void> {
    const p = this.#procs.get(id)
    if (!p) return
    this.#procs.delete(id)
    if (p.exit) return
    await stopGroup(p.child, p.exited, this.#opts.stopTimeoutMs ?? 5000)
  }
}
