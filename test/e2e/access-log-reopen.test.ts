// `openalb up` reopens its access logs on SIGUSR1, as nginx does, so logrotate can move them away.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { createServer as createHttpServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { eventually } from '../helpers/eventually.js'
import { stopChild } from '../helpers/processes.js'
import { repoRoot } from '../helpers/shared.js'

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

test('SIGUSR1 makes openalb up write access log lines to a new file of the old name', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-reopen-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const target = createHttpServer((_q, s) => s.end('ok\n'))
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r))
  t.after(() => target.close())
  const port = await freePort()
  const log = join(dir, 'access.log')
  const config = join(dir, 'lb.yaml')
  writeFileSync(
    config,
    [
      'targetGroups:',
      `  - { name: tg, protocol: HTTP, port: ${(target.address() as AddressInfo).port}, targetType: ip, targets: [{ id: 127.0.0.1 }] }`,
      'loadBalancers:',
      '  - name: lb',
      `    attributes: { accessLogs: { enabled: true, bucket: ${log} } }`,
      '    listeners:',
      `      - { port: ${port}, protocol: HTTP, defaultActions: [{ type: forward, targetGroup: tg }] }`,
      '',
    ].join('\n'),
  )
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'openalb.js'), 'up', '-c', config, '--data', join(dir, 'data'), '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => stopChild(child, 'SIGKILL'))
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out += d.toString()))
  await eventually(() => out.includes('is up'), { timeoutMs: 20_000, message: 'openalb up started' })
  const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).text()
  await eventually(async () => (await get('/before').catch(() => '')) === 'ok\n', { timeoutMs: 10_000, message: 'the listener serves' })
  await eventually(() => existsSync(log) && readFileSync(log, 'utf8').includes('/before'), { timeoutMs: 5000, message: 'the first line is logged' })

  // openalb's own log, read back by the CLI; and followed while the signal below is handled.
  const cli = join(repoRoot, 'bin', 'openalb.js')
  const own = await new Promise<string>((resolve) => {
    const c = spawn(process.execPath, [cli, 'logs', 'openalb', '--data', join(dir, 'data')])
    let text = ''
    c.stdout.on('data', (d: Buffer) => (text += d.toString()))
    c.on('exit', () => resolve(text))
  })
  assert.match(own, /^\d{4}-\d\d-\d\dT\S+Z INFO  configuration applied revision=\d+/m)
  const follower = spawn(process.execPath, [cli, 'logs', 'openalb', '--follow', '--data', join(dir, 'data')])
  t.after(() => stopChild(follower, 'SIGKILL'))
  let followed = ''
  follower.stdout.on('data', (d: Buffer) => (followed += d.toString()))
  await eventually(() => followed.includes('configuration applied'), { timeoutMs: 5000, message: 'logs --follow prints what is there' })

  renameSync(log, `${log}.1`) // what logrotate does
  await get('/while-moved')
  assert.ok(child.pid && process.kill(child.pid, 'SIGUSR1'))
  await eventually(() => out.includes('access logs reopened'), { timeoutMs: 5000, message: 'openalb says it reopened its logs' })
  await eventually(() => followed.includes('access logs reopened (SIGUSR1)'), { timeoutMs: 5000, message: 'logs --follow prints the new line' })
  follower.kill('SIGINT')
  await get('/after')
  await eventually(() => existsSync(log) && readFileSync(log, 'utf8').includes('/after'), { timeoutMs: 5000, message: 'the new file gets the next line' })
  assert.doesNotMatch(readFileSync(log, 'utf8'), /\/before|\/while-moved/)
  assert.match(readFileSync(`${log}.1`, 'utf8'), /\/before[\s\S]*\/while-moved/, 'lines before the signal stay in the moved file')
  assert.equal(child.exitCode, null, 'SIGUSR1 does not stop openalb (nor start the inspector)')
})
