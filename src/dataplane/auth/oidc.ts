import { randomBytes } from 'node:crypto'
import type { AuthenticateOidcConfig } from '../../model/action.js'
import { errorPage, localResponse, type LocalResponse } from '../exchange/local-response.js'
import { httpDate } from '../http-date.js'
import { claimsToken } from './claims-token.js'
import { IdpFailure, signIn } from './idp-client.js'
import type { AuthKeys } from './keys.js'
import { joinShards, requestCookies, seal, shardCookie, unseal } from './session-cookie.js'

/** What the auth step needs of a request, whatever its protocol (the authority, Host or :authority as sent, comes apart). */
export interface AuthRequest {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly headerNames: readonly string[]
  readonly headerValues: readonly string[]
}

/** The fields a signed-in request carries to the target, in both codecs' forms. */
export interface AuthFields {
  /** HTTP/1.1: `name: value\r\n` lines. */
  readonly lines: string
  /** HTTP/2: the same, as fields. */
  readonly fields: Readonly<Record<string, string>>
}

export interface AuthAnswer {
  readonly response: LocalResponse
  /** The access log's error_reason ('' when none). */
  readonly errorReason: string
}

/**
 * forward: go on to the next action, with these fields (undefined: none, as `allow` without a session);
 * answer: the balancer answers now; wait: it answers when the IdP has (the callback).
 */
export type AuthOutcome =
  | { readonly kind: 'forward'; readonly fields: AuthFields | undefined }
  | { readonly kind: 'answer'; readonly answer: AuthAnswer }
  | { readonly kind: 'wait'; readonly answer: Promise<AuthAnswer> }

/** What the auth step did for the access log: nothing, let the request on, or answered it. */
export type AuthStep = 'none' | 'passed' | 'answered'

/** The access log's actions_executed: ALB's `authenticate,forward`, `authenticate` alone when the step answered. */
export function executedActions(step: AuthStep, action: 'forward' | 'redirect' | 'fixed-response' | undefined): string {
  if (step === 'answered') return 'authenticate'
  const a = action ?? ''
  return step === 'passed' ? (a === '' ? 'authenticate' : `authenticate,${a}`) : a
}

/** ALB's callback path, on the balancer's own host. */
export const CALLBACK_PATH = '/oauth2/idpresponse'
/** The cookie that ties a sign-in's state to the browser that started it. */
export const NONCE_COOKIE = 'AWSELBAuthNonce'
/** How long a started sign-in may take. */
const STATE_TTL_MS = 15 * 60 * 1000
/** Signed header sets kept per session value, at most (then the cache starts over). */
const CACHE_MAX = 10000

interface Session {
  /** issuer and client id: a session of another authenticate action does not count here. */
  readonly k: string
  readonly sub: string
  readonly at: string
  readonly claims: Record<string, unknown>
  /** Expiry, epoch ms (now + SessionTimeout at sign-in). */
  readonly exp: number
}

interface State {
  /** The path and query the browser asked for. */
  readonly u: string
  readonly n: string
  readonly exp: number
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
const FORWARD_BARE: AuthOutcome = { kind: 'forward', fields: undefined }

/** An authenticate-oidc action, compiled once per snapshot. */
export class OidcAuth {
  private readonly sessionKey: string
  private readonly deny: AuthOutcome
  private readonly authorizeBase: string
  private readonly cache = new Map<string, { readonly fields: AuthFields; readonly exp: number }>()

  constructor(
    readonly config: AuthenticateOidcConfig,
    /** The balancer's ARN: the JWT's signer. */
    private readonly signer: string,
  ) {
    this.sessionKey = `${config.issuer} ${config.clientId}`
    this.deny = { kind: 'answer', answer: { response: errorPage(401), errorReason: '' } }
    const u = new URL(config.authorizationEndpoint)
    u.searchParams.set('client_id', config.clientId)
    u.searchParams.set('response_type', 'code')
    u.searchParams.set('scope', config.scope)
    for (const [k, v] of Object.entries(config.authenticationRequestExtraParams)) u.searchParams.set(k, v)
    this.authorizeBase = u.toString()
  }

  /** `keys`: the node's (the same for every snapshot), so the cache below stays right. */
  handle(authority: string, req: AuthRequest, keys: AuthKeys, nowMs: number): AuthOutcome {
    const cookies = requestCookies(req.headerNames, req.headerValues)
    if (req.path === CALLBACK_PATH) return { kind: 'wait', answer: this.callback(authority, req, cookies, keys, nowMs) }
    const value = joinShards(cookies, this.config.sessionCookieName)
    if (value !== undefined) {
      const cached = this.cache.get(value)
      if (cached !== undefined && cached.exp > nowMs) return { kind: 'forward', fields: cached.fields }
      const s = unseal(value, keys.sealKey)
      // A session that does not open (another key, edited) or has ended counts as none.
      if (isObj(s) && s.k === this.sessionKey && typeof s.exp === 'number' && s.exp > nowMs && isObj(s.claims)) {
        const fields = this.fieldsOf(s as unknown as Session, keys)
        if (this.cache.size >= CACHE_MAX) this.cache.clear()
        this.cache.set(value, { fields, exp: (s as unknown as Session).exp })
        return { kind: 'forward', fields }
      }
    }
    switch (this.config.onUnauthenticatedRequest) {
      case 'allow':
        return FORWARD_BARE
      case 'deny':
        return this.deny
      case 'authenticate':
        return { kind: 'answer', answer: { response: this.toIdp(authority, req, keys, nowMs), errorReason: '' } }
    }
  }

  private fieldsOf(s: Session, keys: AuthKeys): AuthFields {
    const exp = Math.floor(s.exp / 1000)
    const data = claimsToken(keys.signingKey, { kid: keys.kid, signer: this.signer, iss: this.config.issuer, client: this.config.clientId, exp }, s.claims)
    const fields = { 'x-amzn-oidc-accesstoken': s.at, 'x-amzn-oidc-identity': s.sub, 'x-amzn-oidc-data': data }
    let lines = ''
    for (const [k, v] of Object.entries(fields)) lines += `${k}: ${v}\r\n`
    return { lines, fields }
  }

  private redirectUri(authority: string): string {
    return `https://${authority}${CALLBACK_PATH}`
  }

  /** 302 to the IdP's authorization endpoint, with a sealed state and a nonce tied to this browser. */
  private toIdp(authority: string, req: AuthRequest, keys: AuthKeys, nowMs: number): LocalResponse {
    const nonce = randomBytes(16).toString('base64url')
    const state: State = { u: req.query === '' ? req.path : `${req.path}?${req.query}`, n: nonce, exp: nowMs + STATE_TTL_MS }
    const location =
      `${this.authorizeBase}&redirect_uri=${encodeURIComponent(this.redirectUri(authority))}` +
      `&state=${encodeURIComponent(seal(state, keys.sealKey))}&nonce=${encodeURIComponent(nonce)}`
    return localResponse(302, [
      ['content-type', 'text/html'],
      ['location', location],
      ['cache-control', 'no-cache'],
      ['set-cookie', `${NONCE_COOKIE}=${nonce}; Expires=${httpDate(nowMs + STATE_TTL_MS)}; Path=/; Secure; HttpOnly`],
    ])
  }

  private async callback(authority: string, req: AuthRequest, cookies: ReadonlyMap<string, string>, keys: AuthKeys, nowMs: number): Promise<AuthAnswer> {
    const fail = (status: 401 | 500, errorReason: string): AuthAnswer => ({ response: errorPage(status), errorReason })
    const q = new URLSearchParams(req.query)
    // The IdP refused (access_denied, login_required ...): ALB answers 401.
    if (q.has('error')) return fail(401, '')
    const code = q.get('code')
    const stateText = q.get('state')
    if (stateText === null || stateText === '') return fail(401, 'AuthMissingStateParam')
    if (code === null || code === '') return fail(401, 'AuthMissingCodeParam')
    if (authority === '') return fail(401, 'AuthMissingHostHeader')
    const state = unseal(stateText, keys.sealKey)
    const nonce = cookies.get(NONCE_COOKIE)
    if (!isObj(state) || typeof state.u !== 'string' || typeof state.n !== 'string' || typeof state.exp !== 'number' || state.exp <= nowMs || state.n !== nonce) {
      return fail(401, 'AuthInvalidStateParam')
    }
    try {
      const who = await signIn(this.config, code, this.redirectUri(authority), state.n, nowMs)
      const session: Session = { k: this.sessionKey, sub: who.sub, at: who.accessToken, claims: who.claims, exp: nowMs + this.config.sessionTimeout * 1000 }
      const shards = shardCookie(this.config.sessionCookieName, seal(session, keys.sealKey))
      if (shards === undefined) return fail(500, 'AuthUserinfoResponseSizeExceeded')
      const expires = httpDate(session.exp)
      const fields: [string, string][] = [['content-type', 'text/html'], ['location', `https://${authority}${state.u}`], ['cache-control', 'no-cache']]
      for (const [name, value] of shards) fields.push(['set-cookie', `${name}=${value}; Expires=${expires}; Path=/; Secure; HttpOnly`])
      // Shards an older, longer session left behind go, and so does the nonce.
      for (let i = shards.length; cookies.has(`${this.config.sessionCookieName}-${i}`); i++) {
        fields.push(['set-cookie', `${this.config.sessionCookieName}-${i}=; Expires=${httpDate(0)}; Path=/; Secure; HttpOnly`])
      }
      fields.push(['set-cookie', `${NONCE_COOKIE}=; Expires=${httpDate(0)}; Path=/; Secure; HttpOnly`])
      return { response: localResponse(302, fields), errorReason: '' }
    } catch (e) {
      if (e instanceof IdpFailure) return fail(e.status, e.reason)
      return fail(500, 'AuthUnhandledException')
    }
  }
}
