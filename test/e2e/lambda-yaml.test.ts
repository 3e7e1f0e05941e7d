import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'
import { openalb } from '../helpers/cli.js'

test('examples/lambda.yaml (docs/lambda.md): a Node.js and a Python function behind web-alb\'s /api/* and /report/* rules, from YAML', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-lambda-yaml-'))
  const port = await freePort()
  // The example with its fixed port moved to a free one and its code directories made absolute.
  const yaml = readFileSync(join(repoRoot, 'examples', 'lambda.yaml'), 'utf8')
    .replace(/\$schema=\S+/, `$schema=${join(repoRoot, 'schema', 'openalb.schema.json')}`)
    .replace(/\b8080\b/g, String(port))
    .replace(/code: \.\/lambda\//g, `code: ${join(repoRoot, 'examples', 'lambda')}/`)
  const file = join(dataDir, 'lambda.yaml')
  writeFileSync(file, yaml)
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const base = `http://127.0.0.1:${port}`
  await eventually(async () => (await fetch(`${base}/`).catch(() => undefined))?.status === 404, { timeoutMs: 10000, intervalMs: 100, message: 'listener up' })

  const hello = await fetch(`${base}/api/hello?name=ALB`)
  assert.equal(hello.status, 200)
  assert.equal(hello.headers.get('x-function'), 'hello')
  assert.equal(await hello.text(), 'hello ALB from hello (hi from YAML)\n')
  const report = await fetch(`${base}/report/x`, { method: 'POST' })
  assert.deepEqual(await report.json(), { path: '/report/x', method: 'POST', function: 'report' })
  assert.equal((await fetch(`${base}/other`)).status, 404)

  // curl, as the docs show it: the handler's status line, headers and body.
  if (existsSync('/usr/bin/curl')) {
    const { stdout } = await promisify(execFile)('/usr/bin/curl', ['-s', '-i', `${base}/api/hello?name=curl`], { timeout: 15_000 })
    assert.match(stdout, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(stdout, /\r\nx-function: hello\r\n/i)
    assert.match(stdout, /\r\n\r\nhello curl from hello \(hi from YAML\)\n$/)
  } else console.warn('SKIPPED the curl part: /usr/bin/curl is not installed')

  // The report group has health checks on: the function answers ALB's health check event.
  const tg = (await lb.control.read()).list('target-group').find((g) => g.name === 'report-tg')
  await eventually(() => lb.health.counts(tg?.arn ?? '').healthy === 1, { timeoutMs: 15000, intervalMs: 100, message: 'report healthy' })

  const got = openalb(['get', 'functions', '--data', dataDir])
  assert.match(got.stdout, /hello\s+nodejs20\.x/)
  assert.match(got.stdout, /report\s+python3\.12/)
  await eventually(() => openalb(['logs', 'function', 'hello', '--data', dataDir]).stdout.includes('GET /api/hello from 127.0.0.1'), { timeoutMs: 5000, intervalMs: 200, message: 'handler log line' })
})
