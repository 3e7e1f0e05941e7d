import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose'
import { claimsToken } from '../../../src/dataplane/auth/claims-token.js'
import { AuthKeys } from '../../../src/dataplane/auth/keys.js'
import { executedActions, OidcAuth, type AuthRequest } from '../../../src/dataplane/auth/oidc.js'
import { joinShards, requestCookies, seal, shardCookie, unseal } from '../../../src/dataplane/auth/session-cookie.js'
import type { AuthenticateOidcConfig } from '../../../src/model/action.js'

const config = (on: AuthenticateOidcConfig['onUnauthenticatedRequest']): AuthenticateOidcConfig => ({
  issuer: 'https://idp.example.test',
  authorizationEndpoint: 'https://idp.example.test/auth?tenant=1',
  tokenEndpoint: 'https://idp.example.test/token',
  userInfoEndpoint: 'https://idp.example.test/me',
  clientId: 'app',
  clientSecret: 's',
  sessionCookieName: 'AWSELBAuthSessionCookie',
  scope: 'openid email',
  sessionTimeout: 60,
  authenticationRequestExtraParams: { prompt: 'login' },
  onUnauthenticatedRequest: on,
})
const ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/alb/0123456789abcdef'
const req = (path: string, query = '', cookie?: string): AuthRequest => ({ method: 'GET', path, query, headerNames: cookie ? ['Cookie'] : [], headerValues: cookie ? [cookie] : [] })

test('sealed values open under their key only, and not once edited', () => {
  const key = randomBytes(32)
  const text = seal({ a: 1 }, key)
  assert.deepEqual(unseal(text, key), { a: 1 })
  assert.equal(unseal(text, randomBytes(32)), undefined)
  const edited = Buffer.from(text, 'base64url')
  edited[14] = (edited[14] ?? 0) ^ 1
  assert.equal(unseal(edited.toString('base64url'), key), undefined)
  assert.equal(unseal('short', key), undefined)
})

test('a session is split over NAME-0, NAME-1 ... cookies of at most 4 KB, 16 KB at most, and joined back', () => {
  assert.deepEqual(shardCookie('S', 'abc'), [['S-0', 'abc']])
  const long = 'x'.repeat(10_000)
  const shards = shardCookie('S', long)
  assert.ok(shards)
  assert.deepEqual(shards.map(([n]) => n), ['S-0', 'S-1', 'S-2'])
  for (const [n, v] of shards) assert.ok(n.length + 1 + v.length <= 4096)
  const header = shards.map(([n, v]) => `${n}=${v}`).join('; ')
  // HTTP/2 may send each cookie in its own field.
  assert.equal(joinShards(requestCookies(['cookie'], [`other=1; ${header}`]), 'S'), long)
  assert.equal(joinShards(requestCookies(shards.map(() => 'cookie'), shards.map(([n, v]) => `${n}=${v}`)), 'S'), long)
  assert.equal(shardCookie('S', 'x'.repeat(17_000)), undefined)
  assert.equal(joinShards(requestCookies([], []), 'S'), undefined)
})

test('keys follow from the secret; x-amzn-oidc-data verifies with the public key its kid names, with ALB\'s header claims', async () => {
  const secret = randomBytes(32)
  const keys = new AuthKeys(secret)
  assert.equal(new AuthKeys(secret).kid, keys.kid)
  assert.notEqual(new AuthKeys().kid, keys.kid)
  assert.equal(keys.publicKeyFor(keys.kid), keys.publicKeyPem)
  assert.equal(keys.publicKeyFor('nope'), undefined)
  const exp = Math.floor(Date.now() / 1000) + 60
  const jwt = claimsToken(keys.signingKey, { kid: keys.kid, signer: ARN, iss: 'https://idp.example.test', client: 'app', exp }, { sub: 'u1', email: 'u1@example.test' })
  const header = decodeProtectedHeader(jwt)
  assert.deepEqual(header, { typ: 'JWT', kid: keys.kid, alg: 'ES256', iss: 'https://idp.example.test', client: 'app', signer: ARN, exp })
  const { payload } = await jwtVerify(jwt, await importSPKI(keys.publicKeyPem, 'ES256'))
  assert.deepEqual(payload, { sub: 'u1', email: 'u1@example.test', exp, iss: 'https://idp.example.test' })
  await assert.rejects(jwtVerify(jwt, await importSPKI(new AuthKeys().publicKeyPem, 'ES256')))
})

test('without a session: authenticate redirects to the IdP with state and nonce, deny answers 401, allow forwards bare', () => {
  const keys = new AuthKeys()
  const now = Date.now()
  const out = new OidcAuth(config('authenticate'), ARN).handle('app.example.test:8443', req('/a', 'b=1'), keys, now)
  assert.equal(out.kind, 'answer')
  if (out.kind !== 'answer') return
  const res = out.answer.response
  assert.equal(res.status, 302)
  const location = new URL(res.fields.find(([n]) => n === 'location')?.[1] ?? '')
  assert.equal(location.origin + location.pathname, 'https://idp.example.test/auth')
  const q = location.searchParams
  assert.equal(q.get('tenant'), '1')
  assert.equal(q.get('prompt'), 'login')
  assert.equal(q.get('client_id'), 'app')
  assert.equal(q.get('scope'), 'openid email')
  assert.equal(q.get('redirect_uri'), 'https://app.example.test:8443/oauth2/idpresponse')
  assert.deepEqual(unseal(q.get('state') ?? '', keys.sealKey), { u: '/a?b=1', n: q.get('nonce'), exp: now + 15 * 60 * 1000 })
  const deny = new OidcAuth(config('deny'), ARN).handle('h', req('/'), keys, now)
  assert.ok(deny.kind === 'answer' && deny.answer.response.status === 401)
  assert.deepEqual(new OidcAuth(config('allow'), ARN).handle('h', req('/'), keys, now), { kind: 'forward', fields: undefined })
})

test('a session forwards the three fields until it ends; another key\'s or an ended session counts as none', () => {
  const keys = new AuthKeys()
  const now = Date.now()
  const auth = new OidcAuth(config('deny'), ARN)
  const session = (exp: number, k = 'https://idp.example.test app') => `AWSELBAuthSessionCookie-0=${seal({ k, sub: 'u1', at: 'tok', claims: { sub: 'u1' }, exp }, keys.sealKey)}`
  const ok = auth.handle('h', req('/', '', session(now + 1000)), keys, now)
  assert.equal(ok.kind, 'forward')
  if (ok.kind !== 'forward' || ok.fields === undefined) return
  assert.equal(ok.fields.fields['x-amzn-oidc-identity'], 'u1')
  assert.equal(ok.fields.fields['x-amzn-oidc-accesstoken'], 'tok')
  assert.match(ok.fields.lines, /^x-amzn-oidc-accesstoken: tok\r\nx-amzn-oidc-identity: u1\r\nx-amzn-oidc-data: [\w-]+\.[\w-]+\.[\w-]+\r\n$/)
  for (const cookie of [session(now - 1), session(now + 1000, 'https://other app'), 'AWSELBAuthSessionCookie-0=garbage']) {
    const out = auth.handle('h', req('/', '', cookie), keys, now)
    assert.ok(out.kind === 'answer' && out.answer.response.status === 401, cookie)
  }
})

test('the callback answers 401 with ALB\'s reasons for a missing state or code and a state that is not this browser\'s', async () => {
  const keys = new AuthKeys()
  const now = Date.now()
  const auth = new OidcAuth(config('authenticate'), ARN)
  const callback = async (query: string, cookie?: string, host = 'h') => {
    const out = auth.handle(host, req('/oauth2/idpresponse', query, cookie), keys, now)
    assert.equal(out.kind, 'wait')
    const a = out.kind === 'wait' ? await out.answer : undefined
    return [a?.response.status, a?.errorReason]
  }
  assert.deepEqual(await callback('code=c'), [401, 'AuthMissingStateParam'])
  assert.deepEqual(await callback('state=s'), [401, 'AuthMissingCodeParam'])
  assert.deepEqual(await callback('code=c&state=s', undefined, ''), [401, 'AuthMissingHostHeader'])
  assert.deepEqual(await callback('code=c&state=forged'), [401, 'AuthInvalidStateParam'])
  const state = encodeURIComponent(seal({ u: '/', n: 'n1', exp: now + 1000 }, keys.sealKey))
  assert.deepEqual(await callback(`code=c&state=${state}`, 'AWSELBAuthNonce=other'), [401, 'AuthInvalidStateParam'])
  const stale = encodeURIComponent(seal({ u: '/', n: 'n1', exp: now - 1 }, keys.sealKey))
  assert.deepEqual(await callback(`code=c&state=${stale}`, 'AWSELBAuthNonce=n1'), [401, 'AuthInvalidStateParam'])
  assert.deepEqual(await callback('error=access_denied&state=s'), [401, ''])
})

test('actions_executed as ALB logs it', () => {
  assert.equal(executedActions('none', 'forward'), 'forward')
  assert.equal(executedActions('passed', 'forward'), 'authenticate,forward')
  assert.equal(executedActions('answered', 'forward'), 'authenticate')
})
