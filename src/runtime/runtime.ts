import type { ApplyResult } from '../dataplane/dataplane.js'
import type { Snapshot } from '../dataplane/snapshot.js'
import type { ZoneSource } from '../dns/zone-source.js'
import type { HealthUpdateContext, TargetHealthDescription } from '../health/checker.js'
import { HEALTH } from '../health/target-health.js'
import type { HealthChangeListener } from '../health/view.js'
import type { Failure } from '../model/result.js'
import type { StateView } from '../model/state-view.js'
import type { Target, TargetGroup } from '../model/target-group.js'
import type { Store } from '../store/state.js'
import { zoneSourceFromState, type FleetNode } from './dns-source.js'
import { classicHealthGroup } from './classic.js'
import { compileRevision, type NodeView, type RevisionPlan } from './snapshot.js'

/** What the runtime drives in the data plane (Dataplane implements it). */
export interface RuntimeDataplane {
  /** The compiled snapshot, and the revision it was compiled from (a worker pool sends it on to its workers, which compile it alike). */
  apply(snapshot: Snapshot, state: StateView): Promise<ApplyResult>
  healthChanged(groupArn: string, key: string): void
  /** Where a lambda group's target is reached on this node (its gateway's socket). */
  lambdaSocketPath?(groupArn: string): string
}

/** What the runtime drives in health (HealthChecker implements it). */
export interface RuntimeHealth {
  update(groups: readonly TargetGroup[], context: HealthUpdateContext): void
  markDraining(groupArn: string, key: string, untilMs: number, target?: Target): void
  onChange(listener: HealthChangeListener): () => void
  describe(groupArn: string): TargetHealthDescription[]
  counts(groupArn: string): { healthy: number }
}

/** What the runtime feeds the DNS server (DnsServer implements it). */
export interface RuntimeDns {
  update(source: ZoneSource): unknown
}

/** What the runtime hands each revision to (CertificateManager implements it: issue and renew what is due). */
export interface RuntimeCertificates {
  reconcile(view: StateView): Promise<void>
}

/** What the runtime hands each revision to so instances' processes follow their states (compute's supervisor implements it). */
export interface RuntimeInstances {
  reconcile(view: StateView): void
}

/** What the runtime hands each revision to so functions' processes follow their code and configuration (compute's runner implements it). */
export interface RuntimeFunctions {
  reconcile(view: StateView): void
}

/** Route 53 health checks: follow each revision; their status is read by DNS per query. */
export interface RuntimeHealthChecks {
  reconcile(view: StateView): void
  healthy(id: string): boolean | undefined
}

export interface RuntimeLog {
  info(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface RuntimeOptions {
  readonly store: Store
  readonly dataplane: RuntimeDataplane
  readonly health?: RuntimeHealth
  readonly dns?: RuntimeDns
  readonly certificates?: RuntimeCertificates
  readonly instances?: RuntimeInstances
  readonly functions?: RuntimeFunctions
  /** Route 53 health checks performed by this node (health/route53-checks.ts); DNS asks their status per query. */
  readonly healthChecks?: RuntimeHealthChecks
  readonly log?: RuntimeLog
  readonly now?: () => number
  /** A fleet node's own address and zone (every listener binds the address; cross-zone follows the zone). */
  readonly node?: NodeView
  /** The addresses DNS answers for a balancer that binds every address (alone; default 127.0.0.1). */
  readonly advertise?: readonly string[]
  /** In a fleet: balancers answer the live nodes of their zones (setNodes), with this TTL. */
  readonly fleet?: { readonly ttlSeconds: number }
}

/**
 * The single follower of the store on a node. For each new revision it compiles once (the data
 * plane's snapshot, health's targets, DNS's balancers) and feeds every part: the data plane gets
 * the snapshot in one assignment, health the target groups (removed targets drain), DNS its zones
 * and the certificate manager the revision. A revision the data plane cannot compile is refused
 * there, and the last good snapshot keeps serving; DNS and certificates still follow it.
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
  private readonly dns: RuntimeDns | undefined
  private readonly certificates: RuntimeCertificates | undefined
  private readonly instances: RuntimeInstances | undefined
  private readonly functions: RuntimeFunctions | undefined
  private readonly healthChecks: RuntimeHealthChecks | undefined
  private readonly log: RuntimeLog | undefined
  private readonly now: () => number
  private readonly node: NodeView
  private readonly advertise: readonly string[]
  private readonly fleet: { readonly ttlSeconds: number } | undefined
  private nodes: readonly FleetNode[] = []
  /** The newest revision taken in (applied or refused), and its view and plan for DNS. */
  private followed: { view: StateView; plan: RevisionPlan } | undefined
  private readonly waiters: { revision: number; resolve: (r: number) => void }[] = []
  private unwatch: (() => void) | undefined
  private unsubscribeHealth: (() => void) | undefined
  private running: Promise<void> | undefined
  private again = false

  constructor(options: RuntimeOptions) {
    this.store = options.store
    this.dataplane = options.dataplane
    this.health = options.health
    this.dns = options.dns
    this.certificates = options.certificates
    this.healthChecks = options.healthChecks
    this.instances = options.instances
    this.functions = options.functions
    this.log = options.log
    this.now = options.now ?? Date.now
    this.node = options.node ?? {}
    this.advertise = options.advertise ?? []
    this.fleet = options.fleet
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

  /** The revision the runtime last took in, -1 before the first. */
  get revision(): number {
    return this.followed?.view.revision ?? -1
  }

  /** Resolves once the runtime has taken in the store's current revision (applied, or refused). */
  async settled(): Promise<number> {
    return this.reached((await this.store.load()).revision)
  }

  /** Resolves once the runtime has taken in `revision` or a later one. */
  reached(revision: number): Promise<number> {
    if (this.revision >= revision) return Promise.resolve(this.revision)
    return new Promise((resolve) => this.waiters.push({ revision, resolve }))
  }

  /** A fleet's live nodes changed: balancer names answer the nodes of their zones from now on. */
  setNodes(nodes: readonly FleetNode[]): void {
    this.nodes = nodes
    if (this.followed) this.feedDns(this.followed.view, this.followed.plan)
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
          await this.takeIn(await this.store.load())
        } catch (e) {
          this.log?.error({ error: e instanceof Error ? e.message : String(e) }, 'runtime could not apply a revision')
        }
      } while (this.again)
      // In the same tick as the last check of `again`: a change notified after it starts a new pass,
      // never lands on a pass that has already ended (a .finally() here left that gap open).
      this.running = undefined
    }
    this.running = run()
    return this.running
  }

  private async takeIn(state: StateView): Promise<void> {
    if (this.followed !== undefined && state.revision <= this.followed.view.revision) return
    // Functions first: a lambda group's gateway must find its function's current code as soon as it serves.
    this.functions?.reconcile(state)
    const dp = this.dataplane
    const compiled = compileRevision(state, dp.lambdaSocketPath ? { ...this.node, lambdaSocket: (arn) => dp.lambdaSocketPath?.(arn) ?? '' } : this.node)
    if (compiled.snapshot.ok) {
      this.lastFailures = []
      const previous = this.snapshot
      const next = compiled.snapshot.value
      this.updateHealth(compiled.plan, previous, next)
      const result = await this.dataplane.apply(next, state)
      this.snapshot = next
      this.state = state
      for (const f of result.failed) this.log?.error({ revision: state.revision, ...f }, 'listener could not be opened; tried again every 5 s')
      this.log?.info({ revision: state.revision, opened: result.opened, closed: result.closed }, 'snapshot applied')
    } else {
      this.lastFailures = compiled.snapshot.failures
      this.log?.error({ revision: state.revision, failures: compiled.snapshot.failures }, 'snapshot rejected')
    }
    this.followed = { view: state, plan: compiled.plan }
    this.feedDns(state, compiled.plan)
    void this.certificates?.reconcile(state)
    this.instances?.reconcile(state)
    this.healthChecks?.reconcile(state)
    const waiting = this.waiters.splice(0)
    for (const w of waiting) {
      if (w.revision <= state.revision) w.resolve(state.revision)
      else this.waiters.push(w)
    }
  }

  private feedDns(view: StateView, plan: RevisionPlan): void {
    if (!this.dns) return
    const health = this.health
    // EvaluateTargetHealth: a balancer is healthy while one of its groups has a healthy target (read per query).
    const healthy = (lbArn: string) => health === undefined || (plan.groupsByBalancer.get(lbArn) ?? []).some((g) => health.counts(g).healthy > 0)
    const checks = this.healthChecks
    const source = zoneSourceFromState(view, this.advertise, healthy, this.fleet ? { nodes: this.nodes, ttlSeconds: this.fleet.ttlSeconds } : undefined)
    this.dns.update(checks ? { ...source, healthCheckHealthy: (id: string) => checks.healthy(id) } : source)
  }

  private updateHealth(plan: RevisionPlan, previous: Snapshot | undefined, next: Snapshot): void {
    const health = this.health
    if (!health) return
    health.update(plan.groups, { resolveAddress: plan.resolveAddress, isInUse: (arn) => plan.groupsInUse.has(arn) })
    if (!previous) return
    // A target that left its group drains for the group's deregistration delay.
    const now = this.now()
    // A Classic balancer's listener groups drain under its one health group, each instance once.
    const marked = new Set<string>()
    for (const [arn, before] of previous.targetGroups) {
      const after = next.targetGroups.get(arn)
      const still = new Set(after?.targets.map((t) => t.key) ?? [])
      const healthArn = before.healthGroupArn ?? arn
      for (const t of before.targets) {
        if (still.has(t.key)) continue
        const key = t.healthKey ?? t.key
        if (healthArn !== arn && (marked.has(`${healthArn} ${key}`) || plan.groups.some((g) => g.arn === healthArn && g.targets.some((x) => x.id === t.id)))) continue
        marked.add(`${healthArn} ${key}`)
        health.markDraining(healthArn, key, now + before.deregistrationDelaySeconds * 1000, { id: t.id, port: healthArn === arn ? t.port : Number(key.slice(key.lastIndexOf(':') + 1)), availabilityZone: t.availabilityZone })
      }
    }
  }

  /**
   * DescribeTargetHealth for one group: its registered targets (in registration order) with their
   * live states, then the ones still draining. A target health has not seen yet is registering.
   */
  describeTargetHealth(groupArn: string): TargetHealthDescription[] {
    const classic = this.state?.get('classic-load-balancer', groupArn)
    const group = this.state?.get('target-group', groupArn) ?? (classic ? classicHealthGroup(classic) : undefined)
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
    // A registered target shows once: one whose address went away (a stopped instance) drains its
    // old connections unseen, as ELB lists a stopped instance as unused, not draining.
    const registered = (d: TargetHealthDescription) => group.targets.some((t) => t.id === d.target.id && t.port === d.target.port)
    for (const d of live) if (!used.has(d) && d.state === 'draining' && !registered(d)) out.push(d)
    return out
  }
}
