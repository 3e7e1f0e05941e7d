import assert from 'node:assert/strict'
import { test } from 'node:test'
import { z } from 'zod'
import { awsName, formatPath, parseWith, port } from '../../../src/model/schema-util.js'

test('paths render as a.b[0].c', () => {
  const cases = [
    { desc: 'empty', path: [], want: '' },
    { desc: 'one key', path: ['name'], want: 'name' },
    { desc: 'nested keys', path: ['healthCheck', 'path'], want: 'healthCheck.path' },
    { desc: 'an index after a key', path: ['targets', 0, 'port'], want: 'targets[0].port' },
    { desc: 'a leading index', path: [2, 'field'], want: '[2].field' },
    { desc: 'two indexes', path: ['rules', 1, 'conditions', 0], want: 'rules[1].conditions[0]' },
  ]
  for (const c of cases) assert.equal(formatPath(c.path), c.want, c.desc)
})

test('parseWith returns the parsed value with defaults on success', () => {
  const r = parseWith(z.strictObject({ a: z.number().default(1) }), {})
  assert.deepEqual(r, { ok: true, value: { a: 1 } })
})

test('parseWith reports each unknown key on its own line, with its path and the prefix', () => {
  const schema = z.strictObject({ inner: z.strictObject({ a: z.number() }) })
  const r = parseWith(schema, { inner: { a: 1, b: 2, c: 3 }, d: 4 }, 'targetGroup')
  assert.equal(r.ok, false)
  if (r.ok) return
  assert.deepEqual(
    [...r.error].sort((x, y) => x.path.localeCompare(y.path)),
    [
      { path: 'targetGroup.d', message: 'unknown key d' },
      { path: 'targetGroup.inner.b', message: 'unknown key b' },
      { path: 'targetGroup.inner.c', message: 'unknown key c' },
    ],
  )
})

test('a prefix joins an index path without a dot', () => {
  const r = parseWith(z.array(z.number()), [1, 'x'], 'targets')
  assert.equal(r.ok, false)
  if (!r.ok) assert.deepEqual(r.error.map((f) => f.path), ['targets[1]'])
})

test('a failed union reports the branch that got furthest, not "invalid input"', () => {
  const schema = z.union([z.string(), z.strictObject({ a: z.strictObject({ b: z.number() }) })])
  const r = parseWith(schema, { a: { b: 'x' } })
  assert.equal(r.ok, false)
  if (!r.ok) assert.deepEqual(r.error.map((f) => f.path), ['a.b'])
})

test('awsName and port ranges', () => {
  const cases = [
    { desc: 'name a', schema: awsName, input: 'a', ok: true },
    { desc: 'name a-b', schema: awsName, input: 'a-b', ok: true },
    { desc: 'name a--b (inner double hyphen)', schema: awsName, input: 'a--b', ok: true },
    { desc: 'name of 32', schema: awsName, input: 'x'.repeat(32), ok: true },
    { desc: 'name of 33', schema: awsName, input: 'x'.repeat(33), ok: false },
    { desc: 'name -', schema: awsName, input: '-', ok: false },
    { desc: 'port 1', schema: port, input: 1, ok: true },
    { desc: 'port 65535', schema: port, input: 65535, ok: true },
    { desc: 'port 0', schema: port, input: 0, ok: false },
    { desc: 'port 65536', schema: port, input: 65536, ok: false },
  ] as const
  for (const c of cases) assert.equal(parseWith(c.schema, c.input).ok, c.ok, c.desc)
})
