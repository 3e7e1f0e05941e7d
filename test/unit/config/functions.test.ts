import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyConfig } from '../../../src/config/apply.js'
import { ConfigInvalid, loadConfig } from '../../../src/config/load.js'
import { openControl } from '../control/fixture.js'

function workspace(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-config-fn-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'hello'))
  writeFileSync(join(dir, 'hello', 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "v1" })\n')
  const file = join(dir, 'openalb.yaml')
  return {
    dir,
    load(yaml: string) {
      writeFileSync(file, yaml)
      return loadConfig(file)
    },
  }
}

const yaml = (extra = '') => `functions:
  - name: hello
    runtime: nodejs20.x
    handler: index.handler
    code: ./hello
    timeoutSeconds: 5
    environment: { GREETING: hi }
${extra}`

test('a YAML function takes its code directory in place, with Lambda\'s defaults; an edited file is a new version', async (t) => {
  const { control } = openControl(t)
  const w = workspace(t)
  await applyConfig(control, w.load(yaml()))
  const [fn] = (await control.read()).list('function')
  assert.ok(fn)
  assert.equal(fn.arn, 'arn:aws:lambda:us-east-1:000000000000:function:hello')
  assert.equal(fn.codeDirectory, join(w.dir, 'hello'))
  assert.equal(fn.timeoutSeconds, 5)
  assert.equal(fn.memorySizeMb, 128)
  assert.deepEqual(fn.environment, { GREETING: 'hi' })
  // Unchanged: no new revision. An edit to the code: a new CodeSha256 and RevisionId.
  assert.deepEqual((await applyConfig(control, w.load(yaml()))).changes, [])
  writeFileSync(join(w.dir, 'hello', 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "v2" })\n')
  const changed = await applyConfig(control, w.load(yaml()))
  assert.deepEqual(changed.changes.map((c) => `${c.op} ${c.kind} ${c.name} ${c.fields.join(',')}`), ['~ function hello codeSha256,lastModified,revisionId'])
})

test('a YAML function whose code directory is missing, or with a reserved variable, is refused at its line', async (t) => {
  const w = workspace(t)
  assert.throws(() => w.load(yaml().replace('./hello', './nowhere')), (e: unknown) => e instanceof ConfigInvalid && /openalb\.yaml:5:\d+: functions\[0\]\.code: function hello: the code directory \.\/nowhere does not exist/.test(e.message))
  const { control } = openControl(t)
  await assert.rejects(applyConfig(control, w.load(yaml().replace('GREETING: hi', 'AWS_REGION: x'))), /reserved keys .*AWS_REGION/)
  assert.equal((await control.read()).list('function').length, 0)
})
