import { createSocket, type RemoteInfo, type Socket as DgramSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { GroupState, GroupTarget } from '../balancer/group.js'
import type { L4ListenerSnapshot } from '../snapshot.js'
import { L4Pool, type L4Connection } from './l4-pool.js'

/** What a UDP listener asks of the data plane. */
export interface UdpListenerHost {
  l4ListenerFor(bindKey: string): L4ListenerSnapshot | undefined
  group(arn: string): GroupState | undefined
  readonly random: () => number
  now(): number
  /** Security groups for a new flow's source (its first datagram); a refused one is counted. */
  admitFlow(address: string, listener: L4ListenerSnapshot): boolean
  flowStarted(): void
  flowEnded(): void
}

/**
 * One flow of a UDP listener: the datagrams of one client address and port, sent to one target
 * from a socket of their own (so the target's replies come back on it and go to that client).
 * The flow is forgotten when no datagram passes either way for the idle timeout (NLB: 120 s),
 * when its target is deregistered with connection termination, or at shutdown.
 */
class UdpFlow implements L4Connection {
  private readonly upstream: DgramSocket
  private readonly idle: NodeJS.Timeout
  private connected = false
  private queued: Buffer[] = []
  private closed = false

  constructor(
    private readonly owner: UdpListenerSocket,
    readonly key: string,
    private readonly client: RemoteInfo,
    readonly target: GroupTarget,
    private readonly pool: L4Pool,
    idleMs: number,
  ) {
    const address = target.target.address
    this.upstream = createSocket(isIPv6(address) ? 'udp6' : 'udp4')
    this.upstream.on('message', (msg) => this.onReply(msg))
    // A target's ICMP port unreachable shows as an error on the connected socket: the datagram is lost, as on NLB.
    this.upstream.on('error', () => {})
    this.upstream.connect(target.target.port, address, () => {
      this.connected = true
      for (const m of this.queued) this.upstream.send(m)
      this.queued = []
    })
    this.idle = setTimeout(() => this.reset(), idleMs)
    this.idle.unref()
    pool.add(this)
  }

  send(msg: Buffer): void {
    this.idle.refresh()
    if (this.connected) this.upstream.send(msg)
    else this.queued.push(msg)
  }

  private onReply(msg: Buffer): void {
    if (this.closed) return
    this.idle.refresh()
    this.owner.reply(msg, this.client)
  }

  /** Forgets the flow: its next datagram starts a new one (UDP has nothing to reset). */
  reset(): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.idle)
    this.upstream.close()
    this.pool.remove(this)
    this.owner.forget(this)
  }
}

/**
 * The UDP side of a network balancer's UDP or TCP_UDP listener: one bound datagram socket, and a
 * flow per client address and port. A new flow picks its target as a new TCP connection does
 * (the group's round robin among routable targets) and keeps it while it lives; a deregistered
 * target's flows go on until they idle out or the delay ends with connection termination.
 */
export class UdpListenerSocket {
  readonly flows = new Map<string, UdpFlow>()
  private readonly socket: DgramSocket
  private last: L4ListenerSnapshot

  constructor(
    readonly bindKey: string,
    listener: L4ListenerSnapshot,
    private readonly host: UdpListenerHost,
  ) {
    this.last = listener
    this.socket = createSocket({ type: isIPv6(listener.bindAddress) ? 'udp6' : 'udp4', reuseAddr: false })
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo))
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e)
      this.socket.once('error', onError)
      this.socket.bind(this.last.port, this.last.bindAddress, () => {
        this.socket.off('error', onError)
        this.socket.on('error', () => {})
        resolve()
      })
    })
  }

  refresh(listener: L4ListenerSnapshot): void {
    this.last = listener
  }

  /** The port actually bound. */
  get port(): number {
    try {
      return this.socket.address().port
    } catch {
      return this.last.port
    }
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`
    const flow = this.flows.get(key)
    if (flow) {
      flow.send(msg)
      return
    }
    const listener = this.host.l4ListenerFor(this.bindKey) ?? this.last
    if (!this.host.admitFlow(rinfo.address, listener)) return
    const target = this.host.group(listener.targetGroupArn)?.pick(this.host.now(), this.host.random)
    // No target: the datagram is dropped, as an NLB drops a flow it cannot route.
    if (!target || !(target.pool instanceof L4Pool)) return
    const created = new UdpFlow(this, key, { ...rinfo }, target, target.pool, listener.idleTimeoutMs)
    this.flows.set(key, created)
    this.host.flowStarted()
    created.send(msg)
  }

  reply(msg: Buffer, client: RemoteInfo): void {
    this.socket.send(msg, client.port, client.address)
  }

  forget(flow: UdpFlow): void {
    if (this.flows.get(flow.key) !== flow) return
    this.flows.delete(flow.key)
    this.host.flowEnded()
  }

  close(): Promise<void> {
    for (const f of [...this.flows.values()]) f.reset()
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  destroyAll(): void {
    for (const f of [...this.flows.values()]) f.reset()
  }
}
