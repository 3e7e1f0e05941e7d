import type { TargetGroupSnapshot, TargetSnapshot } from '../snapshot.js'
import type { TargetPool } from '../upstream/target-pool.js'
import type { TokenSigner } from './cookies.js'
import type { HealthView } from './health-view.js'

/** A target as one group balances it; the pool is shared by every group reaching the same address:port the same way. */
export class GroupTarget {
  outstanding = 0
  routable = false
  /** When it last turned routable, for slow start; 0 when it is not ramping. */
  routableSince = 0

  constructor(
    readonly target: TargetSnapshot,
    /** An UpstreamPool for HTTP1 groups, an H2Pool for HTTP2 and GRPC ones. */
    readonly pool: TargetPool,
    /** Opaque AWSALB / AWSALBAPP-0 value naming this target in this group. */
    readonly token: string,
  ) {}

  get key(): string {
    return this.target.key
  }

  /** What health knows this target by (its key unless the group is checked under another's). */
  get healthKey(): string {
    return this.target.healthKey ?? this.target.key
  }
}

export interface PoolSource {
  pool(target: TargetSnapshot, group: TargetGroupSnapshot): TargetPool
}

/**
 * The live state of one target group: its targets with health and in-flight counts, and the
 * algorithm's position. It survives snapshots; update() brings it to a new one.
 */
export class GroupState {
  targets: GroupTarget[] = []
  private byKey = new Map<string, GroupTarget>()
  private byToken = new Map<string, GroupTarget>()
  private byHealthKey = new Map<string, GroupTarget>()
  private routableCount = 0
  private next = 0
  /** Opaque AWSALBTG value naming this group. */
  readonly groupToken: string

  constructor(
    public snapshot: TargetGroupSnapshot,
    private readonly health: HealthView,
    private readonly signer: TokenSigner,
  ) {
    this.groupToken = signer.token('group', snapshot.arn)
  }

  /** The group health checks this one's targets under (a Classic balancer's one check). */
  get healthArn(): string {
    return this.snapshot.healthGroupArn ?? this.snapshot.arn
  }

  /** Applies a new version of the group; returns the targets that left it (to drain). */
  update(snapshot: TargetGroupSnapshot, pools: PoolSource, nowMs: number): GroupTarget[] {
    this.snapshot = snapshot
    const old = this.byKey
    const targets: GroupTarget[] = []
    const byKey = new Map<string, GroupTarget>()
    const byToken = new Map<string, GroupTarget>()
    const byHealthKey = new Map<string, GroupTarget>()
    const firstRegistration = old.size === 0
    for (const t of snapshot.targets) {
      if (byKey.has(t.key)) continue
      let gt = old.get(t.key)
      old.delete(t.key)
      const pool = pools.pool(t, snapshot)
      if (!gt || gt.pool !== pool) {
        gt = new GroupTarget(t, pool, this.signer.token(snapshot.arn, t.key))
        gt.routable = this.health.isRoutable(this.healthArn, gt.healthKey)
        // ALB: no slow start on the first registration into an empty group.
        gt.routableSince = gt.routable && !firstRegistration ? nowMs : 0
      }
      targets.push(gt)
      byKey.set(t.key, gt)
      byToken.set(gt.token, gt)
      byHealthKey.set(gt.healthKey, gt)
    }
    this.targets = targets
    this.byKey = byKey
    this.byToken = byToken
    this.byHealthKey = byHealthKey
    this.recount()
    return [...old.values()]
  }

  private recount(): void {
    let n = 0
    for (const t of this.targets) if (t.routable) n++
    this.routableCount = n
  }

  /** Re-reads one target's health (health told us it changed); key is health's key for it. */
  refresh(key: string, nowMs: number): GroupTarget | undefined {
    const t = this.byHealthKey.get(key)
    if (!t) return undefined
    const routable = this.health.isRoutable(this.healthArn, key)
    if (routable === t.routable) return t
    t.routable = routable
    // A target leaves slow start when it turns unhealthy and re-enters when healthy again.
    t.routableSince = routable && this.routableCount > 0 ? nowMs : 0
    this.recount()
    return t
  }

  /** With no healthy target: every registered one (ALB, NLB), or none (a Classic balancer answers 503). */
  private get failingOpen(): boolean {
    return this.routableCount === 0 && this.snapshot.failOpen !== false
  }

  get size(): number {
    return this.targets.length
  }

  /** The target a stickiness token names, if it is still registered and may take requests. */
  sticky(token: string): GroupTarget | undefined {
    const t = this.byToken.get(token)
    if (!t) return undefined
    // A sticky target that turned unhealthy is replaced (unless none is healthy: fail open).
    return t.routable || this.failingOpen ? t : undefined
  }

  private eligible(t: GroupTarget): boolean {
    // ALB fails open: with no healthy target, route to every registered one.
    return t.routable || this.failingOpen
  }

  private weight(t: GroupTarget, nowMs: number): number {
    const ramp = this.snapshot.slowStartSeconds * 1000
    if (ramp === 0 || t.routableSince === 0) return 1
    const w = (nowMs - t.routableSince) / ramp
    if (w >= 1) {
      t.routableSince = 0
      return 1
    }
    return w < 0.01 ? 0.01 : w
  }

  /** Picks a target by the group's algorithm, or undefined when none is registered. */
  pick(nowMs: number, random: () => number, exclude?: GroupTarget): GroupTarget | undefined {
    const targets = this.targets
    const n = targets.length
    if (n === 0) return undefined
    if (n === 1) {
      const only = targets[0] as GroupTarget
      return only === exclude || !this.eligible(only) ? undefined : only
    }
    switch (this.snapshot.algorithm) {
      case 'least_outstanding_requests':
        return this.pickLeastOutstanding(exclude)
      case 'weighted_random':
        return this.pickWeightedRandom(nowMs, random, exclude)
      default:
        return this.pickRoundRobin(nowMs, random, exclude)
    }
  }

  private pickRoundRobin(nowMs: number, random: () => number, exclude: GroupTarget | undefined): GroupTarget | undefined {
    const targets = this.targets
    const n = targets.length
    let fallback: GroupTarget | undefined
    for (let i = 0; i < n; i++) {
      const idx = (this.next + i) % n
      const t = targets[idx] as GroupTarget
      if (t === exclude || !this.eligible(t)) continue
      fallback ??= t
      if (t.routableSince !== 0 && random() >= this.weight(t, nowMs)) continue
      this.next = idx + 1
      return t
    }
    if (fallback) this.next = targets.indexOf(fallback) + 1
    return fallback
  }

  private pickLeastOutstanding(exclude: GroupTarget | undefined): GroupTarget | undefined {
    const targets = this.targets
    const n = targets.length
    let best: GroupTarget | undefined
    let bestIdx = 0
    for (let i = 0; i < n; i++) {
      const idx = (this.next + i) % n
      const t = targets[idx] as GroupTarget
      if (t === exclude || !this.eligible(t)) continue
      if (!best || t.outstanding < best.outstanding) {
        best = t
        bestIdx = idx
      }
    }
    if (best) this.next = bestIdx + 1
    return best
  }

  private pickWeightedRandom(nowMs: number, random: () => number, exclude: GroupTarget | undefined): GroupTarget | undefined {
    let total = 0
    for (const t of this.targets) if (t !== exclude && this.eligible(t)) total += this.weight(t, nowMs)
    if (total === 0) return undefined
    let r = random() * total
    let last: GroupTarget | undefined
    for (const t of this.targets) {
      if (t === exclude || !this.eligible(t)) continue
      last = t
      r -= this.weight(t, nowMs)
      if (r < 0) return t
    }
    return last
  }
}
