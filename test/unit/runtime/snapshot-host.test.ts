import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostForTarget } from '../../../src/dataplane/exchange/request-fields.js'
import type { ListenerSnapshot } from '../../../src/dataplane/snapshot.js'
import { hostPortRule } from '../../../src/runtime/snapshot.js'

test("ALB's Host rule: the protocol's own port strips a client's port, another port is appended, preserve does nothing", () => {
  assert.deepEqual(hostPortRule('HTTP', 80, false), { hostPortSuffix: '', hostPortStrip: true })
  assert.deepEqual(hostPortRule('HTTPS', 443, false), { hostPortSuffix: '', hostPortStrip: true })
  assert.deepEqual(hostPortRule('HTTP', 443, false), { hostPortSuffix: ':443', hostPortStrip: false })
  assert.deepEqual(hostPortRule('HTTPS', 8443, false), { hostPortSuffix: ':8443', hostPortStrip: false })
  assert.deepEqual(hostPortRule('HTTP', 8080, true), { hostPortSuffix: '', hostPortStrip: false })
  assert.deepEqual(hostPortRule('HTTP', 80, true), { hostPortSuffix: '', hostPortStrip: false })
})

test('the Host a target gets under each rule, IPv6 literals included', () => {
  const on8080 = { hostPortSuffix: ':8080', hostPortStrip: false } as ListenerSnapshot
  const on80 = { hostPortSuffix: '', hostPortStrip: true } as ListenerSnapshot
  const preserve = { hostPortSuffix: '', hostPortStrip: false } as ListenerSnapshot
  assert.equal(hostForTarget('a.example', on8080), 'a.example:8080')
  assert.equal(hostForTarget('a.example:9999', on8080), 'a.example:9999')
  assert.equal(hostForTarget('[2001:db8::1]', on8080), '[2001:db8::1]:8080')
  assert.equal(hostForTarget('a.example:8080', on80), 'a.example')
  assert.equal(hostForTarget('[2001:db8::1]:80', on80), '[2001:db8::1]')
  assert.equal(hostForTarget('[2001:db8::1]', on80), '[2001:db8::1]')
  assert.equal(hostForTarget('a.example', on80), 'a.example')
  assert.equal(hostForTarget('a.example:8080', preserve), 'a.example:8080')
  assert.equal(hostForTarget('', on8080), '')
})
