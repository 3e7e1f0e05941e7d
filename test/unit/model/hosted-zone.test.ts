import assert from 'node:assert/strict'
import { test } from 'node:test'
import { absoluteName, fqdn, hostedZoneSpec, recordSetId, recordSpec } from '../../../src/model/hosted-zone.js'
import { parsed, table } from './table.js'

const a = (extra: Record<string, unknown> = {}) => ({ name: 'api', type: 'A', values: ['192.0.2.1'], ...extra })
const alias = (target: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'api', type: 'A', alias: target, ...extra })

test('a hosted zone defaults to an empty comment and no records', () => {
  const v = parsed(hostedZoneSpec, { name: 'example.test' })
  assert.equal(v.comment, '')
  assert.deepEqual(v.records, [])
})

test('a record defaults to a TTL of 300 seconds', () => {
  assert.equal(parsed(recordSpec, a()).ttl, 300)
})

test('an alias does not evaluate target health unless asked', () => {
  assert.equal(parsed(recordSpec, alias({ loadBalancer: 'web-alb' })).alias?.evaluateTargetHealth, false)
})

table('hosted zone', hostedZoneSpec, [
  { desc: 'a name with a trailing dot', input: { name: 'example.test.' } },
  { desc: 'a name with a space', input: { name: 'exa mple.test' }, path: 'name', message: /DNS name/ },
  { desc: 'an empty name', input: { name: '' }, path: 'name' },
  { desc: 'a 256-character comment', input: { name: 'example.test', comment: 'c'.repeat(256) } },
  { desc: 'a 257-character comment', input: { name: 'example.test', comment: 'c'.repeat(257) }, path: 'comment' },
  { desc: 'a bad record', input: { name: 'example.test', records: [a(), a({ ttl: -1 })] }, path: 'records[1].ttl' },
  { desc: 'a caller reference (control supplies it)', input: { name: 'example.test', callerReference: 'x' }, path: 'callerReference', message: /^unknown key callerReference$/ },
])

table('record', recordSpec, [
  { desc: 'TTL 0', input: a({ ttl: 0 }) },
  { desc: 'TTL 2147483647', input: a({ ttl: 2147483647 }) },
  { desc: 'TTL 2147483648', input: a({ ttl: 2147483648 }), path: 'ttl' },
  { desc: 'TTL -1', input: a({ ttl: -1 }), path: 'ttl' },
  { desc: 'type SPF (not offered)', input: a({ type: 'SPF' }), path: 'type' },
  { desc: 'no values and no alias', input: a({ values: [] }), path: 'values', message: /at least one value/ },
  { desc: 'an empty value', input: a({ values: [''] }), path: 'values[0]' },
  { desc: 'a CNAME with one value', input: a({ type: 'CNAME', values: ['web.example.test.'] }) },
  { desc: 'a CNAME with two values', input: a({ type: 'CNAME', values: ['a.test.', 'b.test.'] }), path: 'values', message: /exactly one value/ },
  { desc: 'an alias to a balancer', input: alias({ loadBalancer: 'web-alb' }) },
  { desc: 'an alias to a record', input: alias({ record: 'www' }) },
  { desc: 'an alias with values', input: alias({ loadBalancer: 'web-alb' }, { values: ['192.0.2.1'] }), path: 'values', message: /alias record has no values/ },
  { desc: 'an alias to both a balancer and a record', input: alias({ loadBalancer: 'web-alb', record: 'www' }), path: 'alias', message: /exactly one of loadBalancer or record/ },
  { desc: 'an alias to nothing', input: alias({}), path: 'alias', message: /exactly one of loadBalancer or record/ },
  { desc: 'an AAAA alias', input: alias({ loadBalancer: 'web-alb' }, { type: 'AAAA' }) },
  { desc: 'an NS alias', input: alias({ loadBalancer: 'web-alb' }, { type: 'NS' }), path: 'type', message: /alias cannot be of type NS/ },
  { desc: 'an SOA alias', input: alias({ loadBalancer: 'web-alb' }, { type: 'SOA' }), path: 'type' },
  { desc: 'an unknown alias key', input: alias({ loadBalancer: 'web-alb', hostedZoneId: 'Z1' }), path: 'alias.hostedZoneId', message: /^unknown key hostedZoneId$/ },
  { desc: 'an unknown key', input: a({ region: 'us-east-1' }), path: 'region', message: /^unknown key region$/ },
  { desc: 'a weight without a setIdentifier', input: a({ weight: 10 }), path: 'setIdentifier', message: /needs a setIdentifier/ },
  { desc: 'two routing policies', input: a({ setIdentifier: 's', weight: 10, failover: 'PRIMARY' }), path: 'setIdentifier', message: /one routing policy/ },
])

test('fqdn lower-cases a name and adds the trailing dot once', () => {
  assert.equal(fqdn('API.Example.Test'), 'api.example.test.')
  assert.equal(fqdn('api.example.test.'), 'api.example.test.')
})

test('record names resolve against their zone: @, relative, full, absolute', () => {
  const cases = [
    { desc: 'the apex as @', name: '@', want: 'example.test.' },
    { desc: 'the apex by name', name: 'Example.test', want: 'example.test.' },
    { desc: 'a relative name', name: 'api', want: 'api.example.test.' },
    { desc: 'a full name without the dot', name: 'API.example.test', want: 'api.example.test.' },
    { desc: 'an absolute name with the dot', name: 'api.example.test.', want: 'api.example.test.' },
    { desc: 'a name outside the zone with the dot', name: 'other.org.', want: 'other.org.' },
  ]
  for (const c of cases) assert.equal(absoluteName('example.test', c.name), c.want, c.desc)
})

test('a record set id is zone/fqdn/type', () => {
  assert.equal(recordSetId('Z1', 'API.example.test', 'A'), 'Z1/api.example.test./A')
})
