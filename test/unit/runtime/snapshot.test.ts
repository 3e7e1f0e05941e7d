import assert from 'node:assert/strict'
import { test } from 'node:test'
import { tryCompile } from '../../../src/runtime/snapshot.js'
import { fixed, forward, instance, listener, loadBalancer, securityGroup, state, targetGroup } from '../../integration/dataplane/fixtures.js'

test('instance targets resolve to the instance address, ip targets stay as they are', () => {
  const web = instance('web-1', '10.0.0.5')
  const byInstance = targetGroup('a', [{ id: web.id, port: 4000 }, { id: 'web-1', port: 4001 }, { id: 'i-missing', port: 1 }], {}, { targetType: 'instance' })
  const byIp = targetGroup('b', [{ id: '2001:db8::1', port: 80 }])
  const r = tryCompile(state(1, web, byInstance, byIp))
  assert.ok(r.ok)
  const a = r.value.targetGroups.get(byInstance.arn)
  assert.deepEqual(a?.targets.map((t) => t.key), ['10.0.0.5:4000', '10.0.0.5:4001'])
  assert.deepEqual(a?.unresolved, ['i-missing'])
  assert.deepEqual(r.value.targetGroups.get(byIp.arn)?.targets.map((t) => t.key), ['[2001:db8::1]:80'])
})

test('listeners are keyed by bind address and port, with the balancer attributes', () => {
  const l = listener(8080, [fixed('200')])
  const r = tryCompile(state(7, loadBalancer({ idleTimeoutSeconds: 5 }), l))
  assert.ok(r.ok)
  assert.equal(r.value.revision, 7)
  const s = r.value.listeners.get('127.0.0.1:8080')
  assert.equal(s?.arn, l.arn)
  assert.equal(s?.balancer.attributes.idleTimeoutSeconds, 5)
  assert.equal(s?.balancer.logName, 'app/test-lb/0123456789abcdef')
  assert.equal(s?.allowedSources, undefined)
  assert.ok(Object.isFrozen(r.value) && Object.isFrozen(s))
})

test('security groups: CIDRs of rules covering the port, and the members of source groups', () => {
  const clients = securityGroup('clients', [])
  const member = instance('bastion', '192.0.2.7', [clients.id])
  const sg = securityGroup('web', [
    { protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/8'], sourceGroups: [] },
    { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['172.16.0.0/12'], sourceGroups: [] },
    { protocol: '-1', fromPort: 0, toPort: 0, cidrs: [], sourceGroups: [clients.id] },
  ])
  const r = tryCompile(state(1, clients, sg, member, loadBalancer({}, { securityGroups: [sg.id] }), listener(80, [fixed('200')])))
  assert.ok(r.ok)
  const allow = r.value.listeners.get('127.0.0.1:80')?.allowedSources
  assert.ok(allow)
  assert.ok(allow.contains('10.1.2.3'))
  assert.ok(!allow.contains('172.16.0.1'), 'the 443 rule does not open port 80')
  assert.ok(allow.contains('192.0.2.7'), 'a member of the source group is allowed')
  assert.ok(!allow.contains('192.0.2.8'))
})

test('failures are returned, not thrown: unknown target group, unknown security group, a port bound twice', () => {
  const lb = loadBalancer({}, { securityGroups: ['sg-nope'] })
  const other = { ...loadBalancer(), arn: `${lb.arn}x`, name: 'other' }
  const r = tryCompile(
    state(1, lb, other, listener(80, [forward(targetGroup('ghost', []))]), { ...listener(81, [fixed('200')]), loadBalancerArn: other.arn }, { ...listener(81, [fixed('200')]) }),
  )
  assert.equal(r.ok, false)
  if (r.ok) return
  const messages = r.failures.map((f) => f.message).join('\n')
  assert.match(messages, /unknown target group/)
  assert.match(messages, /unknown security group sg-nope/)
  assert.match(messages, /127\.0\.0\.1:81 is already bound/)
})

test('a network balancer\'s TCP listener compiles into an L4 listener on its one target group, never into an HTTP one', () => {
  const nlb = loadBalancer({}, { type: 'network' })
  const tg = targetGroup('tcp-tg', [{ id: '127.0.0.1', port: 7000 }], {}, { protocol: 'TCP' })
  const l = { ...listener(9000, [forward(tg)]), protocol: 'TCP' as const }
  const r = tryCompile(state(1, nlb, tg, l))
  assert.ok(r.ok)
  assert.equal(r.value.listeners.size, 0)
  const l4 = r.value.l4Listeners?.get('127.0.0.1:9000')
  assert.equal(l4?.targetGroupArn, tg.arn)
  assert.equal(l4?.idleTimeoutMs, 350_000, 'NLB\'s TCP idle timeout')
  assert.ok(Object.isFrozen(l4))
  // The listener attribute tcp.idle_timeout.seconds.
  const tuned = tryCompile(state(2, nlb, tg, { ...l, attributes: { tcpIdleTimeoutSeconds: 60 } }))
  assert.ok(tuned.ok)
  assert.equal(tuned.value.l4Listeners?.get('127.0.0.1:9000')?.idleTimeoutMs, 60_000)
})

test('listener attributes compile once: the response headers (HSTS only over HTTPS) and the Server field off', () => {
  const lb = loadBalancer()
  const attributes = { serverEnabled: false, responseHeaders: { xContentTypeOptions: 'nosniff', strictTransportSecurity: 'max-age=60' } }
  const r = tryCompile(state(1, lb, { ...listener(80, [fixed('200')]), attributes }))
  assert.ok(r.ok)
  const compiled = r.value.listeners.get('127.0.0.1:80')
  assert.equal(compiled?.serverHeader, false)
  assert.equal(compiled?.responseHeaders?.lines, 'x-content-type-options: nosniff\r\n', 'no HSTS over plain HTTP')
  assert.ok(compiled?.responseHeaders?.replaced.has('x-content-type-options'))
  const plain = tryCompile(state(1, lb, listener(80, [fixed('200')])))
  assert.ok(plain.ok)
  assert.equal(plain.value.listeners.get('127.0.0.1:80')?.responseHeaders, undefined, 'nothing to add: no work per response')
})

test('a network listener that cannot be served is a failure: a fixed response, an HTTP group, a port an HTTP listener has', () => {
  const nlb = { ...loadBalancer({}, { type: 'network' }), arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1' }
  const http = targetGroup('http-tg', [])
  const tcp = targetGroup('tcp-tg', [], {}, { protocol: 'TCP' })
  const r = tryCompile(
    state(1, loadBalancer(), nlb, http, tcp, { ...listener(9000, [fixed('200')]), protocol: 'TCP', loadBalancerArn: nlb.arn }, { ...listener(9001, [forward(http)]), protocol: 'TCP', loadBalancerArn: nlb.arn }, listener(9002, [fixed('200')]), { ...listener(9002, [forward(tcp)]), protocol: 'TCP', loadBalancerArn: nlb.arn }),
  )
  assert.equal(r.ok, false)
  if (r.ok) return
  const messages = r.failures.map((f) => f.message).join('\n')
  assert.match(messages, /forwards to exactly one target group/)
  assert.match(messages, /cannot forward to the HTTP target group http-tg/)
  assert.match(messages, /127\.0\.0\.1:9002 is already bound/)
})

test('cross-zone: an NLB\'s groups stay in the node\'s zone by default, an ALB\'s reach every zone', () => {
  const targets = [
    { id: '127.0.0.1', port: 7000, availabilityZone: 'us-east-1a' },
    { id: '127.0.0.2', port: 7000, availabilityZone: 'us-east-1b' },
  ]
  const nlb = { ...loadBalancer({}, { type: 'network' }), arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1' }
  const tcp = targetGroup('tcp-tg', targets, {}, { protocol: 'TCP' })
  const web = targetGroup('web-tg', targets)
  const base = [loadBalancer(), nlb, tcp, web, listener(80, [forward(web)]), { ...listener(9000, [forward(tcp)]), protocol: 'TCP' as const, loadBalancerArn: nlb.arn }] as const
  const keys = (on: ReturnType<typeof tryCompile>, arn: string) => (on.ok ? on.value.targetGroups.get(arn)?.targets.map((t) => t.key) : undefined)
  const r = tryCompile(state(1, ...base), { zone: 'us-east-1a' })
  assert.deepEqual(keys(r, tcp.arn), ['127.0.0.1:7000'])
  assert.deepEqual(keys(r, web.arn), ['127.0.0.1:7000', '127.0.0.2:7000'])
  const on = tryCompile(state(2, ...base.map((x) => (x === nlb ? { ...nlb, attributes: { ...nlb.attributes, crossZoneEnabled: true } } : x))), { zone: 'us-east-1a' })
  assert.deepEqual(keys(on, tcp.arn), ['127.0.0.1:7000', '127.0.0.2:7000'], 'load_balancing.cross_zone.enabled=true on the balancer')
})
