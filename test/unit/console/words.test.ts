import assert from 'node:assert/strict'
import { test } from 'node:test'
import { actionsInWords, conditionInWords } from '../../../src/console/words.js'
import type { Action } from '../../../src/model/action.js'

test('conditions read as sentences, values ORed, regexes shown as patterns', () => {
  assert.equal(conditionInWords({ field: 'host-header', values: ['api.example.test', '*.example.org'] }), 'Host is “api.example.test” or “*.example.org”')
  assert.equal(conditionInWords({ field: 'path-pattern', values: [], regexValues: ['^/v[0-9]+/'] }), 'Path matches /^/v[0-9]+//')
  assert.equal(conditionInWords({ field: 'http-header', name: 'X-Env', values: ['blue'], regexValues: ['^gr'] }), 'Header X-Env is “blue” or matches /^gr/')
  assert.equal(conditionInWords({ field: 'query-string', values: [{ key: 'v', value: '2' }, { value: 'debug' }] }), 'Query has v=“2” or a value “debug”')
  assert.equal(conditionInWords({ field: 'source-ip', values: ['10.0.0.0/8'] }), 'Source IP is in 10.0.0.0/8')
  assert.equal(conditionInWords({ field: 'http-request-method', values: ['GET', 'HEAD'] }), 'Method is “GET” or “HEAD”')
})

test('actions read in their order, target groups by name', () => {
  const names = (arn: string) => ({ 'arn:tg/a': 'blue', 'arn:tg/b': 'green' })[arn] ?? arn
  const forward: Action = { type: 'forward', order: 2, targetGroups: [{ targetGroupArn: 'arn:tg/a', weight: 80 }, { targetGroupArn: 'arn:tg/b', weight: 20 }], stickiness: { enabled: true, durationSeconds: 60 } }
  assert.equal(actionsInWords([forward], names), 'Forward to blue (weight 80), green (weight 20), sticky for 60 s')
  const redirect: Action = { type: 'redirect', order: 1, redirect: { protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' } }
  assert.equal(actionsInWords([redirect], names), 'Redirect to https://#{host}:443/#{path}?#{query} (301, permanent)')
  const fixed: Action = { type: 'fixed-response', order: 1, fixedResponse: { statusCode: '503', contentType: 'text/plain', messageBody: 'down' } }
  assert.equal(actionsInWords([fixed], names), 'Return a fixed response 503 “down”')
})
