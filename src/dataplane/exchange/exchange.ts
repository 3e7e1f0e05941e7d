import type { IpAddress } from '../../lib/cidr.js'
import { formatAccessLog } from '../access-log.js'
import type { FixedResponsePlan, ForwardPlan, RedirectPlan } from '../actions/plan.js'
import { buildLocation } from '../actions/redirect.js'
import { executedActions, type AuthAnswer, type AuthFields, type AuthStep, type OidcAuth } from '../auth/oidc.js'
import { chooseTarget, CLASSIC_COOKIE } from '../balancer/choose.js'
import { cookieExpires } from '../balancer/cookies.js'
import type { GroupState, GroupTarget } from '../balancer/group.js'
import { ERROR_REASON, STATUS, type ProxyErrorKind } from '../errors.js'
import type { ProxyContext } from '../proxy/context.js'
import { hostWithoutPort, tooManyForwardedFor } from './request-fields.js'
import type { CompiledRule } from '../router/router.js'
import type { ListenerSnapshot } from '../snapshot.js'
import type { ClientCertHeaders } from '../tls/client-cert.js'
import { traceHeader } from '../trace-id.js'
import type { UpstreamConnection } from '../upstream/pool.js'
import { errorPage, redirectResponse, type LocalResponse } from './local-response.js'

/** The client end of a connection, made once per connection and shared by its requests. */
export interface ClientSide {
  readonly address: string
  readonly port: number
  readonly source: IpAddress | undefined
  /** TLS: the name the client sent (SNI); '' otherwise. */
  readonly domainName: string
  /** HTTPS: the certificate the handshake chose (the access log's chosen_cert_arn); '' otherwise. */
  readonly chosenCertArn: string
  /** Mutual TLS: what every request of the connection carries to the target (made at the handshake). */
  readonly clientCert?: ClientCertHeaders | undefined
}

const NO_COOKIES: readonly string[] = Object.freeze([])

/**
 * One request's life as both codecs share it, whatever the protocol: the rule it matched, the
 * target chosen (stickiness, weights, the group's algorithm), the one retry, the forwarding
 * fields' checks and trace id, the stickiness cookies its response gets, the balancer's own
 * answers, the outcome, and the one record that feeds the access log, the metrics and the warning
 * log. The HTTP/1.1 codec (proxy/client-connection.ts) and the HTTP/2 codec (proxy/h2-exchange.ts)
 * parse and serialise; what a request means is decided here, once.
 */
export class Exchange {
  // The request as the client sent it (routing, redirects and the log see this, not what a transform made of it).
  method = ''
  /** The Host header or :authority as sent (undefined: none). */
  host: string | undefined = undefined
  /** The request-target as the access log shows it (origin-form). */
  logTarget = ''
  /** 'HTTP/1.1', 'HTTP/1.0' or 'HTTP/2.0'. */
  version = 'HTTP/1.1'
  names: readonly string[] = NO_COOKIES
  values: readonly string[] = NO_COOKIES
  /** HTTP/1 desync classification (ALB's), and its reason. */
  classification = 'compliant'
  classificationReason = ''
  /** A gRPC call (content-type application/grpc*, HTTP/2 only). */
  grpc = false
  /** A WebSocket (HTTP/1.1 upgrade) the target accepted: logged as ws / wss. */
  tunnel = false

  rule: CompiledRule | null = null
  group: GroupState | null = null
  /** The target of the current attempt (the last one, once finished). */
  target: GroupTarget | null = null
  /** Whether the current attempt still counts in its target's outstanding requests. */
  private tracked = false
  /** Set-Cookie values the response gets from the balancer's stickiness (AWSALBTG, AWSALB, AWSALBCORS, AWSELB). */
  cookies: readonly string[] = NO_COOKIES
  retried = false
  traceId = ''
  redirectUrl = ''
  /** authenticate-oidc (auth/oidc.ts): what it did, the fields the target gets, the error_reason it gave. */
  authStep: AuthStep = 'none'
  authFields: AuthFields | undefined = undefined
  authReason = ''
  /** When the first attempt left for the target (0: none did). */
  targetStartMs = 0

  // The outcome.
  elbStatus = 0
  targetStatus = 0
  errorKind: ProxyErrorKind | undefined = undefined
  receivedBytes = 0
  sentBytes = 0
  done = false

  constructor(
    readonly ctx: ProxyContext,
    readonly listener: ListenerSnapshot,
    readonly client: ClientSide,
    /** HTTP/2: the request came on a stream (the access log's h2 / grpcs). */
    readonly h2: boolean,
    readonly startMs: number,
  ) {}

  // ---- local answers

  /** The answer of a rule that does not forward: its fixed response, or its redirect for this request. */
  answerFor(plan: FixedResponsePlan | RedirectPlan, path: string, query: string): LocalResponse {
    if (plan.kind === 'redirect') return this.redirect(plan, path, query)
    this.elbStatus = plan.status
    return plan.response
  }

  /** A redirect action's answer for this request (ALB's #{host} is the Host without its port, or the balancer's address). */
  private redirect(plan: RedirectPlan, path: string, query: string): LocalResponse {
    const listener = this.listener
    const host = this.host === undefined ? '' : hostWithoutPort(this.host)
    const location = buildLocation(plan, {
      protocol: listener.protocol === 'HTTPS' ? 'https' : 'http',
      host: host === '' ? listener.bindAddress : host,
      port: listener.port,
      path,
      query,
    })
    this.redirectUrl = location
    this.elbStatus = plan.status
    return redirectResponse(plan.status, location)
  }

  /**
   * The rule's authenticate-oidc step (auth/oidc.ts): undefined to go on to the rule's action (the
   * target then gets authFields), else the balancer's answer: now, or once the IdP has answered
   * (the /oauth2/idpresponse callback).
   */
  authenticate(auth: OidcAuth, path: string, query: string): LocalResponse | Promise<LocalResponse> | undefined {
    const out = auth.handle(this.host ?? '', { method: this.method, path, query, headerNames: this.names, headerValues: this.values }, this.ctx.authKeys, this.ctx.now())
    if (out.kind === 'forward') {
      this.authStep = 'passed'
      this.authFields = out.fields
      return undefined
    }
    this.authStep = 'answered'
    const take = (a: AuthAnswer): LocalResponse => {
      this.authReason = a.errorReason
      this.elbStatus = a.response.status
      return a.response
    }
    return out.kind === 'answer' ? take(out.answer) : out.answer.then(take)
  }

  /** The balancer answers (or gives up on) the request itself: the outcome is recorded, and ALB's error page for it returned. */
  fail(kind: ProxyErrorKind): LocalResponse {
    this.errorKind = kind
    const status = STATUS[kind]
    this.elbStatus = status
    return errorPage(status)
  }

  // ---- the target

  /**
   * A forward action's target (balancer/choose.ts: stickiness, weights, the algorithm), or the
   * failure that answers instead: ALB's 464 when the request's protocol does not fit the group's
   * protocol version (HTTP/1.x to HTTP2 or GRPC, gRPC to HTTP1, anything but POST to GRPC), 503
   * when the group has nothing to route to.
   */
  choose(plan: ForwardPlan): GroupTarget | ProxyErrorKind {
    const choice = chooseTarget(this.ctx, plan, this.names, this.values)
    const group = choice.group
    if (group === undefined) return 'no-targets'
    this.group = group
    const version = group.snapshot.protocolVersion
    if (!this.h2 ? version !== 'HTTP1' : version === 'HTTP1' ? this.grpc : version === 'GRPC' && this.method !== 'POST') return 'protocol-mismatch'
    if (choice.target === undefined) return 'no-targets'
    this.cookies = choice.cookies
    if (!choice.target.routable) this.ctx.metrics?.unhealthyRouting(group.snapshot.arn)
    return choice.target
  }

  /** An attempt on `target` begins: it counts in the target's outstanding requests until release(). */
  attempt(target: GroupTarget, nowMs: number): void {
    this.release()
    this.target = target
    this.tracked = true
    target.outstanding++
    this.targetStartMs = nowMs
  }

  /** The current attempt is over (answered, failed or cut): its target's count is given back, once. */
  release(): void {
    if (this.tracked) {
      this.tracked = false
      ;(this.target as GroupTarget).outstanding--
    }
  }

  /**
   * The one-retry rule: an attempt that failed before anything reached the target (the codec
   * knows when that is) goes once to another target of the group. Undefined: no retry is left.
   */
  retryTarget(): GroupTarget | undefined {
    if (this.retried || this.group === null) return undefined
    const other = this.group.pick(this.ctx.now(), this.ctx.random, this.target ?? undefined)
    if (other === undefined) return undefined
    this.retried = true
    this.ctx.metrics?.retry?.()
    return other
  }

  /**
   * An HTTP/1.1 target connection closed before any response head came (HTTP1 groups, from either
   * codec): the attempt ends, and the request gets the one retry if the target surely did not
   * process it: the connection never came up and no body byte went out that cannot be sent
   * again (`bodyGone`), or a kept-alive connection closed just as a request without a body went
   * out on it (the target stopped, or its idle timeout won the race). Otherwise, the failure.
   */
  upstreamClosed(conn: UpstreamConnection, error: { code?: string } | undefined, bodyGone: boolean, hasBody: boolean): GroupTarget | ProxyErrorKind {
    this.release()
    if (!conn.connected) this.connectionFailed(conn.handshakeFailed)
    const untouched = conn.connected ? conn.uses > 1 && !hasBody : !bodyGone
    const other = untouched ? this.retryTarget() : undefined
    if (other !== undefined) return other
    if (!conn.connected) return conn.handshakeFailed ? 'target-tls-error' : 'connect-failed'
    return error?.code === 'ECONNRESET' ? 'target-reset' : conn.pool.draining ? 'deregistered' : 'target-closed'
  }

  /**
   * An HTTP/1.1 target connection timed out (either codec): the attempt ends, and the failure:
   * ALB's 504 for a connect or a response that took too long, 502 for a TLS handshake that did not finish.
   */
  upstreamTimedOut(conn: UpstreamConnection): ProxyErrorKind {
    this.release()
    if (conn.connected) return 'target-timeout'
    this.connectionFailed(conn.handshakeFailed)
    return conn.handshakeFailed ? 'target-tls-error' : 'connect-timeout'
  }

  /**
   * A target connection that never came up: TargetConnectionErrorCount, or for one whose TLS
   * handshake failed, TargetTLSNegotiationErrorCount.
   */
  connectionFailed(handshakeFailed: boolean): void {
    const group = this.group
    if (group === null) return
    if (handshakeFailed) this.ctx.metrics?.targetTlsNegotiationError?.(group.snapshot.arn)
    else this.ctx.metrics?.targetConnectionError(group.snapshot.arn)
  }

  // ---- header policy

  /**
   * What every forwarded request's fields get checked for once the client's headers are read:
   * the dropped-invalid-header count, ALB's 463 for more than 30 X-Forwarded-For addresses
   * (false: refused), and the trace id, stamped with the request's arrival.
   */
  forwarding(xff: string | undefined, trace: string | undefined, dropped: boolean): boolean {
    if (dropped) this.ctx.metrics?.droppedInvalidHeaders?.()
    if (tooManyForwardedFor(xff)) return false
    this.traceId = traceHeader(trace, this.startMs)
    return true
  }

  /** Whether a Set-Cookie value from the target is the application cookie the group's app_cookie stickiness follows. */
  isAppCookie(setCookie: string): boolean {
    const stick = this.group?.snapshot.stickiness
    return stick !== undefined && stick.enabled && stick.type === 'app_cookie' && stick.cookieName !== undefined && setCookie.startsWith(`${stick.cookieName}=`)
  }

  /** The cookies app_cookie stickiness adds to a response that set the application cookie (AWSALBAPP-*, or Classic's AWSELB). */
  appCookies(): readonly string[] {
    const stick = this.group?.snapshot.stickiness
    const target = this.target
    if (stick === undefined || !stick.enabled || target === null) return NO_COOKIES
    if (stick.classic) return [`${CLASSIC_COOKIE}=${target.token}; Path=/`]
    return [
      `AWSALBAPP-0=${target.token}; Expires=${cookieExpires(this.ctx.now(), stick.durationSeconds)}; Path=/`,
      'AWSALBAPP-1=_remove_; Path=/',
      'AWSALBAPP-2=_remove_; Path=/',
      'AWSALBAPP-3=_remove_; Path=/',
    ]
  }

  // ---- the outcome

  /** The request is over: the counts, the metrics, the access log line and, for a failure, the warning. Once. */
  finish(): void {
    if (this.done) return
    this.done = true
    this.release()
    const ctx = this.ctx
    const listener = this.listener
    const elbStatus = this.elbStatus
    const targetStatus = elbStatus !== 0 ? 0 : this.targetStatus
    const metrics = ctx.metrics
    if (metrics !== undefined) {
      const targetSeconds = this.targetStatus !== 0 ? (ctx.now() - this.targetStartMs) / 1000 : -1
      metrics.request(listener, this.group?.snapshot.arn ?? '', this.rule?.action.kind, elbStatus, targetStatus, targetSeconds, this.receivedBytes + this.sentBytes, this.classification)
      if (this.grpc) metrics.grpcRequest?.()
    }
    if (listener.balancer.attributes.accessLogs.enabled) this.logAccess()
    if (this.errorKind !== undefined && this.errorKind !== 'client-closed' && ctx.log) {
      ctx.log.warn({ listener: listener.arn, status: elbStatus !== 0 ? elbStatus : this.targetStatus, reason: ERROR_REASON[this.errorKind], target: this.target?.key }, 'request failed')
    }
  }

  private logAccess(): void {
    const now = this.ctx.now()
    const listener = this.listener
    const proto = listener.protocol === 'HTTPS' ? 'https' : 'http'
    const type = this.h2 ? (this.group?.snapshot.protocolVersion === 'GRPC' ? 'grpcs' : 'h2') : this.tunnel ? (proto === 'https' ? 'wss' : 'ws') : proto
    const names = this.names
    let userAgent = ''
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string
      if (name.length === 10 && name.toLowerCase() === 'user-agent') userAgent = this.values[i] as string
    }
    const rule = this.rule
    const action = rule?.action.kind
    const reached = this.targetStartMs !== 0
    const answered = reached && this.targetStatus !== 0
    const host = this.host === undefined ? listener.bindAddress : hostWithoutPort(this.host)
    const client = this.client
    const line = formatAccessLog({
      type,
      timeMs: now,
      elb: listener.balancer.logName,
      client: `${client.address}:${client.port}`,
      target: this.target ? this.target.key : '-',
      requestProcessingSeconds: reached ? (this.targetStartMs - this.startMs) / 1000 : -1,
      targetProcessingSeconds: answered ? (now - this.targetStartMs) / 1000 : -1,
      responseProcessingSeconds: answered ? 0 : -1,
      elbStatus: this.elbStatus !== 0 ? this.elbStatus : this.targetStatus,
      targetStatus: this.targetStatus === 0 ? '-' : String(this.targetStatus),
      receivedBytes: this.receivedBytes,
      sentBytes: this.sentBytes,
      request: this.method === '' ? '- - -' : `${this.method} ${proto}://${host}:${listener.port}${this.logTarget} ${this.version}`,
      userAgent,
      targetGroupArn: this.group?.snapshot.arn ?? '',
      traceId: this.traceId,
      domainName: client.domainName,
      chosenCertArn: client.chosenCertArn,
      matchedRulePriority: rule === null ? -1 : rule.priority === 'default' ? 0 : rule.priority,
      requestCreationMs: this.startMs,
      actionsExecuted: executedActions(this.authStep, action),
      redirectUrl: this.redirectUrl,
      errorReason: this.authReason !== '' ? this.authReason : this.errorKind ? ERROR_REASON[this.errorKind] : '',
      classification: this.classification !== 'compliant' ? this.classification : '',
      classificationReason: this.classificationReason,
    }, listener.balancer.accessLogFormat)
    this.ctx.accessLogs.write(listener.balancer.attributes.accessLogs.bucket, line)
  }
}
