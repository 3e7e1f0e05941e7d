import type { ServerHttp2Session } from 'node:http2'
import { createServer, type Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { ClientConnection, ConnectionOwner } from '../proxy/client-connection.js'
import type { ListenerSnapshot } from '../snapshot.js'
import type { TicketKeys } from '../tls/ticket-keys.js'
import { httpsTerms, TlsFront } from './tls-front.js'
import { listenOn } from './listen.js'
import { authenticateClient, setClientCertHeaders } from '../tls/client-cert.js'

/** What a listener socket asks of the data plane: the listener as it is now, and a connection for an accepted socket. */
export interface ListenerHost {
  listenerFor(bindKey: string): ListenerSnapshot | undefined
  /** Whether the source may connect (security groups); a refused socket is already closed and counted. */
  admit(socket: Socket, listener: ListenerSnapshot): boolean
  /** Makes the connection object, or undefined when the source is not allowed (already closed and counted). */
  connect(socket: Socket, owner: ListenerSocket, listener: ListenerSnapshot): ClientConnection | undefined
  /** Serves HTTP/2 on a socket whose ALPN chose h2. */
  connectHttp2(socket: TLSSocket, owner: ListenerSocket, listener: ListenerSnapshot, chosenCertArn: string): ServerHttp2Session
  /** A client's TLS handshake failed or was refused (reason: a mutual TLS refusal's). */
  tlsFailed(listener: ListenerSnapshot, reason?: string): void
  readonly ticketKeys: TicketKeys
}

/**
 * One bound address:port. It stays open as long as some snapshot has a listener on it, whatever
 * else changes; when none has, it stops accepting and its connections close once idle. On an
 * HTTPS listener, accepted sockets go through the TLS front first and come back to accept()
 * (HTTP/1.1) or to an HTTP/2 session.
 */
export class ListenerSocket implements ConnectionOwner {
  readonly connections = new Set<ClientConnection>()
  readonly sessions = new Set<ServerHttp2Session>()
  closing = false
  private readonly server: Server
  private last: ListenerSnapshot
  private tls: TlsFront | undefined

  constructor(
    readonly bindKey: string,
    listener: ListenerSnapshot,
    private readonly host: ListenerHost,
  ) {
    this.last = listener
    this.server = createServer({ noDelay: true }, (socket) => this.onConnection(socket))
    this.refresh(listener)
  }

  listen(): Promise<void> {
    return listenOn(this.server, this.last.bindAddress, this.last.port)
  }


  /** A new snapshot's version of this listener: HTTPS material is swapped in for the next handshake. */
  refresh(listener: ListenerSnapshot): void {
    if (listener.protocol !== 'HTTPS') return
    if (!this.tls) {
      this.tls = new TlsFront(this.host.ticketKeys, {
        secure: (socket) => this.onSecure(socket),
        handshakeFailed: () => this.host.tlsFailed(this.host.listenerFor(this.bindKey) ?? this.last),
      })
    }
    this.tls.update(httpsTerms(listener))
  }

  /** The TLS front of an HTTPS listener (undefined for HTTP). */
  get tlsFront(): TlsFront | undefined {
    return this.tls
  }

  chosenCertArn(servername: string | undefined): string {
    return this.tls?.chosenArn(servername) ?? ''
  }

  /** The port actually bound. */
  get port(): number {
    const a = this.server.address()
    return typeof a === 'object' && a !== null ? a.port : this.last.port
  }

  private onConnection(socket: Socket): void {
    const listener = this.host.listenerFor(this.bindKey) ?? this.last
    if (listener.protocol !== 'HTTPS') {
      this.accept(socket)
      return
    }
    if (this.closing) {
      socket.destroy()
      return
    }
    // Security groups before the handshake: a refused source costs no TLS work.
    if (!this.host.admit(socket, listener)) return
    const front = this.tls
    if (!front || (!front.ready && !front.answersChallenges)) {
      // The default certificate is not issued yet: refuse rather than serve a wrong one (a
      // TLS-ALPN-01 challenge for it is still answered: the hello is read, the rest refused).
      this.host.tlsFailed(listener)
      socket.destroy()
      return
    }
    socket.on('error', noop)
    front.handshake(socket)
  }

  private onSecure(socket: TLSSocket): void {
    const listener = this.host.listenerFor(this.bindKey) ?? this.last
    if (listener.mtls) {
      // Once per connection: the client's certificate judged, its header fields made.
      const outcome = authenticateClient(socket, listener.mtls)
      if (!outcome.ok) {
        this.host.tlsFailed(listener, outcome.reason)
        socket.destroy()
        return
      }
      if (outcome.headers) setClientCertHeaders(socket, outcome.headers)
    }
    if (socket.alpnProtocol === 'h2') {
      if (this.closing) {
        socket.destroy()
        return
      }
      const servername = typeof socket.servername === 'string' ? socket.servername : undefined
      const session = this.host.connectHttp2(socket, this, listener, this.tls?.chosenArn(servername) ?? '')
      this.sessions.add(session)
      session.once('close', () => this.sessions.delete(session))
      return
    }
    this.accept(socket)
  }

  /** Entry for plain and TLS sockets alike: the TLS front's HTTP/1.1 sockets come in here too. */
  accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const listener = this.host.listenerFor(this.bindKey) ?? this.last
    this.last = listener
    const conn = this.host.connect(socket, this, listener)
    if (conn) this.connections.add(conn)
  }

  removeConnection(c: ClientConnection): void {
    this.connections.delete(c)
  }

  /** Stops accepting; idle connections close now, busy ones after their request. Resolves when all are gone. */
  close(): Promise<void> {
    this.closing = true
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const c of this.connections) c.closeWhenIdle()
    for (const s of this.sessions) s.close()
    this.tls?.detach()
    return closed
  }

  /**
   * The node is stopping: stops accepting; HTTP/1.1 connections end after their next response
   * (`connection: close`), HTTP/2 sessions get GOAWAY and end when their streams have.
   */
  drain(): void {
    this.closing = true
    this.server.close()
    for (const c of this.connections) c.drain()
    for (const s of this.sessions) {
      s.goaway()
      s.close()
    }
    this.tls?.detach()
  }

  /** Whether a request is still in flight here (an HTTP/1.1 request, or an open HTTP/2 session). */
  get busy(): boolean {
    if (this.sessions.size > 0) return true
    for (const c of this.connections) if (!c.idle) return true
    return false
  }

  /** Closes every connection at once (shutdown). */
  destroyAll(): void {
    for (const c of this.connections) c.socket.destroy()
    for (const s of this.sessions) s.destroy()
  }
}

function noop(): void {}
