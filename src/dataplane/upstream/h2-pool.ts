import { connect as h2connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls'
import { CONNECT_TIMEOUT_MS } from './pool.js'

/** Sessions opened to one target before new streams queue on the least busy one. */
export const MAX_SESSIONS_PER_TARGET = 4
/** Streams assumed allowed on a session until the target's SETTINGS say. */
const DEFAULT_MAX_STREAMS = 100

let targetContext: SecureContext | undefined

/** One HTTP/2 connection to a target and the streams open on it. */
export class H2TargetSession {
  /** The session is up: TCP connected, for TLS the handshake done (ALPN h2), the preface sent. */
  connected = false
  /** TCP connected (a TLS session that closes before `connected` failed its handshake). */
  tcpConnected = false
  /** The connect timeout passed before the session came up. */
  timedOut = false
  /** The target sent GOAWAY: no new streams go here. */
  goaway = false
  active = 0
  private idleTimer: NodeJS.Timeout | undefined

  constructor(
    readonly pool: H2Pool,
    readonly session: ClientHttp2Session,
  ) {}

  get usable(): boolean {
    return !this.goaway && !this.session.closed && !this.session.destroyed
  }

  /** ALB: a TCP connection whose TLS handshake failed (502, TargetTLSNegotiationErrorCount). */
  get handshakeFailed(): boolean {
    return this.pool.tls && this.tcpConnected && !this.connected
  }

  get maxStreams(): number {
    return this.connected ? (this.session.remoteSettings.maxConcurrentStreams ?? DEFAULT_MAX_STREAMS) : DEFAULT_MAX_STREAMS
  }

  opened(): void {
    this.active++
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer)
      this.idleTimer = undefined
    }
  }

  /** A stream ended: an idle session closes after the balancer's idle timeout, as HTTP/1.1 connections do. */
  streamClosed(): void {
    this.active--
    this.closeWhenIdle()
  }

  closeWhenIdle(): void {
    if (this.active > 0 || !this.usable || this.idleTimer !== undefined) return
    if (this.pool.draining) {
      this.session.close()
      return
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined
      if (this.active === 0) this.session.close()
    }, this.pool.idleTimeoutMs)
    this.idleTimer.unref()
  }

  stopTimers(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }
}

/**
 * HTTP/2 sessions to one target of HTTP2 and GRPC groups: h2c with prior knowledge for HTTP
 * groups, TLS with ALPN h2 (no certificate check, no SNI) for HTTPS ones. A request opens a stream
 * on a session with room for it; a few sessions are kept per target and reused.
 */
export class H2Pool {
  readonly sessions: H2TargetSession[] = []
  draining = false
  private drainTimer: NodeJS.Timeout | undefined
  /** The balancer's idle timeout: how long a session without streams stays open. */
  idleTimeoutMs = 60_000
  /** Called once every session of a draining pool has closed. */
  onDrained: (() => void) | undefined
  private tlsSession: Buffer | undefined
  private readonly authority: string

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    readonly tls: boolean,
    readonly connectTimeoutMs = CONNECT_TIMEOUT_MS,
  ) {
    this.authority = `${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`
  }

  get size(): number {
    return this.sessions.length
  }

  /**
   * Opens a stream to the target with these headers (pseudo-headers included). A stream with a
   * body waits for trailers: its end is sendTrailers() (the client's trailers, or none) or a reset.
   * Throws what node:http2 throws for headers HTTP/2 cannot carry.
   */
  request(headers: OutgoingHttpHeaders, endStream: boolean, idleTimeoutMs: number): { stream: ClientHttp2Stream; session: H2TargetSession } {
    this.idleTimeoutMs = idleTimeoutMs
    const ts = this.pick()
    let stream: ClientHttp2Stream
    try {
      stream = ts.session.request(headers, endStream ? { endStream } : { endStream, waitForTrailers: true })
    } catch (err) {
      // A session opened for a request HTTP/2 refused must not stay open forever.
      ts.closeWhenIdle()
      throw err
    }
    ts.opened()
    stream.once('close', () => ts.streamClosed())
    return { stream, session: ts }
  }

  private pick(): H2TargetSession {
    let best: H2TargetSession | undefined
    let usable = 0
    for (const s of this.sessions) {
      if (!s.usable) continue
      usable++
      if (s.active < s.maxStreams) return s
      if (best === undefined || s.active < best.active) best = s
    }
    // Full sessions: another one, up to the limit; past it node:http2 holds the stream until the target has room.
    if (best === undefined || usable < MAX_SESSIONS_PER_TARGET) return this.open()
    return best
  }

  private open(): H2TargetSession {
    const socket = this.connectSocket()
    const session = h2connect(this.authority, { createConnection: () => socket })
    const ts = new H2TargetSession(this, session)
    this.sessions.push(ts)
    socket.once('connect', () => (ts.tcpConnected = true))
    if (this.tls) socket.on('session', (s: Buffer) => (this.tlsSession = s))
    const connectTimer = setTimeout(() => {
      ts.timedOut = true
      session.destroy()
    }, this.connectTimeoutMs)
    connectTimer.unref()
    session.once('connect', () => {
      clearTimeout(connectTimer)
      ts.connected = true
    })
    session.on('goaway', () => (ts.goaway = true))
    // Stream errors reach each stream; the session's own error only closes it.
    session.on('error', noop)
    session.once('close', () => {
      clearTimeout(connectTimer)
      ts.stopTimers()
      this.forget(ts)
    })
    return ts
  }

  private connectSocket(): Socket {
    if (!this.tls) return netConnect({ host: this.address, port: this.port, noDelay: true })
    targetContext ??= createSecureContext()
    // ALB does not validate target certificates; targets are addresses, so no SNI either.
    return tlsConnect({
      host: this.address,
      port: this.port,
      secureContext: targetContext,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      ...(this.tlsSession ? { session: this.tlsSession } : {}),
    })
  }

  private forget(ts: H2TargetSession): void {
    const i = this.sessions.indexOf(ts)
    if (i >= 0) this.sessions.splice(i, 1)
    if (this.draining && this.sessions.length === 0) this.onDrained?.()
  }

  /**
   * Deregistration: sessions take no new streams (GOAWAY) and close when their streams end;
   * whatever is still open after delayMs is closed.
   */
  drain(delayMs: number): void {
    this.draining = true
    if (this.sessions.length === 0) {
      this.onDrained?.()
      return
    }
    for (const s of [...this.sessions]) s.session.close()
    this.drainTimer = setTimeout(() => {
      for (const s of [...this.sessions]) s.session.destroy()
    }, delayMs)
    this.drainTimer.unref()
  }

  /** The target came back before it drained: closing sessions finish, new ones open on demand. */
  undrain(): void {
    this.draining = false
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.drainTimer = undefined
  }

  close(): void {
    this.draining = true
    if (this.drainTimer) clearTimeout(this.drainTimer)
    for (const s of [...this.sessions]) s.session.destroy()
  }
}

function noop(): void {}
