// docs/settings.md lists every OPENALB_* variable the code reads and every flag of the CLI.
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Command } from 'commander'
import { buildProgram } from '../../src/cli/main.js'
import { repoRoot } from '../helpers/shared.js'

const page = readFileSync(join(repoRoot, 'docs', 'settings.md'), 'utf8')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs)$/.test(f) ? [p] : []
  })
}

test('every OPENALB_* variable in the code is on the settings page', () => {
  const names = new Set<string>()
  for (const f of [...files(join(repoRoot, 'src')), ...files(join(repoRoot, 'scripts'))]) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bOPENALB_[A-Z_]+[A-Z]\b/g)) names.add(m[0])
  }
  names.delete('OPENALB_DATA_DIR_IN_USE') // an error code, not a variable
  assert.ok(names.size >= 10, `found ${names.size} variables: the scan works`)
  const missing = [...names].filter((n) => !page.includes(`\`${n}\``))
  assert.deepEqual(missing, [], 'docs/settings.md lists them')
})

test('every flag of every command is on the settings page', () => {
  const missing: string[] = []
  const visit = (c: Command, path: string) => {
    for (const o of c.options) if (!page.includes(o.flags.replace(/ <.*$| \[.*$/, ''))) missing.push(`${path} ${o.flags}`)
    for (const sub of c.commands) visit(sub, `${path} ${sub.name()}`.trim())
  }
  visit(buildProgram(() => undefined), 'openalb')
  assert.deepEqual(missing, [], 'docs/settings.md lists them')
})
