import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseIp } from '../../../src/lib/cidr.js'
import type { Action } from '../../../src/model/action.js'
import type { Condition, Rule } from '../../../src/model/rule.js'
import { compileRouter } from '../../../src/dataplane/router/router.js'
import type { RouteRequest } from '../../../src/dataplane/router/route-request.js'

const fixed = (body: string): Action => ({ type: 'fixed-response', order: 1, fixedResponse: { statusCode: '200', contentType: 'text/plain', messageBody: body } })
const rule = (priority: number, conditions: Condition[]): Rule => ({
  kind: 'rule', arn: `r${priority}`, listenerArn: 'l', priority, conditions, actions: [fixed(`rule ${priority}`)], tags: {},
})

function request(over: Partial<RouteRequest> & { headers?: [string, string][] } = {}): RouteRequest {
  const headers = over.headers ?? []
  return {
    method: over.method ?? 'GET',
    path: over.path ?? '/',
    query: over.query ?? '',
    host: over.host ?? 'example.test',
    headerNames: headers.map((h) => h[0]),
    headerValues: headers.map((h) => h[1]),
    source: over.source ?? parseIp('10.0.0.1'),
  }
}

function matches(condition: Condition, req: RouteRequest): boolean {
  const router = compileRouter([fixed('default')], [rule(1, [condition])])
  assert.ok(router.ok)
  return router.value.route(req).priority === 1
}

const cases: { desc: string; condition: Condition; req: RouteRequest; expected: boolean }[] = [
  { desc: 'host-header matches case-insensitively', condition: { field: 'host-header', values: ['API.Example.test'] }, req: request({ host: 'api.example.test' }), expected: true },
  { desc: 'host-header * matches one or more labels', condition: { field: 'host-header', values: ['*.example.test'] }, req: request({ host: 'a.b.example.test' }), expected: true },
  { desc: 'host-header *.example.test does not match example.test', condition: { field: 'host-header', values: ['*.example.test'] }, req: request({ host: 'example.test' }), expected: false },
  { desc: 'host-header ? matches exactly one character', condition: { field: 'host-header', values: ['api?.example.test'] }, req: request({ host: 'api1.example.test' }), expected: true },
  { desc: 'host-header ? does not match two characters', condition: { field: 'host-header', values: ['api?.example.test'] }, req: request({ host: 'api12.example.test' }), expected: false },
  { desc: 'host-header values are ORed', condition: { field: 'host-header', values: ['a.test', 'b.test'] }, req: request({ host: 'b.test' }), expected: true },
  { desc: 'path-pattern is case-sensitive', condition: { field: 'path-pattern', values: ['/API/*'] }, req: request({ path: '/api/x' }), expected: false },
  { desc: 'path-pattern * spans slashes', condition: { field: 'path-pattern', values: ['/img/*.png'] }, req: request({ path: '/img/a/b.png' }), expected: true },
  { desc: 'path-pattern ignores the query', condition: { field: 'path-pattern', values: ['/search'] }, req: request({ path: '/search', query: 'q=1' }), expected: true },
  { desc: 'path-pattern ? is one character', condition: { field: 'path-pattern', values: ['/v?/x'] }, req: request({ path: '/v2/x' }), expected: true },
  { desc: 'host-header RegexValues match the lower-cased host', condition: { field: 'host-header', values: [], regexValues: ['^api-[0-9]+\\.example\\.test$'] }, req: request({ host: 'api-12.example.test' }), expected: true },
  { desc: 'host-header RegexValues are ORed with values', condition: { field: 'host-header', values: ['www.example.test'], regexValues: ['^api-[0-9]+\\.'] }, req: request({ host: 'api-x.example.test' }), expected: false },
  { desc: 'path-pattern RegexValues match anywhere in the path unless anchored', condition: { field: 'path-pattern', values: [], regexValues: ['/v[0-9]+/users'] }, req: request({ path: '/api/v2/users/7' }), expected: true },
  { desc: 'path-pattern RegexValues are case-sensitive', condition: { field: 'path-pattern', values: [], regexValues: ['^/API/'] }, req: request({ path: '/api/x' }), expected: false },
  { desc: 'path-pattern RegexValues never see the query', condition: { field: 'path-pattern', values: [], regexValues: ['q=1'] }, req: request({ path: '/search', query: 'q=1' }), expected: false },
  { desc: 'http-header RegexValues match the value as sent, case-sensitively', condition: { field: 'http-header', name: 'User-Agent', values: [], regexValues: ['Mobile/[0-9A-F]+'] }, req: request({ headers: [['user-agent', 'x Mobile/15E148 y']] }), expected: true },
  { desc: 'http-header RegexValues (?i) makes it case-insensitive', condition: { field: 'http-header', name: 'x-env', values: [], regexValues: ['(?i)^prod$'] }, req: request({ headers: [['X-Env', 'dev'], ['X-Env', 'PROD']] }), expected: true },
  { desc: 'http-header name is case-insensitive, value wildcard', condition: { field: 'http-header', name: 'User-Agent', values: ['*Mobile*'] }, req: request({ headers: [['user-agent', 'Foo mobile Bar']] }), expected: true },
  { desc: 'http-header checks each instance of a repeated header', condition: { field: 'http-header', name: 'x-env', values: ['prod'] }, req: request({ headers: [['X-Env', 'dev'], ['X-Env', 'PROD']] }), expected: true },
  { desc: 'http-header absent does not match', condition: { field: 'http-header', name: 'x-env', values: ['*'] }, req: request(), expected: false },
  { desc: 'http-request-method is case-sensitive', condition: { field: 'http-request-method', values: ['POST'] }, req: request({ method: 'post' }), expected: false },
  { desc: 'http-request-method matches a custom method', condition: { field: 'http-request-method', values: ['GET', 'PURGE'] }, req: request({ method: 'PURGE' }), expected: true },
  { desc: 'query-string key and value, URL-decoded', condition: { field: 'query-string', values: [{ key: 'name', value: 'a b' }] }, req: request({ query: 'x=1&name=a%20b' }), expected: true },
  { desc: 'query-string value wildcard is case-insensitive', condition: { field: 'query-string', values: [{ key: 'v', value: 'BETA*' }] }, req: request({ query: 'v=beta2' }), expected: true },
  { desc: 'query-string without key matches any value', condition: { field: 'query-string', values: [{ value: 'lorem' }] }, req: request({ query: 'a=1&b=lorem' }), expected: true },
  { desc: 'query-string \\* is a literal star', condition: { field: 'query-string', values: [{ key: 'q', value: 'a\\*' }] }, req: request({ query: 'q=abc' }), expected: false },
  { desc: 'query-string \\* matches a literal star', condition: { field: 'query-string', values: [{ key: 'q', value: 'a\\*' }] }, req: request({ query: 'q=a%2A' }), expected: true },
  { desc: 'query-string with no query does not match', condition: { field: 'query-string', values: [{ value: '*' }] }, req: request(), expected: false },
  { desc: 'source-ip IPv4 CIDR', condition: { field: 'source-ip', values: ['10.0.0.0/8'] }, req: request({ source: parseIp('10.9.8.7') }), expected: true },
  { desc: 'source-ip outside the CIDR', condition: { field: 'source-ip', values: ['192.168.0.0/16'] }, req: request({ source: parseIp('10.9.8.7') }), expected: false },
  { desc: 'source-ip IPv6 CIDR', condition: { field: 'source-ip', values: ['2001:db8::/32'] }, req: request({ source: parseIp('2001:db8:1::5') }), expected: true },
  { desc: 'source-ip sees an IPv4-mapped peer as IPv4', condition: { field: 'source-ip', values: ['127.0.0.0/8'] }, req: request({ source: parseIp('::ffff:127.0.0.1') }), expected: true },
]

for (const c of cases) {
  test(`condition: ${c.desc}`, () => {
    assert.equal(matches(c.condition, c.req), c.expected)
  })
}

test('conditions of one rule are ANDed', () => {
  const r = rule(1, [
    { field: 'host-header', values: ['a.test'] },
    { field: 'path-pattern', values: ['/x'] },
  ])
  const router = compileRouter([fixed('default')], [r])
  assert.ok(router.ok)
  assert.equal(router.value.route(request({ host: 'a.test', path: '/x' })).priority, 1)
  assert.equal(router.value.route(request({ host: 'a.test', path: '/y' })).priority, 'default')
  assert.equal(router.value.route(request({ host: 'b.test', path: '/x' })).priority, 'default')
})

test('the lowest priority wins whatever the order rules were given in', () => {
  const router = compileRouter([fixed('default')], [rule(300, [{ field: 'path-pattern', values: ['/*'] }]), rule(5, [{ field: 'path-pattern', values: ['/a*'] }])])
  assert.ok(router.ok)
  assert.equal(router.value.route(request({ path: '/abc' })).priority, 5)
  assert.equal(router.value.route(request({ path: '/zzz' })).priority, 300)
})

test('an invalid source-ip CIDR fails compilation with the rule named', () => {
  const router = compileRouter([fixed('default')], [rule(7, [{ field: 'source-ip', values: ['10.0.0.0/99'] }])])
  assert.equal(router.ok, false)
  if (!router.ok) assert.match(router.errors[0] ?? '', /rule 7/)
})

test('a pattern that backtracks exponentially elsewhere runs in linear time: (a+)+$ against 50 000 a and a b', () => {
  // With a backtracking engine this never ends; RE2 answers at once (no timing asserted: it finishes).
  const req = request({ path: `/${'a'.repeat(50_000)}b` })
  assert.equal(matches({ field: 'path-pattern', values: [], regexValues: ['(a+)+$'] }, req), false)
  assert.equal(matches({ field: 'path-pattern', values: [], regexValues: ['(a+)+b$'] }, req), true)
})
