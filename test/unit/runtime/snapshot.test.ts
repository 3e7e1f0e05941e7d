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

test('a network balancer\'s listeners are not served', () => {
  const nlb = loadBalancer({}, { type: 'network' })
  const r = tryCompile(state(1, nlb, { ...listener(9000, [fixed('200')]), protocol: 'TCP' }))
  assert.ok(r.ok)
  assert.equal(r.value.listeners.size, 0)
})
