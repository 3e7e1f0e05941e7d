import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileActions } from '../../../src/dataplane/actions/compile.js'
import type { RedirectPlan } from '../../../src/dataplane/actions/plan.js'
import { buildLocation } from '../../../src/dataplane/actions/redirect.js'
import { findCookie } from '../../../src/dataplane/balancer/cookies.js'
import { STATUS, errorResponse } from '../../../src/dataplane/errors.js'
import { traceHeader } from '../../../src/dataplane/trace-id.js'

function plan(r: Partial<RedirectPlan> & object): RedirectPlan {
  const compiled = compileActions([
    { type: 'redirect', order: 1, redirect: { protocol: '#{protocol}', port: '#{port}', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_302', ...(r as object) } },
  ])
  assert.equal(compiled?.kind, 'redirect')
  return compiled as RedirectPlan
}

test('redirect Location: #{port} on the protocol default is left out', () => {
  const p = plan({ host: 'b.test' } as never)
  assert.equal(buildLocation(p, { protocol: 'http', host: 'a.test', port: 80, path: '/x', query: '' }), 'http://b.test/x')
  assert.equal(buildLocation(p, { protocol: 'http', host: 'a.test', port: 8080, path: '/x', query: 'q=1' }), 'http://b.test:8080/x?q=1')
})

test('redirect Location: HTTPS with #{port} keeps the listener port', () => {
  const p = plan({ protocol: 'HTTPS' } as never)
  assert.equal(buildLocation(p, { protocol: 'http', host: 'a.test', port: 80, path: '/', query: '' }), 'https://a.test:80/')
})

test('trace header: Root when absent, Self added before a client Root, a stale Self replaced', () => {
  assert.match(traceHeader(undefined, 0x5f000000 * 1000), /^Root=1-5f000000-[0-9a-f]{24}$/)
  assert.match(traceHeader('Root=1-a-b', 0), /^Self=1-00000000-[0-9a-f]{24};Root=1-a-b$/)
  assert.match(traceHeader('Self=1-x-y;Root=1-a-b;Foo=bar', 0), /^Self=1-00000000-[0-9a-f]{24};Root=1-a-b;Foo=bar$/)
  assert.match(traceHeader('Foo=bar', 0), /^Root=1-00000000-[0-9a-f]{24};Foo=bar$/)
})

test('cookies are found by exact name among several Cookie headers', () => {
  const names = ['Host', 'Cookie', 'cookie']
  const values = ['a', 'XAWSALB=no; AWSALBTG=g', 'a=1; AWSALB=yes']
  assert.equal(findCookie(names, values, 'AWSALB'), 'yes')
  assert.equal(findCookie(names, values, 'AWSALBTG'), 'g')
  assert.equal(findCookie(names, values, 'missing'), undefined)
})

test('every proxy failure kind has a status, and error pages carry ALB\'s title', () => {
  for (const status of Object.values(STATUS)) assert.ok(status >= 400 && status < 600)
  assert.match(errorResponse(504, true, false).toString(), /^HTTP\/1\.1 504 Gateway Time-out\r\n[\s\S]*<title>504 Gateway Time-out<\/title>/)
  assert.doesNotMatch(errorResponse(502, false, true).toString(), /<html>/)
})
