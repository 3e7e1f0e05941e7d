import { createServer, type Server, type Socket } from 'node:net'
import type { L4ListenerSnapshot } from '../snapshot.js'
import { TcpRelay, type RelayHost } from './tcp-relay.js'
import { listenOn } from '../listener/listen.js'

/** What a TCP listener asks of the data plane. */
export interface TcpListenerHost extends RelayHost {
  l4ListenerFor(bindKey: string): L4ListenerSnapshot | undefined
  /** Security groups at accept; a refused socket is already closed and counted. */
  admitL4(socket: Socket, listener: L4ListenerSnapshot): boolean
  relayStarted(relay: TcpRelay): void
}

/**
 * One bound address:port of a network balancer's TCP listener. Accepted sockets start paused
 * (nothing is read before the target connection is up) and half-open capable (a client's FIN
 * does not close our side towards it). It stays open as long as some snapshot has the listener.
 */
export class TcpListenerSocket {
  readonly relays = new Set<TcpRelay>()
  private readonly server: Server
  private last: L4ListenerSnapshot
  private closing = false

  constructor(
    readonly bindKey: string,
    listener: L4ListenerSnapshot,
    private readonly host: TcpListenerHost,
  ) {
    this.last = listener
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => this.onConnection(socket))
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
    if (!this.host.admitL4(socket, listener)) return
    const relay = new TcpRelay(socket, listener, this.host)
    this.relays.add(relay)
    this.host.relayStarted(relay)
  }

  forget(relay: TcpRelay): void {
    this.relays.delete(relay)
  }

  /** Stops accepting; open connections carry on until they close (a removed listener keeps its flows, as NLB's do until idle). */
  close(): Promise<void> {
    this.closing = true
    return new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Resets every connection at once (shutdown). */
  destroyAll(): void {
    for (const r of this.relays) r.reset()
  }
}

function noop(): void {}
