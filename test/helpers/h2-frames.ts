// A raw HTTP/2 frame client for tests (RFC 9113 section 4): it writes exactly the frames a test
// builds, valid or not, and records every frame the server sends, so a test can check a server's
// error codes. Header blocks are HPACK literals without indexing and without Huffman coding
// (RFC 7541 6.2.2), which any decoder must accept; `indexedName` and `indexed` reach the
// dynamic table for the HPACK-bomb case.
import { connect, type TLSSocket } from 'node:tls'

export const FRAME = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 } as const
export const FLAG = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const
export const SETTING = { HEADER_TABLE_SIZE: 1, ENABLE_PUSH: 2, MAX_CONCURRENT_STREAMS: 3, INITIAL_WINDOW_SIZE: 4, MAX_FRAME_SIZE: 5, MAX_HEADER_LIST_SIZE: 6 } as const
/** RFC 9113 7 error codes. */
export const ERROR = {
  NO_ERROR: 0,
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  SETTINGS_TIMEOUT: 4,
  STREAM_CLOSED: 5,
  FRAME_SIZE_ERROR: 6,
  REFUSED_STREAM: 7,
  CANCEL: 8,
  COMPRESSION_ERROR: 9,
  CONNECT_ERROR: 10,
  ENHANCE_YOUR_CALM: 11,
  INADEQUATE_SECURITY: 12,
  HTTP_1_1_REQUIRED: 13,
} as const
export const ERROR_NAME: Record<number, string> = Object.fromEntries(Object.entries(ERROR).map(([k, v]) => [v, k]))

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

export interface Frame {
  type: number
  flags: number
  stream: number
  payload: Buffer
}

/** One frame's bytes: a 9-byte header and the payload. */
export function frame(type: number, flags: number, stream: number, payload: Buffer | Uint8Array = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream >>> 0, 5)
  return Buffer.concat([head, payload])
}

export function settings(pairs: [number, number][] = [], ack = false): Buffer {
  const p = Buffer.alloc(6 * pairs.length)
  pairs.forEach(([id, value], i) => {
    p.writeUInt16BE(id, 6 * i)
    p.writeUInt32BE(value >>> 0, 6 * i + 2)
  })
  return frame(FRAME.SETTINGS, ack ? FLAG.ACK : 0, 0, p)
}

export function windowUpdate(stream: number, increment: number): Buffer {
  const p = Buffer.alloc(4)
  p.writeUInt32BE(increment >>> 0, 0)
  return frame(FRAME.WINDOW_UPDATE, 0, stream, p)
}

export function rstStream(stream: number, code: number): Buffer {
  const p = Buffer.alloc(4)
  p.writeUInt32BE(code, 0)
  return frame(FRAME.RST_STREAM, 0, stream, p)
}

export function ping(data = Buffer.alloc(8), ack = false): Buffer {
  return frame(FRAME.PING, ack ? FLAG.ACK : 0, 0, data)
}

export function priority(stream: number, dependsOn: number, weight = 16): Buffer {
  const p = Buffer.alloc(5)
  p.writeUInt32BE(dependsOn >>> 0, 0)
  p[4] = weight - 1
  return frame(FRAME.PRIORITY, 0, stream, p)
}

/** An HPACK integer with an N-bit prefix whose high bits are `first` (RFC 7541 5.1). */
function hpackInt(first: number, prefixBits: number, n: number): number[] {
  const max = (1 << prefixBits) - 1
  if (n < max) return [first | n]
  const out = [first | max]
  n -= max
  while (n >= 128) {
    out.push((n % 128) + 128)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return out
}

function hpackString(s: string): number[] {
  const bytes = Buffer.from(s, 'latin1')
  return [...hpackInt(0, 7, bytes.length), ...bytes]
}

/** A literal header field without indexing, new name (RFC 7541 6.2.2). */
export function literal(name: string, value: string): Buffer {
  return Buffer.from([0x00, ...hpackString(name), ...hpackString(value)])
}

/** A literal header field with incremental indexing, new name (RFC 7541 6.2.1): enters the dynamic table. */
export function literalIndexed(name: string, value: string): Buffer {
  return Buffer.from([0x40, ...hpackString(name), ...hpackString(value)])
}

/** An indexed header field (RFC 7541 6.1): the static table is 1-61, the dynamic table from 62. */
export function indexed(index: number): Buffer {
  return Buffer.from(hpackInt(0x80, 7, index))
}

/** A request's header block: pseudo-headers first, then the given fields, all literals. */
export function requestBlock(path = '/', extra: [string, string][] = [], method = 'GET', authority = 'h2.example.test'): Buffer {
  return Buffer.concat([
    literal(':method', method),
    literal(':scheme', 'https'),
    literal(':authority', authority),
    literal(':path', path),
    ...extra.map(([n, v]) => literal(n, v)),
  ])
}

export function headers(stream: number, block: Buffer, flags: number = FLAG.END_HEADERS | FLAG.END_STREAM): Buffer {
  return frame(FRAME.HEADERS, flags, stream, block)
}

export interface GoAway {
  lastStream: number
  code: number
}

/** A connection that speaks raw frames over TLS with ALPN h2; every frame received is kept in `frames`. */
export class RawH2 {
  readonly frames: Frame[] = []
  closed = false
  private buf: Buffer = Buffer.alloc(0)
  private waiters: (() => void)[] = []

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d])
      while (this.buf.length >= 9) {
        const len = this.buf.readUIntBE(0, 3)
        if (this.buf.length < 9 + len) break
        this.frames.push({ type: this.buf[3]!, flags: this.buf[4]!, stream: this.buf.readUInt32BE(5) & 0x7fffffff, payload: this.buf.subarray(9, 9 + len) })
        this.buf = this.buf.subarray(9 + len)
      }
      this.wake()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
  }

  /**
   * Connects, sends the preface and `initial` SETTINGS, and waits for the server's SETTINGS (acked
   * at once unless `ack` is false). The server's SETTINGS ACK may still follow.
   */
  static async open(port: number, opts: { ca: string; servername: string; initial?: [number, number][]; ack?: boolean }): Promise<RawH2> {
    const socket = connect({ host: '127.0.0.1', port, ca: opts.ca, servername: opts.servername, ALPNProtocols: ['h2'] })
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve)
      socket.once('error', reject)
    })
    if (socket.alpnProtocol !== 'h2') throw new Error(`ALPN chose ${String(socket.alpnProtocol)}, not h2`)
    const c = new RawH2(socket)
    socket.write(Buffer.concat([PREFACE, settings(opts.initial ?? [])]))
    await c.waitFor((f) => f.type === FRAME.SETTINGS && (f.flags & FLAG.ACK) === 0, 3000, 'the server SETTINGS')
    if (opts.ack !== false) socket.write(settings([], true))
    return c
  }

  /** Writes frames; false when the socket is already gone (a server that closed is an outcome, not an error). */
  send(...frames: Buffer[]): boolean {
    if (this.closed || this.socket.destroyed) return false
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames))
    return true
  }

  /** The first received frame (from index `from`) that matches, waiting up to `ms`; throws at the deadline. */
  async waitFor(match: (f: Frame) => boolean, ms = 3000, what = 'a frame', from = 0): Promise<Frame> {
    const deadline = Date.now() + ms
    for (;;) {
      for (let i = from; i < this.frames.length; i++) if (match(this.frames[i]!)) return this.frames[i]!
      const left = deadline - Date.now()
      if (left <= 0 || this.closed) {
        // One more look: the last data may have come with the close.
        for (let i = from; i < this.frames.length; i++) if (match(this.frames[i]!)) return this.frames[i]!
        throw new Error(`no ${what} within ${ms} ms${this.closed ? ' (the connection closed)' : ''}; got ${this.describe()}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left)
        function done(): void {
          clearTimeout(timer)
          resolve()
        }
        this.waiters.push(done)
      })
    }
  }

  /** The server's GOAWAY (waiting up to `ms`). */
  async goaway(ms = 3000): Promise<GoAway> {
    const f = await this.waitFor((x) => x.type === FRAME.GOAWAY, ms, 'GOAWAY')
    return { lastStream: f.payload.readUInt32BE(0) & 0x7fffffff, code: f.payload.readUInt32BE(4) }
  }

  /** The code of the server's RST_STREAM on `stream` (waiting up to `ms`). */
  async reset(stream: number, ms = 3000): Promise<number> {
    const f = await this.waitFor((x) => x.type === FRAME.RST_STREAM && x.stream === stream, ms, `RST_STREAM on ${stream}`)
    return f.payload.readUInt32BE(0)
  }

  /** Waits until the server has closed the TCP connection (up to `ms`); whether it did. */
  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now())
        function done(): void {
          clearTimeout(timer)
          resolve()
        }
        this.waiters.push(done)
      })
    }
    return this.closed
  }

  close(): void {
    this.socket.destroy()
  }

  /** The frames received so far, for failure messages. */
  describe(): string {
    const names = Object.fromEntries(Object.entries(FRAME).map(([k, v]) => [v, k]))
    return (
      this.frames
        .map((f) => {
          const name = names[f.type] ?? `type ${f.type}`
          if (f.type === FRAME.GOAWAY) return `GOAWAY(${ERROR_NAME[f.payload.readUInt32BE(4)] ?? f.payload.readUInt32BE(4)})`
          if (f.type === FRAME.RST_STREAM) return `RST_STREAM[${f.stream}](${ERROR_NAME[f.payload.readUInt32BE(0)] ?? f.payload.readUInt32BE(0)})`
          return `${name}[${f.stream}]`
        })
        .join(' ') || 'nothing'
    )
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
}
