import type { ServerHttp2Session } from 'node:http2'
import { createServer, type Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { parseIp } from '../../lib/cidr.js'
import type { ClientSide } from '../exchange/exchange.js'
import { ClientConnection, type ConnectionOwner } from '../proxy/client-connection.js'
import type { ProxyContext } from '../proxy/context.js'
import { serveHttp2 } from '../proxy/h2-session.js'
import type { ListenerSnapshot } from '../snapshot.js'
import { authenticateClient, clientCertHeadersOf, setClientCertHeaders } from '../tls/client-cert.js'
import type { TicketKeys } from '../tls/ticket-keys.js'
import { httpsTerms, TlsFront } from './tls-front.js'
import { listenOn } from './listen.js'

/** What the listener stage reads of the data plane: the requests' context and the node's session ticket keys. It calls nothing back. */
export interface ListenerContext extends ProxyContext {
  readonly ticketKeys: TicketKeys
}

/**
 * One bound address:port. It stays open as long as some snapshot has a listener on it, whatever
 * else changes; when none has, it stops accepting and its connections close once idle. The
 * listener stage goes one way: accept, the security groups (once, before any TLS work), on HTTPS
 * the TLS front (certificate by SNI, mutual TLS, ALPN), then the codec: an HTTP/1.1
 * ClientConnection or an HTTP/2 session.
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
    private readonly ctx: ListenerContext,
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
      this.tls = new TlsFront(this.ctx.ticketKeys, {
        secure: (socket) => this.onSecure(socket),
        handshakeFailed: () => this.tlsFailed(),
      })
    }
    this.tls.update(httpsTerms(listener))
  }

  /** The port actually bound. */
  get port(): number {
    const a = this.server.address()
    return typeof a === 'object' && a !== null ? a.port : this.last.port
  }

  /** The listener as the current snapshot has it (the last one seen once no snapshot has it). */
  private current(): ListenerSnapshot {
    const listener = this.ctx.current.listeners.get(this.bindKey) ?? this.last
    this.last = listener
    return listener
  }

  private onConnection(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const listener = this.current()
    // Security groups at accept, once for every protocol: a refused source costs no TLS work.
    const allowed = listener.allowedSources
    if (allowed !== undefined && !allowed.contains(socket.remoteAddress ?? '')) {
      this.ctx.metrics?.connectionRejected('security_group')
      socket.destroy()
      return
    }
    if (listener.protocol !== 'HTTPS') {
      this.openHttp1(socket, listener, clientSide(socket, ''))
      return
    }
    const front = this.tls
    if (!front || (!front.ready && !front.answersChallenges)) {
      // The default certificate is not issued yet: refuse rather than serve a wrong one (a
      // TLS-ALPN-01 challenge for it is still answered: the hello is read, the rest refused).
      this.tlsFailed()
      socket.destroy()
      return
    }
    socket.on('error', noop)
    front.handshake(socket)
  }

  private onSecure(socket: TLSSocket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const listener = this.current()
    if (listener.mtls) {
      // Once per connection: the client's certificate judged, its header fields made.
      const outcome = authenticateClient(socket, listener.mtls)
      if (!outcome.ok) {
        this.tlsFailed()
        socket.destroy()
        return
      }
      if (outcome.headers) setClientCertHeaders(socket, outcome.headers)
    }
    const servername = typeof socket.servername === 'string' ? socket.servername : undefined
    const client = clientSide(socket, this.tls?.chosenArn(servername) ?? '')
    if (socket.alpnProtocol === 'h2') this.openHttp2(socket, listener, client)
    else this.openHttp1(socket, listener, client)
  }

  private openHttp1(socket: Socket, listener: ListenerSnapshot, client: ClientSide): void {
    this.ctx.metrics?.connectionOpened()
    this.connections.add(new ClientConnection(socket, this.ctx, this, listener, client))
  }

  private openHttp2(socket: TLSSocket, listener: ListenerSnapshot, client: ClientSide): void {
    this.ctx.metrics?.connectionOpened()
    const session = serveHttp2(socket, this.ctx, this.bindKey, listener, client)
    this.sessions.add(session)
    session.once('close', () => {
      this.sessions.delete(session)
      this.ctx.metrics?.connectionClosed()
    })
  }

  /** A client's TLS handshake failed or was refused (ClientTLSNegotiationErrorCount). */
  private tlsFailed(): void {
    this.ctx.metrics?.clientTlsNegotiationError?.()
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

/** The client end of an accepted socket, for every request on it (IPv4-mapped addresses as IPv4). */
function clientSide(socket: Socket, chosenCertArn: string): ClientSide {
  const remote = socket.remoteAddress ?? ''
  const address = remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote
  const name: unknown = 'servername' in socket ? socket.servername : undefined
  return {
    address,
    port: socket.remotePort ?? 0,
    source: parseIp(address),
    domainName: typeof name === 'string' ? name : '',
    chosenCertArn,
    clientCert: clientCertHeadersOf(socket),
  }
}
