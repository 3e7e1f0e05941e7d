import type { Socket } from 'node:net'
import { createServer, type SecureContext, type Server, type TLSSocket } from 'node:tls'
import type { ListenerSnapshot } from '../snapshot.js'
import { DEFAULT_SSL_POLICY } from '../../model/ssl-policy.js'
import { compileSni, SecureContextCache, type CompiledSni, type ListenerCertificate } from '../tls/sni.js'
import type { TicketKeys } from '../tls/ticket-keys.js'

/** What the front hands on: sockets whose handshake finished, and handshakes that failed. */
export interface TlsFrontHooks {
  secure(socket: TLSSocket): void
  handshakeFailed(error: Error): void
}

/** A client that has not finished its handshake by then is dropped (it holds a socket and memory). */
const HANDSHAKE_TIMEOUT_MS = 10_000

/** Server preference: h2 first when the balancer offers it (routing.http2.enabled). */
const ALPN_H2: readonly string[] = ['h2', 'http/1.1']
const ALPN_H1: readonly string[] = ['http/1.1']

/** What a TLS front serves: the certificates (default first), the security policy and the ALPN list in server preference (empty: none). */
export interface TlsTerms {
  readonly certificates: readonly ListenerCertificate[]
  readonly policy: string
  readonly alpn: readonly string[]
}

/** An HTTPS listener's terms: ALPN h2 and http/1.1 when the balancer has HTTP/2 on, else http/1.1. */
export function httpsTerms(listener: ListenerSnapshot): TlsTerms {
  return {
    certificates: listener.tlsCertificates ?? [],
    policy: listener.sslPolicy ?? DEFAULT_SSL_POLICY,
    alpn: listener.balancer.attributes.http2Enabled ? ALPN_H2 : ALPN_H1,
  }
}

/**
 * The TLS side of one HTTPS (or network TLS) listener socket: a tls.Server that never listens itself (the listener
 * socket's accepted connections are emitted into it), its certificates swapped in place when a
 * snapshot brings new ones, so the next handshake serves them and open connections stay.
 *
 * A handshake costs no call into JavaScript when it can be avoided: ALPN is a static list that
 * OpenSSL matches itself, and a listener with one certificate has no SNI callback (every name gets
 * it). A listener with several certificates is served by a second server whose SNI callback picks
 * one; which server is used follows the snapshot.
 */
export class TlsFront {
  private readonly servers = new Map<string, Server>()
  private server: Server | undefined
  private sni: CompiledSni | undefined
  private readonly cache = new SecureContextCache()
  private fingerprint = ''

  constructor(
    private readonly tickets: TicketKeys,
    private readonly hooks: TlsFrontHooks,
    private readonly allowHalfOpen = false,
  ) {}

  /** Whether a default certificate is there to serve (until then handshakes are refused). */
  get ready(): boolean {
    return this.sni !== undefined && this.server !== undefined
  }

  /** The certificate ARN a client naming `servername` gets (tests and the access log). */
  chosenArn(servername: string | undefined): string {
    return this.sni?.select(servername).arn ?? ''
  }

  /** Takes in a snapshot's terms: rebuilds contexts only when the certificates, policy or ALPN changed. */
  update(terms: TlsTerms): void {
    const certs = terms.certificates
    let fingerprint = `${terms.policy}\0${terms.alpn.join(',')}`
    for (const c of certs) fingerprint += `\0${c.arn}\0${c.isDefault}\0${c.names.join(',')}\0${c.certificatePem}\0${c.chainPem ?? ''}\0${c.privateKeyPem}`
    if (fingerprint === this.fingerprint) return
    this.fingerprint = fingerprint
    if (certs.length === 0) {
      this.sni = undefined
      return
    }
    const sni = compileSni(certs, terms.policy, this.cache)
    const server = this.serverFor(certs.length > 1, terms.alpn)
    const { SNICallback: _unused, ...options } = sni.serverOptions
    server.setSecureContext(options)
    // setSecureContext made a new context without our ticket keys.
    this.tickets.attach(server)
    this.sni = sni
    this.server = server
  }

  private serverFor(withSni: boolean, alpn: readonly string[]): Server {
    const key = `${withSni ? 'sni' : 'one'}:${alpn.join(',')}`
    let server = this.servers.get(key)
    if (!server) {
      server = createServer(
        {
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          // Half-open kept for network TLS listeners: a client's close_notify+FIN ends only its side.
          allowHalfOpen: this.allowHalfOpen,
          ...(alpn.length > 0 ? { ALPNProtocols: [...alpn] } : {}),
          // A stable callback that reads the current selection: setSecureContext does not replace it.
          ...(withSni ? { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => this.selectContext(name, cb) } : {}),
        },
        (socket) => this.hooks.secure(socket),
      )
      server.on('tlsClientError', (err) => this.hooks.handshakeFailed(err))
      this.servers.set(key, server)
    }
    return server
  }

  private selectContext(name: string, cb: (err: Error | null, ctx?: SecureContext) => void): void {
    if (this.sni) this.sni.sniCallback(name, cb)
    else cb(new Error('no certificate'))
  }

  /** Starts the handshake on an accepted connection (only when ready). */
  handshake(socket: Socket): void {
    this.server?.emit('connection', socket)
  }

  detach(): void {
    for (const server of this.servers.values()) this.tickets.detach(server)
  }
}
