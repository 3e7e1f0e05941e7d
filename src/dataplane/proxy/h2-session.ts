import { performServerHandshake, type ServerHttp2Session } from 'node:http2'
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
    new H2Exchange(stream, headers, ctx, current, client).start()
  })
  return session
}

function noop(): void {}
