import type { Control } from '../control/control.js'
import { reconcileGroup, type GroupObservations } from '../control/group-reconcile.js'
import type { Instance } from '../model/instance.js'
import { PolicyEvaluator, type PolicyMetrics } from './policies.js'

/** The part of a pino logger the controller uses. */
export interface ControllerLog {
  info(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface GroupControllerOptions {
  readonly control: Control
  /** Whether an instance's process has exited (compute's supervisor knows; main wires it). */
  readonly processExited: (instance: Instance) => boolean
  /** A target's state in a target group as this node's health checker sees it (runtime's DescribeTargetHealth). */
  readonly targetState: (targetGroupArn: string, instanceId: string) => string | undefined
  /** Whether this openalb runs user data (`openalb up --run-user-data`). */
  readonly runsUserData: boolean
  /**
   * Runs a pass only while this node holds the fleet's autoscaling lock (etcd); false when
   * another node holds it. Alone (SQLite) there is no lock: this node is the only one.
   */
  readonly lock?: ((pass: () => Promise<void>) => Promise<boolean>) | undefined
  /** The metric store target tracking reads (monitoring's); without it target tracking policies are stored and not evaluated. */
  readonly metrics?: PolicyMetrics | undefined
  /** Milliseconds between passes ($OPENALB_AUTOSCALING_INTERVAL_MS, default 1000). */
  readonly intervalMs?: number | undefined
  readonly log?: ControllerLog | undefined
}

/**
 * Keeps every Auto Scaling group at its desired capacity: each interval, one pass per group
 * (control's reconcileGroup, committed as one revision per group that changed) with what this
 * node observes of the instances' processes and the target groups' health. Decisions are control
 * operations, so the store keeps one writer; in a fleet only the lock holder runs passes.
 */
export class GroupController {
  readonly #opts: GroupControllerOptions
  #timer: NodeJS.Timeout | undefined
  #pass: Promise<void> = Promise.resolve()
  #stopped = false
  readonly #policies: PolicyEvaluator | undefined

  constructor(options: GroupControllerOptions) {
    this.#opts = options
    this.#policies = options.metrics ? new PolicyEvaluator(options.control, options.metrics) : undefined
  }

  start(): void {
    const every = this.#opts.intervalMs ?? 1000
    const tick = () => {
      if (this.#stopped) return
      this.#pass = this.#runOnce().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, every)
      })
    }
    this.#timer = setTimeout(tick, 0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    if (this.#timer) clearTimeout(this.#timer)
    await this.#pass
  }

  /** One pass over every group (tests call it to step without waiting for the timer). */
  async runOnce(): Promise<void> {
    await this.#pass
    this.#pass = this.#runOnce()
    await this.#pass
  }

  async #runOnce(): Promise<void> {
    const pass = () => this.#reconcileAll()
    try {
      if (this.#opts.lock) await this.#opts.lock(pass)
      else await pass()
    } catch (e) {
      this.#opts.log?.error({ err: e instanceof Error ? e.message : String(e) }, 'auto scaling pass failed')
    }
  }

  async #reconcileAll(): Promise<void> {
    const { control } = this.#opts
    const view = await control.read()
    for (const g of view.list('auto-scaling-group')) {
      const obs: GroupObservations = {
        processAlive: (id) => {
          const inst = view.get('instance', id)
          if (!inst || inst.state !== 'running') return undefined
          return !this.#opts.processExited(inst)
        },
        targetState: (arn, id) => this.#opts.targetState(arn, id),
        runsUserData: this.#opts.runsUserData,
      }
      try {
        await control.mutate((d) => {
          if (d.get('auto-scaling-group', g.arn)) reconcileGroup(d, g.name, obs)
        })
      } catch (e) {
        this.#opts.log?.error({ group: g.name, err: e instanceof Error ? e.message : String(e) }, 'auto scaling group pass failed')
      }
    }
    await this.#policies?.evaluate(await control.read(), Date.now())
  }
}
