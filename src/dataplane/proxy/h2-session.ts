import { performServerHandshake, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import type { TLSSocket } from 'node:tls'
import type { ListenerSnapshot } from '../snapshot.js'
import type { ProxyContext } from './context.js'
import { H2Exchange, type H2Client } from './h2-exchange.js'

/** ALB: at most 128 concurrent requests on one HTTP/2 connection. */
export const MAX_CONCURRENT_STREAMS = 128

/**
 * Serves HTTP/2 on a socket whose ALPN chose h2: each stream is an H2Exchange, routed with the
 * listener as the snapshot current when the stream opened has it.
 */
export function serveHttp2(socket: TLSSocket, ctx: ProxyContext, bindKey: string, listener: ListenerSnapshot, client: H2Client): ServerHttp2Session {
  const limits = ctx.headLimits
  const session = performServerHandshake(socket, {
    // The same head limits as HTTP/1.1 (ALB: 64 KiB of headers); the pseudo-headers come on top.
    settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS, enableConnectProtocol: false, maxHeaderListSize: limits.maxHeadBytes },
    maxHeaderListPairs: limits.maxHeaderCount + 4,
  })
  session.on('error', noop)
  goawayWithTheRightCode(session)
  const watchResets = resetWatch(session)
  // ALB's idle timeout: a connection with no frames for that long is closed (GOAWAY, streams in flight finish).
  // A changed timeout applies from the connection's next stream on.
  let idleMs = listener.balancer.attributes.idleTimeoutSeconds * 1000
  session.setTimeout(idleMs)
  session.on('timeout', () => session.close())
  session.on('stream', (stream, headers) => {
    const current = ctx.current.listeners.get(bindKey) ?? listener
    const ms = current.balancer.attributes.idleTimeoutSeconds * 1000
    if (ms !== idleMs) {
      idleMs = ms
      session.setTimeout(ms)
    }
    watchResets(stream)
    new H2Exchange(stream, headers, ctx, current, client).start()
  })
  return session
}

function noop(): void {}

/**
 * nghttp2 (RFC 9113 conformant) finds a connection error in what it reads and hands node the error
 * (NGHTTP2_ERR_PROTO, NGHTTP2_ERR_FLOW_CONTROL, ...), but node 20 then destroys the session with an
 * Error and no code, which it sends as GOAWAY INTERNAL_ERROR. The session's destroy is wrapped so
 * that error goes out with the code RFC 9113 section 7 names for it.
 */
function goawayWithTheRightCode(session: ServerHttp2Session): void {
  const destroy = session.destroy.bind(session)
  session.destroy = (error?: Error, code?: number): void => {
    if (code === undefined && error instanceof Error) {
      const e = error as Error & { code?: string; errno?: number }
      if (e.code === 'ERR_HTTP2_ERROR' && e.errno !== undefined) code = GOAWAY_CODE.get(e.errno)
      else if (e.code === 'ERR_HTTP2_TOO_MANY_INVALID_FRAMES') code = ENHANCE_YOUR_CALM
      if (code !== undefined && !session.destroyed) {
        // Destroyed at once, node resets the open streams and destroys the socket before the GOAWAY
        // is written: it is sent first, the session destroyed on the next turn.
        session.goaway(code)
        const c = code
        setImmediate(() => destroy(error, c))
        return
      }
    }
    destroy(error, code)
  }
}

/**
 * Rapid reset (CVE-2023-44487): nghttp2 answers a burst of 1,000 client resets with GOAWAY
 * INTERNAL_ERROR; openalb ends the connection earlier, with ENHANCE_YOUR_CALM, when a client resets
 * more than twice the concurrent-stream limit in one second. Browsers cancel streams too (a page left),
 * but no more than they can have open.
 */
export const MAX_CLIENT_RESETS_PER_SECOND = 2 * MAX_CONCURRENT_STREAMS

/** Counts a session's client resets per second; past the limit, GOAWAY ENHANCE_YOUR_CALM. */
function resetWatch(session: ServerHttp2Session): (stream: ServerHttp2Stream) => void {
  let windowStart = 0
  let count = 0
  const onAborted = (): void => {
    const now = Date.now()
    if (now - windowStart >= 1000) {
      windowStart = now
      count = 0
    }
    if (++count > MAX_CLIENT_RESETS_PER_SECOND && !session.destroyed && !session.closed) {
      session.goaway(ENHANCE_YOUR_CALM)
      setImmediate(() => session.destroy(undefined, ENHANCE_YOUR_CALM))
    }
  }
  return (stream) => stream.once('aborted', onAborted)
}

const PROTOCOL_ERROR = 1
const FLOW_CONTROL_ERROR = 3
const STREAM_CLOSED = 5
const FRAME_SIZE_ERROR = 6
const COMPRESSION_ERROR = 9
const ENHANCE_YOUR_CALM = 11
/** nghttp2's library error codes (nghttp2.h) -> the RFC 9113 error code of the GOAWAY. */
const GOAWAY_CODE = new Map<number, number>([
  [-505, PROTOCOL_ERROR], // NGHTTP2_ERR_PROTO
  [-506, PROTOCOL_ERROR], // NGHTTP2_ERR_INVALID_FRAME
  [-510, STREAM_CLOSED], // NGHTTP2_ERR_STREAM_CLOSED
  [-522, FRAME_SIZE_ERROR], // NGHTTP2_ERR_FRAME_SIZE_ERROR
  [-523, COMPRESSION_ERROR], // NGHTTP2_ERR_HEADER_COMP
  [-524, FLOW_CONTROL_ERROR], // NGHTTP2_ERR_FLOW_CONTROL
  [-536, PROTOCOL_ERROR], // NGHTTP2_ERR_SETTINGS_EXPECTED
  [-537, ENHANCE_YOUR_CALM], // NGHTTP2_ERR_TOO_MANY_SETTINGS
  [-903, PROTOCOL_ERROR], // NGHTTP2_ERR_BAD_CLIENT_MAGIC
  [-904, ENHANCE_YOUR_CALM], // NGHTTP2_ERR_FLOODED
  [-905, ENHANCE_YOUR_CALM], // NGHTTP2_ERR_TOO_MANY_CONTINUATIONS
])
