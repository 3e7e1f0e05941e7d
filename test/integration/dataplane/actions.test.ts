import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import { fixed, forward, freePort, get, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup } from './fixtures.js'

const redirect = (r: Partial<Extract<Action, { type: 'redirect' }>['redirect']>): Action => ({
  type: 'redirect',
  order: 1,
  redirect: { protocol: '#{protocol}', port: '#{port}', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301', ...r },
})

test('forward sends the request to the target and streams its answer back', async (t) => {
  const backend = await startBackend(t, 'web-1')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const r = await get(port, '/hello?x=1', { host: 'api.example.test' })
  assert.equal(r.status, 200)
  assert.equal(r.body, 'web-1')
  assert.equal(backend.seen[0]?.url, '/hello?x=1')
  assert.equal(backend.seen[0]?.headers.host, 'api.example.test')
})

test('fixed-response answers with the configured status, content type and body', async (t) => {
  const port = await freePort()
  await startDataplane(t, state(1, loadBalancer(), listener(port, [fixed('418', '{"ok":false}', 'application/json')])))
  const r = await get(port, '/', { host: 'x.test' })
  assert.equal(r.status, 418)
  assert.equal(r.headers['content-type'], 'application/json; charset=utf-8')
  assert.equal(r.body, '{"ok":false}')
  assert.equal(r.headers.server, 'awselb/2.0')
})

const redirectCases: { desc: string; action: Action; path: string; host: string; location: string; status: number }[] = [
  {
    desc: 'HTTP to HTTPS keeps host, path and query and drops the default port',
    action: redirect({ protocol: 'HTTPS', port: '443' }),
    path: '/a/b?c=d',
    host: 'api.example.test',
    location: 'https://api.example.test/a/b?c=d',
    status: 301,
  },
  {
    desc: 'a non-default port stays in the Location',
    action: redirect({ protocol: 'HTTPS', port: '8443', statusCode: 'HTTP_302' }),
    path: '/',
    host: 'api.example.test:8080',
    location: 'https://api.example.test:8443/',
    status: 302,
  },
  {
    desc: '#{path} has no leading slash and placeholders combine in path and query',
    action: redirect({ host: 'new.example.test', path: '/v2/#{path}', query: 'from=#{host}&#{query}' }),
    path: '/items/7?q=1',
    host: 'old.example.test',
    location: 'http://new.example.test:PORT/v2/items/7?from=old.example.test&q=1',
    status: 301,
  },
  {
    desc: 'an empty query leaves no question mark',
    action: redirect({ protocol: 'HTTPS', port: '443' }),
    path: '/only',
    host: 'a.test',
    location: 'https://a.test/only',
    status: 301,
  },
]

for (const c of redirectCases) {
  test(`redirect: ${c.desc}`, async (t) => {
    // #{port} in a Location is the listener's configured port: the test names it before binding.
    const port = await freePort()
    await startDataplane(t, state(1, loadBalancer(), listener(port, [c.action])))
    const r = await get(port, c.path, { host: c.host })
    assert.equal(r.status, c.status)
    assert.equal(r.headers.location, c.location.replace('PORT', String(port)))
  })
}

test('rules are evaluated by priority and the default action comes last', async (t) => {
  const l = listener(0, [fixed('200', 'default')])
  const rules = [
    rule(l, 20, [{ field: 'path-pattern', values: ['/api/*'] }], [fixed('200', 'twenty')]),
    rule(l, 10, [{ field: 'path-pattern', values: ['/api/v1/*'] }], [fixed('200', 'ten')]),
  ]
  const dp = await startDataplane(t, state(1, loadBalancer(), l, ...rules))
  const port = portOf(dp)
  assert.equal((await get(port, '/api/v1/x')).body, 'ten')
  assert.equal((await get(port, '/api/v2/x')).body, 'twenty')
  assert.equal((await get(port, '/other')).body, 'default')
})

test('regex conditions route: a host regex and a path regex, anchored as written', async (t) => {
  const l = listener(0, [fixed('200', 'default')])
  const rules = [
    rule(l, 10, [{ field: 'host-header', values: [], regexValues: ['^tenant-[0-9]+\\.example\\.test$'] }], [fixed('200', 'tenant')]),
    rule(l, 20, [{ field: 'path-pattern', values: [], regexValues: ['^/api/v[0-9]+/'] }], [fixed('200', 'api')]),
  ]
  const dp = await startDataplane(t, state(1, loadBalancer(), l, ...rules))
  const port = portOf(dp)
  assert.equal((await get(port, '/', { host: 'Tenant-42.example.test' })).body, 'tenant')
  assert.equal((await get(port, '/', { host: 'tenant-x.example.test' })).body, 'default')
  assert.equal((await get(port, '/api/v3/users')).body, 'api')
  assert.equal((await get(port, '/old/api/v3/users')).body, 'default')
})
