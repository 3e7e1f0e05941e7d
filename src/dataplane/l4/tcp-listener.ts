import { createServer, type Server, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { DEFAULT_SSL_POLICY } from '../../model/ssl-policy.js'
import { TlsFront } from '../listener/tls-front.js'
import type { L4ListenerSnapshot } from '../snapshot.js'
import type { TicketKeys } from '../tls/ticket-keys.js'
import { TcpRelay, type RelayHost, type TlsLogStart } from './tcp-relay.js'
import { listenOn } from '../listener/listen.js'

/** What a TCP listener asks of the data plane. */
export interface TcpListenerHost extends RelayHost {
  l4ListenerFor(bindKey: string): L4ListenerSnapshot | undefined
  /** Security groups at accept; a refused socket is already closed and counted. */
  admitL4(socket: Socket, listener: L4ListenerSnapshot): boolean
  relayStarted(relay: TcpRelay): void
  /** A client's TLS handshake failed or was refused (ClientTLSNegotiationErrorCount). */
  l4TlsFailed(listener: L4ListenerSnapshot): void
  readonly ticketKeys: TicketKeys
}

/**
 * One bound address:port of a network balancer's TCP or TLS listener. A TLS listener's accepted
 * sockets go through the same TLS front as an HTTPS listener's (certificates by SNI, the
 * security policy, session tickets; ALPN by the listener's ALPN policy) before they are spliced. Accepted sockets start paused
 * (nothing is read before the target connection is up) and half-open capable (a client's FIN
 * does not close our side towards it). It stays open as long as some snapshot has the listener.
 */
export class TcpListenerSocket {
  readonly relays = new Set<TcpRelay>()
  private readonly server: Server
  private last: L4ListenerSnapshot
  private closing = false
  private tls: TlsFront | undefined
  /** TLS listeners: accepted sockets still in their handshake (shutdown destroys them too). */
  private readonly handshaking = new Set<Socket>()
  /** TLS listeners with access logs: when each accepted socket came (its line's times). */
  private readonly acceptedAt = new WeakMap<Socket, number>()

  constructor(
    readonly bindKey: string,
    listener: L4ListenerSnapshot,
    private readonly host: TcpListenerHost,
  ) {
    this.last = listener
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.onConnection(socket))
    this.refresh(listener)
  }

  /** A new snapshot's version of this listener: TLS material is swapped in for the next handshake. */
  refresh(listener: L4ListenerSnapshot): void {
    this.last = listener
    if (listener.protocol !== 'TLS') return
    if (!this.tls) {
      this.tls = new TlsFront(
        this.host.ticketKeys,
        {
          secure: (socket) => this.onSecure(socket),
          handshakeFailed: () => this.host.l4TlsFailed(this.host.l4ListenerFor(this.bindKey) ?? this.last),
        },
        true,
      )
    }
    this.tls.update({ certificates: listener.tlsCertificates, policy: listener.sslPolicy ?? DEFAULT_SSL_POLICY, alpn: listener.alpnProtocols, recordHello: listener.accessLog !== undefined && listener.accessLog.format !== 'classic' })
  }

  listen(): Promise<void> {
    return listenOn(this.server, this.last.bindAddress, this.last.port)
  }


  /** The port actually bound. */
  get port(): number {
    const a = this.server.address()
    return typeof a === 'object' && a !== null ? a.port : this.last.port
  }

  private onConnection(socket: Socket): void {
    if (this.closing) {
      socket.destroy()
      return
    }
    const listener = this.host.l4ListenerFor(this.bindKey) ?? this.last
    this.last = listener
    socket.on('error', noop)
    // Security groups before any TLS work.
    if (!this.host.admitL4(socket, listener)) return
    if (listener.protocol === 'TLS') {
      const front = this.tls
      if (!front || !front.ready) {
        // The default certificate is not issued yet: refuse rather than serve a wrong one.
        this.host.l4TlsFailed(listener)
        socket.destroy()
        return
      }
      this.handshaking.add(socket)
      if (listener.accessLog) this.acceptedAt.set(socket, this.host.now())
      socket.once('close', () => this.handshaking.delete(socket))
      front.handshake(socket)
      return
    }
    this.start(socket, socket, listener, listener.accessLog ? this.tcpLogStart(socket) : undefined)
  }

  /** A TCP connection's log start (Classic logs TCP connections): who, and when it was accepted. */
  private tcpLogStart(socket: Socket): TlsLogStart {
    return {
      client: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`,
      destination: `${socket.localAddress ?? ''}:${socket.localPort ?? 0}`,
      startMs: this.host.now(),
      handshakeMs: 0,
      domainName: '',
      cipher: '',
      protocol: '',
      sslProtocol: '',
      alpnFront: '',
      alpnClientList: [],
      chosenCertArn: '',
    }
  }

  private onSecure(socket: TLSSocket): void {
    // The accepted TCP socket under the TLS one (node's TLSSocket keeps it as _parent): resets go to it.
    const raw = (socket as unknown as { _parent?: Socket })._parent
    if (raw) this.handshaking.delete(raw)
    if (this.closing || !raw) {
      socket.destroy()
      return
    }
    const listener = this.host.l4ListenerFor(this.bindKey) ?? this.last
    this.start(socket, raw, listener, listener.accessLog ? this.logStart(socket, raw, listener) : undefined)
  }

  /** What the access log line knows once the handshake is done. */
  private logStart(socket: TLSSocket, raw: Socket, listener: L4ListenerSnapshot): TlsLogStart {
    const now = this.host.now()
    const startMs = this.acceptedAt.get(raw) ?? now
    const servername = typeof socket.servername === 'string' ? socket.servername : ''
    const version = socket.getProtocol() ?? ''
    return {
      client: `${raw.remoteAddress ?? ''}:${raw.remotePort ?? 0}`,
      destination: `${raw.localAddress ?? ''}:${raw.localPort ?? 0}`,
      startMs,
      handshakeMs: now - startMs,
      domainName: servername,
      cipher: socket.getCipher()?.name ?? '',
      protocol: version.toLowerCase().replace('.', ''),
      sslProtocol: version,
      alpnFront: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '',
      // NLB logs the client's list only when the listener has an ALPN policy.
      alpnClientList: listener.alpnProtocols.length > 0 ? (this.tls?.helloOf(raw)?.alpn ?? []) : [],
      chosenCertArn: this.tls?.chosenArn(servername || undefined) ?? '',
    }
  }

  private start(client: Socket, raw: Socket, listener: L4ListenerSnapshot, log?: TlsLogStart): void {
    const relay = new TcpRelay(client, listener, this.host, raw, log)
    this.relays.add(relay)
    this.host.relayStarted(relay)
  }

  forget(relay: TcpRelay): void {
    this.relays.delete(relay)
  }

  /** Stops accepting; open connections carry on until they close (a removed listener keeps its flows, as NLB's do until idle). */
  close(): Promise<void> {
    this.closing = true
    this.tls?.detach()
    return new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The node is stopping: stops accepting; open flows carry on until they end (or the node's shutdown timeout). */
  drain(): void {
    this.closing = true
    this.server.close()
  }

  /** Whether a flow is still open. */
  get busy(): boolean {
    return this.relays.size > 0
  }

  /** Resets every connection at once (shutdown). */
  destroyAll(): void {
    for (const r of this.relays) r.reset()
    for (const s of this.handshaking) s.destroy()
  }
}

function noop(): void {}
