import { createHash } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { TestContext } from 'node:test'

/**
 * A TCP target: greets each connection with `NAME\n`, then echoes every byte back. Half-open
 * capable: when the client ends, it finishes echoing and ends too (the half-close a TCP listener
 * must keep). `sockets` are its open connections, for a test that kills it mid-connection.
 */
export interface EchoTarget {
  readonly name: string
  readonly port: number
  readonly server: Server
  readonly sockets: Set<Socket>
  /** Resets every open connection and stops listening: a target that died mid-connection. */
  kill(): Promise<void>
}

export async function startEchoTarget(t: TestContext, name: string): Promise<EchoTarget> {
  const sockets = new Set<Socket>()
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    s.write(`${name}\n`)
    s.pipe(s)
  })
  return listenTarget(t, name, server, sockets)
}

/** Binds a target on 127.0.0.1:0; kill() (also run at the test's end) resets its connections and closes it. */
async function listenTarget(t: TestContext, name: string, server: Server, sockets: Set<Socket>): Promise<EchoTarget> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let closed = false
  const kill = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const s of sockets) s.resetAndDestroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
  t.after(kill)
  return { name, port, server, sockets, kill }
}

/** A client connection that collects what it receives; every wait is bounded by `ms`. */
export class TcpClient {
  readonly socket: Socket
  private readonly chunks: Buffer[] = []
  /** Bytes received so far. */
  length = 0
  ended = false
  error: (Error & { code?: string }) | undefined
  closed: Promise<void>

  constructor(port: number, options: { allowHalfOpen?: boolean } = {}) {
    this.socket = connect({ host: '127.0.0.1', port, allowHalfOpen: options.allowHalfOpen ?? true })
    this.socket.on('data', (c: Buffer) => {
      this.chunks.push(c)
      this.length += c.length
    })
    this.socket.on('end', () => (this.ended = true))
    this.socket.on('error', (e) => (this.error = e))
    this.closed = new Promise((r) => this.socket.once('close', () => r()))
  }

  get received(): Buffer {
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, Buffer.concat(this.chunks))
    return this.chunks[0] ?? Buffer.alloc(0)
  }

  get text(): string {
    return this.received.toString('latin1')
  }

  /** Waits until the received bytes satisfy `check`, the socket closes, or `ms` pass. */
  async until(check: (c: TcpClient) => boolean, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms
    while (!check(this)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.text.slice(0, 200))}, error ${this.error?.code ?? 'none'}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** The first line: the name of the target that greeted it. */
  async greeting(ms = 5000): Promise<string> {
    await this.until((c) => c.text.includes('\n') || c.socket.destroyed, ms, 'a greeting')
    return this.text.split('\n')[0] ?? ''
  }

  destroy(): void {
    this.socket.destroy()
  }
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** What a PROXY protocol v2 header said. */
export interface ProxyV2Info {
  readonly command: 'PROXY' | 'LOCAL'
  readonly family: 'INET' | 'INET6' | 'UNSPEC'
  readonly transport: 'STREAM' | 'DGRAM' | 'UNSPEC'
  readonly source: string
  readonly sourcePort: number
  readonly destination: string
  readonly destinationPort: number
}

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex')

function ipv6Text(b: Buffer): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16))
  return groups.join(':')
}

/**
 * Parses a PROXY v2 header at the start of `buf` (haproxy's proxy-protocol.txt, section 2.2), as
 * a target behind an NLB with proxy_protocol_v2.enabled would: undefined until it is whole.
 */
export function parseProxyV2(buf: Buffer): { info: ProxyV2Info; length: number } | undefined {
  if (buf.length < 16) return undefined
  if (!buf.subarray(0, 12).equals(SIGNATURE)) throw new Error(`not a PROXY v2 header: ${buf.subarray(0, 12).toString('hex')}`)
  const verCmd = buf[12] ?? 0
  if (verCmd >> 4 !== 2) throw new Error(`PROXY version ${verCmd >> 4}`)
  const fam = buf[13] ?? 0
  const len = buf.readUInt16BE(14)
  if (buf.length < 16 + len) return undefined
  const body = buf.subarray(16, 16 + len)
  const family = fam >> 4 === 1 ? 'INET' : fam >> 4 === 2 ? 'INET6' : 'UNSPEC'
  const transport = (fam & 0xf) === 1 ? 'STREAM' : (fam & 0xf) === 2 ? 'DGRAM' : 'UNSPEC'
  let source = ''
  let destination = ''
  let sourcePort = 0
  let destinationPort = 0
  if (family === 'INET') {
    source = [...body.subarray(0, 4)].join('.')
    destination = [...body.subarray(4, 8)].join('.')
    sourcePort = body.readUInt16BE(8)
    destinationPort = body.readUInt16BE(10)
  } else if (family === 'INET6') {
    source = ipv6Text(body.subarray(0, 16))
    destination = ipv6Text(body.subarray(16, 32))
    sourcePort = body.readUInt16BE(32)
    destinationPort = body.readUInt16BE(34)
  }
  return { info: { command: (verCmd & 0xf) === 1 ? 'PROXY' : 'LOCAL', family, transport, source, sourcePort, destination, destinationPort }, length: 16 + len }
}

/**
 * A TCP target that expects a PROXY v2 header first: it greets with
 * `NAME from SRC:PORT to DST:PORT\n` (what the header said) and echoes the bytes after it.
 * A connection without a valid header is reset.
 */
export async function startProxyV2Target(t: TestContext, name: string): Promise<EchoTarget & { headers: ProxyV2Info[] }> {
  const sockets = new Set<Socket>()
  const headers: ProxyV2Info[] = []
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    let pending = Buffer.alloc(0)
    const onData = (c: Buffer): void => {
      pending = Buffer.concat([pending, c])
      let parsed
      try {
        parsed = parseProxyV2(pending)
      } catch {
        s.resetAndDestroy()
        return
      }
      if (!parsed) return
      s.off('data', onData)
      headers.push(parsed.info)
      const i = parsed.info
      s.write(`${name} from ${i.source}:${i.sourcePort} to ${i.destination}:${i.destinationPort}\n`)
      const rest = pending.subarray(parsed.length)
      if (rest.length > 0) s.write(rest)
      s.pipe(s)
    }
    s.on('data', onData)
  })
  return { ...(await listenTarget(t, name, server, sockets)), headers }
}

/** A UDP target: answers each datagram with `NAME:` and the datagram; with `tcp`, also a TCP echo target on the same port (for TCP_UDP groups). */
export async function startUdpTarget(t: TestContext, name: string, port = 0): Promise<{ name: string; port: number; received: string[]; close(): Promise<void> }> {
  const { createSocket } = await import('node:dgram')
  const socket = createSocket('udp4')
  const received: string[] = []
  socket.on('message', (m, r) => {
    received.push(m.toString())
    socket.send(Buffer.concat([Buffer.from(`${name}:`), m]), r.port, r.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, '127.0.0.1', () => resolve())
  })
  let closed = false
  const close = () =>
    new Promise<void>((r) => {
      if (closed) return r()
      closed = true
      socket.close(() => r())
    })
  t.after(close)
  return { name, port: socket.address().port, received, close }
}

/** A UDP client: send() and the replies it has got, every wait bounded. */
export async function udpClient(t: TestContext, port: number) {
  const { createSocket } = await import('node:dgram')
  const socket = createSocket('udp4')
  const replies: string[] = []
  socket.on('message', (m) => replies.push(m.toString()))
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()))
  t.after(() => new Promise<void>((r) => socket.close(() => r())))
  return {
    replies,
    localPort: socket.address().port,
    send: (text: string) => socket.send(text, port, '127.0.0.1'),
    async reply(text: string, ms = 3000): Promise<string> {
      const before = replies.length
      socket.send(text, port, '127.0.0.1')
      const deadline = Date.now() + ms
      while (replies.length === before) {
        if (Date.now() > deadline) throw new Error(`no reply to ${text} within ${ms} ms`)
        await new Promise((r) => setTimeout(r, 5))
      }
      return replies[replies.length - 1] ?? ''
    },
  }
}
