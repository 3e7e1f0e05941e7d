import type { Socket } from 'node:net'
import type { ForwardPlan } from '../actions/plan.js'
import type { GroupTarget } from '../balancer/group.js'
import type { ProxyErrorKind } from '../errors.js'
import { Exchange, type ClientSide } from '../exchange/exchange.js'
import type { LocalResponse } from '../exchange/local-response.js'
import { ChunkTracker } from '../http1/chunk-tracker.js'
import { localHead } from '../http1/local-head.js'
import { isTokenName, parseRequestHead, type RequestHead } from '../http1/request-parser.js'
import { ResponseHead, parseResponseHead } from '../http1/response-head.js'
import { lambdaFailure } from '../lambda/failure.js'
import type { RouteRequest } from '../router/route-request.js'
import { REWRITE_FAILED } from '../router/transforms.js'
import type { ListenerSnapshot } from '../snapshot.js'
import type { UpstreamConnection, UpstreamPool, UpstreamUser } from '../upstream/pool.js'
import type { ProxyContext } from './context.js'
import { Hdr, connectionTokens, isAlbValidHeaderName, requestHeaderKind, responseHeaderKind } from '../exchange/header-names.js'
import { dropNamed, forwardingHeaderLines, hostForTarget, hostWithoutPort } from '../exchange/request-fields.js'

const BODY_NONE = 0
const BODY_LENGTH = 1
const BODY_CHUNKED = 2
const BODY_CLOSE = 3

/** Pipelined bytes buffered while a request is in flight before the client is paused. */
const MAX_PIPELINE_BYTES = 256 * 1024
/** A response body up to this size that arrived with its head is copied behind the head and written once. */
const SMALL_BODY_BYTES = 4096

const PARSE_ERROR_KIND: Record<number, ProxyErrorKind> = {
  400: 'malformed-request',
  414: 'request-line-too-long',
  431: 'headers-too-large',
  501: 'not-implemented',
  505: 'version-not-supported',
}

/** The node the connection belongs to (a listener socket); closes idle connections when it goes away. */
export interface ConnectionOwner {
  readonly bindKey: string
  readonly closing: boolean
  removeConnection(c: ClientConnection): void
}

/**
 * One client connection and the request on it, as a state machine with its handlers bound once:
 * parse the head from the socket's bytes, route with the snapshot current at that moment, answer
 * or forward, stream both bodies with backpressure, then the next (pipelined) request.
 */
export class ClientConnection implements UpstreamUser {
  closed = false
  /** When the first byte of a still incomplete head arrived (0: none pending). */
  headStartedMs = 0

  private listener: ListenerSnapshot
  private buf: Buffer | null = null
  private bufStart = 0
  private readonly route: RouteRequest
  private closeAfter = false
  /** The node is stopping: the next request is the last (drain()). */
  private draining = false
  private pausedForPipeline = false
  private pausedForUpstream = false

  // The request in flight.
  private active = false
  private head: RequestHead | null = null
  /** What the request in flight (or the last one) means (exchange/exchange.ts); this class carries it over HTTP/1.1. */
  private ex: Exchange
  private reqBody = BODY_NONE
  private reqRemaining = 0
  private readonly reqChunks = new ChunkTracker()
  private reqDone = true
  private upstream: UpstreamConnection | null = null
  private sentHead = ''
  private sentBody: Buffer | null = null
  private bodyStreamed = false
  private desyncClose = false

  // The response in flight.
  private resDone = true
  private resHeadSent = false
  private resBuf: Buffer | null = null
  private readonly res = new ResponseHead()
  private resBody = BODY_NONE
  private resRemaining = 0
  private readonly resChunks = new ChunkTracker()
  private tunnel = false

  constructor(
    readonly socket: Socket,
    private readonly ctx: ProxyContext,
    private readonly owner: ConnectionOwner,
    listener: ListenerSnapshot,
    /** Who the client is, as the listener stage found at accept and handshake. */
    private readonly client: ClientSide,
  ) {
    this.listener = listener
    this.ex = new Exchange(ctx, listener, this.client, false, 0)
    this.ex.done = true
    this.route = { method: '', path: '', query: '', host: '', headerNames: [], headerValues: [], source: this.client.source }
    socket.setNoDelay(true)
    socket.setTimeout(listener.balancer.attributes.idleTimeoutSeconds * 1000)
    socket.on('data', this.onData.bind(this))
    socket.on('drain', this.onDrain.bind(this))
    socket.on('timeout', this.onTimeout.bind(this))
    socket.on('error', noop)
    socket.on('close', this.onClose.bind(this))
    socket.on('end', this.onEnd.bind(this))
  }

  /** Idle now: no request in flight and nothing buffered. */
  get idle(): boolean {
    return !this.active && (this.buf === null || this.bufStart >= this.buf.length)
  }

  /**
   * The node is stopping: a request in flight finishes and is answered with `connection: close`;
   * an idle kept-alive connection stays open for its next request, answered the same way, so a
   * client that reuses it is told rather than reset (HAProxy before 2.4, and nginx, do the same).
   */
  drain(): void {
    this.draining = true
    if (this.active) this.closeAfter = true
  }

  /** The listener was removed: finish what is in flight, then close. */
  closeWhenIdle(): void {
    this.closeAfter = true
    if (this.idle) this.socket.end()
  }

  /** The request head did not arrive in time (slowloris): 408 and close. */
  headTimedOut(): void {
    if (this.active || this.closed) return
    this.headStartedMs = 0
    this.buf = null
    this.closeAfter = true
    this.localError('request-head-timeout')
    this.socket.end()
  }

  // ---- client socket events

  private onData(chunk: Buffer): void {
    this.ex.receivedBytes += chunk.length
    if (this.tunnel) {
      if (this.upstream && !this.upstream.socket.write(chunk)) this.pauseClientForUpstream()
      return
    }
    if (this.active && !this.reqDone) {
      const end = this.consumeBody(chunk, 0)
      if (end < chunk.length && end >= 0) this.append(chunk.subarray(end))
      if (this.reqDone && this.resDone && this.active) this.finishExchange()
      return
    }
    this.append(chunk)
    if (!this.active) this.processBuffer()
    else if (this.buf !== null && this.buf.length - this.bufStart > MAX_PIPELINE_BYTES && !this.pausedForPipeline) {
      this.pausedForPipeline = true
      this.socket.pause()
    }
  }

  private onDrain(): void {
    if (this.upstream && this.upstream.socket.isPaused()) this.upstream.socket.resume()
  }

  private onTimeout(): void {
    // Idle between requests, or a client that stopped sending its body: close (ALB's idle timeout).
    if (!this.active || !this.reqDone || this.tunnel) this.destroy()
  }

  private onEnd(): void {
    if (this.tunnel) this.upstream?.socket.end()
    else if (!this.active) this.socket.end()
    else this.closeAfter = true // the client is done sending: answer what is in flight, then close
  }

  private onClose(): void {
    this.closed = true
    this.owner.removeConnection(this)
    this.ctx.metrics?.connectionClosed()
    if (this.active) {
      const up = this.upstream
      if (up) {
        this.upstream = null
        up.pool.discard(up)
      }
      if (!this.resDone || !this.reqDone) {
        if (this.ex.elbStatus === 0 && this.ex.targetStatus === 0) this.ex.errorKind = 'client-closed'
        this.finishExchange()
      }
    }
  }

  private destroy(): void {
    this.socket.destroy()
  }

  // ---- request side

  private append(chunk: Buffer): void {
    if (this.buf === null || this.bufStart >= this.buf.length) {
      this.buf = chunk
      this.bufStart = 0
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.bufStart), chunk])
      this.bufStart = 0
    }
  }

  private processBuffer(): void {
    if (this.processing) return
    this.processing = true
    try {
      this.parseBuffered()
    } finally {
      this.processing = false
    }
  }

  private processing = false

  private parseBuffered(): void {
    while (!this.active && !this.closed && this.buf !== null && this.bufStart < this.buf.length) {
      if (this.closeAfter) {
        this.buf = null
        return
      }
      const r = parseRequestHead(this.buf, this.bufStart, this.ctx.headLimits)
      if (r.kind === 'incomplete') {
        if (this.headStartedMs === 0) this.headStartedMs = this.ctx.now()
        return
      }
      this.headStartedMs = 0
      if (r.kind === 'error') {
        this.buf = null
        this.closeAfter = true
        this.beginExchange()
        this.localError(PARSE_ERROR_KIND[r.status] ?? 'malformed-request')
        this.reqDone = true
        this.finishExchange()
        return
      }
      this.bufStart += r.head.headBytes
      if (this.draining) this.closeAfter = true
      this.startRequest(r.head)
    }
    if (this.buf !== null && this.bufStart >= this.buf.length) this.buf = null
  }

  /** Increases with every request, so a callback can tell that its request has ended. */
  private seq = 0

  private beginExchange(): Exchange {
    this.seq++
    this.active = true
    this.resDone = false
    this.resHeadSent = false
    this.sentHead = ''
    this.sentBody = null
    this.bodyStreamed = false
    this.desyncClose = false
    const ex = new Exchange(this.ctx, this.listener, this.client, false, this.ctx.now())
    this.ex = ex
    return ex
  }

  private startRequest(head: RequestHead): void {
    const current = this.ctx.current.listeners.get(this.owner.bindKey)
    if (current !== undefined && current !== this.listener) {
      if (current.balancer.attributes.idleTimeoutSeconds !== this.listener.balancer.attributes.idleTimeoutSeconds) {
        this.socket.setTimeout(current.balancer.attributes.idleTimeoutSeconds * 1000)
      }
      this.listener = current
    }
    const ex = this.beginExchange()
    this.head = head
    ex.receivedBytes = head.headBytes
    ex.method = head.method
    ex.host = head.host
    ex.logTarget = head.target.charCodeAt(0) === 47 ? head.target : head.path
    ex.version = head.versionMinor === 0 ? 'HTTP/1.0' : 'HTTP/1.1'
    ex.names = head.headerNames
    ex.values = head.headerValues
    ex.classification = head.classification
    ex.classificationReason = head.classificationReason ?? ''
    const listener = this.listener
    const attrs = listener.balancer.attributes

    this.reqBody = head.bodyKind === 'length' ? BODY_LENGTH : head.bodyKind === 'chunked' ? BODY_CHUNKED : BODY_NONE
    this.reqRemaining = head.contentLength
    if (this.reqBody === BODY_CHUNKED) this.reqChunks.reset()
    this.reqDone = this.reqBody === BODY_NONE || (this.reqBody === BODY_LENGTH && head.contentLength === 0)
    if (!head.keepAlive) this.closeAfter = true

    // Desync mitigation, as ALB's routing.http.desync_mitigation_mode.
    const cls = head.classification
    if (cls !== 'compliant') {
      const mode = attrs.desyncMitigationMode
      if ((cls === 'severe' && mode !== 'monitor') || (mode === 'strictest' && (cls === 'ambiguous' || cls === 'acceptable'))) {
        this.closeAfter = true
        this.reqDone = true
        this.buf = null
        this.localError('desync-rejected')
        this.finishExchange()
        return
      }
      if (cls === 'ambiguous' && mode === 'defensive') this.desyncClose = true
    }

    const route = this.route
    route.method = head.method
    route.path = head.path
    route.query = head.query
    route.host = hostOnly(head.host)
    route.headerNames = head.headerNames
    route.headerValues = head.headerValues
    const rule = listener.router.route(route)
    ex.rule = rule
    const signIn = rule.auth === undefined ? undefined : ex.authenticate(rule.auth, head.path, head.query)
    if (signIn !== undefined) {
      this.answerLocally(signIn)
      return
    }
    const action = rule.action
    if (action.kind === 'forward') {
      this.forward(action)
      return
    }
    this.answerLocally(ex.answerFor(action, head.path, head.query))
  }

  /** The balancer's own answer, now or (authenticate-oidc's callback) once it is made. */
  private answerLocally(res: LocalResponse | Promise<LocalResponse>): void {
    if (res instanceof Promise) {
      const ex = this.ex
      void res.then((r) => {
        if (this.ex === ex && !ex.done && !this.closed) this.answerLocally(r)
      })
      return
    }
    this.answer(res, !this.closeAfter && this.reqDone)
    this.resDone = true
    if (!this.reqDone) {
      // Discard the body the client is still sending; the answer has gone already.
      this.consumeBuffered()
      if (!this.reqDone) return
    }
    this.finishExchange()
  }

  private forward(plan: ForwardPlan): void {
    const head = this.head as RequestHead
    const target = this.ex.choose(plan)
    if (typeof target === 'string') {
      this.failBeforeResponse(target)
      return
    }
    const requestHead = this.buildRequestHead(head)
    if (requestHead === undefined) return
    this.sentHead = requestHead
    this.send(target)
  }

  /** The head the target gets: parsed, filtered and re-serialised, never the client's bytes. */
  private buildRequestHead(head: RequestHead): string | undefined {
    const listener = this.listener
    const attrs = listener.balancer.attributes
    let target = head.target.charCodeAt(0) === 47 || head.target === '*' ? head.target : head.query === '' ? head.path : `${head.path}?${head.query}`
    // An absolute-form target's authority is the host (RFC 9112 3.2.2; ALB too): it was routed on,
    // and the origin-form request the target gets carries it as Host, whatever Host the client sent.
    let newHost: string | undefined = target === head.target || head.method === 'CONNECT' ? undefined : head.host
    // The rule's transforms (ALB applies them after routing, to what the target gets).
    const transforms = this.ex.rule?.transforms
    if (transforms !== undefined) {
      const url = target.charCodeAt(0) === 47 ? transforms.url(target) : target
      const host = head.host === undefined ? undefined : transforms.host(head.host)
      if (url === REWRITE_FAILED || host === REWRITE_FAILED) {
        this.failBeforeResponse('transform-failed')
        return undefined
      }
      target = url
      if (host !== head.host) newHost = host
    }
    // ALB's Host rule without preserve_host_header: the listener's port on a Host that has none, none on 80 and 443.
    if (listener.hostPortSuffix !== '' || listener.hostPortStrip) {
      const sent = newHost ?? head.host
      if (sent !== undefined) {
        const forTarget = hostForTarget(sent, listener)
        if (forTarget !== sent) newHost = forTarget
      }
    }
    let s = `${head.method} ${target} HTTP/1.1\r\n`
    const names = head.headerNames
    const values = head.headerValues
    const dropInvalid = attrs.dropInvalidHeaderFields
    // A name that is not a token is never passed on, whatever the mode: it is how requests get smuggled.
    const checkTokens = head.invalidHeaderNames > 0
    let xff: string | undefined
    let trace: string | undefined
    let upgrade: string | undefined
    let tokens: Set<string> | undefined
    let dropped = false
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const value = values[i] as string
      switch (requestHeaderKind(name)) {
        case Hdr.KEEP:
          if ((dropInvalid && !isAlbValidHeaderName(name)) || (checkTokens && !isTokenName(name))) {
            dropped = true
            continue
          }
          if (newHost !== undefined && name.length === 4 && name.toLowerCase() === 'host') {
            s += `${name}: ${newHost}\r\n`
            newHost = undefined
            continue
          }
          s += `${name}: ${value}\r\n`
          break
        case Hdr.XFF:
          xff = xff === undefined ? value : `${xff}, ${value}`
          break
        case Hdr.TRACE:
          trace ??= value
          break
        case Hdr.CONNECTION:
          if (value.length > 10 || (value.length !== 5 && value.length !== 10)) connectionTokens(value, (tokens ??= new Set()))
          break
        case Hdr.UPGRADE:
          upgrade = value
          break
        default:
          break
      }
    }
    // A request without a Host line (HTTP/1.0 with an absolute-form target) gets one.
    if (newHost !== undefined) s += `host: ${newHost}\r\n`
    if (tokens !== undefined && tokens.size > 0) s = dropNamed(s, tokens)
    const renamed = listener.mtls?.renamed
    if (renamed !== undefined) s = dropNamed(s, renamed)
    if (!this.ex.forwarding(xff, trace, dropped)) {
      this.failBeforeResponse('xff-too-long')
      return undefined
    }
    s += forwardingHeaderLines(attrs.xffHeaderProcessingMode, xff, this.client.address, listener, this.ex.traceId, this.client.clientCert)
    if (this.ex.authFields !== undefined) s += this.ex.authFields.lines
    if (this.reqBody === BODY_LENGTH) s += `content-length: ${head.contentLength}\r\n`
    else if (this.reqBody === BODY_CHUNKED) s += 'transfer-encoding: chunked\r\n'
    if (head.upgrade && upgrade !== undefined) s += `connection: upgrade\r\nupgrade: ${upgrade}\r\n`
    return `${s}\r\n`
  }

  private send(target: GroupTarget): void {
    const ex = this.ex
    // The first attempt leaves in the tick the request was read in.
    ex.attempt(target, ex.retried ? this.ctx.now() : ex.startMs)
    // forward() lets only HTTP1 groups through, and their targets' pools are UpstreamPools.
    const conn = (target.pool as UpstreamPool).acquire(this, this.listener.balancer.attributes.idleTimeoutSeconds * 1000)
    this.upstream = conn
    this.resBuf = null
    const sock = conn.socket
    if (this.sentBody === null && this.reqDone) {
      sock.write(this.sentHead, 'latin1')
      return
    }
    sock.cork()
    sock.write(this.sentHead, 'latin1')
    if (this.sentBody !== null) {
      // A retry: the whole body was buffered the first time.
      sock.write(this.sentBody)
    } else {
      this.consumeBuffered()
      if (this.reqDone && this.lastBodySlice !== null) this.sentBody = this.lastBodySlice
    }
    sock.uncork()
  }

  private lastBodySlice: Buffer | null = null

  /** Feeds the buffered bytes after the head to the body (forwarded or discarded). */
  private consumeBuffered(): void {
    const buf = this.buf
    if (buf === null || this.bufStart >= buf.length) return
    const end = this.consumeBody(buf, this.bufStart, true)
    this.bufStart = end < 0 ? buf.length : end
    if (this.bufStart >= buf.length) this.buf = null
  }

  /** Takes body bytes from chunk[start..]; returns where the body ended in it (or its length). */
  private consumeBody(chunk: Buffer, start: number, fromBuffer = false): number {
    let end: number
    if (this.reqBody === BODY_LENGTH) {
      const take = Math.min(this.reqRemaining, chunk.length - start)
      end = start + take
      this.reqRemaining -= take
      if (this.reqRemaining === 0) this.reqDone = true
    } else {
      const r = this.reqChunks.feed(chunk, start, chunk.length)
      if (r === -2) {
        this.reqDone = true
        this.closeAfter = true
        this.buf = null
        if (this.upstream) {
          const up = this.upstream
          this.upstream = null
          up.pool.discard(up)
        }
        if (this.resHeadSent) this.destroy()
        else if (!this.resDone) this.failBeforeResponse('malformed-request')
        return -1
      }
      end = r === -1 ? chunk.length : r
      if (r >= 0) this.reqDone = true
    }
    if (end > start && this.upstream) {
      const slice = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end)
      // Remember a body that arrived whole with its head, so a failed connect can be retried.
      if (fromBuffer && this.reqDone && !this.bodyStreamed) this.lastBodySlice = slice
      else this.lastBodySlice = null
      this.bodyStreamed = true
      if (!this.upstream.socket.write(slice)) this.pauseClientForUpstream()
    }
    return end
  }

  private pauseClientForUpstream(): void {
    if (!this.pausedForUpstream) {
      this.pausedForUpstream = true
      this.socket.pause()
    }
  }

  onUpstreamDrain(): void {
    if (this.pausedForUpstream) {
      this.pausedForUpstream = false
      if (!this.pausedForPipeline) this.socket.resume()
    }
  }


  // ---- upstream events

  onUpstreamConnect(): void {}

  onUpstreamData(conn: UpstreamConnection, chunk: Buffer): void {
    if (conn !== this.upstream) return
    // Head and body (and the next pipelined answer) leave in one writev.
    try {
      this.upstreamData(conn, chunk)
    } finally {
      if (this.corked) {
        this.corked = false
        this.socket.uncork()
      }
    }
  }

  /** The client socket is corked until the end of the current upstream data event. */
  private corked = false

  private cork(): void {
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
    }
  }

  private upstreamData(conn: UpstreamConnection, chunk: Buffer): void {
    if (this.tunnel) {
      this.ex.sentBytes += chunk.length
      if (!this.socket.write(chunk)) conn.socket.pause()
      return
    }
    if (this.resHeadSent) {
      this.responseBody(conn, chunk, 0)
      return
    }
    let buf: Buffer
    if (this.resBuf === null) buf = chunk
    else buf = Buffer.concat([this.resBuf, chunk])
    let start = 0
    for (;;) {
      const head = this.res
      const r = parseResponseHead(buf, start, (this.head as RequestHead).method, head)
      if (r === 'incomplete') {
        this.resBuf = start === 0 ? buf : buf.subarray(start)
        return
      }
      if (r === 'invalid') {
        this.resBuf = null
        this.failBeforeResponse('invalid-response')
        return
      }
      start += head.headBytes
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        // Interim responses (100 Continue, 103) go to the client; the final one follows.
        this.cork()
        this.write(`HTTP/1.1 ${head.status} ${head.reason}\r\n\r\n`)
        continue
      }
      break
    }
    this.resBuf = null
    const lambda = lambdaFailure(this.ex.group, this.res)
    if (lambda !== undefined) return this.failBeforeResponse(lambda)
    const seq = this.seq
    if (start < buf.length && this.res.bodyKind === 'none' && this.res.status !== 101) this.res.close = true
    if (this.startResponse(conn, buf, start)) return
    if (seq !== this.seq) return
    if (start < buf.length) {
      if (this.tunnel) {
        this.ex.sentBytes += buf.length - start
        this.socket.write(buf.subarray(start))
      } else if (!this.resDone) this.responseBody(conn, buf, start)
    }
  }

  /** Writes the response head; true when the whole response (a small body that came with it) went out too. */
  private startResponse(conn: UpstreamConnection, buf: Buffer, bodyStart: number): boolean {
    const res = this.res
    const head = this.head as RequestHead
    const ex = this.ex
    ex.targetStatus = res.status
    this.resHeadSent = true
    if (res.status === 101) {
      if (!head.upgrade) {
        this.resHeadSent = false
        this.failBeforeResponse('invalid-response')
        return true
      }
      this.tunnel = true
      ex.tunnel = true
      this.socket.setTimeout(this.listener.balancer.attributes.idleTimeoutSeconds * 1000)
      let s = `HTTP/1.1 101 ${res.reason}\r\n`
      for (let i = 0; i < res.names.length; i++) {
        const name = res.names[i] as string
        const kind = responseHeaderKind(name)
        if (kind === Hdr.KEEP || kind === Hdr.SET_COOKIE || kind === Hdr.UPGRADE) s += `${name}: ${res.values[i]}\r\n`
      }
      this.cork()
      this.write(`${s}connection: upgrade\r\n\r\n`)
      // Anything already buffered after the request head belongs to the new protocol.
      const buf = this.buf
      if (buf !== null && this.bufStart < buf.length) conn.socket.write(buf.subarray(this.bufStart))
      this.buf = null
      return false
    }
    this.resBody = res.bodyKind === 'length' ? BODY_LENGTH : res.bodyKind === 'chunked' ? BODY_CHUNKED : res.bodyKind === 'close' ? BODY_CLOSE : BODY_NONE
    this.resRemaining = res.contentLength
    const http10 = head.versionMinor === 0
    if (this.resBody === BODY_CHUNKED) {
      this.resChunks.reset()
      this.resChunks.sink = http10 ? [] : null
    }
    if (this.desyncClose || !this.reqDone) this.closeAfter = true
    // A body delimited by the target's close is delimited by ours too; HTTP/1.0 clients cannot take chunks.
    if (this.resBody === BODY_CLOSE || (http10 && this.resBody === BODY_CHUNKED)) this.closeAfter = true
    let s = `HTTP/1.1 ${res.status} ${res.reason}\r\n`
    const names = res.names
    const values = res.values
    let appCookieSeen = false
    // The listener's response headers (exchange/response-headers.ts) replace the target's of the same names.
    const added = this.listener.responseHeaders
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const kind = responseHeaderKind(name)
      if (kind === Hdr.KEEP) {
        if (added === undefined || !added.replaced.has(name.toLowerCase())) s += `${name}: ${values[i]}\r\n`
      } else if (kind === Hdr.SET_COOKIE) {
        const v = values[i] as string
        if (ex.isAppCookie(v)) appCookieSeen = true
        s += `${name}: ${v}\r\n`
      }
    }
    if (appCookieSeen) for (const cookie of ex.appCookies()) s += `set-cookie: ${cookie}\r\n`
    if (added !== undefined) s += added.lines
    if (this.resBody === BODY_LENGTH) s += `content-length: ${res.contentLength}\r\n`
    else if (this.resBody === BODY_CHUNKED && !http10) s += 'transfer-encoding: chunked\r\n'
    else if (this.resBody === BODY_NONE && res.contentLength >= 0 && res.status >= 200) s += `content-length: ${res.contentLength}\r\n`
    for (const cookie of ex.cookies) s += `set-cookie: ${cookie}\r\n`
    s += `connection: ${this.closeAfter ? 'close' : 'keep-alive'}\r\n\r\n`
    const bodyLength = res.contentLength
    if (this.resBody === BODY_LENGTH && bodyLength <= SMALL_BODY_BYTES && buf.length - bodyStart >= bodyLength && !this.closed) {
      // The usual small answer: head and body leave as one buffer, one write.
      const out = Buffer.allocUnsafe(s.length + bodyLength)
      const at = s.length
      out.write(s, 0, at, 'latin1')
      if (bodyLength <= 64) for (let i = 0; i < bodyLength; i++) out[at + i] = buf[bodyStart + i] as number
      else buf.copy(out, at, bodyStart, bodyStart + bodyLength)
      ex.sentBytes += out.length
      this.socket.write(out)
      this.resRemaining = 0
      if (bodyStart + bodyLength < buf.length) this.res.close = true
      this.responseDone(conn)
      return true
    }
    this.cork()
    this.write(s)
    if (this.resBody === BODY_NONE) this.responseDone(conn)
    return false
  }

  private responseBody(conn: UpstreamConnection, chunk: Buffer, start: number): void {
    let end: number
    if (this.resBody === BODY_LENGTH) {
      end = start + Math.min(this.resRemaining, chunk.length - start)
      this.resRemaining -= end - start
    } else if (this.resBody === BODY_CHUNKED) {
      const r = this.resChunks.feed(chunk, start, chunk.length)
      if (r === -2) {
        this.ex.errorKind = 'invalid-response'
        this.abortBoth()
        return
      }
      end = r === -1 ? chunk.length : r
      const decoded = this.resChunks.sink
      if (decoded !== null) {
        // An HTTP/1.0 client gets the data without the chunk framing, ended by our close.
        let ok = true
        for (const d of decoded) {
          this.ex.sentBytes += d.length
          ok = this.socket.write(d)
        }
        decoded.length = 0
        if (!ok) conn.socket.pause()
        end = start
      }
    } else {
      end = chunk.length
    }
    if (end > start) {
      this.ex.sentBytes += end - start
      if (!this.socket.write(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))) conn.socket.pause()
    }
    if ((this.resBody === BODY_LENGTH && this.resRemaining === 0) || (this.resBody === BODY_CHUNKED && this.resChunks.done)) {
      // Bytes after the end of the response are a target speaking out of turn: do not reuse it.
      if (end < chunk.length) this.res.close = true
      this.responseDone(conn)
    }
  }

  onUpstreamEnd(conn: UpstreamConnection): void {
    if (conn !== this.upstream) return
    if (this.tunnel) {
      this.socket.end()
      return
    }
    if (this.resHeadSent && this.resBody === BODY_CLOSE) {
      this.responseDone(conn)
      return
    }
    conn.socket.destroy()
  }

  onUpstreamClose(conn: UpstreamConnection, error: (Error & { code?: string }) | undefined): void {
    if (conn !== this.upstream) return
    this.upstream = null
    if (this.tunnel) {
      this.socket.end()
      this.resDone = true
      this.reqDone = true
      this.finishExchange()
      return
    }
    if (this.resDone) return
    if (this.resHeadSent) {
      if (this.resBody === BODY_CLOSE) {
        this.responseDone(conn)
        return
      }
      // The target died mid-body: the client cannot be told otherwise than by closing.
      this.ex.errorKind = 'target-closed'
      this.abortBoth()
      return
    }
    // The one retry, or the failure (exchange/exchange.ts); a body that went out whole is kept for it.
    const next = this.ex.upstreamClosed(conn, error, this.bodyStreamed && this.sentBody === null, this.reqBody !== BODY_NONE)
    if (typeof next === 'string') this.failBeforeResponse(next)
    else this.send(next)
  }

  onUpstreamTimeout(conn: UpstreamConnection): void {
    if (conn !== this.upstream) return
    if (this.tunnel) {
      conn.socket.destroy()
      return
    }
    this.upstream = null
    conn.pool.discard(conn)
    const kind = this.ex.upstreamTimedOut(conn)
    if (this.resHeadSent) {
      this.ex.errorKind = kind
      this.abortBoth()
      return
    }
    this.failBeforeResponse(kind)
  }

  // ---- endings

  private responseDone(conn: UpstreamConnection): void {
    this.resDone = true
    if (this.upstream === conn) {
      this.upstream = null
      if (this.res.close || !this.reqDone || this.desyncClose || this.resBody === BODY_CLOSE) conn.pool.discard(conn)
      else conn.pool.release(conn, this.listener.balancer.attributes.idleTimeoutSeconds * 1000)
    }
    this.ex.release()
    if (conn.socket.isPaused()) conn.socket.resume()
    if (this.desyncClose) this.closeAfter = true
    if (!this.reqDone) {
      // The target answered before the body ended: close rather than read the rest.
      this.closeAfter = true
      this.reqDone = true
    }
    this.finishExchange()
  }

  /** Answers with an error before any response byte went out. */
  private failBeforeResponse(kind: ProxyErrorKind): void {
    const up = this.upstream
    if (up) {
      this.upstream = null
      up.pool.discard(up)
    }
    this.ex.release()
    if (!this.reqDone) this.closeAfter = true
    this.localError(kind)
    this.resDone = true
    this.reqDone = true
    this.finishExchange()
  }

  private localError(kind: ProxyErrorKind): void {
    const page = this.ex.fail(kind)
    if (kind === 'client-closed' || this.closed) return
    this.answer(page, !this.closeAfter)
  }

  /** Writes an answer the balancer made itself (exchange/local-response.ts): its head and, but to HEAD, its body, in one write. */
  private answer(res: LocalResponse, keepAlive: boolean): void {
    if (this.closed) return
    const head = localHead(res, this.ctx.now(), keepAlive, this.listener)
    if (res.body.length === 0 || (this.head !== null && this.head.method === 'HEAD')) {
      this.write(head)
      return
    }
    this.socket.cork()
    this.write(head)
    this.writeBuffer(res.body)
    this.socket.uncork()
  }

  private abortBoth(): void {
    const up = this.upstream
    if (up) {
      this.upstream = null
      up.pool.discard(up)
    }
    this.resDone = true
    this.reqDone = true
    this.closeAfter = true
    this.finishExchange()
    this.destroy()
  }

  private finishExchange(): void {
    if (!this.active) return
    this.ex.finish()
    this.active = false
    this.head = null
    this.tunnel = false
    this.lastBodySlice = null
    this.sentBody = null
    if (this.closed) return
    if (this.closeAfter || this.owner.closing) {
      this.buf = null
      this.socket.end()
      return
    }
    if (this.pausedForPipeline) {
      this.pausedForPipeline = false
      if (!this.pausedForUpstream) this.socket.resume()
    }
    if (this.pausedForUpstream) {
      this.pausedForUpstream = false
      this.socket.resume()
    }
    this.processBuffer()
  }

  private write(s: string): void {
    if (this.closed) return
    this.ex.sentBytes += s.length
    this.socket.write(s, 'latin1')
  }

  private writeBuffer(b: Buffer): void {
    if (this.closed) return
    this.ex.sentBytes += b.length
    this.socket.write(b)
  }
}

function noop(): void {}

/** The Host header without its port, lower-cased ('' when absent). */
function hostOnly(host: string | undefined): string {
  return host === undefined ? '' : hostWithoutPort(host).toLowerCase()
}
