import assert from 'node:assert/strict'
import { test } from 'node:test'
import { actionSpec, actionsSpec } from '../../../src/model/action.js'
import { parsed, table } from './table.js'

const forward = (extra: Record<string, unknown>) => ({ type: 'forward', ...extra })
const redirect = (r: Record<string, unknown>) => ({ type: 'redirect', redirect: { statusCode: 'HTTP_301', ...r } })
const fixed = (f: Record<string, unknown>) => ({ type: 'fixed-response', fixedResponse: { statusCode: '200', ...f } })
const groups = (n: number) => Array.from({ length: n }, (_, i) => ({ targetGroup: `tg-${i}` }))

test('a redirect keeps every component it does not change: #{port}, #{host}, /#{path}, #{query}', () => {
  const v = parsed(actionSpec, redirect({ protocol: 'HTTPS' }))
  assert.deepEqual(v.type === 'redirect' && v.redirect, {
    protocol: 'HTTPS',
    port: '#{port}',
    host: '#{host}',
    path: '/#{path}',
    query: '#{query}',
    statusCode: 'HTTP_301',
  })
})

test('a numeric redirect port becomes text, as ALB returns it', () => {
  const v = parsed(actionSpec, redirect({ protocol: 'HTTPS', port: 443 }))
  assert.equal(v.type === 'redirect' && v.redirect.port, '443')
})

test('a fixed response defaults to text/plain with an empty body, and a numeric code becomes text', () => {
  const v = parsed(actionSpec, { type: 'fixed-response', fixedResponse: { statusCode: 404 } })
  assert.deepEqual(v.type === 'fixed-response' && v.fixedResponse, { statusCode: '404', contentType: 'text/plain', messageBody: '' })
})

test('a weighted target group defaults to weight 1', () => {
  const v = parsed(actionSpec, forward({ targetGroups: [{ targetGroup: 'web-tg' }] }))
  assert.deepEqual(v.type === 'forward' && v.targetGroups, [{ targetGroup: 'web-tg', weight: 1 }])
})

test('group stickiness, once given, defaults to an hour', () => {
  const v = parsed(actionSpec, forward({ targetGroup: 'web-tg', stickiness: { enabled: true } }))
  assert.deepEqual(v.type === 'forward' && v.stickiness, { enabled: true, durationSeconds: 3600 })
})

table('forward actions', actionSpec, [
  { desc: 'a single target group', input: forward({ targetGroup: 'web-tg' }) },
  { desc: 'an empty target group name', input: forward({ targetGroup: '' }), path: 'targetGroup' },
  { desc: 'neither targetGroup nor targetGroups', input: forward({}), path: 'targetGroup', message: /exactly one of targetGroup or targetGroups/ },
  { desc: 'both targetGroup and targetGroups', input: forward({ targetGroup: 'a', targetGroups: groups(1) }), path: 'targetGroup', message: /exactly one/ },
  { desc: '5 weighted target groups', input: forward({ targetGroups: groups(5) }) },
  { desc: '6 weighted target groups', input: forward({ targetGroups: groups(6) }), path: 'targetGroups', message: /at most 5 target groups/ },
  { desc: 'an empty target group list', input: forward({ targetGroups: [] }), path: 'targetGroups' },
  { desc: 'weight 0', input: forward({ targetGroups: [{ targetGroup: 'a', weight: 0 }] }) },
  { desc: 'weight 999', input: forward({ targetGroups: [{ targetGroup: 'a', weight: 999 }] }) },
  { desc: 'weight 1000', input: forward({ targetGroups: [{ targetGroup: 'a', weight: 1000 }] }), path: 'targetGroups[0].weight', message: /between 0 and 999/ },
  { desc: 'weight -1', input: forward({ targetGroups: [{ targetGroup: 'a', weight: -1 }] }), path: 'targetGroups[0].weight', message: /between 0 and 999/ },
  { desc: 'group stickiness of 604800 seconds', input: forward({ targetGroup: 'a', stickiness: { enabled: true, durationSeconds: 604800 } }) },
  { desc: 'group stickiness of 604801 seconds', input: forward({ targetGroup: 'a', stickiness: { enabled: true, durationSeconds: 604801 } }), path: 'stickiness.durationSeconds' },
  { desc: 'group stickiness of 0 seconds', input: forward({ targetGroup: 'a', stickiness: { enabled: true, durationSeconds: 0 } }), path: 'stickiness.durationSeconds' },
  { desc: 'order 1', input: forward({ targetGroup: 'a', order: 1 }) },
  { desc: 'order 0', input: forward({ targetGroup: 'a', order: 0 }), path: 'order' },
  { desc: 'order 50001', input: forward({ targetGroup: 'a', order: 50001 }), path: 'order' },
  { desc: 'an unknown key', input: forward({ targetGroup: 'a', targetGroupArn: 'b' }), path: 'targetGroupArn', message: /^unknown key targetGroupArn$/ },
  { desc: 'an unknown action type', input: { type: 'jwt-validation' }, path: 'type' },
])

const oidc = (config: Record<string, unknown>) => ({
  type: 'authenticate-oidc',
  authenticateOidc: { issuer: 'https://idp.test', authorizationEndpoint: 'https://idp.test/a', tokenEndpoint: 'https://idp.test/t', userInfoEndpoint: 'https://idp.test/u', clientId: 'c', clientSecret: 's', ...config },
})

table('authenticate-oidc actions', actionSpec, [
  { desc: 'the required fields', input: oidc({}) },
  { desc: 'every field', input: oidc({ scope: 'openid email', sessionCookieName: 'S', sessionTimeout: 1, authenticationRequestExtraParams: { prompt: 'login' }, onUnauthenticatedRequest: 'deny' }) },
  { desc: 'an http endpoint', input: oidc({ tokenEndpoint: 'http://idp.test/t' }), path: 'authenticateOidc.tokenEndpoint', message: /including the HTTPS protocol/ },
  { desc: 'a session timeout of 604801', input: oidc({ sessionTimeout: 604801 }), path: 'authenticateOidc.sessionTimeout', message: /between 1 and 604800/ },
  { desc: 'a session timeout of 0', input: oidc({ sessionTimeout: 0 }), path: 'authenticateOidc.sessionTimeout' },
  { desc: 'onUnauthenticatedRequest redirect', input: oidc({ onUnauthenticatedRequest: 'redirect' }), path: 'authenticateOidc.onUnauthenticatedRequest' },
  { desc: 'a cookie name with a space', input: oidc({ sessionCookieName: 'a b' }), path: 'authenticateOidc.sessionCookieName' },
  { desc: '11 extra parameters', input: oidc({ authenticationRequestExtraParams: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`p${i}`, 'v'])) }), path: 'authenticateOidc.authenticationRequestExtraParams' },
  { desc: 'no issuer', input: { type: 'authenticate-oidc', authenticateOidc: { clientId: 'c' } }, path: 'authenticateOidc.issuer' },
  { desc: 'authenticate-cognito', input: { type: 'authenticate-cognito' }, path: '', message: /openalb has no Amazon Cognito/ },
])

table('redirect actions', actionSpec, [
  { desc: 'a redirect to HTTPS', input: redirect({ protocol: 'HTTPS' }) },
  { desc: 'a redirect that changes nothing', input: redirect({}), path: 'redirect', message: /must change at least one of protocol, port, host or path/ },
  { desc: 'a redirect that spells out every placeholder', input: redirect({ protocol: '#{protocol}', port: '#{port}', host: '#{host}', path: '/#{path}', query: '#{query}' }), path: 'redirect', message: /to avoid a loop/ },
  { desc: 'a redirect that changes only the query', input: redirect({ query: 'from=old' }), path: 'redirect', message: /to avoid a loop/ },
  { desc: 'a redirect that changes the host', input: redirect({ host: 'www.example.test' }) },
  { desc: 'a redirect that changes the port', input: redirect({ port: '8443' }) },
  { desc: 'a redirect that changes the path', input: redirect({ path: '/new/#{path}' }) },
  { desc: 'a redirect to HTTP (refused only on HTTPS listeners, by control)', input: redirect({ protocol: 'HTTP' }) },
  { desc: 'protocol FTP', input: redirect({ protocol: 'FTP' }), path: 'redirect.protocol' },
  { desc: 'port 1', input: redirect({ port: 1 }) },
  { desc: 'port 65535', input: redirect({ port: '65535' }) },
  { desc: 'port 0', input: redirect({ port: 0 }), path: 'redirect.port', message: /1-65535 or #\{port\}/ },
  { desc: 'port 65536', input: redirect({ port: '65536' }), path: 'redirect.port', message: /1-65535 or #\{port\}/ },
  { desc: 'port https', input: redirect({ port: 'https' }), path: 'redirect.port' },
  { desc: 'a 128-character host', input: redirect({ host: 'h'.repeat(128) }) },
  { desc: 'a 129-character host', input: redirect({ host: 'h'.repeat(129) }), path: 'redirect.host', message: /at most 128/ },
  { desc: 'an empty host', input: redirect({ host: '' }), path: 'redirect.host' },
  { desc: 'a relative path', input: redirect({ path: 'new' }), path: 'redirect.path', message: /must start with \// },
  { desc: 'a 129-character path', input: redirect({ path: `/${'p'.repeat(128)}` }), path: 'redirect.path' },
  { desc: 'a 128-character query', input: redirect({ host: 'x', query: 'q'.repeat(128) }) },
  { desc: 'a 129-character query', input: redirect({ host: 'x', query: 'q'.repeat(129) }), path: 'redirect.query' },
  { desc: 'a query with a leading ?', input: redirect({ host: 'x', query: '?a=1' }), path: 'redirect.query', message: /must not start with \?/ },
  { desc: 'an empty query (drops it)', input: redirect({ host: 'x', query: '' }) },
  { desc: 'status HTTP_302', input: redirect({ host: 'x', statusCode: 'HTTP_302' }) },
  { desc: 'status HTTP_307', input: redirect({ host: 'x', statusCode: 'HTTP_307' }), path: 'redirect.statusCode' },
  { desc: 'no status code', input: { type: 'redirect', redirect: { host: 'x' } }, path: 'redirect.statusCode' },
  { desc: 'no redirect block', input: { type: 'redirect' }, path: 'redirect' },
])

table('fixed-response actions', actionSpec, [
  { desc: 'status 200', input: fixed({ statusCode: '200' }) },
  { desc: 'status 404 as a number', input: fixed({ statusCode: 404 }) },
  { desc: 'status 503', input: fixed({ statusCode: '503' }) },
  { desc: 'status 599', input: fixed({ statusCode: '599' }) },
  { desc: 'status 302', input: fixed({ statusCode: '302' }), path: 'fixedResponse.statusCode', message: /2XX, 4XX or 5XX/ },
  { desc: 'status 100', input: fixed({ statusCode: '100' }), path: 'fixedResponse.statusCode', message: /2XX, 4XX or 5XX/ },
  { desc: 'status 600', input: fixed({ statusCode: '600' }), path: 'fixedResponse.statusCode' },
  { desc: 'status 20', input: fixed({ statusCode: '20' }), path: 'fixedResponse.statusCode' },
  { desc: 'status 2000', input: fixed({ statusCode: '2000' }), path: 'fixedResponse.statusCode' },
  { desc: 'content type text/plain', input: fixed({ contentType: 'text/plain' }) },
  { desc: 'content type text/css', input: fixed({ contentType: 'text/css' }) },
  { desc: 'content type text/html', input: fixed({ contentType: 'text/html' }) },
  { desc: 'content type application/javascript', input: fixed({ contentType: 'application/javascript' }) },
  { desc: 'content type application/json', input: fixed({ contentType: 'application/json' }) },
  { desc: 'content type application/xml', input: fixed({ contentType: 'application/xml' }), path: 'fixedResponse.contentType' },
  { desc: 'content type with a charset', input: fixed({ contentType: 'text/plain; charset=utf-8' }), path: 'fixedResponse.contentType' },
  { desc: 'a 1024-character body', input: fixed({ messageBody: 'b'.repeat(1024) }) },
  { desc: 'a 1025-character body', input: fixed({ messageBody: 'b'.repeat(1025) }), path: 'fixedResponse.messageBody', message: /at most 1024/ },
  { desc: 'an empty body', input: fixed({ messageBody: '' }) },
  { desc: 'an unknown key', input: fixed({ headers: {} }), path: 'fixedResponse.headers', message: /^unknown key headers$/ },
])

table('action lists', actionsSpec, [
  { desc: 'one terminal action', input: [forward({ targetGroup: 'a' })] },
  { desc: 'no action', input: [], path: '', message: /at least one action/ },
  { desc: 'two terminal actions', input: [forward({ targetGroup: 'a' }), fixed({})], path: '', message: /exactly one forward, redirect or fixed-response/ },
  { desc: 'a bad second action', input: [fixed({}), fixed({ statusCode: '302' })], path: '[1].fixedResponse.statusCode' },
])
