import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileMatcher, healthCheckSpec, targetGroupSpec, targetKey } from '../../../src/model/target-group.js'
import { failuresOf, parsed, table, type Row } from './table.js'

const tg = (extra: Record<string, unknown> = {}) => ({ name: 'web-tg', ...extra })
const hc = (healthCheck: Record<string, unknown>) => tg({ healthCheck })
const attrs = (attributes: Record<string, unknown>) => tg({ attributes })
const sticky = (stickiness: Record<string, unknown>) => attrs({ stickiness })
const targets = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }))

test('a target group with only a name gets ALB defaults: HTTP:80, instance targets, HTTP1', () => {
  const v = parsed(targetGroupSpec, tg())
  assert.equal(v.protocol, 'HTTP')
  assert.equal(v.port, 80)
  assert.equal(v.targetType, 'instance')
  assert.equal(v.protocolVersion, 'HTTP1')
  assert.deepEqual(v.targets, [])
  assert.deepEqual(v.tags, {})
})

test('health check defaults: HTTP GET / on the traffic port every 30s, timeout 5, healthy 5, unhealthy 2, matcher 200', () => {
  assert.deepEqual(parsed(targetGroupSpec, tg()).healthCheck, {
    enabled: true,
    protocol: 'HTTP',
    port: 'traffic-port',
    path: '/',
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThreshold: 5,
    unhealthyThreshold: 2,
    matcher: '200',
  })
})

test('attribute defaults: deregistration delay 300, no slow start, round_robin, lb_cookie stickiness off for 86400s, cross-zone from the balancer (on)', () => {
  assert.deepEqual(parsed(targetGroupSpec, tg()).attributes, {
    deregistrationDelaySeconds: 300,
    slowStartSeconds: 0,
    algorithm: 'round_robin',
    stickiness: { enabled: false, type: 'lb_cookie', durationSeconds: 86400 },
    crossZone: 'use_load_balancer_configuration',
    proxyProtocolV2: false,
  })
})

test('a lambda group has ALB\'s lambda defaults: health checks off, every 35 s with a 30 s timeout', () => {
  const g = targetGroupSpec.parse(tg({ targetType: 'lambda' }))
  assert.equal(g.healthCheck.enabled, false)
  assert.equal(g.healthCheck.intervalSeconds, 35)
  assert.equal(g.healthCheck.timeoutSeconds, 30)
  assert.equal(targetGroupSpec.parse(tg()).healthCheck.enabled, true)
})

test('enabling stickiness alone keeps lb_cookie and a one-day duration', () => {
  assert.deepEqual(parsed(targetGroupSpec, sticky({ enabled: true })).attributes.stickiness, {
    enabled: true,
    type: 'lb_cookie',
    durationSeconds: 86400,
  })
})

test('a partial health check keeps the defaults of the fields it leaves out', () => {
  const v = parsed(targetGroupSpec, hc({ path: '/healthz' })).healthCheck
  assert.equal(v.path, '/healthz')
  assert.equal(v.intervalSeconds, 30)
  assert.equal(v.matcher, '200')
})

test('a numeric health check port is kept as its string form, as ALB returns it', () => {
  assert.equal(parsed(healthCheckSpec, { port: 8080 }).port, '8080')
  assert.equal(parsed(healthCheckSpec, { port: '8081' }).port, '8081')
})

table('target group name', targetGroupSpec, [
  { desc: 'a one-character name', input: tg({ name: 'a' }) },
  { desc: 'a 32-character name', input: tg({ name: 'a'.repeat(32) }) },
  { desc: 'a 33-character name', input: tg({ name: 'a'.repeat(33) }), path: 'name', message: /1-32 characters/ },
  { desc: 'an empty name', input: tg({ name: '' }), path: 'name', message: /1-32 characters/ },
  { desc: 'a name beginning with a hyphen', input: tg({ name: '-web' }), path: 'name', message: /must not begin or end with a hyphen/ },
  { desc: 'a name ending with a hyphen', input: tg({ name: 'web-' }), path: 'name', message: /must not begin or end with a hyphen/ },
  { desc: 'a name with an underscore', input: tg({ name: 'web_tg' }), path: 'name' },
  { desc: 'a name with a dot', input: tg({ name: 'web.tg' }), path: 'name' },
  { desc: 'a name beginning with internal- (only balancers reserve it)', input: tg({ name: 'internal-web' }) },
  { desc: 'a missing name', input: {}, path: 'name' },
])

table('target group protocol, port and types', targetGroupSpec, [
  { desc: 'port 1', input: tg({ port: 1 }) },
  { desc: 'port 65535', input: tg({ port: 65535 }) },
  { desc: 'port 0', input: tg({ port: 0 }), path: 'port', message: /between 1 and 65535/ },
  { desc: 'port 65536', input: tg({ port: 65536 }), path: 'port', message: /between 1 and 65535/ },
  { desc: 'a fractional port', input: tg({ port: 80.5 }), path: 'port' },
  { desc: 'a port given as a string', input: tg({ port: '80' }), path: 'port' },
  { desc: 'protocol HTTPS', input: tg({ protocol: 'HTTPS' }) },
  { desc: 'protocol TCP (network balancers)', input: tg({ protocol: 'TCP' }) },
  { desc: 'protocol GENEVE', input: tg({ protocol: 'GENEVE' }), path: 'protocol' },
  { desc: 'protocol in lower case', input: tg({ protocol: 'http' }), path: 'protocol' },
  { desc: 'target type ip', input: tg({ targetType: 'ip' }) },
  { desc: 'target type lambda', input: tg({ targetType: 'lambda' }) },
  { desc: 'target type alb (not offered)', input: tg({ targetType: 'alb' }), path: 'targetType' },
  { desc: 'a lambda group with two functions', input: tg({ targetType: 'lambda', targets: [{ id: 'a' }, { id: 'b' }] }), path: 'targets', message: /one function/ },
  { desc: 'a lambda group with stickiness', input: tg({ targetType: 'lambda', attributes: { stickiness: { enabled: true } } }), path: 'attributes.stickiness.enabled' },
  { desc: 'an ip group with health checks off', input: tg({ targetType: 'ip', healthCheck: { enabled: false } }), path: 'healthCheck.enabled' },
  { desc: 'an ip group with multi-value headers', input: tg({ targetType: 'ip', attributes: { lambdaMultiValueHeaders: true } }), path: 'attributes.lambdaMultiValueHeaders' },
  { desc: 'protocol version GRPC', input: tg({ protocolVersion: 'GRPC' }) },
  { desc: 'protocol version HTTP3', input: tg({ protocolVersion: 'HTTP3' }), path: 'protocolVersion' },
])

table('health check ranges', targetGroupSpec, [
  { desc: 'interval 5 with timeout 2', input: hc({ intervalSeconds: 5, timeoutSeconds: 2 }) },
  { desc: 'interval 4', input: hc({ intervalSeconds: 4, timeoutSeconds: 2 }), path: 'healthCheck.intervalSeconds', message: /between 5 and 300/ },
  { desc: 'interval 300', input: hc({ intervalSeconds: 300 }) },
  { desc: 'interval 301', input: hc({ intervalSeconds: 301 }), path: 'healthCheck.intervalSeconds', message: /between 5 and 300/ },
  { desc: 'a fractional interval', input: hc({ intervalSeconds: 30.5 }), path: 'healthCheck.intervalSeconds' },
  { desc: 'timeout 2', input: hc({ timeoutSeconds: 2 }) },
  { desc: 'timeout 1', input: hc({ timeoutSeconds: 1 }), path: 'healthCheck.timeoutSeconds', message: /between 2 and 120/ },
  { desc: 'timeout 120 with interval 121', input: hc({ timeoutSeconds: 120, intervalSeconds: 121 }) },
  { desc: 'timeout 121 with interval 300', input: hc({ timeoutSeconds: 121, intervalSeconds: 300 }), path: 'healthCheck.timeoutSeconds', message: /between 2 and 120/ },
  { desc: 'healthy threshold 2', input: hc({ healthyThreshold: 2 }) },
  { desc: 'healthy threshold 1', input: hc({ healthyThreshold: 1 }), path: 'healthCheck.healthyThreshold', message: /between 2 and 10/ },
  { desc: 'healthy threshold 10', input: hc({ healthyThreshold: 10 }) },
  { desc: 'healthy threshold 11', input: hc({ healthyThreshold: 11 }), path: 'healthCheck.healthyThreshold', message: /between 2 and 10/ },
  { desc: 'unhealthy threshold 2', input: hc({ unhealthyThreshold: 2 }) },
  { desc: 'unhealthy threshold 1', input: hc({ unhealthyThreshold: 1 }), path: 'healthCheck.unhealthyThreshold', message: /between 2 and 10/ },
  { desc: 'unhealthy threshold 10', input: hc({ unhealthyThreshold: 10 }) },
  { desc: 'unhealthy threshold 11', input: hc({ unhealthyThreshold: 11 }), path: 'healthCheck.unhealthyThreshold', message: /between 2 and 10/ },
  { desc: 'path /', input: hc({ path: '/' }) },
  { desc: 'a 1024-character path', input: hc({ path: `/${'a'.repeat(1023)}` }) },
  { desc: 'a 1025-character path', input: hc({ path: `/${'a'.repeat(1024)}` }), path: 'healthCheck.path' },
  { desc: 'an empty path', input: hc({ path: '' }), path: 'healthCheck.path' },
  { desc: 'a path without a leading slash', input: hc({ path: 'health' }), path: 'healthCheck.path', message: /must start with \// },
  { desc: 'port traffic-port', input: hc({ port: 'traffic-port' }) },
  { desc: 'port 1', input: hc({ port: 1 }) },
  { desc: 'port 65535', input: hc({ port: 65535 }) },
  { desc: 'port "8080" as text', input: hc({ port: '8080' }) },
  { desc: 'port 0', input: hc({ port: 0 }), path: 'healthCheck.port', message: /traffic-port or 1-65535/ },
  { desc: 'port 65536', input: hc({ port: 65536 }), path: 'healthCheck.port', message: /traffic-port or 1-65535/ },
  { desc: 'port "99999" as text', input: hc({ port: '99999' }), path: 'healthCheck.port', message: /traffic-port or 1-65535/ },
  { desc: 'port "http"', input: hc({ port: 'http' }), path: 'healthCheck.port' },
  { desc: 'protocol HTTPS', input: hc({ protocol: 'HTTPS' }) },
  { desc: 'protocol TCP (not for application target groups)', input: hc({ protocol: 'TCP' }), path: 'healthCheck.protocol' },
  { desc: 'disabling the health check (always on for instance and ip targets)', input: hc({ enabled: false }), path: 'healthCheck.enabled' },
])

table('health check timeout must be smaller than the interval', targetGroupSpec, [
  { desc: 'timeout 4 with interval 5', input: hc({ intervalSeconds: 5, timeoutSeconds: 4 }) },
  { desc: 'timeout 5 with interval 5', input: hc({ intervalSeconds: 5, timeoutSeconds: 5 }), path: 'healthCheck.timeoutSeconds', message: /smaller than intervalSeconds/ },
  { desc: 'timeout 6 with interval 5', input: hc({ intervalSeconds: 5, timeoutSeconds: 6 }), path: 'healthCheck.timeoutSeconds', message: /smaller than intervalSeconds/ },
  { desc: 'timeout 30 with the default interval 30', input: hc({ timeoutSeconds: 30 }), path: 'healthCheck.timeoutSeconds', message: /smaller than intervalSeconds/ },
  { desc: 'the default timeout 5 with interval 5', input: hc({ intervalSeconds: 5 }), path: 'healthCheck.timeoutSeconds', message: /smaller than intervalSeconds/ },
  { desc: 'timeout 29 with the default interval 30', input: hc({ timeoutSeconds: 29 }) },
])

table('health check matcher', targetGroupSpec, [
  { desc: 'a single code 200', input: hc({ matcher: '200' }) },
  { desc: 'a list 200,302', input: hc({ matcher: '200,302' }) },
  { desc: 'a range 200-299', input: hc({ matcher: '200-299' }) },
  { desc: 'a range and a code 200-299,404', input: hc({ matcher: '200-299,404' }) },
  { desc: 'the highest code 499', input: hc({ matcher: '499' }) },
  { desc: 'a degenerate range 200-200', input: hc({ matcher: '200-200' }) },
  { desc: 'code 199', input: hc({ matcher: '199' }), path: 'healthCheck.matcher', message: /between 200 and 499/ },
  { desc: 'code 500', input: hc({ matcher: '500' }), path: 'healthCheck.matcher', message: /between 200 and 499/ },
  { desc: 'a range reaching 500', input: hc({ matcher: '200-500' }), path: 'healthCheck.matcher', message: /between 200 and 499/ },
  { desc: 'a reversed range 299-200', input: hc({ matcher: '299-200' }), path: 'healthCheck.matcher', message: /low-high/ },
  { desc: 'a class 2xx', input: hc({ matcher: '2xx' }), path: 'healthCheck.matcher', message: /HTTP code/ },
  { desc: 'a trailing comma', input: hc({ matcher: '200,' }), path: 'healthCheck.matcher' },
  { desc: 'spaces after commas', input: hc({ matcher: '200, 302' }), path: 'healthCheck.matcher' },
  { desc: 'an open range 200-', input: hc({ matcher: '200-' }), path: 'healthCheck.matcher' },
  { desc: 'an empty matcher', input: hc({ matcher: '' }), path: 'healthCheck.matcher' },
])

table('target group attribute ranges', targetGroupSpec, [
  { desc: 'deregistration delay 0', input: attrs({ deregistrationDelaySeconds: 0 }) },
  { desc: 'deregistration delay 3600', input: attrs({ deregistrationDelaySeconds: 3600 }) },
  { desc: 'deregistration delay 3601', input: attrs({ deregistrationDelaySeconds: 3601 }), path: 'attributes.deregistrationDelaySeconds', message: /between 0 and 3600/ },
  { desc: 'deregistration delay -1', input: attrs({ deregistrationDelaySeconds: -1 }), path: 'attributes.deregistrationDelaySeconds' },
  { desc: 'slow start 0 (off)', input: attrs({ slowStartSeconds: 0 }) },
  { desc: 'slow start 29', input: attrs({ slowStartSeconds: 29 }), path: 'attributes.slowStartSeconds', message: /0 or between 30 and 900/ },
  { desc: 'slow start 30', input: attrs({ slowStartSeconds: 30 }) },
  { desc: 'slow start 900', input: attrs({ slowStartSeconds: 900 }) },
  { desc: 'slow start 901', input: attrs({ slowStartSeconds: 901 }), path: 'attributes.slowStartSeconds', message: /0 or between 30 and 900/ },
  { desc: 'algorithm least_outstanding_requests', input: attrs({ algorithm: 'least_outstanding_requests' }) },
  { desc: 'algorithm weighted_random', input: attrs({ algorithm: 'weighted_random' }) },
  { desc: 'algorithm random', input: attrs({ algorithm: 'random' }), path: 'attributes.algorithm' },
])

table('slow start and least outstanding requests', targetGroupSpec, [
  { desc: 'slow start 30 with least_outstanding_requests', input: attrs({ slowStartSeconds: 30, algorithm: 'least_outstanding_requests' }), path: 'attributes.slowStartSeconds', message: /least_outstanding_requests/ },
  { desc: 'slow start 0 with least_outstanding_requests', input: attrs({ slowStartSeconds: 0, algorithm: 'least_outstanding_requests' }) },
  { desc: 'slow start 30 with weighted_random', input: attrs({ slowStartSeconds: 30, algorithm: 'weighted_random' }) },
  { desc: 'slow start 30 with round_robin', input: attrs({ slowStartSeconds: 30, algorithm: 'round_robin' }) },
])

table('stickiness', targetGroupSpec, [
  { desc: 'lb_cookie duration 1', input: sticky({ enabled: true, durationSeconds: 1 }) },
  { desc: 'lb_cookie duration 0', input: sticky({ enabled: true, durationSeconds: 0 }), path: 'attributes.stickiness.durationSeconds' },
  { desc: 'lb_cookie duration 604800 (7 days)', input: sticky({ enabled: true, durationSeconds: 604800 }) },
  { desc: 'lb_cookie duration 604801', input: sticky({ enabled: true, durationSeconds: 604801 }), path: 'attributes.stickiness.durationSeconds' },
  { desc: 'app_cookie with a cookie name', input: sticky({ enabled: true, type: 'app_cookie', cookieName: 'SESSIONID' }) },
  { desc: 'enabled app_cookie without a cookie name', input: sticky({ enabled: true, type: 'app_cookie' }), path: 'attributes.stickiness.cookieName', message: /required for app_cookie/ },
  { desc: 'disabled app_cookie without a cookie name', input: sticky({ enabled: false, type: 'app_cookie' }) },
  { desc: 'an empty cookie name', input: sticky({ enabled: true, type: 'app_cookie', cookieName: '' }), path: 'attributes.stickiness.cookieName' },
  { desc: 'the reserved cookie name AWSALB', input: sticky({ enabled: true, type: 'app_cookie', cookieName: 'AWSALB' }), path: 'attributes.stickiness.cookieName', message: /reserved/ },
  { desc: 'a cookie name with the reserved prefix AWSALBAPP', input: sticky({ enabled: true, type: 'app_cookie', cookieName: 'AWSALBAPP-0' }), path: 'attributes.stickiness.cookieName', message: /reserved/ },
  { desc: 'a cookie name with the reserved prefix AWSALBTG', input: sticky({ enabled: true, type: 'app_cookie', cookieName: 'AWSALBTGCORS' }), path: 'attributes.stickiness.cookieName', message: /reserved/ },
  { desc: 'a cookie name containing AWSALB later on', input: sticky({ enabled: true, type: 'app_cookie', cookieName: 'MYAWSALB' }) },
  { desc: 'stickiness type source_ip (network balancers only)', input: sticky({ enabled: true, type: 'source_ip' }), path: 'attributes.stickiness.type' },
])

table('targets', targetGroupSpec, [
  { desc: '1000 targets', input: tg({ targetType: 'ip', targets: targets(1000) }) },
  { desc: 'a target with its own port', input: tg({ targets: [{ id: 'web-1', port: 8080 }] }) },
  { desc: 'a target with port 0', input: tg({ targets: [{ id: 'web-1', port: 0 }] }), path: 'targets[0].port', message: /between 1 and 65535/ },
  { desc: 'a target with an empty id', input: tg({ targets: [{ id: 'web-1' }, { id: '' }] }), path: 'targets[1].id' },
  { desc: 'a target with availability zone all', input: tg({ targets: [{ id: '10.0.0.1', availabilityZone: 'all' }] }) },
])

table('unknown keys are named with their path', targetGroupSpec, [
  { desc: 'an unknown top-level key', input: tg({ colour: 'red' }), path: 'colour', message: /^unknown key colour$/ },
  { desc: 'a misspelt health check field', input: hc({ intervalSecs: 10 }), path: 'healthCheck.intervalSecs', message: /^unknown key intervalSecs$/ },
  { desc: 'an unknown stickiness field', input: sticky({ cookie: 'x' }), path: 'attributes.stickiness.cookie', message: /^unknown key cookie$/ },
  { desc: 'an unknown key in the second target', input: tg({ targets: [{ id: 'a' }, { id: 'b', weight: 2 }] }), path: 'targets[1].weight', message: /^unknown key weight$/ },
])

table('tags', targetGroupSpec, [
  { desc: 'a 128-character key and a 256-character value', input: tg({ tags: { ['k'.repeat(128)]: 'v'.repeat(256) } }) },
  { desc: 'a 129-character key', input: tg({ tags: { ['k'.repeat(129)]: 'v' } }), path: `tags.${'k'.repeat(129)}`, message: /Invalid key/ },
  { desc: 'a 257-character value', input: tg({ tags: { team: 'v'.repeat(257) } }), path: 'tags.team' },
  { desc: 'an empty key', input: tg({ tags: { '': 'v' } }), path: 'tags.', message: /Invalid key/ },
] satisfies Row[])

test('several failures in one target group are all reported, each with its path', () => {
  const failures = failuresOf(targetGroupSpec, tg({ name: '-web', port: 0, healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } }))
  assert.deepEqual(failures.map((f) => f.path).sort(), ['healthCheck.timeoutSeconds', 'name', 'port'])
})

test('compileMatcher: "200" accepts only 200', () => {
  const m = compileMatcher('200')
  assert.deepEqual([199, 200, 201].map(m), [false, true, false])
})

test('compileMatcher: "200-299,404" accepts the range edges and 404, not 300 or 403', () => {
  const m = compileMatcher('200-299,404')
  assert.deepEqual([199, 200, 299, 300, 403, 404, 405].map(m), [false, true, true, false, false, true, false])
})

test('targetKey brackets IPv6 addresses and leaves IPv4 as address:port', () => {
  assert.equal(targetKey('10.0.0.1', 80), '10.0.0.1:80')
  assert.equal(targetKey('::1', 8080), '[::1]:8080')
})
