import { AuthKeys } from './auth/keys.js'
import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { AccessLogSinks } from './access-log.js'
import { TokenSigner } from './balancer/cookies.js'
import { GroupState, type GroupTarget, type PoolSource } from './balancer/group.js'
import { LambdaGateways, type LambdaInvoker } from './lambda/gateway.js'
import { ALL_ROUTABLE, type HealthView } from './balancer/health-view.js'
import { DEFAULT_HEAD_LIMITS, type HeadLimits } from './http1/request-parser.js'
import { L4Pool } from './l4/l4-pool.js'
import { TcpListenerSocket, type TcpListenerHost } from './l4/tcp-listener.js'
import type { TcpRelay } from './l4/tcp-relay.js'
import { UdpListenerSocket, type UdpListenerHost } from './l4/udp-listener.js'
import { ListenerSocket, type ListenerContext } from './listener/listener-socket.js'
import type { DataplaneLog, DataplaneMetricsSink } from './proxy/context.js'
import type { RouteRequest } from './router/route-request.js'
import type { RouteExplanation } from './router/router.js'
import type { L4ListenerSnapshot, ListenerSnapshot, Snapshot, TargetGroupSnapshot, TargetSnapshot } from './snapshot.js'
import { TicketKeys } from './tls/ticket-keys.js'
import { H2Pool } from './upstream/h2-pool.js'
import { CONNECT_TIMEOUT_MS, UpstreamPool } from './upstream/pool.js'
import { poolKey, type TargetPool } from './upstream/target-pool.js'

export const EMPTY_SNAPSHOT: Snapshot = Object.freeze({ revision: 0, listeners: new Map(), targetGroups: new Map() })
const EMPTY_L4: ReadonlyMap<string, L4ListenerSnapshot> = new Map()

export interface DataplaneOptions {
  /** Target health (default: every target routable). */
  readonly health?: HealthView
  readonly log?: DataplaneLog
  readonly metrics?: DataplaneMetricsSink
  readonly headLimits?: HeadLimits
  /** Key for the stickiness cookies; give the same key to every worker of a node (default: random per process). */
  readonly cookieKey?: Buffer
  /** authenticate-oidc's secret (32 bytes: cookie and signing keys); give the same to every worker of a node (default: random per process). */
  readonly authKeys?: AuthKeys
  readonly random?: () => number
  readonly now?: () => number
  /** Session-ticket keys for every HTTPS listener (default: random, rotating every 12 hours). */
  readonly ticketKeys?: TicketKeys
  /** Invokes functions for lambda target groups (compute's runner; without it their requests get 502). */
  readonly lambda?: LambdaInvoker
  /** false: lambda groups' gateways run in another process (a worker's primary), whose sockets the snapshot's targets name; none opens here. */
  readonly lambdaGateways?: false
}

export interface ApplyResult {
  readonly revision: number
  /** Bind keys opened by this snapshot. */
  readonly opened: readonly string[]
  /** Bind keys closed (no longer in the snapshot). */
  readonly closed: readonly string[]
  /** Bind keys that could not be opened, with why (EADDRINUSE, EACCES). */
  readonly failed: readonly { readonly bindKey: string; readonly error: string }[]
}

/**
 * The HTTP data plane: listener sockets, routing, balancing and upstream pools. It reads only the
 * current Snapshot (replaced whole by apply()) and the health view, and never touches the store.
 */
/** How often a listener that could not bind is tried again. */
export const BIND_RETRY_MS = 5000

/** A listener socket as this node has it: open, or failed to bind (error as `EADDRINUSE 127.0.0.1:4000`), since epoch ms. */
export type ListenerBindState =
  | { readonly bindKey: string; readonly arn: string; readonly state: 'listening' | 'opening' }
  | { readonly bindKey: string; readonly arn: string; readonly state: 'failed'; readonly error: string; readonly since: number }

export interface ListenerExplanation {
  readonly route: RouteExplanation
  /** For a forward: each group with its targets and whether each may take a new request now. */
  readonly groups: readonly { readonly arn: string; readonly targets: readonly { readonly key: string; readonly id: string; readonly routable: boolean }[] }[]
}

export class Dataplane implements ListenerContext, PoolSource, TcpListenerHost, UdpListenerHost {
  /** The snapshot new requests use; in-flight ones keep theirs. */
  current: Snapshot = EMPTY_SNAPSHOT
  readonly signer: TokenSigner
  readonly authKeys: AuthKeys
  readonly accessLogs = new AccessLogSinks()
  readonly headLimits: HeadLimits
  readonly log: DataplaneLog | undefined
  readonly metrics: DataplaneMetricsSink | undefined
  readonly ticketKeys: TicketKeys
  private readonly ownTicketKeys: boolean
  private readonly health: HealthView
  private readonly groups = new Map<string, GroupState>()
  /** Health group ARN -> the groups checked under it (a Classic balancer's listener groups). */
  private readonly checkedUnder = new Map<string, string[]>()
  /** By poolKey(): address:port, with the transport for TLS and HTTP/2 pools. */
  private readonly pools = new Map<string, TargetPool>()
  private readonly lambdaGateways: LambdaGateways | undefined
  private readonly sockets = new Map<string, ListenerSocket>()
  /** Network balancers' TCP listeners, by bind key. */
  private readonly l4Sockets = new Map<string, TcpListenerSocket>()
  /** Network balancers' UDP listeners (and the UDP half of TCP_UDP ones), by bind key `udp address:port`. */
  private readonly udpSockets = new Map<string, UdpListenerSocket>()
  private readonly closingSockets = new Set<Promise<void>>()
  /** Listeners that could not bind, by bind key; tried again while they stay in the snapshot. */
  private readonly bindFailures = new Map<string, { readonly arn: string; readonly error: string; readonly since: number }>()
  private bindRetry: NodeJS.Timeout | undefined
  private closed = false
  private readonly sweep: NodeJS.Timeout
  /** 0 <= r < 1, for weights and weighted_random. */
  readonly random: () => number
  private readonly nowFn: () => number

  constructor(options: DataplaneOptions = {}) {
    this.health = options.health ?? ALL_ROUTABLE
    this.lambdaGateways = options.lambdaGateways === false ? undefined : new LambdaGateways(options.lambda, options.metrics)
    this.log = options.log
    this.metrics = options.metrics
    this.headLimits = options.headLimits ?? DEFAULT_HEAD_LIMITS
    this.signer = new TokenSigner(options.cookieKey ?? randomBytes(32))
    this.authKeys = options.authKeys ?? new AuthKeys()
    this.random = options.random ?? Math.random
    this.nowFn = options.now ?? Date.now
    this.sweep = setInterval(() => this.sweepHeadTimeouts(), 1000)
    this.sweep.unref()
    this.ownTicketKeys = options.ticketKeys === undefined
    this.ticketKeys = options.ticketKeys ?? new TicketKeys()
    if (this.ownTicketKeys) this.ticketKeys.start()
  }

  now(): number {
    return this.nowFn()
  }

  group(arn: string): GroupState | undefined {
    return this.groups.get(arn)
  }

  /** Swaps in a new snapshot: groups and pools first, then one assignment, then listener sockets. */
  async apply(snapshot: Snapshot): Promise<ApplyResult> {
    const now = this.now()
    this.lambdaGateways?.sync(snapshot.targetGroups)
    const leaving = new Map<string, number>()
    for (const [arn, tg] of snapshot.targetGroups) {
      let state = this.groups.get(arn)
      if (!state) {
        state = new GroupState(tg, this.health, this.signer)
        this.groups.set(arn, state)
      }
      for (const gone of state.update(tg, this, now)) {
        noteLeaving(leaving, gone, tg.deregistrationDelaySeconds)
        // NLB: flows left when the delay ends are closed only with connection termination.
        if (gone.pool instanceof L4Pool) gone.pool.terminateOnDrain = tg.connectionTermination
      }
    }
    this.checkedUnder.clear()
    for (const [arn, tg] of snapshot.targetGroups) {
      if (tg.healthGroupArn === undefined || tg.healthGroupArn === arn) continue
      const list = this.checkedUnder.get(tg.healthGroupArn)
      if (list) list.push(arn)
      else this.checkedUnder.set(tg.healthGroupArn, [arn])
    }
    for (const [arn, state] of this.groups) {
      if (snapshot.targetGroups.has(arn)) continue
      for (const gone of state.targets) {
        noteLeaving(leaving, gone, state.snapshot.deregistrationDelaySeconds)
        if (gone.pool instanceof L4Pool) gone.pool.terminateOnDrain = state.snapshot.connectionTermination
      }
      this.groups.delete(arn)
    }
    const inUse = new Set<string>()
    for (const state of this.groups.values()) for (const t of state.targets) inUse.add(t.pool.key)
    for (const [key, pool] of this.pools) {
      if (inUse.has(key)) {
        if (pool.draining) pool.undrain()
      } else if (!pool.draining) {
        // Deregistration: no new requests; in-flight ones finish within the delay.
        pool.drain((leaving.get(key) ?? 0) * 1000)
      }
    }

    this.current = snapshot

    const opened: string[] = []
    const closed: string[] = []
    const failed: { bindKey: string; error: string }[] = []
    const l4 = snapshot.l4Listeners ?? EMPTY_L4
    // Closed first: a bind key moving between an HTTP and a TCP listener is free again before it reopens.
    this.closeGone(this.sockets, snapshot.listeners, closed)
    this.closeGone(this.l4Sockets, l4, closed)
    this.closeGone(this.udpSockets, l4, closed)
    const results = { opened, failed }
    for (const key of this.bindFailures.keys()) if (!snapshot.listeners.has(key) && !l4.has(key)) this.bindFailures.delete(key)
    await this.openListeners(snapshot, results, true)
    this.scheduleBindRetry()
    return { revision: snapshot.revision, opened, closed, failed }
  }

  /**
   * Opens the snapshot's listener sockets that are not open (new, or failed before); with
   * `refresh`, the open ones take the snapshot's certificates and policy for their next handshake.
   */
  private async openListeners(snapshot: Snapshot, results: { opened: string[]; failed: { bindKey: string; error: string }[] }, refresh: boolean): Promise<void> {
    const opening: Promise<void>[] = []
    const l4 = snapshot.l4Listeners ?? EMPTY_L4
    for (const [bindKey, listener] of snapshot.listeners) {
      const existing = this.sockets.get(bindKey)
      if (existing) {
        // New certificates or policy take effect on the next handshake; open connections stay.
        if (refresh) existing.refresh(listener)
        continue
      }
      opening.push(this.open(this.sockets, new ListenerSocket(bindKey, listener, this), results, listener.arn))
    }
    for (const [bindKey, listener] of l4) {
      if (listener.protocol === 'UDP') {
        const existing = this.udpSockets.get(bindKey)
        if (existing) {
          if (refresh) existing.refresh(listener)
        } else opening.push(this.open(this.udpSockets, new UdpListenerSocket(bindKey, listener, this), results, listener.arn))
        continue
      }
      const existing = this.l4Sockets.get(bindKey)
      if (existing) {
        if (refresh) existing.refresh(listener)
      } else opening.push(this.open(this.l4Sockets, new TcpListenerSocket(bindKey, listener, this), results, listener.arn))
    }
    await Promise.all(opening)
  }

  /** While a listener cannot bind, it is tried again every BIND_RETRY_MS (the port may come free). */
  private scheduleBindRetry(): void {
    if (this.bindFailures.size === 0 || this.bindRetry || this.closed) return
    this.bindRetry = setTimeout(() => {
      this.bindRetry = undefined
      const snapshot = this.current
      const results = { opened: [] as string[], failed: [] as { bindKey: string; error: string }[] }
      void this.openListeners(snapshot, results, false).then(() => {
        for (const bindKey of results.opened) this.log?.info({ bindKey }, 'listener opened after its port came free')
        this.scheduleBindRetry()
      })
    }, BIND_RETRY_MS)
    this.bindRetry.unref()
  }

  /** Each listener of the current snapshot: listening, or failed with why and since when. */
  listenerStates(): ListenerBindState[] {
    const out: ListenerBindState[] = []
    const l4 = this.current.l4Listeners ?? EMPTY_L4
    const add = (bindKey: string, arn: string, open: boolean) => {
      const f = this.bindFailures.get(bindKey)
      out.push(open ? { bindKey, arn, state: 'listening' } : f ? { bindKey, arn, state: 'failed', error: f.error, since: f.since } : { bindKey, arn, state: 'opening' })
    }
    for (const [bindKey, l] of this.current.listeners) add(bindKey, l.arn, this.sockets.has(bindKey))
    for (const [bindKey, l] of l4) add(bindKey, l.arn, l.protocol === 'UDP' ? this.udpSockets.has(bindKey) : this.l4Sockets.has(bindKey))
    return out
  }

  /** Stops the sockets whose bind key the snapshot no longer has; their connections finish on their own. */
  private closeGone<S extends { close(): Promise<void> }>(sockets: Map<string, S>, keep: ReadonlyMap<string, unknown>, closed: string[]): void {
    for (const [bindKey, socket] of sockets) {
      if (keep.has(bindKey)) continue
      sockets.delete(bindKey)
      closed.push(bindKey)
      const done = socket.close()
      this.closingSockets.add(done)
      void done.then(() => this.closingSockets.delete(done))
    }
  }

  /** Binds a new listener socket; one that cannot bind (EADDRINUSE, EACCES) is reported and dropped. */
  private open<S extends { readonly bindKey: string; listen(): Promise<void> }>(
    sockets: Map<string, S>,
    socket: S,
    results: { opened: string[]; failed: { bindKey: string; error: string }[] },
    arn: string,
  ): Promise<void> {
    const bindKey = socket.bindKey
    sockets.set(bindKey, socket)
    return socket.listen().then(
      () => {
        this.bindFailures.delete(bindKey)
        results.opened.push(bindKey)
      },
      (e: unknown) => {
        sockets.delete(bindKey)
        const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined
        const error = code ? `${code} ${bindKey}` : e instanceof Error ? e.message : String(e)
        const known = this.bindFailures.get(bindKey)
        this.bindFailures.set(bindKey, { arn, error, since: known?.error === error ? known.since : this.now() })
        results.failed.push({ bindKey, error })
      },
    )
  }

  /**
   * Which rule of a listener a request would match, why the rules before it did not, and for a
   * forward the groups' targets that could take it now (the console's explain view; no state changes).
   */
  explain(listenerArn: string, req: RouteRequest): ListenerExplanation | undefined {
    let listener: ListenerSnapshot | undefined
    for (const l of this.current.listeners.values()) if (l.arn === listenerArn) listener = l
    if (!listener) return undefined
    const route = listener.router.explain(req)
    const action = route.matched.action
    const groups =
      action.kind === 'forward'
        ? action.targetGroupArns.map((arn) => ({
            arn,
            targets: (this.groups.get(arn)?.targets ?? []).map((t) => ({ key: t.target.key, id: t.target.id, routable: t.routable })),
          }))
        : []
    return { route, groups }
  }

  /** Health says a target changed: re-read it in every group checked under that group (called by the runtime from health's change feed). */
  healthChanged(groupArn: string, key: string): void {
    const direct = this.groups.get(groupArn)
    if (direct) this.refreshTarget(direct, key)
    for (const arn of this.checkedUnder.get(groupArn) ?? []) {
      const group = this.groups.get(arn)
      if (group) this.refreshTarget(group, key)
    }
  }

  private refreshTarget(group: GroupState, key: string): void {
    const t = group.refresh(key, this.now())
    // NLB (target_health_state.unhealthy.connection_termination.enabled, default true): the flows of a
    // target turned unhealthy are reset, unless no target is healthy and the group fails open.
    // AWS: it cannot be enabled for UDP and TCP_UDP groups.
    const tcpOnly = group.snapshot.protocol === 'TCP' || group.snapshot.protocol === 'TLS'
    if (t && tcpOnly && !t.routable && t.pool instanceof L4Pool && group.targets.some((x) => x.routable)) t.pool.resetAll()
  }

  /** The port a bind key actually listens on (differs from the snapshot's only for port 0). */
  boundPort(bindKey: string): number | undefined {
    return this.sockets.get(bindKey)?.port ?? this.l4Sockets.get(bindKey)?.port ?? this.udpSockets.get(bindKey)?.port
  }

  /** Live UDP flows of a listener (bind key `udp address:port`). */
  udpFlows(bindKey: string): number {
    return this.udpSockets.get(bindKey)?.flows.size ?? 0
  }

  // UdpListenerHost
  admitFlow(address: string, listener: L4ListenerSnapshot): boolean {
    const allowed = listener.allowedSources
    if (allowed === undefined || allowed.contains(address)) return true
    this.metrics?.connectionRejected('security_group')
    return false
  }

  /** A UDP flow counts as a connection, as a TCP relay does. */
  flowStarted(): void {
    this.metrics?.connectionOpened()
  }

  flowEnded(): void {
    this.metrics?.connectionClosed()
  }

  /** Open TCP connections of a network listener (tests and draining views). */
  l4Connections(bindKey: string): number {
    return this.l4Sockets.get(bindKey)?.relays.size ?? 0
  }

  /** Bytes the TCP relays of a listener hold in user space (tests: backpressure keeps it bounded). */
  l4BufferedBytes(bindKey: string): number {
    let n = 0
    for (const r of this.l4Sockets.get(bindKey)?.relays ?? []) n += r.bufferedBytes
    return n
  }

  // TcpListenerHost
  l4ListenerFor(bindKey: string): L4ListenerSnapshot | undefined {
    return this.current.l4Listeners?.get(bindKey)
  }

  admitL4(socket: Socket, listener: L4ListenerSnapshot): boolean {
    const allowed = listener.allowedSources
    if (allowed === undefined || allowed.contains(socket.remoteAddress ?? '')) return true
    // Security groups apply at accept, as on an application balancer.
    this.metrics?.connectionRejected('security_group')
    socket.destroy()
    return false
  }

  l4TlsFailed(_listener: L4ListenerSnapshot): void {
    this.metrics?.clientTlsNegotiationError?.()
  }

  relayStarted(_relay: TcpRelay): void {
    this.metrics?.connectionOpened()
  }

  relayEnded(relay: TcpRelay, targetFailed: boolean): void {
    if (targetFailed) this.metrics?.l4TargetConnectionError?.()
    this.metrics?.connectionClosed()
    for (const s of this.l4Sockets.values()) s.forget(relay)
    const log = relay.accessLogLine(this.now())
    if (log) this.accessLogs.write(log.bucket, log.line)
  }

  /** How many requests are in flight to a target of a group (tests and draining views). */
  outstanding(groupArn: string, key: string): number {
    return this.groups.get(groupArn)?.targets.find((t) => t.key === key)?.outstanding ?? 0
  }

  /**
   * Upstream connections open to a target, idle and busy: by address:port for plain HTTP/1.1,
   * by poolKey() for the others ("https 127.0.0.1:8443", HTTP/2 sessions under "h2c " and "h2 ").
   */
  upstreamConnections(key: string): number {
    return this.pools.get(key)?.size ?? 0
  }

  // PoolSource
  pool(target: TargetSnapshot, group: TargetGroupSnapshot): TargetPool {
    const key = poolKey(target, group)
    let pool = this.pools.get(key)
    if (!pool && key.startsWith('l4 ')) {
      const p = new L4Pool(key)
      p.onDrained = () => {
        if (this.pools.get(key) === p && p.draining) this.pools.delete(key)
      }
      this.pools.set(key, p)
      return p
    }
    if (!pool) {
      const tls = group.protocol === 'HTTPS'
      const p: TargetPool =
        group.protocolVersion === 'HTTP1' ? new UpstreamPool(key, target.address, target.port, CONNECT_TIMEOUT_MS, tls) : new H2Pool(key, target.address, target.port, tls)
      p.onDrained = () => {
        if (this.pools.get(key) === p && p.draining) this.pools.delete(key)
      }
      this.pools.set(key, p)
      pool = p
    }
    return pool
  }

  private sweepHeadTimeouts(): void {
    const now = this.now()
    for (const socket of this.sockets.values()) {
      const listener = this.current.listeners.get(socket.bindKey)
      const limitMs = (listener?.balancer.attributes.requestHeadTimeoutSeconds ?? 30) * 1000
      for (const c of socket.connections) if (c.headStartedMs !== 0 && now - c.headStartedMs > limitMs) c.headTimedOut()
    }
  }

  /**
   * The node is stopping: every listener stops accepting, requests in flight finish (each gets its
   * whole response), kept-alive HTTP/1.1 connections are answered `connection: close` on their next
   * request and HTTP/2 sessions get GOAWAY. Resolves when nothing is in flight, or after timeoutMs
   * with what still was; close() then ends the rest.
   */
  async drain(timeoutMs: number): Promise<{ readonly idle: boolean }> {
    const all = [...this.sockets.values(), ...this.l4Sockets.values()]
    for (const s of all) s.drain()
    const deadline = this.nowFn() + timeoutMs
    // Checked every 50 ms: cheap, bounded by the timeout, and only while stopping.
    while (all.some((s) => s.busy)) {
      if (this.nowFn() >= deadline) return { idle: false }
      await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, deadline - this.nowFn()))))
    }
    return { idle: true }
  }

  /** Stops accepting, closes every connection and pool. */
  /** Where a lambda group's target is reached: its gateway's local socket (runtime compiles it into the snapshot). */
  lambdaSocketPath(groupArn: string): string {
    if (!this.lambdaGateways) throw new Error('this data plane opens no lambda gateways (they run in its primary)')
    return this.lambdaGateways.socketPath(groupArn)
  }

  async close(): Promise<void> {
    this.closed = true
    this.lambdaGateways?.close()
    if (this.bindRetry) clearTimeout(this.bindRetry)
    clearInterval(this.sweep)
    if (this.ownTicketKeys) this.ticketKeys.stop()
    const closing = [...this.sockets.values(), ...this.l4Sockets.values(), ...this.udpSockets.values()].map((s) => {
      const done = s.close()
      s.destroyAll()
      return done
    })
    this.sockets.clear()
    this.l4Sockets.clear()
    this.udpSockets.clear()
    for (const p of this.pools.values()) p.close()
    this.pools.clear()
    await Promise.all([...closing, ...this.closingSockets])
    await this.accessLogs.close()
  }
}

function noteLeaving(leaving: Map<string, number>, t: GroupTarget, delaySeconds: number): void {
  leaving.set(t.pool.key, Math.max(leaving.get(t.pool.key) ?? 0, delaySeconds))
}
