import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lambdaEvent, lambdaResponse } from '../../../src/dataplane/lambda/event.js'

const TG = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/fn/0123456789abcdef'
const req = (target: string, rawHeaders: string[] = [], body = Buffer.alloc(0), method = 'GET') => ({ method, target, rawHeaders, body })

test('ALB\'s event: the query undecoded with the last value of a name, lowercase headers without hop-by-hop ones', () => {
  const e = JSON.parse(lambdaEvent(TG, req('/a/b?x=1&x=2&q=a%20b&flag', ['Host', 'h', 'X-Multi', 'one', 'x-multi', 'two', 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked']), false, false)) as Record<string, unknown>
  assert.deepEqual(e, {
    requestContext: { elb: { targetGroupArn: TG } },
    httpMethod: 'GET',
    path: '/a/b',
    queryStringParameters: { x: '2', q: 'a%20b', flag: '' },
    headers: { host: 'h', 'x-multi': 'two' },
    body: '',
    isBase64Encoded: false,
  })
})

test('with multi-value headers the event has every value of a name, and no single-value fields', () => {
  const e = JSON.parse(lambdaEvent(TG, req('/?x=1&x=2', ['X-Multi', 'one', 'x-multi', 'two']), true, false)) as Record<string, unknown>
  assert.deepEqual(e.multiValueQueryStringParameters, { x: ['1', '2'] })
  assert.deepEqual(e.multiValueHeaders, { 'x-multi': ['one', 'two'] })
  assert.equal(e.headers, undefined)
  assert.equal(e.queryStringParameters, undefined)
})

test('a text body stays text; a binary or content-encoded one is base64; a health check event has only the User-Agent', () => {
  const text = JSON.parse(lambdaEvent(TG, req('/', ['content-type', 'application/json; charset=utf-8'], Buffer.from('{"a":1}'), 'POST'), false, false)) as { body: string; isBase64Encoded: boolean }
  assert.deepEqual([text.body, text.isBase64Encoded], ['{"a":1}', false])
  const form = JSON.parse(lambdaEvent(TG, req('/', ['content-type', 'application/x-www-form-urlencoded'], Buffer.from('a=1'), 'POST'), false, false)) as { body: string; isBase64Encoded: boolean }
  assert.deepEqual([form.body, form.isBase64Encoded], [Buffer.from('a=1').toString('base64'), true])
  const gz = JSON.parse(lambdaEvent(TG, req('/', ['content-type', 'text/plain', 'content-encoding', 'gzip'], Buffer.from([31, 139]), 'POST'), false, false)) as { body: string; isBase64Encoded: boolean }
  assert.deepEqual([gz.body, gz.isBase64Encoded], [Buffer.from([31, 139]).toString('base64'), true])
  const hc = JSON.parse(lambdaEvent(TG, req('/health', ['Host', 'x', 'User-Agent', 'ELB-HealthChecker/2.0']), false, true)) as { headers: Record<string, string> }
  assert.deepEqual(hc.headers, { 'user-agent': 'ELB-HealthChecker/2.0' })
})

test('the function\'s answer: status and reason, headers or multiValueHeaders, a base64 body decoded', () => {
  assert.deepEqual(lambdaResponse(JSON.stringify({ statusCode: 200, statusDescription: '200 Fine', headers: { a: 'b', n: 1 }, body: 'x' }), false), { status: 200, reason: 'Fine', headers: [['a', 'b'], ['n', '1']], body: Buffer.from('x') })
  assert.deepEqual(lambdaResponse(JSON.stringify({ statusCode: 204 }), false), { status: 204, reason: 'No Content', headers: [], body: Buffer.alloc(0) })
  assert.deepEqual(lambdaResponse(JSON.stringify({ statusCode: 200, multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] }, body: Buffer.from([0, 255]).toString('base64'), isBase64Encoded: true }), true)?.headers, [['set-cookie', 'a=1'], ['set-cookie', 'b=2']])
  assert.deepEqual([...(lambdaResponse(JSON.stringify({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }), false)?.body ?? [])], [0, 255])
})

test('answers ALB cannot use are refused (502 LambdaInvalidResponse)', () => {
  for (const bad of ['not json', '"text"', '[]', '{}', '{"statusCode":"200"}', '{"statusCode":99}', '{"statusCode":200,"headers":{"bad name":"x"}}', '{"statusCode":200,"headers":{"a":"x\\ny"}}', '{"statusCode":200,"body":{}}', '{"statusCode":200,"headers":{"a":{}}}']) {
    assert.equal(lambdaResponse(bad, false), undefined, bad)
  }
})
