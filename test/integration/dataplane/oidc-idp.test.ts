// The relying party's calls (dataplane/auth/idp-client.ts) against real local servers that answer
// as a failing provider would: each failure gets ALB's status and error_reason.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type TestContext } from 'node:test'
import { IdpFailure, signIn } from '../../../src/dataplane/auth/idp-client.js'
import type { AuthenticateOidcConfig } from '../../../src/model/action.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
const idToken = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(claims)}.sig`

async function provider(t: TestContext, token: (req: IncomingMessage, res: ServerResponse) => void, userinfo: (req: IncomingMessage, res: ServerResponse) => void): Promise<AuthenticateOidcConfig> {
  const server = createServer((req, res) => {
    if (req.url === '/token') token(req, res)
    else userinfo(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => server.close())
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer: 'https://idp.example.test', authorizationEndpoint: `${base}/auth`, tokenEndpoint: `${base}/token`, userInfoEndpoint: `${base}/me`, clientId: 'app', clientSecret: 's:1',
    sessionCookieName: 'S', scope: 'openid', sessionTimeout: 60, authenticationRequestExtraParams: {}, onUnauthenticatedRequest: 'authenticate',
  }
}

const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body))
const good = { sub: 'u1', iss: 'https://idp.example.test', aud: 'app', exp: Math.floor(Date.now() / 1000) + 60, nonce: 'n1' }
const tokens = (claims: Record<string, unknown> = good) => json(200, { access_token: 'at', token_type: 'Bearer', id_token: idToken(claims) })

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    if (e instanceof IdpFailure) return `${e.status} ${e.reason}`
    throw e
  }
  return 'signed in'
}

test('a provider that answers well signs the user in (client_secret_basic, Bearer user info)', async (t) => {
  let auth = ''
  let bearer = ''
  const config = await provider(t, (req, res) => {
    auth = req.headers.authorization ?? ''
    tokens()(req, res)
  }, (req, res) => {
    bearer = req.headers.authorization ?? ''
    json(200, { sub: 'u1', email: 'u1@example.test' })(req, res)
  })
  const who = await signIn(config, 'code', 'https://app/oauth2/idpresponse', 'n1', Date.now())
  assert.deepEqual(who, { sub: 'u1', accessToken: 'at', claims: { sub: 'u1', email: 'u1@example.test' } })
  assert.equal(auth, `Basic ${Buffer.from('app:s%3A1').toString('base64')}`)
  assert.equal(bearer, 'Bearer at')
})

test('each way a provider fails gets ALB\'s status and error_reason', async (t) => {
  const ok = json(200, { sub: 'u1' })
  const cases: [string, (req: IncomingMessage, res: ServerResponse) => void, (req: IncomingMessage, res: ServerResponse) => void][] = [
    ['401 AuthInvalidGrantError', json(400, { error: 'invalid_grant' }), ok],
    ['500 AuthTokenEpRequestFailed', json(500, { error: 'server_error' }), ok],
    ['500 AuthInvalidTokenResponse', json(200, 'not json'), ok],
    ['500 AuthInvalidTokenResponse', json(200, { access_token: 'at' }), ok],
    ['401 AuthInvalidIdToken', json(200, { access_token: 'at', id_token: 'not-a-jwt' }), ok],
    ['401 AuthInvalidIdToken', tokens({ ...good, iss: 'https://other' }), ok],
    ['401 AuthInvalidIdToken', tokens({ ...good, aud: 'other' }), ok],
    ['401 AuthInvalidIdToken', tokens({ ...good, exp: 1 }), ok],
    ['401 AuthInvalidIdToken', tokens({ ...good, nonce: 'n2' }), ok],
    ['500 AuthUserinfoEpRequestFailed', tokens(), json(401, { error: 'invalid_token' })],
    ['500 AuthInvalidUserinfoResponse', tokens(), json(200, '[1]')],
    ['500 AuthInvalidUserinfoResponse', tokens(), json(200, { sub: 'someone-else' })],
    ['500 AuthUserinfoResponseSizeExceeded', tokens(), json(200, { sub: 'u1', big: 'x'.repeat(12 * 1024) })],
  ]
  for (const [want, token, userinfo] of cases) {
    const config = await provider(t, token, userinfo)
    assert.equal(await reason(signIn(config, 'code', 'https://app/cb', 'n1', Date.now())), want)
  }
  const config = await provider(t, tokens(), ok)
  assert.equal(await reason(signIn({ ...config, tokenEndpoint: 'http://127.0.0.1:1/token' }, 'c', 'https://app/cb', 'n1', Date.now())), '500 AuthTokenEpRequestConnectionError')
  assert.equal(await reason(signIn({ ...config, userInfoEndpoint: 'http://127.0.0.1:1/me' }, 'c', 'https://app/cb', 'n1', Date.now())), '500 AuthUserinfoEpRequestConnectionError')
})
