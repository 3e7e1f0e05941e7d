import { connect, type Socket } from 'node:net'
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls'

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

/** The TLS options every target connection of an HTTPS group uses. */
const TARGET_TLS = {
  // ALB does not validate target certificates: self-signed and expired ones are fine.
  rejectUnauthorized: false,
  ALPNProtocols: ['http/1.1'],
} as const

/** One client context for every target connection (building one per connection costs a few ms). */
let targetContext: SecureContext | undefined

/** One kept-alive socket to a target; its listeners are attached once, for its whole life. */
export class UpstreamConnection {
  user: UpstreamUser | null = null
  /** Ready for requests: TCP connected, and for TLS the handshake done. */
  connected = false
  /** TLS only: TCP connected (a close before `connected` is then a failed handshake). */
  tcpConnected = false
  closed = false
  /** Requests this socket has carried, for tests and logs. */
  uses = 0
  private error: (Error & { code?: string }) | undefined

  constructor(readonly pool: UpstreamPool, readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.setTimeout(pool.connectTimeoutMs)
    if (pool.tls) {
      socket.once('connect', () => (this.tcpConnected = true))
      socket.on('secureConnect', this.onConnect.bind(this))
      socket.on('session', (session: Buffer) => (pool.tlsSession = session))
    } else {
      socket.on('connect', this.onConnect.bind(this))
    }
    socket.on('data', this.onData.bind(this))
    socket.on('end', this.onEnd.bind(this))
    socket.on('error', this.onError.bind(this))
    socket.on('close', this.onClose.bind(this))
    socket.on('drain', this.onDrain.bind(this))
    socket.on('timeout', this.onTimeout.bind(this))
  }

  /** The inactivity limit currently set on the socket. */
  timeoutMs = 0

  /** The TCP connection came up but the TLS handshake did not (ALB: 502, TargetTLSNegotiationErrorCount). */
  get handshakeFailed(): boolean {
    return this.tcpConnected && !this.connected
  }

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

/**
 * Kept-alive HTTP/1.1 connections to one target (address:port), plain or TLS, shared by every
 * group that reaches it the same way (target-pool.ts keys pools by transport).
 */
export class UpstreamPool {
  private readonly idle: UpstreamConnection[] = []
  private readonly all = new Set<UpstreamConnection>()
  draining = false
  private drainTimer: NodeJS.Timeout | undefined
  idleTimeoutMs = 60_000
  /** TLS: the last session the target gave, to resume with on the next connection. */
  tlsSession: Buffer | undefined

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
    /** HTTPS groups: connections use TLS. */
    readonly tls = false,
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
      // An address that is a path is a local socket (a lambda group's gateway, lambda/gateway.ts).
      conn = new UpstreamConnection(this, this.tls ? this.connectTls() : this.address.startsWith('/') ? connect({ path: this.address }) : connect({ host: this.address, port: this.port }))
      this.all.add(conn)
    } else if (conn.timeoutMs !== idleTimeoutMs) {
      conn.timeoutMs = idleTimeoutMs
      conn.socket.setTimeout(idleTimeoutMs)
    }
    conn.user = user
    conn.uses++
    return conn
  }

  /** A TLS connection without SNI (targets are addresses) and without certificate checks, as ALB's. */
  private connectTls(): Socket {
    targetContext ??= createSecureContext()
    return tlsConnect({ host: this.address, port: this.port, secureContext: targetContext, ...TARGET_TLS, ...(this.tlsSession ? { session: this.tlsSession } : {}) })
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
