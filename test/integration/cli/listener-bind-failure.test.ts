// A listener whose port is taken: shown failed (EADDRINUSE address:port) in get/describe and the
// log, tried again, and serving once the port comes free.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import pino from 'pino'
import { startOpenalb } from '../../../src/main.js'
import { eventually } from '../../helpers/eventually.js'
import { repoRoot } from '../../helpers/shared.js'

const run = promisify(execFile)
/** The CLI as a child process, asynchronously: the openalb it asks runs in this process. */
const cli = async (args: string[]) => (await run(process.execPath, [join(repoRoot, 'bin', 'openalb.js'), ...args], { encoding: 'utf8', timeout: 30_000 })).stdout

test('a listener that cannot bind is shown failed with why, and opens once its port is free', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-bind-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const squatter: Server = createServer()
  await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r))
  const port = (squatter.address() as AddressInfo).port
  const target = createHttpServer((_req, res) => res.end('served\n'))
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r))
  t.after(() => target.close())
  const file = join(dir, 'lb.yaml')
  writeFileSync(
    file,
    [
      'targetGroups:',
      `  - { name: tg, protocol: HTTP, port: ${(target.address() as AddressInfo).port}, targetType: ip, targets: [{ id: 127.0.0.1 }] }`,
      'loadBalancers:',
      '  - name: lb',
      '    listeners:',
      `      - { port: ${port}, protocol: HTTP, defaultActions: [{ type: forward, targetGroup: tg }] }`,
      '',
    ].join('\n'),
  )
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) })
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', log })
  t.after(() => lb.close())
  await lb.settled()

  const expected = `EADDRINUSE 127.0.0.1:${port}`
  assert.deepEqual(lb.listenerStates().map((s) => ('error' in s ? s.error : s.state)), [expected])
  assert.ok(lines.some((l) => l.includes('listener could not be opened') && l.includes(expected)), 'the log says which listener and why')
  const table = await cli(['get', 'listeners', '--data', join(dir, 'data')])
  assert.match(table, new RegExp(`STATE[\\s\\S]*failed: ${expected}`))
  const described = await cli(['describe', 'listener', `lb:${port}`, '--data', join(dir, 'data')])
  assert.match(described, new RegExp(`sockets:\\n\\s+- bindKey: 127\\.0\\.0\\.1:${port}\\n\\s+state: failed\\n\\s+error: ${expected}`))

  await new Promise<void>((r) => squatter.close(() => r()))
  await eventually(() => lb.listenerStates()[0]?.state === 'listening', { timeoutMs: 15_000, message: 'the listener binds once the port is free' })
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'served\n')
  assert.match(await cli(['get', 'listeners', '--data', join(dir, 'data')]), /listening/)
})
