import { constants, type ClientHttp2Stream, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import type { ProxyErrorKind } from '../errors.js'
import type { H2TargetSession } from '../upstream/h2-pool.js'

const { NGHTTP2_CANCEL, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR, NGHTTP2_REFUSED_STREAM, NGHTTP2_FLAG_END_STREAM } = constants

/** What a relay tells the exchange it works for; each call names the relay, so a replaced one is ignored. */
export interface H2RelayOwner {
  /**
   * The target's response head; `endStream`: nothing follows. The owner responds to the client,
   * with waitForTrailers unless endStream: the relay ends the stream with trailers or a reset.
   */
  relayResponse(relay: H2Relay, headers: IncomingHttpHeaders, endStream: boolean): void
  /** The response (body and trailers) went to the client whole. */
  relayDone(relay: H2Relay): void
  /** The stream failed before any response; `retryable`: the target surely did not process the request. */
  relayFailed(relay: H2Relay, kind: ProxyErrorKind, retryable: boolean): void
  /** The stream failed after the response head went out; the relay resets the client's stream. */
  relayAborted(relay: H2Relay, kind: ProxyErrorKind): void
}

/**
 * One request relayed from a client's HTTP/2 stream to a stream on a target's HTTP/2 session:
 * both bodies streamed with each side's flow control, trailers passed on both ways (grpc-status
 * reaches the client as the target sent it), and a reset passed on with its code.
 *
 * Both streams are opened with waitForTrailers, so each is ended by trailers or by RST_STREAM:
 * node's stream.close(code) on an open stream sends END_STREAM first, which would make a broken
 * answer look complete.
 */
export class H2Relay {
  /** Response body bytes sent to the client. */
  sent = 0
  bodySent = false
  private responded = false
  private headersEnded = false
  private settled = false
  private timedOut = false
  private cancelled = false
  private trailers: IncomingHttpHeaders | undefined
  private requestTrailers: IncomingHttpHeaders | undefined
  /** Set when the client's stream must end with RST_STREAM(code) instead of trailers. */
  private resetCode: number | undefined

  constructor(
    private readonly owner: H2RelayOwner,
    private readonly client: ServerHttp2Stream,
    private readonly upstream: ClientHttp2Stream,
    readonly session: H2TargetSession,
    timeoutMs: number,
  ) {
    upstream.on('response', (headers, flags) => this.onResponse(headers, flags))
    upstream.on('data', (chunk: Buffer) => this.onData(chunk))
    upstream.on('trailers', (headers) => (this.trailers = headers))
    upstream.on('end', () => this.onEnd())
    upstream.on('error', noop)
    upstream.on('close', () => this.onClose())
    upstream.on('wantTrailers', () => {
      if (this.cancelled) upstream.close(NGHTTP2_CANCEL)
      else upstream.sendTrailers(this.requestTrailers ?? {})
    })
    client.on('trailers', (headers) => (this.requestTrailers = headers))
    // ALB's idle timeout, per stream: a target silent that long gets the request a 504.
    upstream.setTimeout(timeoutMs, () => {
      this.timedOut = true
      upstream.close(NGHTTP2_CANCEL)
    })
  }

  /** Client body bytes on to the target; the client waits while the target's window is full. */
  write(chunk: Buffer): void {
    if (this.settled || this.upstream.destroyed) return
    this.bodySent = true
    if (!this.upstream.write(chunk)) {
      this.client.pause()
      this.upstream.once('drain', () => this.client.resume())
    }
  }

  /** The client's body (and trailers) ended. */
  endRequest(): void {
    if (!this.upstream.writableEnded && !this.upstream.destroyed) this.upstream.end()
  }

  /** The exchange is over on the client's side (reset, or the balancer answered itself): reset the target's stream. */
  cancel(): void {
    if (this.settled) return
    this.settled = true
    this.cancelled = true
    if (!this.upstream.destroyed) this.upstream.close(NGHTTP2_CANCEL)
  }

  private onResponse(headers: IncomingHttpHeaders, flags: number): void {
    if (this.settled) return
    this.responded = true
    this.headersEnded = (flags & NGHTTP2_FLAG_END_STREAM) !== 0
    if (!this.headersEnded) {
      this.client.once('wantTrailers', () => {
        try {
          if (this.resetCode !== undefined) this.client.close(this.resetCode)
          else this.client.sendTrailers(this.trailers ?? {})
        } catch {
          if (!this.client.destroyed) this.client.close(NGHTTP2_INTERNAL_ERROR)
        }
      })
    }
    this.owner.relayResponse(this, headers, this.headersEnded)
  }

  private onData(chunk: Buffer): void {
    if (this.settled || this.client.destroyed) return
    this.sent += chunk.length
    if (!this.client.write(chunk)) {
      this.upstream.pause()
      this.client.once('drain', () => this.upstream.resume())
    }
  }

  private onEnd(): void {
    // node ends the readable side on RST_STREAM too: a reset is the close handler's.
    const code = this.upstream.rstCode
    if (this.settled || (this.upstream.closed && code !== undefined && code !== NGHTTP2_NO_ERROR)) return
    this.settled = true
    this.endClient()
    this.owner.relayDone(this)
  }

  private onClose(): void {
    if (this.settled) return
    this.settled = true
    const code = this.upstream.rstCode ?? NGHTTP2_NO_ERROR
    if (this.responded) {
      this.resetCode = code === NGHTTP2_NO_ERROR ? NGHTTP2_INTERNAL_ERROR : code
      this.endClient()
      this.owner.relayAborted(this, this.timedOut ? 'target-timeout' : 'target-reset')
      return
    }
    const s = this.session
    if (!s.connected) {
      const kind: ProxyErrorKind = s.timedOut ? 'connect-timeout' : s.handshakeFailed ? 'target-tls-error' : 'connect-failed'
      this.owner.relayFailed(this, kind, !this.bodySent)
      return
    }
    if (this.timedOut) {
      this.owner.relayFailed(this, 'target-timeout', false)
      return
    }
    // REFUSED_STREAM: the target did not process the request (RFC 9113 8.7), so it may go elsewhere.
    const refused = code === NGHTTP2_REFUSED_STREAM && !this.bodySent
    this.owner.relayFailed(this, s.pool.draining ? 'deregistered' : code === NGHTTP2_NO_ERROR ? 'target-closed' : 'target-reset', refused)
  }

  /** Ends the client's stream: 'wantTrailers' then sends the trailers, or the reset. */
  private endClient(): void {
    if (this.headersEnded || this.client.destroyed) return
    if (!this.client.writableEnded) this.client.end()
    else if (this.resetCode !== undefined) this.client.close(this.resetCode)
  }
}

function noop(): void {}
