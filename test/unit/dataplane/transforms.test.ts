import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileTransforms, REWRITE_FAILED, type RuleTransforms } from '../../../src/dataplane/router/transforms.js'
import type { Transform } from '../../../src/model/rule.js'

function compiled(...transforms: Transform[]): RuleTransforms {
  const c = compileTransforms(transforms)
  assert.ok(c.ok && c.value !== undefined)
  return c.value
}
const url = (regex: string, replace: string): Transform => ({ type: 'url-rewrite', rewrites: [{ regex, replace }] })
const host = (regex: string, replace: string): Transform => ({ type: 'host-header-rewrite', rewrites: [{ regex, replace }] })

test('no transforms compile to nothing: the request path pays one undefined check', () => {
  assert.deepEqual(compileTransforms([]), { ok: true, value: undefined })
  assert.deepEqual(compileTransforms(undefined), { ok: true, value: undefined })
})

const URL_CASES: { desc: string; t: Transform; input: string; out: string | null }[] = [
  { desc: 'AWS example: /dp/ID becomes a query', t: url('^/dp/([A-Za-z0-9]+)/?$', '/product.php?id=$1'), input: '/dp/B09G3HRMVB', out: '/product.php?id=B09G3HRMVB' },
  { desc: 'a prefix stripped, the query kept', t: url('^/api/(.*)$', '/$1'), input: '/api/users?id=7', out: '/users?id=7' },
  { desc: 'the query is part of what the regex sees', t: url('\\?debug=1', ''), input: '/a?debug=1', out: '/a' },
  { desc: 'only the first match is replaced', t: url('x', 'y'), input: '/x/x', out: '/y/x' },
  { desc: 'no match: unchanged', t: url('^/api/(.*)$', '/$1'), input: '/web/index.html', out: '/web/index.html' },
  { desc: 'a group the regex lacks is kept as written', t: url('^/a(.*)$', '/b$2'), input: '/a1', out: '/b$2' },
  { desc: 'a result that is not origin-form fails', t: url('^/(.*)$', '$1'), input: '/a', out: REWRITE_FAILED },
  { desc: 'a result with a space fails', t: url('^/a$', '/a b'), input: '/a', out: REWRITE_FAILED },
  { desc: 'a result with a control byte fails', t: url('^/a$', '/a\tb'), input: '/a', out: REWRITE_FAILED },
]

for (const c of URL_CASES) {
  test(`url-rewrite: ${c.desc}`, () => {
    assert.equal(compiled(c.t).url(c.input), c.out)
    // The host is left alone by a url-rewrite.
    assert.equal(compiled(c.t).host('a.example.test'), 'a.example.test')
  })
}

const HOST_CASES: { desc: string; t: Transform; input: string; out: string | null }[] = [
  { desc: 'AWS example: mywebsite-X.com to internal.dev.X.myweb.com', t: host('^mywebsite-(.+).com$', 'internal.dev.$1.myweb.com'), input: 'mywebsite-example.com', out: 'internal.dev.example.myweb.com' },
  { desc: 'the port is not seen by the regex, and is kept', t: host('^api\\.(.*)$', 'internal.$1'), input: 'api.example.test:8080', out: 'internal.example.test:8080' },
  { desc: 'an IPv6 literal with a port', t: host('^\\[::1\\]$', 'localhost'), input: '[::1]:8443', out: 'localhost:8443' },
  { desc: 'no match: unchanged', t: host('^api\\.', 'internal.'), input: 'www.example.test', out: 'www.example.test' },
  { desc: 'an empty result fails', t: host('^.*$', ''), input: 'a.example.test', out: REWRITE_FAILED },
  { desc: 'a result with a slash fails', t: host('^a', 'b/c'), input: 'a.example.test', out: REWRITE_FAILED },
]

for (const c of HOST_CASES) {
  test(`host-header-rewrite: ${c.desc}`, () => {
    assert.equal(compiled(c.t).host(c.input), c.out)
    assert.equal(compiled(c.t).url('/a?b'), '/a?b')
  })
}

test('a pattern that would backtrack without bound runs in linear time (RE2)', () => {
  const t = compiled(url('^/(a+)+$', '/x'))
  // A backtracking engine would not return from this within the test's lifetime.
  const input = `/${'a'.repeat(50_000)}!`
  assert.equal(t.url(input), input)
})
