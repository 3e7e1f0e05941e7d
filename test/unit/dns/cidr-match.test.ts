import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseIp } from '../../../src/lib/cidr.js'
import { CidrMatcher, clientOfAddress } from '../../../src/dns/cidr-match.js'

const matcher = new CidrMatcher({ locations: { wide: ['10.0.0.0/8', '2001:db8::/32'], narrow: ['10.1.2.0/24', '2001:db8:0:1234::/48'] } })
const subnet = (ip: string, prefix: number) => ({ ip: parseIp(ip) ?? assert.fail(ip), prefix })

test('CIDR matching: the longest block wins, for IPv4 and IPv6', () => {
  assert.deepEqual(matcher.match(clientOfAddress('10.1.2.3') ?? assert.fail()), { location: 'narrow', prefix: 24 })
  assert.deepEqual(matcher.match(clientOfAddress('10.9.9.9') ?? assert.fail()), { location: 'wide', prefix: 8 })
  assert.deepEqual(matcher.match(clientOfAddress('2001:db8:0:1234::5') ?? assert.fail()), { location: 'narrow', prefix: 48 })
  assert.deepEqual(matcher.match(clientOfAddress('2001:db8:ffff::1') ?? assert.fail()), { location: 'wide', prefix: 32 })
  assert.equal(matcher.match(clientOfAddress('192.0.2.1') ?? assert.fail()), undefined)
  assert.deepEqual(matcher.match(clientOfAddress('::ffff:10.1.2.3') ?? assert.fail()), { location: 'narrow', prefix: 24 }, 'an IPv4-mapped address is IPv4')
})

test('CIDR matching: a client subnet shorter than a block does not match it (Route 53\'s rule)', () => {
  assert.deepEqual(matcher.match(subnet('10.1.2.0', 16)), { location: 'wide', prefix: 8 })
  assert.deepEqual(matcher.match(subnet('2001:db8::', 32)), { location: 'wide', prefix: 32 })
  assert.equal(matcher.match(subnet('10.0.0.0', 0)), undefined, 'ECS /0: the client asked for no location')
})
