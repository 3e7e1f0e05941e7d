import assert from 'node:assert/strict'
import { test } from 'node:test'
import { conditionsSpec, MAX_CONDITION_VALUES_PER_RULE, MAX_WILDCARDS_PER_RULE, ruleSpec } from '../../../src/model/rule.js'
import { parsed, table } from './table.js'

const ok200 = [{ type: 'fixed-response', fixedResponse: { statusCode: '200' } }]
const rule = (extra: Record<string, unknown> = {}) => ({
  priority: 10,
  conditions: [{ field: 'path-pattern', values: ['/api/*'] }],
  actions: ok200,
  ...extra,
})
const when = (...conditions: unknown[]) => rule({ conditions })
const host = (...values: string[]) => ({ field: 'host-header', values })
const path = (...values: string[]) => ({ field: 'path-pattern', values })
const method = (...values: string[]) => ({ field: 'http-request-method', values })
const sourceIp = (...values: string[]) => ({ field: 'source-ip', values })
const header = (name: string, ...values: string[]) => ({ field: 'http-header', name, values })
const query = (...values: { key?: string; value: string }[]) => ({ field: 'query-string', values })

test('ALB limits: 5 condition values and 5 wildcards per rule', () => {
  assert.equal(MAX_CONDITION_VALUES_PER_RULE, 5)
  assert.equal(MAX_WILDCARDS_PER_RULE, 5)
})

test('a rule keeps its conditions as given and gets no tags by default', () => {
  const v = parsed(ruleSpec, when(host('api.example.test'), path('/v1/*')))
  assert.deepEqual(v.conditions, [host('api.example.test'), path('/v1/*')])
  assert.deepEqual(v.tags, {})
})

table('rule priority', ruleSpec, [
  { desc: 'priority 1', input: rule({ priority: 1 }) },
  { desc: 'priority 0', input: rule({ priority: 0 }), path: 'priority', message: /between 1 and 50000/ },
  { desc: 'priority 50000', input: rule({ priority: 50000 }) },
  { desc: 'priority 50001', input: rule({ priority: 50001 }), path: 'priority', message: /between 1 and 50000/ },
  { desc: 'a fractional priority', input: rule({ priority: 1.5 }), path: 'priority' },
  { desc: 'a missing priority', input: { conditions: [path('/')], actions: ok200 }, path: 'priority' },
  { desc: 'no conditions', input: when(), path: 'conditions', message: /at least one condition/ },
  { desc: 'no actions', input: rule({ actions: [] }), path: 'actions', message: /at least one action/ },
  { desc: 'an unknown key', input: rule({ isDefault: true }), path: 'isDefault', message: /^unknown key isDefault$/ },
])

table('one condition of each single field per rule', ruleSpec, [
  { desc: 'two host-header conditions', input: when(host('a.example.test'), host('b.example.test')), path: 'conditions[1].field', message: /only one host-header/ },
  { desc: 'two path-pattern conditions', input: when(path('/a'), path('/b')), path: 'conditions[1].field', message: /only one path-pattern/ },
  { desc: 'two http-request-method conditions', input: when(method('GET'), method('POST')), path: 'conditions[1].field', message: /only one http-request-method/ },
  { desc: 'two source-ip conditions', input: when(sourceIp('10.0.0.0/8'), sourceIp('192.168.0.0/16')), path: 'conditions[1].field', message: /only one source-ip/ },
  { desc: 'a third host-header condition after another field', input: when(host('a.example.test'), path('/'), host('c.example.test')), path: 'conditions[2].field', message: /only one host-header/ },
  { desc: 'two http-header conditions', input: when(header('X-Env', 'prod'), header('X-Team', 'web')) },
  { desc: 'two query-string conditions', input: when(query({ value: 'a' }), query({ key: 'b', value: 'c' })) },
  { desc: 'one condition of each of the six fields', input: when(host('a.test'), path('/'), method('GET'), sourceIp('10.0.0.0/8'), header('X-A', 'b')) },
])

table('condition values per rule', ruleSpec, [
  { desc: '3 values in one condition', input: when(path('/a', '/b', '/c')) },
  { desc: '6 values in one condition', input: when(path('/a', '/b', '/c', '/d', '/e', '/f')), path: 'conditions[0].values' },
  { desc: '5 values across three conditions', input: when(host('a.test', 'b.test'), path('/a', '/b'), method('GET')) },
  { desc: '6 values across three conditions', input: when(host('a.test', 'b.test'), path('/a', '/b'), method('GET', 'HEAD')), path: 'conditions', message: /at most 5 condition values \(has 6\)/ },
  { desc: 'query-string pairs counted one value each (5)', input: when(query({ key: 'a', value: '1' }, { key: 'b', value: '2' }, { value: '3' }), path('/x', '/y')) },
  { desc: 'query-string pairs counted one value each (6)', input: when(query({ key: 'a', value: '1' }, { key: 'b', value: '2' }, { value: '3' }), path('/x', '/y', '/z')), path: 'conditions', message: /has 6/ },
  { desc: 'an empty values list', input: when(path()), path: 'conditions[0].values' },
  {
    desc: '4 values in one condition (ALB allows 3 match evaluations per condition, reference b.2)',
    input: when(host('a.test', 'b.test', 'c.test', 'd.test')),
    path: 'conditions[0].values',
  },
])

table('wildcards per rule', ruleSpec, [
  { desc: '5 wildcards across host and path', input: when(host('*.a?.test'), path('/*/x/*?')) },
  { desc: '6 wildcards across host and path', input: when(host('*.a?.test'), path('/*/x/*??')), path: 'conditions', message: /at most 5 wildcards \(has 6\)/ },
  { desc: '6 wildcards in one path', input: when(path('/******')), path: 'conditions', message: /has 6/ },
  { desc: '5 wildcards and an escaped \\* in a query value', input: when(query({ value: '**\\*' }), path('/***')) },
  { desc: '5 wildcards and an escaped \\? in a query value', input: when(query({ value: '\\?a*' }), path('/****')) },
  { desc: 'wildcards in query-string keys counted', input: when(query({ key: '***', value: '***' })), path: 'conditions', message: /has 6/ },
  { desc: 'wildcards in http-header values counted', input: when(header('X-A', '***'), header('X-B', '***')), path: 'conditions', message: /has 6/ },
])

table('host-header values', conditionsSpec, [
  { desc: 'a plain host', input: [host('api.example.test')] },
  { desc: 'a wildcard host', input: [host('*.example.test')] },
  { desc: 'a ? wildcard', input: [host('api-?.example.test')] },
  { desc: 'a 128-character host', input: [host(`${'a'.repeat(123)}.test`)] },
  { desc: 'a 129-character host', input: [host(`${'a'.repeat(124)}.test`)], path: '[0].values[0]', message: /at most 128/ },
  { desc: 'an empty host', input: [host('')], path: '[0].values[0]', message: /cannot be empty/ },
  { desc: 'a host with an underscore', input: [host('api_1.example.test')], path: '[0].values[0]', message: /A-Z, a-z, 0-9/ },
  { desc: 'a host with a port', input: [host('api.example.test:443')], path: '[0].values[0]' },
  { desc: 'the second value bad', input: [host('ok.test', 'bad host')], path: '[0].values[1]' },
])

table('path-pattern values', conditionsSpec, [
  { desc: 'a path with a wildcard', input: [path('/api/*')] },
  { desc: "every allowed punctuation _ - . $ / ~ \" ' @ : + & * ?", input: [path(`/a_b-c.d$e/f~g"h'i@j:k+l&m*n?`)] },
  { desc: 'a 128-character path', input: [path(`/${'a'.repeat(127)}`)] },
  { desc: 'a 129-character path', input: [path(`/${'a'.repeat(128)}`)], path: '[0].values[0]', message: /at most 128/ },
  { desc: 'a path with a space', input: [path('/a b')], path: '[0].values[0]' },
  { desc: 'a percent-encoded path', input: [path('/a%20b')], path: '[0].values[0]' },
  { desc: 'a path with a query', input: [path('/a?x=1')], path: '[0].values[0]' },
])

table('http-header conditions', conditionsSpec, [
  { desc: 'a header with a wildcard value', input: [header('User-Agent', '*Mobile*')] },
  { desc: 'a 40-character header name', input: [header('X'.repeat(40), 'v')] },
  { desc: 'a 41-character header name', input: [header('X'.repeat(41), 'v')], path: '[0].name', message: /at most 40/ },
  { desc: 'the Host header', input: [header('Host', 'a.test')], path: '[0].name', message: /host-header condition/ },
  { desc: 'the host header in lower case', input: [header('host', 'a.test')], path: '[0].name', message: /host-header condition/ },
  { desc: 'a header name with a space', input: [header('X Env', 'v')], path: '[0].name', message: /header name token/ },
  { desc: 'a header name with a colon', input: [header('X-Env:', 'v')], path: '[0].name' },
  { desc: 'an empty header name', input: [header('', 'v')], path: '[0].name' },
  { desc: 'a value with a control character', input: [header('X-Env', 'a\u0001b')], path: '[0].values[0]', message: /visible ASCII/ },
  { desc: 'a value with a non-ASCII character', input: [header('X-Env', 'caf\u00e9')], path: '[0].values[0]', message: /visible ASCII/ },
  { desc: 'a 129-character value', input: [header('X-Env', 'v'.repeat(129))], path: '[0].values[0]' },
  { desc: 'a missing header name', input: [{ field: 'http-header', values: ['v'] }], path: '[0].name' },
])

table('http-request-method conditions', conditionsSpec, [
  { desc: 'GET and HEAD', input: [method('GET', 'HEAD')] },
  { desc: 'a custom method with - and _', input: [method('PURGE_ALL-X')] },
  { desc: 'a lower-case method (methods are case-sensitive)', input: [method('get')], path: '[0].values[0]', message: /A-Z, - and _/ },
  { desc: 'a method with a wildcard', input: [method('GE*')], path: '[0].values[0]' },
  { desc: 'a 40-character method', input: [method('M'.repeat(40))] },
  { desc: 'a 41-character method', input: [method('M'.repeat(41))], path: '[0].values[0]' },
])

table('query-string conditions', conditionsSpec, [
  { desc: 'a value without a key', input: [query({ value: 'v' })] },
  { desc: 'a key and a value', input: [query({ key: 'version', value: 'v1' })] },
  { desc: 'an empty value', input: [query({ key: 'k', value: '' })], path: '[0].values[0].value', message: /cannot be empty/ },
  { desc: 'a value with a control character', input: [query({ value: 'a\tb' })], path: '[0].values[0].value', message: /visible ASCII/ },
  { desc: 'a plain string instead of a pair', input: [{ field: 'query-string', values: ['a=b'] }], path: '[0].values[0]' },
  { desc: 'an unknown key in a pair', input: [{ field: 'query-string', values: [{ value: 'v', name: 'n' }] }], path: '[0].values[0].name', message: /^unknown key name$/ },
])

table('source-ip conditions', conditionsSpec, [
  { desc: 'an IPv4 CIDR', input: [sourceIp('10.0.0.0/8')] },
  { desc: 'an IPv6 CIDR', input: [sourceIp('2001:db8::/32')] },
  { desc: 'IPv4 and IPv6 mixed', input: [sourceIp('192.0.2.0/24', '::1/128')] },
  { desc: '255.255.255.255/32', input: [sourceIp('255.255.255.255/32')], path: '[0].values[0]', message: /not allowed/ },
  { desc: 'an address without a prefix length', input: [sourceIp('10.0.0.1')], path: '[0].values[0]', message: /CIDR/ },
  { desc: 'a wildcard', input: [sourceIp('10.0.0.*/8')], path: '[0].values[0]' },
  { desc: 'an IPv4 prefix length of 33', input: [sourceIp('10.0.0.0/33')], path: '[0].values[0]' },
  { desc: 'an IPv4 octet of 300', input: [sourceIp('300.0.0.0/8')], path: '[0].values[0]' },
  { desc: 'an IPv6 prefix length of 200', input: [sourceIp('::/200')], path: '[0].values[0]' },
])

table('condition shape', conditionsSpec, [
  { desc: 'an unknown field', input: [{ field: 'cookie', values: ['a'] }], path: '[0].field' },
  { desc: 'an unknown key in a condition', input: [{ field: 'host-header', values: ['a.test'], negate: true }], path: '[0].negate', message: /^unknown key negate$/ },
  { desc: 'a header name on a host-header condition', input: [{ field: 'host-header', name: 'X', values: ['a.test'] }], path: '[0].name', message: /^unknown key name$/ },
])

const regex = (field: 'host-header' | 'path-pattern', ...regexValues: string[]) => ({ field, values: [], regexValues })

table('regex conditions (RegexValues, matched by RE2 in linear time)', ruleSpec, [
  { desc: 'a path regex', input: when(regex('path-pattern', '^/api/v[0-9]+/')) },
  { desc: 'a host regex with values beside it', input: when({ field: 'host-header', values: ['a.example.test'], regexValues: ['^api-[0-9]+\\.'] }) },
  { desc: 'an http-header regex', input: when({ field: 'http-header', name: 'User-Agent', values: [], regexValues: ['Mobile'] }) },
  { desc: 'a pattern that backtracks elsewhere is fine here', input: when(regex('path-pattern', '(a+)+$')) },
  { desc: 'a backreference', input: when(regex('path-pattern', '(a)\\1')), path: 'conditions[0].regexValues[0]', message: /linear time \(RE2 syntax\).*invalid escape/ },
  { desc: 'a lookahead', input: when(regex('host-header', '^(?=api)')), path: 'conditions[0].regexValues[0]', message: /RE2 syntax.*\(\?=/ },
  { desc: 'an unbalanced group', input: when(regex('path-pattern', '(/a')), path: 'conditions[0].regexValues[0]', message: /missing closing \)/ },
  { desc: 'a 129-character pattern', input: when(regex('path-pattern', 'a'.repeat(129))), path: 'conditions[0].regexValues[0]', message: /at most 128/ },
  { desc: '4 regex values in one condition', input: when(regex('path-pattern', 'a', 'b', 'c', 'd')), path: 'conditions[0].regexValues', message: /at most 3 regex values/ },
  { desc: 'regex values count towards the 5 per rule', input: when(regex('path-pattern', 'a', 'b', 'c'), host('a.test', 'b.test', 'c.test')), path: 'conditions', message: /at most 5 condition values \(has 6\)/ },
  { desc: 'neither values nor regex values', input: when({ field: 'path-pattern', values: [] }), path: 'conditions[0].values', message: /at least one value \(or regexValues\)/ },
  { desc: 'regex values on a method condition', input: when({ field: 'http-request-method', values: ['GET'], regexValues: ['G.*'] }), path: 'conditions[0].regexValues' },
])

const rewrite = (type: string, regex: string, replace = '/$1') => ({ type, rewrites: [{ regex, replace }] })

table('rule transforms (one host-header-rewrite and one url-rewrite, RE2 regexes)', ruleSpec, [
  { desc: 'a url-rewrite', input: rule({ transforms: [rewrite('url-rewrite', '^/api/(.*)$')] }) },
  { desc: 'one of each', input: rule({ transforms: [rewrite('url-rewrite', '^/api/(.*)$'), rewrite('host-header-rewrite', '^api\\.', 'internal.')] }) },
  { desc: 'an empty replacement', input: rule({ transforms: [rewrite('url-rewrite', '\\?.*$', '')] }) },
  { desc: 'two url-rewrites', input: rule({ transforms: [rewrite('url-rewrite', 'a'), rewrite('url-rewrite', 'b')] }), path: 'transforms[1].type', message: /only one url-rewrite transform/ },
  { desc: 'three transforms', input: rule({ transforms: [rewrite('url-rewrite', 'a'), rewrite('host-header-rewrite', 'b'), rewrite('url-rewrite', 'c')] }), path: 'transforms', message: /at most one host-header-rewrite and one url-rewrite/ },
  { desc: 'an unknown type', input: rule({ transforms: [rewrite('header-rewrite', 'a')] }), path: 'transforms[0].type' },
  { desc: 'two rewrites in one transform', input: rule({ transforms: [{ type: 'url-rewrite', rewrites: [{ regex: 'a', replace: 'b' }, { regex: 'c', replace: 'd' }] }] }), path: 'transforms[0].rewrites', message: /one rewrite/ },
  { desc: 'no rewrite', input: rule({ transforms: [{ type: 'url-rewrite', rewrites: [] }] }), path: 'transforms[0].rewrites', message: /needs one rewrite/ },
  { desc: 'a backreference', input: rule({ transforms: [rewrite('url-rewrite', '(a)\\1')] }), path: 'transforms[0].rewrites[0].regex', message: /linear time \(RE2 syntax\)/ },
  { desc: 'a lookbehind', input: rule({ transforms: [rewrite('host-header-rewrite', '(?<=a)b')] }), path: 'transforms[0].rewrites[0].regex', message: /RE2 syntax/ },
  { desc: 'a 1025-character regex', input: rule({ transforms: [rewrite('url-rewrite', 'a'.repeat(1025))] }), path: 'transforms[0].rewrites[0].regex', message: /at most 1024/ },
  { desc: 'a 1025-character replacement', input: rule({ transforms: [rewrite('url-rewrite', 'a', 'b'.repeat(1025))] }), path: 'transforms[0].rewrites[0].replace', message: /at most 1024/ },
  { desc: 'an empty regex', input: rule({ transforms: [rewrite('url-rewrite', '')] }), path: 'transforms[0].rewrites[0].regex', message: /cannot be empty/ },
])

test('a rule without transforms gets none', () => {
  assert.deepEqual(parsed(ruleSpec, rule()).transforms, [])
})
