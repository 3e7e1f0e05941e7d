import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2'
import { dropNamed, forwardingHeaderLines, forwardingHeaders, hostWithoutPort, hostForTarget } from '../exchange/request-fields.js'
import type { ForwardPlan } from '../actions/plan.js'
import type { GroupTarget } from '../balancer/group.js'
import type { ProxyErrorKind } from '../errors.js'
import { Exchange, type ClientSide } from '../exchange/exchange.js'
import { SERVER, type LocalResponse } from '../exchange/local-response.js'
import { httpDate } from '../http-date.js'
import type { RouteRequest } from '../router/route-request.js'
import { REWRITE_FAILED, type RuleTransforms } from '../router/transforms.js'
import type { ListenerSnapshot } from '../snapshot.js'
import type { H2Pool } from '../upstream/h2-pool.js'
import type { UpstreamConnection, UpstreamPool, UpstreamUser } from '../upstream/pool.js'
import { ChunkTracker } from '../http1/chunk-tracker.js'
import type { ProxyContext } from './context.js'
import { Hdr, isAlbValidHeaderName, requestHeaderKind, responseHeaderKind } from '../exchange/header-names.js'
import { H2Relay, type H2RelayOwner } from './h2-relay.js'
import { ResponseHead, parseResponseHead } from '../http1/response-head.js'
import { lambdaFailure } from '../lambda/failure.js'

/** The client side of an HTTP/2 connection, shared by its streams. */
export type H2Client = ClientSide

const enum Body {
  None,
  Length,
  Chunked,
  Close,
}

/**
 * One HTTP/2 stream from a client: routed by the listener's rules and answered by the same
 * actions as HTTP/1 (redirect, fixed-response, forward), forwarded to the target over an
 * HTTP/1.1 pool connection (HTTP1 groups) or a stream of an HTTP/2 session (HTTP2 and GRPC
 * groups, through an H2Relay), the response streamed back with the stream's flow control.
 */
export class H2Exchange implements UpstreamUser, H2RelayOwner {
  /** What the request means (exchange/exchange.ts); this class carries it over HTTP/2. */
  private readonly ex: Exchange
  private readonly path: string
  private readonly query: string
  private readonly authority: string
  private readonly names: string[] = []
  private readonly values: string[] = []
  /** What the target gets as :path (or request-target) and :authority (or Host), after the rule's transforms. */
  private sendTarget = ''
  private sendAuthority = ''
  private upstream: UpstreamConnection | null = null
  /** HTTP2 and GRPC groups: the stream to the target. */
  private relay: H2Relay | null = null
  /** HTTP2 and GRPC groups: the headers the target's stream opens with. */
  private h2Head: OutgoingHttpHeaders | null = null
  private sentHead = ''
  private reqChunked = false
  private bodySent = false
  private resBuf: Buffer | null = null
  private readonly res = new ResponseHead()
  private resBody = Body.None
  private resRemaining = 0
  /** Made for a chunked response only: most responses have a length. */
  private resChunks: ChunkTracker = NO_CHUNKS
  private responded = false

  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    private readonly ctx: ProxyContext,
    private readonly listener: ListenerSnapshot,
    private readonly client: H2Client,
  ) {
    const ex = new Exchange(ctx, listener, client, true, ctx.now())
    this.ex = ex
    ex.method = str(headers[':method'])
    const target = str(headers[':path'])
    const q = target.indexOf('?')
    this.path = q < 0 ? target : target.slice(0, q)
    this.query = q < 0 ? '' : target.slice(q + 1)
    this.authority = str(headers[':authority'] ?? headers.host)
    ex.host = this.authority
    ex.logTarget = target
    ex.version = 'HTTP/2.0'
    ex.grpc = str(headers['content-type']).startsWith('application/grpc')
    ex.names = this.names
    ex.values = this.values
    for (const name of Object.keys(headers)) {
      if (name.charCodeAt(0) === 58) continue
      const v = headers[name]
      if (Array.isArray(v)) for (const one of v) this.add(name, one)
      else if (v !== undefined) this.add(name, v)
    }
    stream.on('error', noop)
    stream.once('close', () => this.onStreamClose())
  }

  private add(name: string, value: string): void {
    this.names.push(name)
    this.values.push(value)
    this.ex.receivedBytes += name.length + value.length + 4
  }

  start(): void {
    const listener = this.listener
    const ex = this.ex
    if (ex.method === 'CONNECT' || this.path.charCodeAt(0) !== 47) {
      this.localError('malformed-request')
      return
    }
    const route: RouteRequest = {
      method: ex.method,
      path: this.path,
      query: this.query,
      host: hostWithoutPort(this.authority).toLowerCase(),
      headerNames: this.names,
      headerValues: this.values,
      source: this.client.source,
    }
    const rule = listener.router.route(route)
    ex.rule = rule
    const signIn = rule.auth === undefined ? undefined : ex.authenticate(rule.auth, this.path, this.query)
    if (signIn !== undefined) {
      this.answerLocally(signIn)
      return
    }
    const action = rule.action
    if (action.kind === 'forward') {
      this.forward(action)
      return
    }
    this.answerLocally(ex.answerFor(action, this.path, this.query))
  }

  /** The balancer's own answer, now or (authenticate-oidc's callback) once it is made. */
  private answerLocally(res: LocalResponse | Promise<LocalResponse>): void {
    this.discardBody()
    if (res instanceof Promise) {
      void res.then((r) => {
        if (!this.ex.done) this.answerLocally(r)
      })
      return
    }
    this.answer(res)
    this.finish()
  }

  private forward(plan: ForwardPlan): void {
    const target = this.ex.choose(plan)
    if (typeof target === 'string') {
      this.localError(target)
      return
    }
    const group = (this.ex.group as NonNullable<Exchange['group']>).snapshot
    this.sendTarget = this.query === '' ? this.path : `${this.path}?${this.query}`
    this.sendAuthority = this.authority
    const transforms = this.ex.rule?.transforms
    if (transforms !== undefined && !this.transform(transforms)) return
    // ALB's Host rule without preserve_host_header: the listener's port on an authority that has none, none on 80 and 443.
    this.sendAuthority = hostForTarget(this.sendAuthority, this.listener)
    if (group.protocolVersion === 'HTTP1') {
      const head = this.buildRequestHead()
      if (head === undefined) return
      this.sentHead = head
    } else {
      const head = this.buildH2Head(group.protocol === 'HTTPS')
      if (head === undefined) return
      this.h2Head = head
    }
    if (!this.stream.endAfterHeaders) {
      this.stream.on('data', (chunk: Buffer) => this.onRequestData(chunk))
      this.stream.on('end', () => this.onRequestEnd())
    }
    if (this.h2Head !== null) this.sendH2(target)
    else this.send(target)
  }

  /** The rule's transforms on the target and authority the target gets; false (and a 500) when one fails. */
  private transform(transforms: RuleTransforms): boolean {
    const url = transforms.url(this.sendTarget)
    const authority = this.sendAuthority === '' ? '' : transforms.host(this.sendAuthority)
    if (url === REWRITE_FAILED || authority === REWRITE_FAILED) {
      this.localError('transform-failed')
      return false
    }
    this.sendTarget = url
    this.sendAuthority = authority
    return true
  }

  /** The headers an HTTP/2 target gets: the client's, less hop-by-hop ones, with the forwarding headers. */
  private buildH2Head(tls: boolean): OutgoingHttpHeaders | undefined {
    const attrs = this.listener.balancer.attributes
    // Without a prototype: a header may be called __proto__.
    const h: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders
    h[':method'] = this.ex.method
    h[':scheme'] = tls ? 'https' : 'http'
    h[':authority'] = this.sendAuthority
    h[':path'] = this.sendTarget
    let xff: string | undefined
    let trace: string | undefined
    let dropped = false
    const names = this.names
    const values = this.values
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const value = values[i] as string
      switch (requestHeaderKind(name)) {
        case Hdr.KEEP: {
          if (name === 'host') continue
          if (attrs.dropInvalidHeaderFields && !isAlbValidHeaderName(name)) {
            dropped = true
            continue
          }
          const prev = h[name]
          h[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value]
          break
        }
        case Hdr.XFF:
          xff = xff === undefined ? value : `${xff}, ${value}`
          break
        case Hdr.TRACE:
          trace ??= value
          break
        default:
          // HTTP/2 to HTTP/2: the length still holds, and gRPC needs "te: trailers" (the only TE HTTP/2 allows).
          if (name === 'content-length') h[name] = value
          else if (name === 'te' && value.trim().toLowerCase() === 'trailers') h.te = 'trailers'
          break
      }
    }
    if (!this.acceptForwarding(xff, trace, dropped)) return undefined
    const renamed = this.listener.mtls?.renamed
    if (renamed !== undefined) for (const name of renamed) delete h[name]
    forwardingHeaders(attrs.xffHeaderProcessingMode, xff, this.client.address, this.listener, this.ex.traceId, h, this.client.clientCert)
    if (this.ex.authFields !== undefined) Object.assign(h, this.ex.authFields.fields)
    return h
  }

  /** Opens the request's stream on one of the target's HTTP/2 sessions. */
  private sendH2(target: GroupTarget): void {
    this.ex.attempt(target, this.ctx.now())
    const idleMs = this.listener.balancer.attributes.idleTimeoutSeconds * 1000
    // forward() sends only HTTP2 and GRPC groups here, and their targets' pools are H2Pools.
    const pool = target.pool as H2Pool
    let opened: ReturnType<H2Pool['request']>
    try {
      opened = pool.request(this.h2Head as OutgoingHttpHeaders, this.stream.endAfterHeaders || this.stream.readableEnded, idleMs)
    } catch {
      // A header HTTP/2 cannot carry to the target.
      this.ex.release()
      this.localError('malformed-request')
      return
    }
    this.relay = new H2Relay(this, this.stream, opened.stream, opened.session, idleMs)
  }

  // ---- H2RelayOwner

  relayResponse(relay: H2Relay, headers: IncomingHttpHeaders, endStream: boolean): void {
    if (relay !== this.relay || this.ex.done) return
    const status = Number(headers[':status'])
    this.ex.targetStatus = status
    const out: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders
    out[':status'] = status
    const setCookies = this.ex.cookies.length === 0 ? [] : [...this.ex.cookies]
    let appCookieSeen = false
    for (const name of Object.keys(headers)) {
      if (name.charCodeAt(0) === 58) continue
      const value = headers[name]
      if (value === undefined) continue
      if (name === 'set-cookie') {
        for (const v of Array.isArray(value) ? value : [value]) {
          if (this.ex.isAppCookie(v)) appCookieSeen = true
          setCookies.push(v)
        }
        continue
      }
      if (name !== 'content-length' && responseHeaderKind(name) !== Hdr.KEEP) continue
      out[name] = value
    }
    if (appCookieSeen) setCookies.push(...this.ex.appCookies())
    if (setCookies.length > 0) out['set-cookie'] = setCookies
    // The listener's response headers (exchange/response-headers.ts) replace the target's of the same names.
    const added = this.listener.responseHeaders
    if (added !== undefined) for (const [name, value] of added.fields) out[name] = value
    this.respond(out, endStream, !endStream)
  }

  relayDone(relay: H2Relay): void {
    if (relay !== this.relay) return
    this.finish()
  }

  relayFailed(relay: H2Relay, kind: ProxyErrorKind, retryable: boolean): void {
    if (relay !== this.relay || this.ex.done) return
    this.relay = null
    this.ex.release()
    if (!relay.session.connected) this.ex.connectionFailed(relay.session.handshakeFailed)
    // Nothing reached the target: the one retry, on another one.
    const other = retryable ? this.ex.retryTarget() : undefined
    if (other !== undefined) {
      this.sendH2(other)
      return
    }
    this.localError(kind)
  }

  relayAborted(relay: H2Relay, kind: ProxyErrorKind): void {
    if (relay !== this.relay || this.ex.done) return
    this.ex.errorKind = kind
    this.finish()
  }

  /** The forwarding checks both target heads share (exchange/exchange.ts); false: answered here (463). */
  private acceptForwarding(xff: string | undefined, trace: string | undefined, dropped: boolean): boolean {
    if (this.ex.forwarding(xff, trace, dropped)) return true
    this.localError('xff-too-long')
    return false
  }

  /** The HTTP/1.1 head the target gets, with the headers the HTTP/1 path writes. */
  private buildRequestHead(): string | undefined {
    const attrs = this.listener.balancer.attributes
    const method = this.ex.method
    let s = `${method} ${this.sendTarget} HTTP/1.1\r\nhost: ${this.sendAuthority}\r\n`
    let xff: string | undefined
    let trace: string | undefined
    let contentLength: string | undefined
    let dropped = false
    const names = this.names
    const values = this.values
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      const value = values[i] as string
      switch (requestHeaderKind(name)) {
        case Hdr.KEEP:
          if (name === 'host') continue
          if (attrs.dropInvalidHeaderFields && !isAlbValidHeaderName(name)) {
            dropped = true
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
        default:
          if (name === 'content-length') contentLength = value
          break
      }
    }
    if (!this.acceptForwarding(xff, trace, dropped)) return undefined
    const renamed = this.listener.mtls?.renamed
    if (renamed !== undefined) s = dropNamed(s, renamed)
    s += forwardingHeaderLines(attrs.xffHeaderProcessingMode, xff, this.client.address, this.listener, this.ex.traceId, this.client.clientCert)
    if (this.ex.authFields !== undefined) s += this.ex.authFields.lines
    if (this.stream.endAfterHeaders) {
      if (contentLength !== undefined || (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE' && method !== 'OPTIONS')) s += 'content-length: 0\r\n'
    } else if (contentLength !== undefined && /^\d{1,15}$/.test(contentLength)) {
      s += `content-length: ${contentLength}\r\n`
    } else {
      // HTTP/2 frames the body itself; a target on HTTP/1.1 gets it chunked.
      this.reqChunked = true
      s += 'transfer-encoding: chunked\r\n'
    }
    return `${s}\r\n`
  }

  private send(target: GroupTarget): void {
    this.ex.attempt(target, this.ctx.now())
    // forward() sends only HTTP1 groups here, and their targets' pools are UpstreamPools.
    const conn = (target.pool as UpstreamPool).acquire(this)
    this.upstream = conn
    this.resBuf = null
    conn.socket.write(this.sentHead, 'latin1')
    if (this.stream.endAfterHeaders && this.reqChunked) conn.socket.write('0\r\n\r\n')
  }

  private onRequestData(chunk: Buffer): void {
    const relay = this.relay
    if (relay !== null) {
      this.ex.receivedBytes += chunk.length
      relay.write(chunk)
      return
    }
    const up = this.upstream
    if (up === null || this.ex.done) return
    this.ex.receivedBytes += chunk.length
    this.bodySent = true
    const ok = this.reqChunked ? up.socket.write(`${chunk.length.toString(16)}\r\n`) && up.socket.write(chunk) && up.socket.write('\r\n') : up.socket.write(chunk)
    if (!ok) this.stream.pause()
  }

  private onRequestEnd(): void {
    // node ends the readable side of a stream the client reset too: that body is not complete.
    const code = this.stream.rstCode
    if (code !== undefined && code !== 0) return
    this.relay?.endRequest()
    if (this.reqChunked && this.upstream !== null && !this.ex.done) this.upstream.socket.write('0\r\n\r\n')
  }

  // ---- upstream events

  onUpstreamConnect(): void {}

  onUpstreamDrain(): void {
    if (this.stream.isPaused()) this.stream.resume()
  }

  onUpstreamData(conn: UpstreamConnection, chunk: Buffer): void {
    if (conn !== this.upstream) return
    if (this.responded) {
      this.responseBody(conn, chunk, 0)
      return
    }
    const buf = this.resBuf === null ? chunk : Buffer.concat([this.resBuf, chunk])
    let start = 0
    for (;;) {
      const r = parseResponseHead(buf, start, this.ex.method, this.res)
      if (r === 'incomplete') {
        this.resBuf = start === 0 ? buf : buf.subarray(start)
        return
      }
      if (r === 'invalid') {
        this.resBuf = null
        this.failBeforeResponse('invalid-response')
        return
      }
      start += this.res.headBytes
      // Interim responses (100 Continue, 103): HTTP/2 clients do not wait for them; the final one follows.
      if (this.res.status >= 100 && this.res.status < 200) continue
      break
    }
    this.resBuf = null
    const lambda = lambdaFailure(this.ex.group, this.res)
    if (lambda !== undefined) return this.failBeforeResponse(lambda)
    this.startResponse(conn)
    if (start < buf.length && !this.ex.done) this.responseBody(conn, buf, start)
  }

  private startResponse(conn: UpstreamConnection): void {
    const res = this.res
    this.ex.targetStatus = res.status
    this.resBody = res.bodyKind === 'length' ? Body.Length : res.bodyKind === 'chunked' ? Body.Chunked : res.bodyKind === 'close' ? Body.Close : Body.None
    this.resRemaining = res.contentLength
    if (this.resBody === Body.Chunked) {
      this.resChunks = new ChunkTracker()
      this.resChunks.sink = []
    }
    const headers: OutgoingHttpHeaders = { ':status': res.status }
    const setCookies = this.ex.cookies.length === 0 ? [] : [...this.ex.cookies]
    let appCookieSeen = false
    for (let i = 0; i < res.names.length; i++) {
      const raw = res.names[i] as string
      const kind = responseHeaderKind(raw)
      const value = res.values[i] as string
      if (kind === Hdr.SET_COOKIE) {
        if (this.ex.isAppCookie(value)) appCookieSeen = true
        setCookies.push(value)
        continue
      }
      if (kind !== Hdr.KEEP) continue
      const name = raw.toLowerCase()
      // Connection-specific fields are not allowed in HTTP/2 (RFC 9113 8.2.2).
      if (name === 'host') continue
      const prev = headers[name]
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value]
    }
    if (appCookieSeen) setCookies.push(...this.ex.appCookies())
    if (setCookies.length > 0) headers['set-cookie'] = setCookies
    const added = this.listener.responseHeaders
    if (added !== undefined) for (const [name, value] of added.fields) headers[name] = value
    if (this.resBody === Body.Length || (this.resBody === Body.None && res.contentLength >= 0)) headers['content-length'] = res.contentLength
    if (this.resBody === Body.Chunked) {
      // Without a length the client can tell a cut-off body only from how the stream ends: END_STREAM
      // goes out once the last chunk arrived, and abort() resets the stream instead (Node's reset
      // would otherwise end the stream cleanly first).
      this.stream.once('wantTrailers', () => {
        if (this.ex.errorKind === undefined && !this.stream.destroyed) this.stream.sendTrailers({})
      })
      this.respond(headers, false, true)
      return
    }
    this.respond(headers, this.resBody === Body.None)
    if (this.resBody === Body.None) this.responseDone(conn)
  }

  private responseBody(conn: UpstreamConnection, chunk: Buffer, start: number): void {
    let end: number
    let ok = true
    if (this.resBody === Body.Length) {
      end = start + Math.min(this.resRemaining, chunk.length - start)
      this.resRemaining -= end - start
      const slice = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end)
      if (this.resRemaining === 0) {
        // The last bytes leave with END_STREAM in the same DATA frame.
        if (end < chunk.length) this.res.close = true
        this.endWith(slice)
        this.responseDone(conn)
        return
      }
      if (end > start) ok = this.write(slice)
    } else if (this.resBody === Body.Chunked) {
      const r = this.resChunks.feed(chunk, start, chunk.length)
      if (r === -2) {
        this.abort('invalid-response')
        return
      }
      end = r === -1 ? chunk.length : r
      const decoded = this.resChunks.sink ?? []
      const last = this.resChunks.done ? decoded.pop() : undefined
      for (const d of decoded) ok = this.write(d) && ok
      decoded.length = 0
      if (last !== undefined) {
        if (end < chunk.length) this.res.close = true
        this.endWith(last)
        this.responseDone(conn)
        return
      }
    } else {
      end = chunk.length
      ok = this.write(start === 0 ? chunk : chunk.subarray(start))
    }
    if ((this.resBody === Body.Length && this.resRemaining === 0) || (this.resBody === Body.Chunked && this.resChunks.done)) {
      if (end < chunk.length) this.res.close = true
      this.responseDone(conn)
      return
    }
    if (!ok) {
      conn.socket.pause()
      this.stream.once('drain', () => conn.socket.resume())
    }
  }

  onUpstreamEnd(conn: UpstreamConnection): void {
    if (conn !== this.upstream) return
    if (this.responded && this.resBody === Body.Close) this.responseDone(conn)
    else conn.socket.destroy()
  }

  onUpstreamClose(conn: UpstreamConnection, error: (Error & { code?: string }) | undefined): void {
    if (conn !== this.upstream) return
    this.upstream = null
    if (this.ex.done) return
    if (this.responded) {
      if (this.resBody === Body.Close) this.responseDone(conn)
      else this.abort('target-closed')
      return
    }
    // The one retry, or the failure (exchange/exchange.ts), as for an HTTP/1.1 client.
    const next = this.ex.upstreamClosed(conn, error, this.bodySent, !this.stream.endAfterHeaders)
    if (typeof next === 'string') this.localError(next)
    else this.send(next)
  }

  onUpstreamTimeout(conn: UpstreamConnection): void {
    if (conn !== this.upstream) return
    const kind = this.ex.upstreamTimedOut(conn)
    if (this.responded) {
      this.abort(kind)
      return
    }
    this.upstream = null
    conn.pool.discard(conn)
    this.localError(kind)
  }

  // ---- endings

  private responseDone(conn: UpstreamConnection): void {
    if (this.upstream === conn) {
      this.upstream = null
      // A target that answered before the whole body reached it cannot be reused.
      if (this.res.close || this.resBody === Body.Close || !(this.stream.endAfterHeaders || this.stream.readableEnded)) conn.pool.discard(conn)
      else conn.pool.release(conn, this.listener.balancer.attributes.idleTimeoutSeconds * 1000)
    }
    if (conn.socket.isPaused()) conn.socket.resume()
    this.ex.release()
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end()
    this.finish()
  }

  /** Ends the exchange with the target, if one is under way: its connection is not reused, its stream is reset. */
  private dropTarget(): void {
    const up = this.upstream
    if (up) {
      this.upstream = null
      up.pool.discard(up)
    }
    const relay = this.relay
    if (relay) {
      this.relay = null
      relay.cancel()
    }
    this.ex.release()
  }

  /** The balancer's own error page, before any response header went out. */
  private localError(kind: ProxyErrorKind): void {
    this.dropTarget()
    const page = this.ex.fail(kind)
    if (!this.responded && !this.stream.destroyed) this.answer(page)
    this.discardBody()
    this.finish()
  }

  /**
   * Reads and drops a request body the answer does not need. A stream that ended with its headers
   * is left alone: reading its empty side would close the stream before its last write completes,
   * which costs Node an error object per request.
   */
  private discardBody(): void {
    if (!this.stream.endAfterHeaders) this.stream.resume()
  }

  private failBeforeResponse(kind: ProxyErrorKind): void {
    this.localError(kind)
  }

  /** A failure after the response head went out: the client learns it from a reset stream. */
  private abort(kind: ProxyErrorKind): void {
    this.ex.errorKind = kind
    const up = this.upstream
    if (up) {
      this.upstream = null
      up.pool.discard(up)
    }
    this.ex.release()
    if (!this.stream.destroyed) this.stream.close(2) // INTERNAL_ERROR
    this.finish()
  }

  private onStreamClose(): void {
    if (this.ex.done) return
    // The client reset the stream (or the connection went): stop the exchange with the target.
    this.dropTarget()
    if (this.ex.elbStatus === 0 && this.ex.targetStatus === 0) this.ex.errorKind = 'client-closed'
    this.finish()
  }

  /** Sends an answer the balancer made itself (exchange/local-response.ts): its fields as HTTP/2 headers, and its body but to HEAD. */
  private answer(res: LocalResponse): void {
    const h: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders
    h[':status'] = res.status
    if (this.listener.serverHeader !== false) h.server = SERVER
    h.date = httpDate(this.ctx.now())
    for (const [name, value] of res.fields) {
      // A field given more than once (several Set-Cookie) stays several.
      const had = h[name]
      h[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [String(had), value]
    }
    h['content-length'] = res.body.length
    const added = this.listener.responseHeaders
    if (added !== undefined) for (const [name, value] of added.fields) h[name] = value
    const headOnly = this.ex.method === 'HEAD' || res.body.length === 0
    this.respond(h, headOnly)
    if (!headOnly) this.endWith(res.body)
  }

  private respond(headers: OutgoingHttpHeaders, endStream: boolean, waitForTrailers = false): void {
    if (this.stream.destroyed || this.responded) return
    this.responded = true
    try {
      this.stream.respond(headers, waitForTrailers ? { endStream, waitForTrailers } : { endStream })
    } catch {
      // A header value HTTP/2 refuses: the client gets a reset stream.
      if (!this.stream.destroyed) this.stream.close(2)
    }
  }

  private write(b: Buffer): boolean {
    if (this.stream.destroyed) return true
    this.ex.sentBytes += b.length
    return this.stream.write(b)
  }

  private endWith(b: Buffer): void {
    if (this.stream.destroyed) return
    this.ex.sentBytes += b.length
    this.stream.end(b)
  }

  private finish(): void {
    const ex = this.ex
    if (ex.done) return
    const relay = this.relay
    if (relay !== null) {
      // Body bytes the relay moved (the request's were counted as they came).
      ex.sentBytes += relay.sent
      this.relay = null
    }
    ex.finish()
  }
}

function noop(): void {}

const NO_CHUNKS = new ChunkTracker()

function str(v: string | string[] | undefined): string {
  return v === undefined ? '' : Array.isArray(v) ? (v[0] ?? '') : v
}

