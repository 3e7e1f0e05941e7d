import { connect, type Socket } from 'node:net'
import { connect as tlsConnect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls'
import type { GroupState, GroupTarget } from '../balancer/group.js'
import type { L4ListenerSnapshot } from '../snapshot.js'
import { CONNECT_TIMEOUT_MS } from '../upstream/pool.js'
import { formatClassicTcpLog, formatNlbTlsLog } from '../access-log.js'
import { L4Pool, type L4Connection } from './l4-pool.js'
import { proxyV2Header } from './proxy-v2.js'

/** What a relay reads of the data plane. */
export interface RelayHost {
  group(arn: string): GroupState | undefined
  readonly random: () => number
  now(): number
  /** A relay ended (both sides closed); `targetFailed` when its target could not be reached or reset it. */
  relayEnded(relay: TcpRelay, targetFailed: boolean): void
}

/**
 * What a connection's access log line knows when it starts: a TLS connection's once its handshake
 * is done (NLB logs TLS connections); a Classic TCP connection's at accept (its TLS fields empty).
 */
export interface TlsLogStart {
  /** address:port of the client, and of the listener it reached. */
  readonly client: string
  readonly destination: string
  readonly startMs: number
  readonly handshakeMs: number
  readonly domainName: string
  readonly cipher: string
  /** tlsv12, tlsv13, ... (NLB's spelling) */
  readonly protocol: string
  /** TLSv1.2, TLSv1.3, ... (OpenSSL's and Classic's spelling) */
  readonly sslProtocol: string
  readonly alpnFront: string
  readonly alpnClientList: readonly string[]
  readonly chosenCertArn: string
}

/** How many targets one new connection may try when a connect fails (the first, then one other). */
const CONNECT_ATTEMPTS = 2

/**
 * Read buffers for plain TCP target sockets (net.connect's onread): each read of a target lands in
 * one of these, which goes back to the free list once the client socket has written it. A download
 * then allocates nothing per read: with node's own 64 KiB buffer per read, garbage collection was
 * about 40% of the CPU a 1 GiB download took (bench/tcp, `npm run bench -- --only tcp`).
 */
const READ_BUFFER_BYTES = 64 * 1024
/** At most this many idle buffers are kept (4 MiB); more in flight are left to the collector once written. */
const MAX_FREE_BUFFERS = 64
const freeBuffers: Buffer[] = []
const takeBuffer = (): Buffer => freeBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)
function giveBack(buffer: Buffer): void {
  if (freeBuffers.length < MAX_FREE_BUFFERS) freeBuffers.push(buffer)
}

/** One client context for every TLS target connection (NLB, as ALB, does not verify target certificates). */
let targetContext: SecureContext | undefined

/**
 * One client connection of a TCP listener, spliced byte for byte to one target: the client's
 * bytes are not read until the target connection is up, then each side is piped into the other
 * (backpressure: a side that cannot take more pauses the other's reads). A FIN is passed on as a
 * FIN (half-close kept: both sockets allow half-open), a reset or error on one side resets the
 * other, and a flow idle for the listener's timeout (NLB: 350 s) is reset both ways.
 *
 * Balancing is per connection: the group's round robin among routable targets, as an NLB's flow
 * hash spreads new flows. A target that refuses or times out the connect is skipped for one other.
 */
export class TcpRelay implements L4Connection {
  private upstream: Socket | undefined
  /** The TCP socket under a TLS upstream (the upstream itself for plain TCP). */
  private upstreamRaw: Socket | undefined
  private target: GroupTarget | undefined
  private pool: L4Pool | undefined
  private attempts = 0
  private upstreamConnected = false
  private ended = false
  private targetFailed = false
  /** Access log: decrypted bytes from the client and to it (counted only when the listener logs). */
  private received = 0
  private sent = 0
  /** Classic's timings (ms, only when the listener logs): the last connect begun, its end, the first byte each way. */
  private connectAt = -1
  private connectedAt = -1
  private firstToTarget = -1
  private firstFromTarget = -1
  /** The buffer a plain target socket reads into next (onread): back to the free list when the relay ends. */
  private readBuffer: Buffer | undefined

  /**
   * `client` is what bytes are read from and written to: the accepted socket, or for a TLS
   * listener the TLS socket over it; `raw` is the accepted TCP socket itself (addresses, resets).
   */
  constructor(
    readonly client: Socket,
    private readonly listener: L4ListenerSnapshot,
    private readonly host: RelayHost,
    private readonly raw: Socket = client,
    private readonly log?: TlsLogStart,
  ) {
    raw.setNoDelay(true)
    raw.setTimeout(listener.idleTimeoutMs)
    raw.on('timeout', () => this.reset())
    client.on('error', () => this.resetUpstream())
    client.on('close', () => this.onSideClosed())
    this.tryTarget(undefined)
  }

  /** Bytes written but not yet taken by the kernel, both ways (backpressure keeps this small). */
  get bufferedBytes(): number {
    return this.client.writableLength + (this.upstream?.writableLength ?? 0)
  }

  /** The target this connection is spliced to (once connected). */
  get targetKey(): string | undefined {
    return this.upstreamConnected ? this.target?.key : undefined
  }

  private tryTarget(exclude: GroupTarget | undefined): void {
    const group = this.host.group(this.listener.targetGroupArn)
    const target = group?.pick(this.host.now(), this.host.random, exclude)
    if (!group || !target || !(target.pool instanceof L4Pool) || this.attempts >= CONNECT_ATTEMPTS || this.ended) {
      // No target to send the flow to: NLB answers a new connection's SYN with a reset.
      this.resetClient()
      return
    }
    this.attempts++
    this.target = target
    if (this.log) this.connectAt = this.host.now()
    const plain = group.snapshot.protocol !== 'TLS'
    const tcp: Socket = connect({
      host: target.target.address,
      port: target.target.port,
      allowHalfOpen: true,
      noDelay: true,
      // A TLS target's reads belong to its TLS socket; a plain one's go to the client from our own buffers.
      ...(plain ? { onread: { buffer: () => (this.readBuffer = takeBuffer()), callback: (n: number, buffer: Uint8Array): boolean => this.fromTarget(tcp, n, buffer as Buffer) } } : {}),
    })
    this.upstreamRaw = tcp
    const header = group.snapshot.proxyProtocolV2
      ? proxyV2Header({ address: this.raw.remoteAddress ?? '', port: this.raw.remotePort ?? 0 }, { address: this.raw.localAddress ?? '', port: this.raw.localPort ?? 0 })
      : undefined
    tcp.setTimeout(CONNECT_TIMEOUT_MS)
    tcp.on('timeout', () => {
      if (!this.upstreamConnected) (this.upstream ?? tcp).destroy(new Error('connect timeout'))
    })
    if (plain) {
      this.wire(tcp, tcp, target, 'connect', header)
      return
    }
    // A TLS group re-encrypts: a TLS client over the TCP connection, offering the protocol the client
    // chose by ALPN. A PROXY header goes first on the wire, before any TLS record (NLB sends it ahead
    // of the handshake), so TLS starts only once the header is written.
    tcp.on('error', noop)
    if (!header) {
      this.wire(this.tlsTo(tcp, target.target.address), tcp, target, 'secureConnect', undefined)
      return
    }
    this.upstream = tcp
    tcp.once('connect', () => {
      if (this.upstream !== tcp) return
      tcp.write(header, () => {
        if (this.upstream === tcp && !tcp.destroyed) this.wire(this.tlsTo(tcp, target.target.address), tcp, target, 'secureConnect', undefined)
      })
    })
    tcp.once('close', () => {
      // Closed before TLS started: refused or unreachable, as a plain connect that failed.
      if (this.upstream === tcp) this.upstreamFailed(target)
    })
  }

  /** Follows one upstream connection (`up` over `tcp`) until it is up, fails or closes. */
  private wire(up: Socket, tcp: Socket, target: GroupTarget, ready: 'connect' | 'secureConnect', header: Buffer | undefined): void {
    this.upstream = up
    up.once(ready, () => {
      if (header) up.write(header)
      this.onUpstreamConnect(up, target.pool as L4Pool)
    })
    up.on('error', () => {
      if (!this.upstreamConnected) return
      this.targetFailed = true
      this.resetClient()
    })
    up.on('close', () => {
      if (this.upstream !== up) return
      if (!this.upstreamConnected && !this.client.destroyed) {
        this.upstreamFailed(target)
        return
      }
      this.onSideClosed()
    })
    if (up !== tcp && tcp.destroyed) up.destroy()
  }

  /** Refused, unreachable or timed out before any byte moved: try one other target. */
  private upstreamFailed(target: GroupTarget): void {
    if (this.client.destroyed) {
      this.onSideClosed()
      return
    }
    this.targetFailed = true
    this.tryTarget(target)
  }

  private tlsTo(tcp: Socket, address: string): TLSSocket {
    targetContext ??= createSecureContext({})
    const alpn = (this.client as Partial<TLSSocket>).alpnProtocol
    return tlsConnect({
      socket: tcp,
      secureContext: targetContext,
      rejectUnauthorized: false,
      ...(typeof alpn === 'string' ? { ALPNProtocols: [alpn] } : {}),
      ...(address.includes(':') || /^\d+\.\d+\.\d+\.\d+$/.test(address) ? {} : { servername: address }),
    })
  }

  private onUpstreamConnect(up: Socket, pool: L4Pool): void {
    if (this.ended || this.client.destroyed) {
      up.destroy()
      return
    }
    this.upstreamConnected = true
    this.targetFailed = false
    this.upstreamRaw?.setTimeout(0)
    this.pool = pool
    pool.add(this)
    // pipe() ends the destination when its source ends: the half-close goes through as a FIN.
    this.client.pipe(up)
    // A plain target's socket reads into our buffers (onread, see tryTarget); a TLS target's is piped.
    const ownReads = up === this.upstreamRaw
    if (ownReads) {
      // The target's bytes come through fromTarget (onread); its FIN is passed on here, and reading starts.
      up.once('end', () => this.client.end())
      up.resume()
    } else up.pipe(this.client)
    // Counted beside the pipes (a 'data' listener added before them would start the flow early).
    if (this.log) {
      this.connectedAt = this.host.now()
      this.client.on('data', (c: Buffer) => {
        if (this.received === 0) this.firstToTarget = this.host.now()
        this.received += c.length
      })
      if (!ownReads) up.on('data', (c: Buffer) => this.countSent(c.length))
    }
  }

  private countSent(n: number): void {
    if (this.sent === 0) this.firstFromTarget = this.host.now()
    this.sent += n
  }

  /**
   * A read of a plain TCP target (into one of our buffers): written to the client, the buffer back
   * to the free list once written. When the client cannot take more, reading the target stops
   * (false) until the client drains: the same backpressure as pipe().
   */
  private fromTarget(up: Socket, n: number, buffer: Buffer): boolean {
    if (this.log) this.countSent(n)
    const more = this.client.write(buffer.subarray(0, n), () => giveBack(buffer))
    if (!more) this.client.once('drain', () => up.resume())
    return more
  }

  /** Classic's line for a TCP or SSL connection: written at its end, timed from its accept. */
  private classicLine(log: TlsLogStart, elb: string): string {
    const reached = this.connectedAt >= 0
    const target = this.target?.target
    return formatClassicTcpLog({
      startMs: log.startMs,
      elb,
      client: log.client,
      backend: reached && target ? `${target.address}:${target.port}` : '-',
      requestProcessingSeconds: reached ? ((this.firstToTarget >= 0 ? this.firstToTarget : this.connectedAt) - log.startMs) / 1000 : -1,
      backendProcessingSeconds: reached ? (this.connectedAt - this.connectAt) / 1000 : -1,
      // Piped on as it comes: the instance's first byte is written to the client in the same turn.
      responseProcessingSeconds: this.firstFromTarget >= 0 ? 0 : -1,
      receivedBytes: this.received,
      sentBytes: this.sent,
      sslCipher: log.cipher,
      sslProtocol: log.sslProtocol,
    })
  }

  /** The connection's NLB access log line (TLS listeners with access logs on), once it has ended. */
  accessLogLine(endMs: number): { bucket: string; line: string } | undefined {
    const log = this.log
    const where = this.listener.accessLog
    if (!log || !where) return undefined
    if (where.format === 'classic') return { bucket: where.bucket, line: this.classicLine(log, where.elb) }
    const up = this.upstream as Partial<TLSSocket> | undefined
    const line = formatNlbTlsLog({
      elb: where.elb,
      listenerId: where.listenerId,
      client: log.client,
      destination: log.destination,
      startMs: log.startMs,
      endMs,
      handshakeMs: log.handshakeMs,
      receivedBytes: this.received,
      sentBytes: this.sent,
      chosenCertArn: log.chosenCertArn,
      cipher: log.cipher,
      protocol: log.protocol,
      domainName: log.domainName,
      alpnFront: log.alpnFront,
      alpnBack: typeof up?.alpnProtocol === 'string' ? up.alpnProtocol : '',
      alpnClientList: log.alpnClientList,
    })
    return { bucket: where.bucket, line }
  }

  private resetUpstream(): void {
    resetSocket(this.upstreamRaw, this.upstream)
  }

  private resetClient(): void {
    resetSocket(this.raw, this.client)
  }

  reset(): void {
    this.resetClient()
    this.resetUpstream()
  }

  /** Both sides closed (or one went and took the other): the relay is over. */
  private onSideClosed(): void {
    const up = this.upstream
    if (!this.client.destroyed) return
    if (up && !up.destroyed) {
      if (!this.upstreamConnected) {
        up.destroy()
        return
      }
      // The client is gone entirely: a target still talking to it is cut too.
      if (this.client.readableEnded && this.client.writableFinished) return
      this.resetUpstream()
      return
    }
    if (this.ended) return
    this.ended = true
    // Every socket is closed now: no read can land in the buffer the target socket held.
    if (this.readBuffer && this.upstreamRaw?.destroyed !== false) giveBack(this.readBuffer)
    this.readBuffer = undefined
    this.pool?.remove(this)
    this.host.relayEnded(this, this.targetFailed)
  }
}

/** A RST on the TCP socket (a TLS socket's own handle cannot send one), then both objects gone. */
function resetSocket(raw: Socket | undefined, wrapper: Socket | undefined): void {
  if (raw && !raw.destroyed) raw.resetAndDestroy()
  if (wrapper && wrapper !== raw && !wrapper.destroyed) wrapper.destroy()
}

function noop(): void {}
