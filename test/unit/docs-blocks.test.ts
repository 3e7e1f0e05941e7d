// The docs-block parser: runs, markers and the rewriting of `openalb up` lines.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { controlAddress, docRuns, expectation, runnable } from '../helpers/docs-blocks.js'

const page = [
  'Intro',
  '```sh',
  'echo one',
  '```',
  '<!-- docs-test: expect /on./ -->',
  '<!-- docs-test: skip needs sudo -->',
  '```sh',
  'sudo thing',
  '```',
  '<!-- docs-test: fresh -->',
  '<!-- docs-test: before',
  'npx openalb up -c x.yaml',
  '-->',
  '  ```bash',
  '  echo two',
  '  ```',
  '```yaml',
  'not: a command',
  '```',
].join('\n')

test('a page splits into runs at fresh markers, with skips, befores and expects on their blocks', () => {
  const runs = docRuns('p.md', page)
  assert.equal(runs.length, 2)
  const [first, second] = runs
  assert.deepEqual(first!.blocks.map((b) => [b.line, b.code, b.skip]), [[3, 'echo one', undefined], [8, 'sudo thing', 'needs sudo']])
  assert.deepEqual(first!.blocks[0]!.expects, [{ line: 5, text: '/on./' }])
  assert.equal(second!.line, 10)
  assert.deepEqual(second!.blocks.map((b) => [b.line, b.code]), [[15, 'echo two']])
  assert.deepEqual(second!.blocks[0]!.before, [{ line: 11, code: 'npx openalb up -c x.yaml' }])
})

test('markers that cannot mean anything are errors with the page line', () => {
  assert.throws(() => docRuns('p.md', '<!-- docs-test: skip -->\n```sh\nx\n```'), /p\.md:1: docs-test skip needs a reason/)
  assert.throws(() => docRuns('p.md', '<!-- docs-test: sometimes -->'), /p\.md:1: unknown docs-test marker "sometimes"/)
  assert.throws(() => docRuns('p.md', '<!-- docs-test: expect x -->'), /p\.md:1: docs-test expect comes before any block/)
  assert.throws(() => docRuns('p.md', 'a\n<!-- docs-test: skip why -->'), /no block after it/)
  assert.throws(() => docRuns('p.md', '```sh\nx'), /p\.md:1: code block never closed/)
})

test('expectations are substrings, or regexes between slashes', () => {
  assert.equal(expectation('a.b')('xa.by'), true)
  assert.equal(expectation('a.b')('axb'), false)
  assert.equal(expectation('/^a.b$/m')('q\naxb\n'), true)
})

test('openalb up lines go to the background and wait for their control endpoint; /tmp/ moves', () => {
  assert.equal(runnable('npx openalb up -c x.yaml', '/T'), 'npx openalb up -c x.yaml & docs_wait_port 127.0.0.1 4566')
  assert.equal(runnable('X=1 openalb up --run-user-data &   # comment', '/T'), 'X=1 openalb up --run-user-data & docs_wait_port 127.0.0.1 4566')
  assert.equal(runnable('npx openalb up --node-address 127.0.0.3 > /tmp/n.log 2>&1 &', '/T'), 'npx openalb up --node-address 127.0.0.3 > /T/n.log 2>&1 & docs_wait_port 127.0.0.3 4566')
  assert.equal(runnable('# npx openalb up', '/T'), '# npx openalb up')
  assert.equal(runnable('openalb upgrade', '/T'), 'openalb upgrade')
  assert.equal(runnable('cat /tmp/a file:///tmp/b', '/T'), 'cat /T/a file:///tmp/b')
  assert.deepEqual(controlAddress('openalb up --control [::1]:4600'), { host: '::1', port: 4600 })
})
