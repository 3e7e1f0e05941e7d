import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { z } from 'zod'
import type { Failure } from '../../../src/model/result.js'
import { parseWith } from '../../../src/model/schema-util.js'

/**
 * One row of a validation table. A row without `path` must parse; a row with `path` must fail
 * with a failure at exactly that path (and, if given, a message matching `message`).
 */
export interface Row {
  readonly desc: string
  readonly input: unknown
  readonly path?: string
  readonly message?: RegExp
  /** Marks a row that shows a known bug: it runs, but does not fail the suite. */
  readonly todo?: string
}

export function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = parseWith(schema, input)
  if (!r.ok) assert.fail(`expected ${JSON.stringify(input)} to be valid, got ${JSON.stringify(r.error)}`)
  return r.value
}

export function failuresOf<S extends z.ZodType>(schema: S, input: unknown): readonly Failure[] {
  const r = parseWith(schema, input)
  if (r.ok) assert.fail(`expected ${JSON.stringify(input)} to be refused, got ${JSON.stringify(r.value)}`)
  return r.error
}

export function assertFailure<S extends z.ZodType>(schema: S, input: unknown, path: string, message?: RegExp): void {
  const failures = failuresOf(schema, input)
  const at = failures.filter((f) => f.path === path)
  assert.ok(at.length > 0, `expected a failure at '${path}', got ${JSON.stringify(failures)}`)
  if (message) assert.ok(at.some((f) => message.test(f.message)), `expected a message matching ${message} at '${path}', got ${JSON.stringify(at)}`)
}

export function table<S extends z.ZodType>(title: string, schema: S, rows: readonly Row[]): void {
  for (const row of rows) {
    const verdict = row.path === undefined ? 'accepted' : `refused at ${row.path === '' ? '(root)' : row.path}`
    test(`${title}: ${row.desc} is ${verdict}`, row.todo ? { todo: row.todo } : {}, () => {
      if (row.path === undefined) parsed(schema, row.input)
      else assertFailure(schema, row.input, row.path, row.message)
    })
  }
}
