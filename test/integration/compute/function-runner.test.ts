import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { functionLogPath } from '../../../src/compute/console-log.js'
import { FunctionRunner } from '../../../src/compute/function-runner.js'
import type { LambdaFunction } from '../../../src/model/function.js'
import { state } from '../dataplane/fixtures.js'
import { eventually } from '../../helpers/eventually.js'

function fn(dir: string, name: string, handler: string, more: Partial<LambdaFunction> = {}): LambdaFunction {
  return {
    kind: 'function',
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    name,
    runtime: 'nodejs20.x',
    handler,
    role: 'arn:aws:iam::000000000000:role/x',
    description: '',
    codeDirectory: dir,
    codeSha256: 'v1',
    codeSize: 1,
    environment: {},
    timeoutSeconds: 3,
    memorySizeMb: 128,
    policy: [],
    tags: {},
    lastModified: new Date().toISOString(),
    revisionId: 'r1',
    ...more,
  }
}

function setup(t: TestContext, files: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-runner-'))
  const code = join(dataDir, 'code')
  mkdirSync(code)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(code, name), text)
  const runner = new FunctionRunner({ dataDir, runCode: true, region: 'us-east-1' })
  t.after(async () => {
    await runner.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return { dataDir, code, runner }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test('callback-style and ESM handlers answer; a missing module or export is Runtime.ImportModuleError / Runtime.HandlerNotFound', async (t) => {
  const { code, runner } = setup(t, {
    'cb.js': 'exports.handler = (event, context, callback) => callback(null, { got: event.n, fn: context.functionName })\n',
    'esm.mjs': 'export const handler = async (event) => ({ esm: true, n: event.n, pid: process.pid })\n',
  })
  runner.reconcile(state(1, fn(code, 'cb', 'cb.handler'), fn(code, 'esm', 'esm.handler'), fn(code, 'nomod', 'missing.handler'), fn(code, 'noexp', 'cb.nothing')))
  const cb = await runner.invoke('cb', '{"n":1}')
  assert.deepEqual([cb.kind, cb.kind === 'ok' && cb.payload], ['ok', JSON.stringify({ got: 1, fn: 'cb' })])
  assert.match(cb.kind === 'ok' ? (cb.log ?? '') : '', /^START RequestId: .*\nEND RequestId: .*\nREPORT RequestId: .*Init Duration/s)
  const esm = await runner.invoke('esm', '{"n":2}')
  assert.equal(esm.kind, 'ok')
  const nomod = await runner.invoke('nomod', '{}')
  assert.equal(nomod.kind === 'function-error' && nomod.errorType, 'Runtime.ImportModuleError')
  const noexp = await runner.invoke('noexp', '{}')
  assert.equal(noexp.kind === 'function-error' && noexp.errorType, 'Runtime.HandlerNotFound')
  assert.deepEqual(await runner.invoke('nope', '{}'), { kind: 'not-found' })
})

test('an Event invocation runs after it is accepted; stop() ends every process, warm or not', async (t) => {
  const { code, dataDir, runner } = setup(t, { 'index.js': 'exports.handler = async (event) => { console.log("event ran", event.id); return process.pid }\n' })
  runner.reconcile(state(1, fn(code, 'bg', 'index.handler')))
  assert.deepEqual(await runner.invoke('bg', '{"id":"e1"}', 'Event'), { kind: 'ok', payload: '' })
  await eventually(() => readFileSync(functionLogPath(dataDir, 'bg'), 'utf8').includes('event ran e1'), { timeoutMs: 5000, intervalMs: 50, message: 'event ran' })
  const r = await runner.invoke('bg', '{}')
  assert.equal(r.kind, 'ok')
  const pid = Number(r.kind === 'ok' ? r.payload : 0)
  assert.ok(alive(pid), 'kept warm')
  await runner.stop()
  assert.equal(alive(pid), false, 'no process outlives the runner')
})

test('a new configuration retires the warm process (cold start); a deleted function loses its processes', async (t) => {
  const { code, runner } = setup(t, { 'index.js': 'exports.handler = async () => ({ pid: process.pid, v: process.env.V })\n' })
  const f = fn(code, 'cfg', 'index.handler', { environment: { V: '1' } })
  runner.reconcile(state(1, f))
  const one = await runner.invoke('cfg', '{}')
  const first = JSON.parse(one.kind === 'ok' ? one.payload : '{}') as { pid: number; v: string }
  assert.equal(first.v, '1')
  runner.reconcile(state(2, { ...f, environment: { V: '2' } }))
  const second = await runner.invoke('cfg', '{}')
  const after = JSON.parse(second.kind === 'ok' ? second.payload : '{}') as { pid: number; v: string }
  assert.equal(after.v, '2')
  assert.notEqual(after.pid, first.pid)
  await eventually(() => !alive(first.pid), { timeoutMs: 3000, intervalMs: 50, message: 'old process ended' })
  runner.reconcile(state(3))
  await eventually(() => !alive(after.pid), { timeoutMs: 3000, intervalMs: 50, message: 'deleted function ends its process' })
  assert.deepEqual(await runner.invoke('cfg', '{}'), { kind: 'not-found' })
})
