import { connect, type Socket } from 'node:net'

/** What a connection reports to the request using it; one object per client connection, no closures per request. */
export interface UpstreamUser {
  onUpstreamConnect(conn: UpstreamConnection): void
  onUpstreamData(conn: UpstreamConnection, chunk: Buffer): void
  onUpstreamEnd(conn: UpstreamConnection): void
  onUpstreamClose(conn: UpstreamConnection, error: (Error & { code?: string }) | undefined): void
  onUpstreamDrain(conn: UpstreamConnection): void
  onUpstreamTimeout(conn: UpstreamConnection): void
}

/** ALB: 10 s to connect to a target. */
export const CONNECT_TIMEOUT_MS = 10_000

/** One kept-alive socket to a target; its listeners are attached once, for its whole life. */
export class UpstreamConnection {
  user: UpstreamUser | null = null
  connected = false
  closed = false
  /** Requests this socket has carried, for tests and logs. */
  uses = 0
  private error: (Error & { code?: string }) | undefined

  constructor(readonly pool: UpstreamPool, readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.setTimeout(pool.connectTimeoutMs)
    socket.on('connect', this.onConnect.bind(this))
    socket.on('data', this.onData.bind(this))
    socket.on('end', this.onEnd.bind(this))
    socket.on('error', this.onError.bind(this))
    socket.on('close', this.onClose.bind(this))
    socket.on('drain', this.onDrain.bind(this))
    socket.on('timeout', this.onTimeout.bind(this))
  }

  /** The inactivity limit currently set on the socket. */
  timeoutMs = 0

  private onConnect(): void {
    this.connected = true
    this.timeoutMs = this.pool.idleTimeoutMs
    this.socket.setTimeout(this.timeoutMs)
    this.user?.onUpstreamConnect(this)
  }

  private onData(chunk: Buffer): void {
    if (this.user) this.user.onUpstreamData(this, chunk)
    else this.socket.destroy() // bytes nobody asked for: the connection cannot be trusted again
  }

  private onEnd(): void {
    if (this.user) this.user.onUpstreamEnd(this)
    else this.socket.destroy()
  }

  private onError(err: Error & { code?: string }): void {
    this.error = err
  }

  private onClose(): void {
    this.closed = true
    this.pool.forget(this)
    const user = this.user
    this.user = null
    user?.onUpstreamClose(this, this.error)
  }

  private onDrain(): void {
    this.user?.onUpstreamDrain(this)
  }

  private onTimeout(): void {
    if (this.user) this.user.onUpstreamTimeout(this)
    else this.socket.destroy()
  }
}

/** Kept-alive connections to one target (address:port), shared by every group that names it. */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = []
  private readonly all = new Set<UpstreamConnection>()
  draining = false
  private drainTimer: NodeJS.Timeout | undefined
  idleTimeoutMs = 60_000

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {}

  get size(): number {
    return this.all.size
  }

  get idleCount(): number {
    return this.idle.length
  }

  /**
   * An idle kept-alive connection, or a new one (writes are queued until it connects). The target
   * must answer within idleTimeoutMs (the balancer's idle timeout) or the request gets a 504.
   */
  acquire(user: UpstreamUser, idleTimeoutMs: number = this.idleTimeoutMs): UpstreamConnection {
    this.idleTimeoutMs = idleTimeoutMs
    let conn = this.idle.pop()
    while (conn && conn.closed) conn = this.idle.pop()
    if (!conn) {
      conn = new UpstreamConnection(this, connect({ host: this.address, port: this.port }))
      this.all.add(conn)
    } else if (conn.timeoutMs !== idleTimeoutMs) {
      conn.timeoutMs = idleTimeoutMs
      conn.socket.setTimeout(idleTimeoutMs)
    }
    conn.user = user
    conn.uses++
    return conn
  }

  /** Back to the pool after a complete exchange on a connection that may be reused. */
  release(conn: UpstreamConnection, idleTimeoutMs: number): void {
    conn.user = null
    if (conn.closed) return
    if (this.draining) {
      conn.socket.destroy()
      return
    }
    if (conn.timeoutMs !== idleTimeoutMs) {
      conn.timeoutMs = idleTimeoutMs
      conn.socket.setTimeout(idleTimeoutMs)
    }
    this.idle.push(conn)
  }

  /** Closes a connection that must not be reused. */
  discard(conn: UpstreamConnection): void {
    conn.user = null
    conn.socket.destroy()
  }

  forget(conn: UpstreamConnection): void {
    this.all.delete(conn)
    const i = this.idle.indexOf(conn)
    if (i >= 0) this.idle.splice(i, 1)
    if (this.draining && this.all.size === 0) this.onDrained?.()
  }

  /** Called once every connection of a draining pool has closed. */
  onDrained: (() => void) | undefined

  /**
   * Deregistration: idle connections close now, busy ones when their request ends; whatever is
   * still open after delayMs is closed (ALB answers 502 for a request in flight then).
   */
  drain(delayMs: number): void {
    this.draining = true
    for (const c of this.idle.splice(0)) c.socket.destroy()
    if (this.all.size === 0) {
      this.onDrained?.()
      return
    }
    this.drainTimer = setTimeout(() => {
      for (const c of [...this.all]) c.socket.destroy()
    }, delayMs)
    this.drainTimer.unref()
  }

  /** The target came back before it drained. */
  undrain(): void {
    this.draining = false
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
  }

  close(): void {
    this.draining = true
    if (this.drainTimer) clearTimeout(this.drainTimer)
    for (const c of [...this.all]) c.socket.destroy()
  }
}
