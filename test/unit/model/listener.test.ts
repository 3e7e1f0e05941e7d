import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_SSL_POLICY, listenerSpec, SSL_POLICY_NAMES } from '../../../src/model/listener.js'
import { parsed, table } from './table.js'

const ok200 = [{ type: 'fixed-response', fixedResponse: { statusCode: '200' } }]
const listener = (extra: Record<string, unknown> = {}) => ({ port: 80, defaultActions: ok200, ...extra })
const rules = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ priority: i + 1, conditions: [{ field: 'path-pattern', values: [`/${i}`] }], actions: ok200 }))

test('a listener defaults to HTTP with no certificates and no rules', () => {
  const v = parsed(listenerSpec, listener())
  assert.equal(v.protocol, 'HTTP')
  assert.deepEqual(v.certificates, [])
  assert.deepEqual(v.rules, [])
  assert.equal(v.sslPolicy, undefined)
})

test('the default security policy is the recommended TLS 1.3 one and is a known policy', () => {
  assert.equal(DEFAULT_SSL_POLICY, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  assert.ok(SSL_POLICY_NAMES.includes(DEFAULT_SSL_POLICY))
})

table('listener', listenerSpec, [
  { desc: 'port 1', input: listener({ port: 1 }) },
  { desc: 'port 65535', input: listener({ port: 65535 }) },
  { desc: 'port 0', input: listener({ port: 0 }), path: 'port', message: /between 1 and 65535/ },
  { desc: 'port 65536', input: listener({ port: 65536 }), path: 'port', message: /between 1 and 65535/ },
  { desc: 'a missing port', input: { defaultActions: ok200 }, path: 'port' },
  { desc: 'protocol HTTPS with a certificate', input: listener({ protocol: 'HTTPS', certificates: ['api-cert'] }) },
  { desc: 'protocol TCP_UDP (network balancers; control checks the balancer type)', input: listener({ protocol: 'TCP_UDP' }) },
  { desc: 'protocol GENEVE', input: listener({ protocol: 'GENEVE' }), path: 'protocol' },
  { desc: 'an empty certificate reference', input: listener({ protocol: 'HTTPS', certificates: [''] }), path: 'certificates[0]' },
  { desc: 'no default actions', input: { port: 80 }, path: 'defaultActions' },
  { desc: 'an empty default action list', input: listener({ defaultActions: [] }), path: 'defaultActions', message: /at least one action/ },
  { desc: '100 rules', input: listener({ rules: rules(100) }) },
  { desc: '101 rules', input: listener({ rules: rules(101) }), path: 'rules', message: /at most 100 rules/ },
  { desc: 'a bad rule priority', input: listener({ rules: [{ ...rules(1)[0], priority: 0 }] }), path: 'rules[0].priority' },
  { desc: 'a misspelt defaultAction key', input: { port: 80, defaultActions: ok200, defaultAction: ok200 }, path: 'defaultAction', message: /^unknown key defaultAction$/ },
])
