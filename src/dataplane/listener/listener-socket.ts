import { createServer, type Server, type Socket } from 'node:net'
import type { ClientConnection, ConnectionOwner } from '../proxy/client-connection.js'
import type { ListenerSnapshot } from '../snapshot.js'

/** What a listener socket asks of the data plane: the listener as it is now, and a connection for an accepted socket. */
export interface ListenerHost {
  listenerFor(bindKey: string): ListenerSnapshot | undefined
  /** Makes the connection object, or undefined when the source is not allowed (already closed and counted). */
  connect(socket: Socket, owner: ListenerSocket, listener: ListenerSnapshot): ClientConnection | undefined
}

/**
 * One bound address:port. It stays open as long as some snapshot has a listener on it, whatever
 * else changes; when none has, it stops accepting and its connections close once idle.
 */
export class ListenerSocket implements ConnectionOwner {
  readonly connections = new Set<ClientConnection>()
  closing = false
  private readonly server: Server
  private last: ListenerSnapshot

  constructor(
    readonly bindKey: string,
    listener: ListenerSnapshot,
    private readonly host: ListenerHost,
  ) {
    this.last = listener
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket))
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e)
      this.server.once('error', onError)
      this.server.listen({ host: this.last.bindAddress, port: this.last.port, backlog: 4096 }, () => {
        this.server.off('error', onError)
        this.server.on('error', () => {})
        resolve()
      })
    })
  }

  /** The port actually bound. */
  get port(): number {
    const a = this.server.address()
    return typeof a === 'object' && a !== null ? a.port : this.last.port
  }

  /** Entry for plain and (later) TLS sockets alike: a tls.Server's secure sockets come in here too. */
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
    return closed
  }

  /** Closes every connection at once (shutdown). */
  destroyAll(): void {
    for (const c of this.connections) c.socket.destroy()
  }
}
