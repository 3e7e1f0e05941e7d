import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileActions } from '../../../src/dataplane/actions/compile.js'
import type { RedirectPlan } from '../../../src/dataplane/actions/plan.js'
import { buildLocation } from '../../../src/dataplane/actions/redirect.js'
import { findCookie } from '../../../src/dataplane/balancer/cookies.js'
import { STATUS } from '../../../src/dataplane/errors.js'
import { errorPage, redirectResponse } from '../../../src/dataplane/exchange/local-response.js'
import { localHead } from '../../../src/dataplane/http1/local-head.js'
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
  const page = errorPage(504)
  assert.equal(errorPage(504), page, 'made once per status')
  assert.match(page.body.toString(), /<title>504 Gateway Time-out<\/title>/)
  const now = Date.UTC(2026, 11, 8, 2, 0, 0)
  assert.equal(
    localHead(page, now, false, {}),
    `HTTP/1.1 504 Gateway Time-out\r\nserver: awselb/2.0\r\ndate: Tue, 08 Dec 2026 02:00:00 GMT\r\ncontent-type: text/html\r\ncontent-length: ${page.body.length}\r\nconnection: close\r\n\r\n`,
  )
  assert.equal(
    localHead(redirectResponse(301, 'https://a.example/'), now, true, {}),
    'HTTP/1.1 301 Moved Permanently\r\nserver: awselb/2.0\r\ndate: Tue, 08 Dec 2026 02:00:00 GMT\r\ncontent-type: text/html\r\nlocation: https://a.example/\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n',
  )
})
