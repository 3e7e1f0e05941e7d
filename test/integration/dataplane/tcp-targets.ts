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
