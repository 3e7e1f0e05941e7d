import type { Socket } from 'node:net'
import { createServer, type Server, type TLSSocket } from 'node:tls'
import type { ListenerSnapshot } from '../snapshot.js'
import { DEFAULT_SSL_POLICY } from '../tls/policies.js'
import { compileSni, SecureContextCache, type CompiledSni } from '../tls/sni.js'
import type { TicketKeys } from '../tls/ticket-keys.js'

/** What the front hands on: sockets whose handshake finished, and handshakes that failed. */
export interface TlsFrontHooks {
  secure(socket: TLSSocket): void
  handshakeFailed(error: Error): void
}

/** A client that has not finished its handshake by then is dropped (it holds a socket and memory). */
const HANDSHAKE_TIMEOUT_MS = 10_000

/**
 * The TLS side of one HTTPS listener socket: a tls.Server that never listens itself (the listener
 * socket's accepted connections are emitted into it), its certificates swapped in place when a
 * snapshot brings new ones, so the next handshake serves them and open connections stay.
 */
export class TlsFront {
  private readonly server: Server
  private readonly cache = new SecureContextCache()
  private sni: CompiledSni | undefined
  private fingerprint = ''
  private http2 = true
  private detachTickets: (() => void) | undefined

  constructor(
    private readonly tickets: TicketKeys,
    hooks: TlsFrontHooks,
  ) {
    this.server = createServer(
      {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        // A stable callback that reads the current selection: setSecureContext does not replace it.
        SNICallback: (name, cb) => {
          if (this.sni) this.sni.sniCallback(name, cb)
          else cb(new Error('no certificate'))
        },
        ALPNCallback: ({ protocols }) => {
          if (this.http2 && protocols.includes('h2')) return 'h2'
          return protocols.includes('http/1.1') ? 'http/1.1' : undefined
        },
      },
      (socket) => hooks.secure(socket),
    )
    this.server.on('tlsClientError', (err) => hooks.handshakeFailed(err))
  }

  /** Whether a default certificate is there to serve (until then handshakes are refused). */
  get ready(): boolean {
    return this.sni !== undefined
  }

  /** The certificate ARN a client naming `servername` gets (tests and the access log). */
  chosenArn(servername: string | undefined): string {
    return this.sni?.select(servername).arn ?? ''
  }

  /** Takes in a snapshot's listener: rebuilds contexts only when its certificates or policy changed. */
  update(listener: ListenerSnapshot): void {
    this.http2 = listener.balancer.attributes.http2Enabled
    const certs = listener.tlsCertificates ?? []
    const policy = listener.sslPolicy ?? DEFAULT_SSL_POLICY
    let fingerprint = policy
    for (const c of certs) fingerprint += `\0${c.arn}\0${c.isDefault}\0${c.names.join(',')}\0${c.certificatePem}\0${c.chainPem ?? ''}\0${c.privateKeyPem}`
    if (fingerprint === this.fingerprint) return
    this.fingerprint = fingerprint
    if (certs.length === 0) {
      this.sni = undefined
      return
    }
    const sni = compileSni(certs, policy, this.cache)
    const { SNICallback: _unused, ...options } = sni.serverOptions
    this.server.setSecureContext(options)
    // setSecureContext made a new context without our ticket keys.
    this.detachTickets = this.tickets.attach(this.server)
    this.sni = sni
  }

  /** Starts the handshake on an accepted connection. */
  handshake(socket: Socket): void {
    this.server.emit('connection', socket)
  }

  detach(): void {
    this.detachTickets?.()
  }
}
