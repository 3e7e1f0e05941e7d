import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadBalancerAttributesSpec, loadBalancerSpec } from '../../../src/model/load-balancer.js'
import { parsed, table } from './table.js'

const lb = (extra: Record<string, unknown> = {}) => ({ name: 'web-alb', ...extra })
const attrs = (attributes: Record<string, unknown>) => lb({ attributes })

test('a balancer with only a name is an internet-facing IPv4 application balancer in two subnets on 127.0.0.1', () => {
  const v = parsed(loadBalancerSpec, lb())
  assert.equal(v.type, 'application')
  assert.equal(v.scheme, 'internet-facing')
  assert.equal(v.ipAddressType, 'ipv4')
  assert.deepEqual(v.subnets, ['subnet-a', 'subnet-b'])
  assert.deepEqual(v.securityGroups, [])
  assert.equal(v.bindAddress, '127.0.0.1')
  assert.deepEqual(v.tags, {})
})

test('balancer attribute defaults: idle timeout 60, HTTP/2 on, desync defensive, XFF append, deletion protection off', () => {
  assert.deepEqual(parsed(loadBalancerSpec, lb()).attributes, {
    idleTimeoutSeconds: 60,
    http2Enabled: true,
    dropInvalidHeaderFields: false,
    desyncMitigationMode: 'defensive',
    xffHeaderProcessingMode: 'append',
    preserveHostHeader: false,
    deletionProtection: false,
    requestHeadTimeoutSeconds: 30,
    accessLogs: { enabled: false, bucket: '', prefix: '' },
  })
})

test('setting one attribute keeps the defaults of the others', () => {
  const v = parsed(loadBalancerAttributesSpec, { idleTimeoutSeconds: 120, accessLogs: { enabled: true } })
  assert.equal(v.idleTimeoutSeconds, 120)
  assert.equal(v.desyncMitigationMode, 'defensive')
  assert.deepEqual(v.accessLogs, { enabled: true, bucket: '', prefix: '' })
})

table('balancer name', loadBalancerSpec, [
  { desc: 'a 32-character name', input: lb({ name: 'a'.repeat(32) }) },
  { desc: 'a 33-character name', input: lb({ name: 'a'.repeat(33) }), path: 'name', message: /1-32 characters/ },
  { desc: 'an empty name', input: lb({ name: '' }), path: 'name' },
  { desc: 'a name beginning with a hyphen', input: lb({ name: '-alb' }), path: 'name', message: /hyphen/ },
  { desc: 'a name ending with a hyphen', input: lb({ name: 'alb-' }), path: 'name', message: /hyphen/ },
  { desc: 'a name with a space', input: lb({ name: 'web alb' }), path: 'name' },
  { desc: 'a name beginning with internal-', input: lb({ name: 'internal-web' }), path: 'name', message: /must not begin with internal-/ },
  { desc: 'a name beginning with Internal- in another case', input: lb({ name: 'INTERNAL-web' }), path: 'name', message: /must not begin with internal-/ },
  { desc: 'a name ending with -internal', input: lb({ name: 'web-internal' }) },
  { desc: 'a name beginning with internal but no hyphen', input: lb({ name: 'internalweb' }) },
])

table('balancer type, scheme, subnets and security groups', loadBalancerSpec, [
  { desc: 'scheme internal', input: lb({ scheme: 'internal' }) },
  { desc: 'scheme private', input: lb({ scheme: 'private' }), path: 'scheme' },
  { desc: 'type network', input: lb({ type: 'network' }) },
  { desc: 'type gateway (not offered)', input: lb({ type: 'gateway' }), path: 'type' },
  { desc: 'ip address type dualstack', input: lb({ ipAddressType: 'dualstack' }) },
  { desc: 'ip address type ipv6', input: lb({ ipAddressType: 'ipv6' }), path: 'ipAddressType' },
  { desc: 'an application balancer in two subnets', input: lb({ subnets: ['a', 'b'] }) },
  { desc: 'an application balancer in one subnet', input: lb({ subnets: ['a'] }), path: 'subnets', message: /at least two availability zones/ },
  { desc: 'an application balancer with the same subnet twice', input: lb({ subnets: ['a', 'a'] }), path: 'subnets', message: /at least two/ },
  { desc: 'an application balancer with no subnets', input: lb({ subnets: [] }), path: 'subnets' },
  { desc: 'a network balancer in one subnet', input: lb({ type: 'network', subnets: ['a'] }) },
  { desc: 'an empty subnet label', input: lb({ subnets: ['a', ''] }), path: 'subnets[1]' },
  { desc: '5 security groups', input: lb({ securityGroups: ['a', 'b', 'c', 'd', 'e'] }) },
  { desc: '6 security groups', input: lb({ securityGroups: ['a', 'b', 'c', 'd', 'e', 'f'] }), path: 'securityGroups', message: /at most 5/ },
])

table('balancer attributes', loadBalancerSpec, [
  { desc: 'idle timeout 1', input: attrs({ idleTimeoutSeconds: 1 }) },
  { desc: 'idle timeout 0', input: attrs({ idleTimeoutSeconds: 0 }), path: 'attributes.idleTimeoutSeconds', message: /between 1 and 4000/ },
  { desc: 'idle timeout 4000', input: attrs({ idleTimeoutSeconds: 4000 }) },
  { desc: 'idle timeout 4001', input: attrs({ idleTimeoutSeconds: 4001 }), path: 'attributes.idleTimeoutSeconds', message: /between 1 and 4000/ },
  { desc: 'a fractional idle timeout', input: attrs({ idleTimeoutSeconds: 1.5 }), path: 'attributes.idleTimeoutSeconds' },
  { desc: 'request head timeout 1', input: attrs({ requestHeadTimeoutSeconds: 1 }) },
  { desc: 'request head timeout 0', input: attrs({ requestHeadTimeoutSeconds: 0 }), path: 'attributes.requestHeadTimeoutSeconds' },
  { desc: 'request head timeout 300', input: attrs({ requestHeadTimeoutSeconds: 300 }) },
  { desc: 'request head timeout 301', input: attrs({ requestHeadTimeoutSeconds: 301 }), path: 'attributes.requestHeadTimeoutSeconds' },
  { desc: 'desync mitigation monitor', input: attrs({ desyncMitigationMode: 'monitor' }) },
  { desc: 'desync mitigation strictest', input: attrs({ desyncMitigationMode: 'strictest' }) },
  { desc: 'desync mitigation off', input: attrs({ desyncMitigationMode: 'off' }), path: 'attributes.desyncMitigationMode' },
  { desc: 'XFF preserve', input: attrs({ xffHeaderProcessingMode: 'preserve' }) },
  { desc: 'XFF remove', input: attrs({ xffHeaderProcessingMode: 'remove' }) },
  { desc: 'XFF replace', input: attrs({ xffHeaderProcessingMode: 'replace' }), path: 'attributes.xffHeaderProcessingMode' },
  { desc: 'deletion protection as the text "true"', input: attrs({ deletionProtection: 'true' }), path: 'attributes.deletionProtection' },
  { desc: 'an unknown attribute', input: attrs({ wafFailOpen: true }), path: 'attributes.wafFailOpen', message: /^unknown key wafFailOpen$/ },
  { desc: 'an unknown access log field', input: attrs({ accessLogs: { s3Bucket: 'x' } }), path: 'attributes.accessLogs.s3Bucket', message: /^unknown key s3Bucket$/ },
  { desc: 'an unknown top-level key', input: lb({ listeners: [] }), path: 'listeners', message: /^unknown key listeners$/ },
])
