import assert from 'node:assert/strict'
import { test } from 'node:test'
import { instanceSpec } from '../../../src/model/instance.js'
import { ingressRuleSpec, securityGroupSpec } from '../../../src/model/security-group.js'
import { parsed, table } from './table.js'

const sg = (extra: Record<string, unknown> = {}) => ({ name: 'web-sg', ...extra })
const rule = (r: Record<string, unknown>) => sg({ ingress: [r] })

test('a security group with only a name gets a description and no inbound rules', () => {
  const v = parsed(securityGroupSpec, sg())
  assert.equal(v.description, 'managed by openalb')
  assert.deepEqual(v.ingress, [])
  assert.deepEqual(v.tags, {})
})

test('an inbound rule defaults to tcp from port 0 with no sources', () => {
  assert.deepEqual(parsed(ingressRuleSpec, {}), { protocol: 'tcp', fromPort: 0, cidrs: [], sourceGroups: [] })
})

table('security group', securityGroupSpec, [
  { desc: 'a 255-character name', input: sg({ name: 'n'.repeat(255) }) },
  { desc: 'a 256-character name', input: sg({ name: 'n'.repeat(256) }), path: 'name' },
  { desc: 'an empty name', input: sg({ name: '' }), path: 'name' },
  { desc: 'a name beginning with sg-', input: sg({ name: 'sg-web' }), path: 'name', message: /must not start with sg-/ },
  { desc: 'a 256-character description', input: sg({ description: 'd'.repeat(256) }), path: 'description' },
  { desc: 'a rule for all traffic (-1)', input: rule({ protocol: '-1', cidrs: ['0.0.0.0/0'] }) },
  { desc: 'a rule for icmp', input: rule({ protocol: 'icmp', fromPort: -1, cidrs: ['0.0.0.0/0'] }) },
  { desc: 'a rule for protocol gre', input: rule({ protocol: 'gre' }), path: 'ingress[0].protocol' },
  { desc: 'a port range 8000-8999', input: rule({ fromPort: 8000, toPort: 8999, cidrs: ['10.0.0.0/8'] }) },
  { desc: 'fromPort 65535', input: rule({ fromPort: 65535 }) },
  { desc: 'fromPort 65536', input: rule({ fromPort: 65536 }), path: 'ingress[0].fromPort' },
  { desc: 'fromPort -2', input: rule({ fromPort: -2 }), path: 'ingress[0].fromPort' },
  { desc: 'toPort below fromPort', input: rule({ fromPort: 443, toPort: 80 }), path: 'ingress[0].toPort', message: /must not be below fromPort/ },
  { desc: 'toPort equal to fromPort', input: rule({ fromPort: 443, toPort: 443 }) },
  { desc: 'IPv4 and IPv6 CIDRs mixed', input: rule({ cidrs: ['0.0.0.0/0', '::/0', '2001:db8::/32'] }) },
  { desc: 'a bare IPv4 address', input: rule({ cidrs: ['10.0.0.0/8', '10.0.0.1'] }), path: 'ingress[0].cidrs[1]', message: /IPv4 CIDR/ },
  { desc: 'a word for a CIDR', input: rule({ cidrs: ['anywhere'] }), path: 'ingress[0].cidrs[0]', message: /IPv4 CIDR/ },
  { desc: 'an IPv6 address without a prefix', input: rule({ cidrs: ['::1'] }), path: 'ingress[0].cidrs[0]', message: /IPv6 CIDR/ },
  { desc: 'an IPv4 prefix length of 33', input: rule({ cidrs: ['10.0.0.0/33'] }), path: 'ingress[0].cidrs[0]' },
  { desc: 'an IPv4 octet of 999', input: rule({ cidrs: ['999.0.0.0/8'] }), path: 'ingress[0].cidrs[0]' },
  { desc: 'an IPv6 prefix length of 200', input: rule({ cidrs: ['::/200'] }), path: 'ingress[0].cidrs[0]' },
  { desc: 'a 255-character rule description', input: rule({ description: 'd'.repeat(255) }) },
  { desc: 'a 256-character rule description', input: rule({ description: 'd'.repeat(256) }), path: 'ingress[0].description' },
  { desc: 'an unknown rule key', input: rule({ ipRanges: [] }), path: 'ingress[0].ipRanges', message: /^unknown key ipRanges$/ },
  { desc: 'an unknown group key', input: sg({ outbound: [] }), path: 'outbound', message: /^unknown key outbound$/ },
])

test('an instance has no security groups by default and takes its zone from its subnet', () => {
  const v = parsed(instanceSpec, { name: 'web-1', address: '10.0.0.1' })
  assert.equal(v.availabilityZone, undefined)
  assert.equal(v.instanceType, 't3.micro')
  assert.deepEqual(v.securityGroups, [])
  assert.deepEqual(v.tags, {})
})

table('instance', instanceSpec, [
  { desc: 'an IPv6 address', input: { name: 'web-1', address: '::1' } },
  { desc: 'an empty name', input: { name: '', address: '10.0.0.1' }, path: 'name' },
  { desc: 'a 256-character name', input: { name: 'n'.repeat(256), address: '10.0.0.1' }, path: 'name' },
  { desc: 'an empty address', input: { name: 'web-1', address: '' }, path: 'address' },
  { desc: 'no address: openalb launches it', input: { name: 'web-1' } },
  { desc: 'user data that is a script', input: { name: 'web-1', userData: '#!/bin/sh\nexec true\n' } },
  { desc: 'user data that is not a script', input: { name: 'web-1', userData: 'packages: [nginx]' }, path: 'userData' },
  { desc: 'user data and a command', input: { name: 'web-1', userData: '#!/bin/sh\n', command: ['true'] }, path: 'command' },
  { desc: 'an address and a command', input: { name: 'web-1', address: '10.0.0.1', command: ['true'] }, path: 'address' },
  {
    desc: 'an address that is not an IP address',
    input: { name: 'web-1', address: 'not an address' },
    path: 'address',

  },
  { desc: 'an unknown key', input: { name: 'web-1', address: '10.0.0.1', type: 't3.micro' }, path: 'type', message: /^unknown key type$/ },
])
