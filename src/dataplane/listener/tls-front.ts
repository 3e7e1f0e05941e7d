import type { Socket } from 'node:net'
import { createSecureContext, createServer, type Server, type TLSSocket } from 'node:tls'
import type { ListenerSnapshot } from '../snapshot.js'
import { ACME_TLS_ALPN, type AcmeAlpnChallenge } from '../../model/acme.js'
import { DEFAULT_SSL_POLICY } from '../../model/ssl-policy.js'
import { compileSni, SecureContextCache, type CompiledSni, type ListenerCertificate } from '../tls/sni.js'
import type { TicketKeys } from '../tls/ticket-keys.js'
import { MAX_HELLO_BYTES, parseClientHello, type ClientHelloFields } from '../tls/client-hello.js'

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
  /** TLS-ALPN-01 challenges to answer while an ACME order waits (RFC 8737). */
  readonly acmeAlpnChallenges?: readonly AcmeAlpnChallenge[]
  /** Read every ClientHello and keep it for helloOf (an access log records the client's ALPN list). */
  readonly recordHello?: boolean
  /** Mutual TLS: ask every client for a certificate (checked after the handshake, see client-cert.ts); caPem is named in the CertificateRequest. */
  readonly clientAuth?: { readonly caPem?: string | undefined } | undefined
}

/** An HTTPS listener's terms: ALPN h2 and http/1.1 when the balancer has HTTP/2 on, else http/1.1. */
export function httpsTerms(listener: ListenerSnapshot): TlsTerms {
  return {
    certificates: listener.tlsCertificates ?? [],
    policy: listener.sslPolicy ?? DEFAULT_SSL_POLICY,
    alpn: listener.balancer.attributes.http2Enabled ? ALPN_H2 : ALPN_H1,
    ...(listener.acmeAlpnChallenges ? { acmeAlpnChallenges: listener.acmeAlpnChallenges } : {}),
    ...(listener.mtls ? { clientAuth: { caPem: listener.mtls.advertisedCaPem } } : {}),
  }
}

/**
 * The TLS side of one HTTPS (or network TLS) listener socket: tls.Servers that never listen
 * themselves (the listener socket's accepted connections are emitted into one), their
 * certificates swapped in place when a snapshot brings new ones, so the next handshake serves
 * them and open connections stay.
 *
 * A listener with one certificate hands every connection straight to one server: no call into
 * JavaScript during the handshake (ALPN is a static list OpenSSL matches itself). A listener with
 * several reads the ClientHello's server name first and hands the connection to the server of
 * that name's selection, whose context holds exactly the name's key pairs. Node's SNI callback
 * cannot do this: the context it swaps in keeps the default context's certificate of the other
 * key type, so an RSA certificate behind an ECDSA default was never served.
 *
 * While an ACME order waits on TLS-ALPN-01, every connection's hello is read: one that names a
 * challenge's host and offers only `acme-tls/1` gets the challenge's certificate and is closed after
 * the handshake (RFC 8737); every other goes on as above.
 */
export class TlsFront {
  private server: Server | undefined
  private sni: CompiledSni | undefined
  /** Several certificates: one server per selection, by selection key. */
  private bySelection = new Map<string, Server>()
  private single: Server | undefined
  private readonly cache = new SecureContextCache()
  private fingerprint = ''
  private alpn = ''
  /** The servers' client certificate request: '' none, else 'request' and the advertised CAs. */
  private clientAuth = ''
  /** TLS-ALPN-01 answers by host, while an order waits. */
  private challenges = new Map<string, Server>()
  private challengePrint = ''
  private recordHello = false
  private readonly hellos = new WeakMap<Socket, ClientHelloFields>()

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
    this.updateChallenges(terms.acmeAlpnChallenges ?? [])
    this.recordHello = terms.recordHello ?? false
    const certs = terms.certificates
    const clientAuth = terms.clientAuth ? `request\0${terms.clientAuth.caPem ?? ''}` : ''
    let fingerprint = `${terms.policy}\0${terms.alpn.join(',')}\0${clientAuth}`
    for (const c of certs) fingerprint += `\0${c.arn}\0${c.isDefault}\0${c.names.join(',')}\0${c.certificatePem}\0${c.chainPem ?? ''}\0${c.privateKeyPem}`
    if (fingerprint === this.fingerprint) return
    this.fingerprint = fingerprint
    if (certs.length === 0) {
      this.sni = undefined
      return
    }
    const sni = compileSni(certs, terms.policy, this.cache)
    const alpn = terms.alpn.join(',')
    // ALPN and the certificate request are the servers' own options: a change makes new servers.
    const alpnChanged = alpn !== this.alpn || clientAuth !== this.clientAuth
    this.alpn = alpn
    this.clientAuth = clientAuth
    const requestCert = terms.clientAuth !== undefined
    const ca = terms.clientAuth?.caPem !== undefined ? { ca: terms.clientAuth.caPem } : {}
    if (certs.length === 1) {
      if (!this.single || alpnChanged) this.single = this.newServer(terms.alpn, requestCert)
      const { SNICallback: _unused, ...options } = sni.serverOptions
      this.single.setSecureContext({ ...options, ...ca })
      // setSecureContext made a new context without our ticket keys.
      this.tickets.attach(this.single)
      this.server = this.single
    } else {
      const next = new Map<string, Server>()
      for (const selection of sni.selections) {
        let server = alpnChanged ? undefined : this.bySelection.get(selection.key)
        if (!server) {
          server = this.newServer(terms.alpn, requestCert)
          server.setSecureContext({ ...selection.options, ...ca })
          this.tickets.attach(server)
        }
        next.set(selection.key, server)
      }
      for (const [key, server] of this.bySelection) if (next.get(key) !== server) this.tickets.detach(server)
      this.bySelection = next
      this.server = next.get(sni.select(undefined).key)
    }
    this.sni = sni
  }

  private updateChallenges(challenges: readonly AcmeAlpnChallenge[]): void {
    const print = challenges.map((c) => `${c.host}\0${c.certificatePem}`).join('\0')
    if (print === this.challengePrint) return
    this.challengePrint = print
    const next = new Map<string, Server>()
    for (const c of challenges) {
      const server = createServer({ handshakeTimeout: HANDSHAKE_TIMEOUT_MS, ALPNProtocols: [ACME_TLS_ALPN], secureContext: createSecureContext({ cert: c.certificatePem, key: c.keyPem }) }, (socket) => socket.end())
      server.on('tlsClientError', (err) => this.hooks.handshakeFailed(err))
      next.set(c.host.toLowerCase(), server)
    }
    this.challenges = next
  }

  private newServer(alpn: readonly string[], requestCert: boolean): Server {
    const server = createServer(
      {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        // Mutual TLS: the certificate is asked for, and judged after the handshake (client-cert.ts),
        // since OpenSSL's own check cannot skip the expiry or keep the CA names unsent.
        ...(requestCert ? { requestCert: true, rejectUnauthorized: false } : {}),
        // Half-open kept for network TLS listeners: a client's close_notify+FIN ends only its side.
        allowHalfOpen: this.allowHalfOpen,
        ...(alpn.length > 0 ? { ALPNProtocols: [...alpn] } : {}),
      },
      (socket) => {
        // ALB does not support renegotiation: a client that asks for one (TLS 1.2) is disconnected,
        // as Node would otherwise allow three in ten minutes (a CPU cost the client chooses).
        socket.disableRenegotiation()
        socket.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ERR_TLS_RENEGOTIATION_DISABLED') socket.destroy()
        })
        this.hooks.secure(socket)
      },
    )
    server.on('tlsClientError', (err) => this.hooks.handshakeFailed(err))
    return server
  }

  /** Whether a TLS-ALPN-01 challenge is answered: handshakes are taken (their hellos read) even before a certificate is there. */
  get answersChallenges(): boolean {
    return this.challenges.size > 0
  }

  /** Starts the handshake on an accepted connection (only when ready, or while a challenge is answered). */
  handshake(socket: Socket): void {
    if (this.server === this.single && this.challenges.size === 0 && !this.recordHello) {
      this.server?.emit('connection', socket)
      return
    }
    this.readHello(socket)
  }

  /** Reads the first TLS record, then hands the socket (its bytes put back) to the server of the name it asks for. */
  private readHello(socket: Socket): void {
    let seen: Buffer = Buffer.alloc(0)
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
      const hello = seen.length >= MAX_HELLO_BYTES ? { serverName: null, alpn: [] } : parseClientHello(seen)
      if (hello === undefined) return
      socket.off('data', onData)
      socket.off('end', onEnd)
      clearTimeout(timer)
      socket.pause()
      socket.unshift(seen)
      if (this.recordHello) this.hellos.set(socket, hello)
      const name = hello.serverName
      const challenge = name !== null && hello.alpn.length === 1 && hello.alpn[0] === ACME_TLS_ALPN ? this.challenges.get(name) : undefined
      if (challenge) {
        challenge.emit('connection', socket)
        return
      }
      const selection = this.sni?.select(name ?? undefined)
      const server = (selection && this.bySelection.get(selection.key)) ?? this.server
      if (server) server.emit('connection', socket)
      else socket.destroy()
    }
    const onEnd = () => {
      clearTimeout(timer)
      socket.destroy()
    }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.once('close', () => clearTimeout(timer))
    // A listener may accept paused (pauseOnConnect): the hello has to be read.
    socket.resume()
  }

  /** The hello an accepted socket sent, when the terms asked to record it. */
  helloOf(socket: Socket): ClientHelloFields | undefined {
    return this.hellos.get(socket)
  }

  detach(): void {
    if (this.single) this.tickets.detach(this.single)
    for (const server of this.bySelection.values()) this.tickets.detach(server)
  }
}
