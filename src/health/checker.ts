import { systemClock, type Clock, type TimerId } from '../lib/clock.js'
import { compileMatcher, GRPC_DEFAULT_MATCHER, targetKey, type ProtocolVersion, type Target, type TargetGroup } from '../model/target-group.js'
import { grpcStatusOfHttp } from './h2-probe.js'
import { httpProbe, type Probe, type ProbeOutcome } from './probe.js'
import type { TargetResolver } from './resolver.js'
import { HEALTH, failedHealth, type CheckResult, type TargetHealth, type TargetState } from './target-health.js'
import type { HealthChangeListener, HealthView } from './view.js'

export interface HealthCheckerOptions {
  readonly clock?: Clock
  /** How a check reaches a target (default: a real HTTP/HTTPS GET). */
  readonly probe?: Probe
  /** 0 <= r < 1, for spreading first checks over the interval (default Math.random). */
  readonly random?: () => number
}

export interface HealthUpdateContext {
  readonly resolveAddress: TargetResolver
  /** Whether some balancer forwards to the group; other groups' targets stay unused and unchecked (default: all in use). */
  readonly isInUse?: (groupArn: string) => boolean
}

/** One row of DescribeTargetHealth. */
export interface TargetHealthDescription extends TargetHealth {
  readonly target: { readonly id: string; readonly port: number; readonly availabilityZone?: string | undefined }
  readonly healthCheckPort: string
}

interface CheckSpec {
  /** TCP: the check passes when the connection opens (no status to match); SSL: when its TLS handshake completes. */
  readonly protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'SSL'
  /** The group's: how the check talks to the target (HTTP/1.1, HTTP/2, a gRPC call). */
  readonly protocolVersion: ProtocolVersion
  /** undefined: the target's own port. */
  readonly port: number | undefined
  readonly path: string
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
  /** Passes that bring a new target in: 1 (ALB, NLB) or the healthy threshold (Classic). */
  readonly initialPasses: number
  /** GRPC groups: by grpc-status against the gRPC matcher; the others by HTTP status. */
  readonly grpc: boolean
  readonly matches: (status: number) => boolean
  /** Equal signatures mean the same check. */
  readonly signature: string
}

interface Entry {
  readonly groupArn: string
  readonly key: string
  target: Target
  /** undefined: not resolvable, never checked. */
  address: string | undefined
  spec: CheckSpec
  health: TargetHealth
  successes: number
  failures: number
  timer: TimerId | undefined
  /** Replaced whenever checks are stopped or restarted, so a late result of an old run is dropped. */
  run: object | undefined
  abort: AbortController | undefined
}

interface DrainingEntry {
  readonly target: Target
  readonly healthCheckPort: string
  readonly timer: TimerId
}

interface Group {
  /** Registration order, as describe lists them. */
  entries: Map<string, Entry>
}

function compileSpec(tg: TargetGroup): CheckSpec {
  const hc = tg.healthCheck
  const grpc = tg.protocolVersion === 'GRPC'
  const matcher = grpc ? (hc.grpcMatcher ?? GRPC_DEFAULT_MATCHER) : hc.matcher
  return {
    protocol: hc.protocol === 'TCP' && hc.sslHandshake === true ? 'SSL' : hc.protocol,
    protocolVersion: tg.protocolVersion,
    port: hc.port === 'traffic-port' ? undefined : Number(hc.port),
    path: hc.path,
    intervalMs: hc.intervalSeconds * 1000,
    timeoutMs: hc.timeoutSeconds * 1000,
    healthyThreshold: hc.healthyThreshold,
    unhealthyThreshold: hc.unhealthyThreshold,
    initialPasses: hc.initialThreshold === true ? hc.healthyThreshold : 1,
    grpc,
    matches: compileMatcher(matcher),
    signature: JSON.stringify([tg.protocolVersion, hc.protocol, hc.port, hc.path, hc.intervalSeconds, hc.timeoutSeconds, hc.healthyThreshold, hc.unhealthyThreshold, matcher, hc.initialThreshold === true, hc.sslHandshake === true]),
  }
}

const checkPort = (spec: CheckSpec, target: Target): number => spec.port ?? target.port

function classify(outcome: ProbeOutcome, spec: CheckSpec): CheckResult {
  if ('error' in outcome) return { ok: false, kind: 'failed', error: outcome.error }
  if (spec.protocol === 'TCP' || spec.protocol === 'SSL') return { ok: true, status: 0 }
  const code = spec.grpc ? (outcome.grpcStatus ?? grpcStatusOfHttp(outcome.status)) : outcome.status
  return spec.matches(code) ? { ok: true, status: code } : { ok: false, kind: 'code-mismatch', status: code }
}

/**
 * Active health checks for every registered target, with ALB's states, reasons and thresholds.
 * Live state only: it is fed each configuration version through update() and never writes anywhere.
 */
export class HealthChecker {
  readonly #clock: Clock
  readonly #probe: Probe
  readonly #random: () => number
  readonly #groups = new Map<string, Group>()
  readonly #draining = new Map<string, Map<string, DrainingEntry>>()
  /** Targets the last update() removed, kept so a following markDraining() can still describe them. */
  #lastRemoved = new Map<string, Entry>()
  readonly #listeners = new Set<HealthChangeListener>()
  #stopped = false

  constructor(options: HealthCheckerOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.#probe = options.probe ?? httpProbe
    this.#random = options.random ?? Math.random
  }

  /** Applies a configuration version: keeps the state of targets that remain, checks new ones, stops removed ones. */
  update(groups: readonly TargetGroup[], context: HealthUpdateContext): void {
    if (this.#stopped) return
    const isInUse = context.isInUse ?? (() => true)
    const removed = new Map<string, Entry>()
    const seen = new Set<string>()
    for (const tg of groups) {
      seen.add(tg.arn)
      const spec = compileSpec(tg)
      const inUse = isInUse(tg.arn)
      const old = this.#groups.get(tg.arn)?.entries ?? new Map<string, Entry>()
      const next = new Map<string, Entry>()
      for (const target of tg.targets) {
        const address = context.resolveAddress(tg, target)
        const key = address === undefined ? `${target.id}:${target.port}` : targetKey(address, target.port)
        if (next.has(key)) continue
        const entry = old.get(key)
        old.delete(key)
        next.set(key, entry ? this.#keep(entry, target, address, spec, tg, inUse) : this.#add(tg, key, target, address, spec, inUse))
      }
      for (const [key, e] of old) removed.set(`${tg.arn} ${key}`, e)
      this.#groups.set(tg.arn, { entries: next })
    }
    for (const [arn, g] of this.#groups) {
      if (seen.has(arn)) continue
      for (const [key, e] of g.entries) removed.set(`${arn} ${key}`, e)
      this.#groups.delete(arn)
    }
    for (const e of removed.values()) {
      this.#stopChecks(e)
      this.#emit(e.groupArn, e.key, undefined)
    }
    this.#lastRemoved = removed
  }

  /**
   * Shows a deregistered target as draining until untilMs (the end of its deregistration delay),
   * then drops it. Works before or after the update() that removes it; checks stop at once.
   */
  markDraining(groupArn: string, key: string, untilMs: number, target?: Target): void {
    if (this.#stopped) return
    const live = this.#groups.get(groupArn)?.entries.get(key)
    const known = live ?? this.#lastRemoved.get(`${groupArn} ${key}`)
    const t = known?.target ?? target
    if (t === undefined) return
    if (live) {
      this.#stopChecks(live)
      this.#groups.get(groupArn)?.entries.delete(key)
    }
    const healthCheckPort = known ? String(checkPort(known.spec, known.target)) : String(t.port)
    let byKey = this.#draining.get(groupArn)
    if (!byKey) this.#draining.set(groupArn, (byKey = new Map()))
    const previous = byKey.get(key)
    if (previous) this.#clock.clearTimeout(previous.timer)
    const timer = this.#clock.setTimeout(() => this.#endDraining(groupArn, key), untilMs - this.#clock.now())
    byKey.set(key, { target: t, healthCheckPort, timer })
    this.#emit(groupArn, key, 'draining')
  }

  health(groupArn: string, key: string): TargetHealth | undefined {
    const e = this.#groups.get(groupArn)?.entries.get(key)
    if (e) return e.health
    return this.#draining.get(groupArn)?.has(key) ? HEALTH.draining : undefined
  }

  state(groupArn: string, key: string): TargetState | undefined {
    return this.health(groupArn, key)?.state
  }

  isRoutable(groupArn: string, key: string): boolean {
    return this.#groups.get(groupArn)?.entries.get(key)?.health.state === 'healthy'
  }

  onChange(listener: HealthChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** The narrow view the data plane reads. */
  view(): HealthView {
    return {
      state: (g, k) => this.state(g, k),
      isRoutable: (g, k) => this.isRoutable(g, k),
      onChange: (l) => this.onChange(l),
    }
  }

  /** How many of a group's targets are healthy and unhealthy (HealthyHostCount, UnHealthyHostCount). */
  counts(groupArn: string): { healthy: number; unhealthy: number } {
    let healthy = 0
    let unhealthy = 0
    for (const e of this.#groups.get(groupArn)?.entries.values() ?? []) {
      if (e.health.state === 'healthy') healthy++
      else if (e.health.state === 'unhealthy') unhealthy++
    }
    return { healthy, unhealthy }
  }

  /** DescribeTargetHealth for a whole group: registered targets in registration order, then draining ones. */
  describe(groupArn: string): TargetHealthDescription[] {
    const out: TargetHealthDescription[] = []
    for (const e of this.#groups.get(groupArn)?.entries.values() ?? []) out.push(describeEntry(e))
    for (const d of this.#draining.get(groupArn)?.values() ?? []) {
      out.push({ target: describeTarget(d.target), healthCheckPort: d.healthCheckPort, ...HEALTH.draining })
    }
    return out
  }

  /**
   * DescribeTargetHealth naming targets: each by id and port (default: the one registered under
   * that id); a target that is not registered is unused with Target.NotRegistered.
   */
  describeTargets(groupArn: string, targets: readonly { readonly id: string; readonly port?: number | undefined }[]): TargetHealthDescription[] {
    const all = this.describe(groupArn)
    return targets.map((want) => {
      const found = all.find((d) => d.target.id === want.id && (want.port === undefined || d.target.port === want.port))
      if (found) return found
      const port = want.port ?? 0
      return { target: { id: want.id, port }, healthCheckPort: String(port), ...HEALTH.notRegistered }
    })
  }

  /** Stops every check and timer. */
  stop(): void {
    this.#stopped = true
    for (const g of this.#groups.values()) for (const e of g.entries.values()) this.#stopChecks(e)
    for (const byKey of this.#draining.values()) for (const d of byKey.values()) this.#clock.clearTimeout(d.timer)
    this.#groups.clear()
    this.#draining.clear()
    this.#listeners.clear()
  }

  #add(tg: TargetGroup, key: string, target: Target, address: string | undefined, spec: CheckSpec, inUse: boolean): Entry {
    const drained = this.#draining.get(tg.arn)?.get(key)
    if (drained) {
      this.#clock.clearTimeout(drained.timer)
      this.#draining.get(tg.arn)?.delete(key)
    }
    const entry: Entry = {
      groupArn: tg.arn,
      key,
      target,
      address,
      spec,
      health: HEALTH.registering,
      successes: 0,
      failures: 0,
      timer: undefined,
      run: undefined,
      abort: undefined,
    }
    this.#settle(entry, tg, inUse, true)
    this.#emit(tg.arn, key, entry.health.state)
    return entry
  }

  #keep(e: Entry, target: Target, address: string | undefined, spec: CheckSpec, tg: TargetGroup, inUse: boolean): Entry {
    const before = e.health.state
    const changed = e.spec.signature !== spec.signature
    e.target = target
    e.address = address
    e.spec = spec
    const checking = e.run !== undefined
    const wasIdle = e.health.state === 'unused' || e.health.state === 'unavailable'
    if (wasIdle) e.health = HEALTH.registering
    // A changed check restarts timing; the state stays, the consecutive counts start over.
    if (changed) {
      e.successes = 0
      e.failures = 0
    }
    if (changed || !checking) this.#stopChecks(e)
    this.#settle(e, tg, inUse, changed || !checking)
    if (e.health.state !== before) this.#emit(e.groupArn, e.key, e.health.state)
    return e
  }

  /** Puts an entry in the state its group's configuration calls for and starts checks when due. */
  #settle(e: Entry, tg: TargetGroup, inUse: boolean, start: boolean): void {
    if (e.address === undefined) {
      this.#stopChecks(e)
      e.health = HEALTH.invalidState
    } else if (!tg.healthCheck.enabled) {
      this.#stopChecks(e)
      e.health = HEALTH.disabled
    } else if (!inUse) {
      this.#stopChecks(e)
      e.health = HEALTH.notInUse
    } else if (start) {
      this.#startChecks(e)
    }
  }

  #startChecks(e: Entry): void {
    const run = {}
    e.run = run
    // Spread first checks over the interval so a thousand targets are not checked in one burst.
    const delay = Math.floor(this.#random() * e.spec.intervalMs)
    e.timer = this.#clock.setTimeout(() => this.#check(e, run), delay)
  }

  #stopChecks(e: Entry): void {
    if (e.timer !== undefined) this.#clock.clearTimeout(e.timer)
    e.timer = undefined
    e.abort?.abort()
    e.abort = undefined
    e.run = undefined
  }

  #check(e: Entry, run: object): void {
    e.timer = undefined
    const address = e.address
    if (e.run !== run || address === undefined) return
    if (e.health === HEALTH.registering) e.health = HEALTH.initialChecking
    const spec = e.spec
    const started = this.#clock.now()
    const abort = new AbortController()
    e.abort = abort
    let settled = false
    const finish = (result: CheckResult): void => {
      if (settled) return
      settled = true
      this.#clock.clearTimeout(timeout)
      abort.abort()
      if (e.abort === abort) e.abort = undefined
      if (e.run !== run) return
      this.#apply(e, result)
      const wait = Math.max(0, started + spec.intervalMs - this.#clock.now())
      e.timer = this.#clock.setTimeout(() => this.#check(e, run), wait)
    }
    const timeout = this.#clock.setTimeout(() => finish({ ok: false, kind: 'timeout' }), spec.timeoutMs)
    const request = { protocol: spec.protocol, protocolVersion: spec.protocolVersion, address, port: checkPort(spec, e.target), path: spec.path, signal: abort.signal }
    Promise.resolve(request).then(this.#probe).then(
      (outcome) => finish(classify(outcome, spec)),
      (err: unknown) => finish({ ok: false, kind: 'failed', error: String(err) }),
    )
  }

  /** ALB's thresholds: one pass brings a new target in (Classic: the healthy threshold); then N in a row either way. */
  #apply(e: Entry, result: CheckResult): void {
    const before = e.health.state
    if (result.ok) {
      e.failures = 0
      e.successes++
      if ((before === 'initial' && e.successes >= e.spec.initialPasses) || (before === 'unhealthy' && e.successes >= e.spec.healthyThreshold)) e.health = HEALTH.healthy
    } else {
      e.successes = 0
      e.failures++
      if (before === 'unhealthy' || e.failures >= e.spec.unhealthyThreshold) e.health = failedHealth(result)
    }
    if (e.health.state !== before) this.#emit(e.groupArn, e.key, e.health.state)
  }

  #endDraining(groupArn: string, key: string): void {
    const byKey = this.#draining.get(groupArn)
    if (!byKey?.delete(key)) return
    if (byKey.size === 0) this.#draining.delete(groupArn)
    this.#emit(groupArn, key, undefined)
  }

  #emit(groupArn: string, key: string, state: TargetState | undefined): void {
    for (const l of this.#listeners) l(groupArn, key, state)
  }
}

const describeTarget = (t: Target): TargetHealthDescription['target'] =>
  t.availabilityZone === undefined ? { id: t.id, port: t.port } : { id: t.id, port: t.port, availabilityZone: t.availabilityZone }

function describeEntry(e: Entry): TargetHealthDescription {
  return { target: describeTarget(e.target), healthCheckPort: String(checkPort(e.spec, e.target)), ...e.health }
}
