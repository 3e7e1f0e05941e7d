import type { ApplyResult } from '../dataplane/dataplane.js'
import type { Snapshot } from '../dataplane/snapshot.js'
import type { HealthUpdateContext, TargetHealthDescription } from '../health/checker.js'
import { instanceResolver } from '../health/resolver.js'
import { HEALTH } from '../health/target-health.js'
import type { HealthChangeListener } from '../health/view.js'
import { forwardedGroupArns } from '../model/action.js'
import type { Failure } from '../model/result.js'
import type { Target, TargetGroup } from '../model/target-group.js'
import type { Store } from '../store/state.js'
import type { StateView } from '../model/state-view.js'
import { tryCompile, type NodeView } from './snapshot.js'

/** What the runtime drives in the data plane (Dataplane implements it). */
export interface RuntimeDataplane {
  apply(snapshot: Snapshot): Promise<ApplyResult>
  healthChanged(groupArn: string, key: string): void
}

/** What the runtime drives in health (HealthChecker implements it). */
export interface RuntimeHealth {
  update(groups: readonly TargetGroup[], context: HealthUpdateContext): void
  markDraining(groupArn: string, key: string, untilMs: number, target?: Target): void
  onChange(listener: HealthChangeListener): () => void
  describe(groupArn: string): TargetHealthDescription[]
}

export interface RuntimeLog {
  info(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface RuntimeOptions {
  readonly store: Store
  readonly dataplane: RuntimeDataplane
  readonly health?: RuntimeHealth
  readonly log?: RuntimeLog
  readonly now?: () => number
  /** A fleet node's own address and zone (every listener binds the address; cross-zone follows the zone). */
  readonly node?: NodeView
}

/** Called after each snapshot is in place (dns/, certs/ and workers can follow the same versions). */
export type SnapshotListener = (snapshot: Snapshot, state: StateView) => void

/**
 * Watches the store and keeps the data plane and health on the newest revision that compiles:
 * load, compile, hand over (one assignment in the data plane), and mark removed targets draining.
 */
export class Runtime {
  /** The last snapshot that compiled and was applied. */
  snapshot: Snapshot | undefined
  /** The state it was compiled from. */
  state: StateView | undefined
  /** Failures of the newest revision when it was rejected (the last good snapshot stays). */
  lastFailures: readonly Failure[] = []
  private readonly store: Store
  private readonly dataplane: RuntimeDataplane
  private readonly health: RuntimeHealth | undefined
  private readonly log: RuntimeLog | undefined
  private readonly now: () => number
  private readonly node: NodeView
  private unwatch: (() => void) | undefined
  private unsubscribeHealth: (() => void) | undefined
  private running: Promise<void> | undefined
  private again = false
  private readonly listeners = new Set<SnapshotListener>()

  constructor(options: RuntimeOptions) {
    this.store = options.store
    this.dataplane = options.dataplane
    this.health = options.health
    this.log = options.log
    this.now = options.now ?? Date.now
    this.node = options.node ?? {}
  }

  /** Loads and applies the current revision, then follows every new one. */
  async start(): Promise<void> {
    this.unsubscribeHealth = this.health?.onChange((groupArn, key) => this.dataplane.healthChanged(groupArn, key))
    this.unwatch = this.store.watch(() => void this.refresh())
    await this.refresh()
  }

  async stop(): Promise<void> {
    this.unwatch?.()
    this.unwatch = undefined
    this.unsubscribeHealth?.()
    this.unsubscribeHealth = undefined
    await this.running
  }

  onSnapshot(listener: SnapshotListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Brings everything to the store's newest revision; concurrent calls coalesce into one more pass. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false
        try {
          await this.applyRevision(await this.store.load())
        } catch (e) {
          this.log?.error({ error: e instanceof Error ? e.message : String(e) }, 'runtime could not apply a revision')
        }
      } while (this.again)
    }
    this.running = run().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async applyRevision(state: StateView): Promise<void> {
    if (this.state !== undefined && state.revision <= this.state.revision && this.snapshot !== undefined) return
    const compiled = tryCompile(state, this.node)
    if (!compiled.ok) {
      this.lastFailures = compiled.failures
      this.log?.error({ revision: state.revision, failures: compiled.failures }, 'snapshot rejected')
      return
    }
    this.lastFailures = []
    const previous = this.snapshot
    const next = compiled.value
    this.updateHealth(state, previous, next)
    const result = await this.dataplane.apply(next)
    this.snapshot = next
    this.state = state
    for (const f of result.failed) this.log?.error({ revision: state.revision, ...f }, 'listener could not be opened')
    this.log?.info({ revision: state.revision, opened: result.opened, closed: result.closed }, 'snapshot applied')
    for (const l of this.listeners) l(next, state)
  }

  private updateHealth(state: StateView, previous: Snapshot | undefined, next: Snapshot): void {
    const health = this.health
    if (!health) return
    const inUse = new Set<string>()
    for (const listener of state.list('listener')) for (const arn of forwardedGroupArns(listener.defaultActions)) inUse.add(arn)
    for (const rule of state.list('rule')) for (const arn of forwardedGroupArns(rule.actions)) inUse.add(arn)
    health.update(state.list('target-group'), { resolveAddress: instanceResolver(state.list('instance')), isInUse: (arn) => inUse.has(arn) })
    if (!previous) return
    // A target that left its group drains for the group's deregistration delay.
    const now = this.now()
    for (const [arn, before] of previous.targetGroups) {
      const after = next.targetGroups.get(arn)
      const still = new Set(after?.targets.map((t) => t.key) ?? [])
      for (const t of before.targets) {
        if (still.has(t.key)) continue
        health.markDraining(arn, t.key, now + before.deregistrationDelaySeconds * 1000, { id: t.id, port: t.port, availabilityZone: t.availabilityZone })
      }
    }
  }

  /**
   * DescribeTargetHealth for one group: its registered targets (in registration order) with their
   * live states, then the ones still draining. A target health has not seen yet is registering.
   */
  describeTargetHealth(groupArn: string): TargetHealthDescription[] {
    const group = this.state?.get('target-group', groupArn)
    const live = this.health?.describe(groupArn) ?? []
    if (!group) return live.filter((d) => d.state === 'draining')
    const out: TargetHealthDescription[] = []
    const used = new Set<TargetHealthDescription>()
    for (const t of group.targets) {
      const found = live.find((d) => !used.has(d) && d.target.id === t.id && d.target.port === t.port && d.state !== 'draining')
      if (found) {
        used.add(found)
        out.push(found)
      } else {
        const port = group.healthCheck.port === 'traffic-port' ? String(t.port) : group.healthCheck.port
        out.push({ target: { id: t.id, port: t.port, availabilityZone: t.availabilityZone }, healthCheckPort: port, ...HEALTH.registering })
      }
    }
    for (const d of live) if (!used.has(d) && d.state === 'draining') out.push(d)
    return out
  }
}
