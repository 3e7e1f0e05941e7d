import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CidrSet, parseCidr, parseIp } from '../../../src/lib/cidr.js'

test('IPv4 CIDR covers its block and nothing else', () => {
  const set = new CidrSet([parseCidr('192.168.1.0/24')!])
  assert.ok(set.contains('192.168.1.0'))
  assert.ok(set.contains('192.168.1.255'))
  assert.ok(!set.contains('192.168.2.0'))
})

test('0.0.0.0/0 and ::/0 cover every address of their family', () => {
  const set = CidrSet.parse(['0.0.0.0/0'])
  assert.ok(set.ok && set.value.contains('8.8.8.8'))
  assert.ok(set.ok && !set.value.contains('::1'))
  const v6 = CidrSet.parse(['::/0'])
  assert.ok(v6.ok && v6.value.contains('2001:db8::1'))
})

test('IPv6 addresses parse in compressed and embedded-IPv4 forms', () => {
  assert.deepEqual(parseIp('::1'), { family: 6, value: 1n })
  assert.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001 })
  assert.equal(parseIp('2001:db8::1::2'), undefined)
  assert.equal(parseIp('300.1.1.1'), undefined)
})

test('host bits beyond the prefix are ignored', () => {
  const r = parseCidr('10.1.2.3/8')
  assert.deepEqual(r, { family: 4, low: 0x0a000000, high: 0x0affffff })
})

test('invalid blocks are reported', () => {
  const r = CidrSet.parse(['10.0.0.0/33', 'nope', '::/0'])
  assert.equal(r.ok, false)
  if (!r.ok) assert.deepEqual(r.invalid, ['10.0.0.0/33', 'nope'])
})
