import { decodeJwt } from 'jose'
import type { AuthenticateOidcConfig } from '../../model/action.js'

/** How long the IdP's token and user info endpoints have to answer. */
export const IDP_TIMEOUT_MS = 5000
/** ALB: the user claims must be under 11 KB. */
export const USERINFO_MAX_BYTES = 11 * 1024

/** An IdP exchange that failed: ALB's status and the access log's error_reason. */
export class IdpFailure extends Error {
  constructor(
    readonly status: 401 | 500,
    readonly reason: string,
    message: string,
  ) {
    super(message)
  }
}

export interface SignedIn {
  readonly sub: string
  readonly accessToken: string
  readonly claims: Record<string, unknown>
}

/** A JSON object, or undefined for anything else. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

async function call(url: string, init: RequestInit, what: 'TokenEp' | 'UserinfoEp'): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(IDP_TIMEOUT_MS) })
  } catch (e) {
    const timeout = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
    throw new IdpFailure(500, timeout ? `Auth${what}RequestTimeout` : `Auth${what}RequestConnectionError`, e instanceof Error ? e.message : String(e))
  }
}

/**
 * The relying party's half of the authorization code flow, as ALB does it: the code for tokens at
 * the token endpoint (client_secret_basic), the ID token's iss, aud, exp and nonce checked (it came
 * straight from the token endpoint over TLS: OpenID Connect Core 3.1.3.7 lets the TLS check stand
 * for its signature), then the user info endpoint with the access token; its sub must be the ID token's.
 */
export async function signIn(config: AuthenticateOidcConfig, code: string, redirectUri: string, nonce: string, nowMs: number): Promise<SignedIn> {
  const basic = Buffer.from(`${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`).toString('base64')
  const tokenRes = await call(
    config.tokenEndpoint,
    {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
    },
    'TokenEp',
  )
  const token = jsonObject(await tokenRes.text())
  if (!tokenRes.ok) {
    if (token?.error === 'invalid_grant') throw new IdpFailure(401, 'AuthInvalidGrantError', `token endpoint: invalid_grant ${String(token.error_description ?? '')}`.trim())
    throw new IdpFailure(500, 'AuthTokenEpRequestFailed', `token endpoint answered ${tokenRes.status}`)
  }
  const accessToken = token?.access_token
  const idToken = token?.id_token
  if (typeof accessToken !== 'string' || typeof idToken !== 'string') throw new IdpFailure(500, 'AuthInvalidTokenResponse', 'token response without access_token and id_token')
  let id: Record<string, unknown>
  try {
    id = decodeJwt(idToken)
  } catch {
    throw new IdpFailure(401, 'AuthInvalidIdToken', 'the ID token is not a JWT')
  }
  const aud = Array.isArray(id.aud) ? id.aud : [id.aud]
  const problem =
    id.iss !== config.issuer ? `iss ${String(id.iss)} is not ${config.issuer}`
    : !aud.includes(config.clientId) ? `aud does not name ${config.clientId}`
    : typeof id.exp !== 'number' || id.exp * 1000 <= nowMs ? 'expired'
    : id.nonce !== nonce ? 'nonce does not match'
    : typeof id.sub !== 'string' || id.sub === '' ? 'no sub'
    : undefined
  if (problem !== undefined) throw new IdpFailure(401, 'AuthInvalidIdToken', `ID token: ${problem}`)

  const infoRes = await call(config.userInfoEndpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, 'UserinfoEp')
  const infoText = await infoRes.text()
  if (!infoRes.ok) throw new IdpFailure(500, 'AuthUserinfoEpRequestFailed', `user info endpoint answered ${infoRes.status}`)
  if (Buffer.byteLength(infoText) >= USERINFO_MAX_BYTES) throw new IdpFailure(500, 'AuthUserinfoResponseSizeExceeded', `user info is ${Buffer.byteLength(infoText)} bytes (under ${USERINFO_MAX_BYTES} allowed)`)
  const claims = jsonObject(infoText)
  if (claims === undefined || claims.sub !== id.sub) throw new IdpFailure(500, 'AuthInvalidUserinfoResponse', claims === undefined ? 'user info is not a JSON object' : 'user info sub is not the ID token sub')
  return { sub: id.sub as string, accessToken, claims }
}
