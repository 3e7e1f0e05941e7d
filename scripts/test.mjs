#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node:test.
// `npm test -- dns` runs only the files whose path contains "dns".
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('../dist/test', import.meta.url).pathname
const filters = process.argv.slice(2)

function walk(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else if (name.endsWith('.test.js')) out.push(p)
  }
  return out
}

const files = walk(root)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
// --test-timeout caps each test and also each file as a whole: the docs test (every block of
// docs/) and the AWS CLI v2 files run for minutes on 2 busy cores, so files get 10 minutes; a test
// that must fail sooner sets its own timeout.
// Two files at a time on a developer's machine; one at a time in CI (CI=true), where a run must not
// fail on what two files do to each other on 2 cores (CPU-starved timing, instance addresses
// handed out by two openalbs in the same millisecond).
const concurrency = process.env.CI ? 1 : 2
// The spec reporter (not TAP, node's default when stdout is not a terminal) repeats every failing
// test with its error at the very end, where a CI log cut to its tail still shows it.
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files],
  { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
)
process.exit(result.status ?? 1)
