import assert from 'node:assert/strict'
import { test } from 'node:test'
import { targetGroupSpec } from '../../../src/model/target-group.js'
import { parsed, table } from './table.js'

const grpc = (healthCheck: Record<string, unknown> = {}) => ({ name: 'grpc-tg', protocolVersion: 'GRPC', healthCheck })

test('a GRPC group checks /AWS.ALB/healthcheck and passes on gRPC code 12 unless told otherwise', () => {
  const hc = parsed(targetGroupSpec, grpc()).healthCheck
  assert.equal(hc.path, '/AWS.ALB/healthcheck')
  assert.equal(hc.grpcMatcher, '12')
  const own = parsed(targetGroupSpec, grpc({ path: '/grpc.health.v1.Health/Check', grpcMatcher: '0' })).healthCheck
  assert.equal(own.path, '/grpc.health.v1.Health/Check')
  assert.equal(own.grpcMatcher, '0')
})

test('HTTP1 and HTTP2 groups keep the HTTP defaults and carry no gRPC codes', () => {
  for (const protocolVersion of ['HTTP1', 'HTTP2']) {
    const hc = parsed(targetGroupSpec, { name: 'web-tg', protocolVersion }).healthCheck
    assert.equal(hc.path, '/')
    assert.equal(hc.matcher, '200')
    assert.equal(hc.grpcMatcher, undefined)
  }
})

test('parsing a GRPC group twice gives the same group (config apply re-validates what it parsed)', () => {
  const once = parsed(targetGroupSpec, grpc())
  assert.deepEqual(parsed(targetGroupSpec, once), once)
})

table('gRPC success codes', targetGroupSpec, [
  { desc: 'one code 0', input: grpc({ grpcMatcher: '0' }) },
  { desc: 'the highest code 99', input: grpc({ grpcMatcher: '99' }) },
  { desc: 'a list 0,12', input: grpc({ grpcMatcher: '0,12' }) },
  { desc: 'a range 0-5 and a code', input: grpc({ grpcMatcher: '0-5,12' }) },
  { desc: 'code 100', input: grpc({ grpcMatcher: '100' }), path: 'healthCheck.grpcMatcher', message: /0-99/ },
  { desc: 'a reversed range 5-1', input: grpc({ grpcMatcher: '5-1' }), path: 'healthCheck.grpcMatcher', message: /low-high/ },
  { desc: 'an empty list', input: grpc({ grpcMatcher: '' }), path: 'healthCheck.grpcMatcher' },
  { desc: 'gRPC codes on an HTTP1 group', input: { name: 'web-tg', healthCheck: { grpcMatcher: '0' } }, path: 'healthCheck.grpcMatcher', message: /protocol version GRPC/ },
  { desc: 'gRPC codes on an HTTP2 group', input: { name: 'web-tg', protocolVersion: 'HTTP2', healthCheck: { grpcMatcher: '0' } }, path: 'healthCheck.grpcMatcher' },
  { desc: 'HTTP codes other than the default on a GRPC group', input: grpc({ matcher: '200-299' }), path: 'healthCheck.matcher', message: /grpcMatcher/ },
])
