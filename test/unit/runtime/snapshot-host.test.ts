import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hostPortSuffix } from '../../../src/runtime/snapshot.js'

test("ALB's Host rule: the protocol's own port adds nothing, another port is appended, preserve adds nothing", () => {
  assert.equal(hostPortSuffix('HTTP', 80, false), '')
  assert.equal(hostPortSuffix('HTTPS', 443, false), '')
  assert.equal(hostPortSuffix('HTTP', 443, false), ':443')
  assert.equal(hostPortSuffix('HTTPS', 8443, false), ':8443')
  assert.equal(hostPortSuffix('HTTP', 8080, true), '')
})
