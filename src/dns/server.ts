import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, isIPv6, type Server, type Socket } from 'node:net'
import { compileZones, type CompileProblem } from './compile.js'
import type { GeoTable } from './geo-table.js'
import { QueryHandler, type QueryHandlerOptions } from './query-handler.js'
import type { BalancerAddresses, ZoneSource } from './zone-source.js'

export interface DnsServerOptions extends QueryHandlerOptions {
  /** Milliseconds a TCP connection may stay idle before it is closed (default 10000; RFC 7766 suggests seconds). */
  readonly tcpIdleTimeoutMs?: number
  /** Open TCP connections at most (default 1000); more are refused at accept. */
  readonly maxTcpConnections?: number
  /** Where clients are, for geolocation routing (`openalb up --geo-table FILE`); without it every client is unplaced. */
  readonly geoTable?: GeoTable | undefined
  /** Told about records that cannot be served (bad values, aliases to missing balancers), once per update. */
  readonly onProblems?: (problems: readonly CompileProblem[]) => void
}

export interface DnsListenOptions {
  /** Default 127.0.0.1. */
  readonly host?: string
  /** UDP and TCP port (default 8053); 0 picks a free one, the same for both when it can. */
  readonly port?: number
}

export const DEFAULT_DNS_HOST = '127.0.0.1'
export const DEFAULT_DNS_PORT = 8053

const TCP_LENGTH_BYTES = 2
/** A client that does not read its answers is cut off past this much unsent data. */
const MAX_TCP_BACKLOG_BYTES = 1 << 20

const emptySource: ZoneSource = { zones: () => [], records: () => [], loadBalancer: () => undefined, loadBalancers: () => [] }

/** The authoritative DNS server: hosted zones and balancer names over UDP and TCP. */
export class DnsServer {
  private readonly handler: QueryHandler
  private udp: UdpSocket | undefined
  private tcp: Server | undefined
  private readonly connections = new Set<Socket>()
  private balancerFingerprint = ''
  private balancerSerial = 0
  private lastProblems: readonly CompileProblem[] = []

  constructor(private readonly options: DnsServerOptions = {}) {
    this.handler = new QueryHandler(this.compile(emptySource), options)
  }

  /** Serves the zones of a new configuration revision; compiles them once, here. */
  update(source: ZoneSource): readonly CompileProblem[] {
    const zones = this.compile(source)
    this.handler.setZones(zones)
    return this.lastProblems
  }

  private compile(source: ZoneSource) {
    const fingerprint = balancerFingerprint(source.loadBalancers())
    if (fingerprint !== this.balancerFingerprint || this.balancerSerial === 0) {
      // Zones made for balancer names have no stored serial: it moves with their content.
      this.balancerSerial = Math.max(this.balancerSerial + 1, Math.floor(Date.now() / 1000))
      this.balancerFingerprint = fingerprint
    }
    const { zones, problems } = compileZones(source, { balancerZoneSerial: this.balancerSerial, geoTable: this.options.geoTable })
    this.lastProblems = problems
    if (problems.length > 0) this.options.onProblems?.(problems)
    return zones
  }

  /** Answers one DNS message as the sockets do (for tests and embedding). */
  answer(query: Buffer, transport: 'udp' | 'tcp' = 'udp', from?: string): Buffer | undefined {
    try {
      return this.handler.handle(query, transport, from)
    } catch {
      return undefined
    }
  }

  async start({ host = DEFAULT_DNS_HOST, port = DEFAULT_DNS_PORT }: DnsListenOptions = {}): Promise<{ udpPort: number; tcpPort: number }> {
    if (this.udp || this.tcp) throw new Error('DNS server already started')
    for (let attempt = 0; ; attempt++) {
      const udp = await this.listenUdp(host, port)
      try {
        const tcp = await this.listenTcp(host, udp.address().port)
        this.udp = udp
        this.tcp = tcp
        return { udpPort: udp.address().port, tcpPort: addressPort(tcp) }
      } catch (e) {
        udp.close()
        // Port 0: the free UDP port may be taken for TCP; try another.
        if (port !== 0 || attempt >= 5) throw e
      }
    }
  }

  private listenUdp(host: string, port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: 1 << 22 })
      udp.once('error', reject)
      udp.on('message', (msg, rinfo) => {
        const out = this.answer(msg, 'udp', rinfo.address)
        // No callback: a failed send is an 'error' event, handled below, and costs no closure per answer.
        if (out) udp.send(out, rinfo.port, rinfo.address)
      })
      udp.bind(port, host, () => {
        udp.off('error', reject)
        udp.on('error', () => {}) // a failed send to one client must not stop the server
        resolve(udp)
      })
    })
  }

  private listenTcp(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.serveTcp(socket))
      server.maxConnections = this.options.maxTcpConnections ?? 1000
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        server.on('error', () => {})
        resolve(server)
      })
    })
  }

  private serveTcp(socket: Socket): void {
    this.connections.add(socket)
    socket.setNoDelay(true)
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? 10000, () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.on('close', () => this.connections.delete(socket))
    let pending: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      // Each message is prefixed by its length (RFC 1035 4.2.2); several may be pipelined.
      while (pending.length >= TCP_LENGTH_BYTES) {
        const length = pending.readUInt16BE(0)
        if (pending.length < TCP_LENGTH_BYTES + length) break
        const message = pending.subarray(TCP_LENGTH_BYTES, TCP_LENGTH_BYTES + length)
        pending = pending.subarray(TCP_LENGTH_BYTES + length)
        const out = this.answer(message, 'tcp', socket.remoteAddress)
        if (!out) continue
        const frame = Buffer.allocUnsafe(TCP_LENGTH_BYTES + out.length)
        frame.writeUInt16BE(out.length, 0)
        out.copy(frame, TCP_LENGTH_BYTES)
        socket.write(frame)
        if (socket.writableLength > MAX_TCP_BACKLOG_BYTES) return void socket.destroy()
      }
    })
  }

  async close(): Promise<void> {
    const udp = this.udp
    const tcp = this.tcp
    this.udp = undefined
    this.tcp = undefined
    for (const s of this.connections) s.destroy()
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ])
  }
}

function addressPort(server: Server): number {
  const a = server.address()
  return a !== null && typeof a === 'object' ? a.port : 0
}

function balancerFingerprint(lbs: readonly BalancerAddresses[]): string {
  return lbs.map((lb) => `${lb.dnsName.toLowerCase()}=${[...lb.addresses].sort().join(',')}`).sort().join(';')
}
