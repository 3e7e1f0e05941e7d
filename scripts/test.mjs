#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node:test.
// `npm test -- dns` runs only the files whose path contains "dns".
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
const failedList = join(mkdtempSync(join(tmpdir(), 'openalb-test-')), 'failed-files.txt')
const reporter = new URL('./failed-files-reporter.mjs', import.meta.url).pathname
const run = (paths, extra = []) =>
  spawnSync(
    process.execPath,
    ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', ...extra, `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...paths],
    { stdio: 'inherit', env },
  ).status ?? 1
const status = run(files, [`--test-reporter=${reporter}`, `--test-reporter-destination=${failedList}`])
if (status === 0) process.exit(0)

// A file that fails is run once more, alone, on a quieter machine: a failure that does not come
// back is reported as flaky (by name, above the exit) and does not fail the run; one that does
// come back fails it. More than three failing files is no flake: no second run.
const failed = existsSync(failedList) ? readFileSync(failedList, 'utf8').split('\n').filter((f) => f !== '') : []
if (failed.length === 0 || failed.length > 3) process.exit(status)
console.log(`\n${failed.length} test file(s) failed; running them once more, alone:\n${failed.map((f) => `  ${f}`).join('\n')}\n`)
const again = run(failed)
if (again !== 0) {
  console.log(`\nfailed again: ${failed.join(', ')}`)
  process.exit(again)
}
console.log(`\nFLAKY: ${failed.join(', ')} failed in the full run and passed when run again alone (their first failures are printed above)`)
process.exit(0)
