import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { createServer as createHttpServer, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, needs } from '../helpers/shared.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { stopChild } from '../helpers/processes.js'

// Starting and stopping `openalb up` as a process: SIGTERM drains (in-flight requests finish,
// kept-alive connections are told `connection: close`), a data directory has one openalb at a
// time, and a wrapper's SIGTERM (npx) reaches openalb.

const work = mkdtempSync(join(tmpdir(), 'openalb-stop-'))
const started = new Set<ChildProcess>()
const pids = new Set<number>()
after(async () => {
  for (const c of started) await stopChild(c, 'SIGKILL')
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true })
})

const bin = join(repoRoot, 'bin', 'openalb.js')
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

interface Up {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

function up(dataDir: string, extra: readonly string[] = []): Up {
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENALB_LOG_LEVEL: 'info' },
  })
  started.add(child)
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)))
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

/** The control URL from the server file once openalb is up on the data directory. */
async function serverOf(dataDir: string, output: () => string): Promise<{ pid: number; controlUrl: string }> {
  const file = join(dataDir, 'server.json')
  return eventually(
    async () => {
      if (!existsSync(file)) return undefined
      const info = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; controlUrl: string }
      return (await fetch(`${info.controlUrl}/healthz`)).ok ? info : undefined
    },
    { timeoutMs: 20000, message: () => `openalb up on ${dataDir}: ${output()}` },
  ) as Promise<{ pid: number; controlUrl: string }>
}

/** One HTTP/1.1 exchange on a raw socket that stays open: status, the connection header, the body. */
function exchange(socket: Socket, path: string): Promise<{ status: number; connection: string; body: string }> {
  return new Promise((resolve, reject) => {
    let data = ''
    const onData = (d: Buffer) => {
      data += d.toString('latin1')
      const end = data.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = data.slice(0, end)
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
      if (data.length < end + 4 + length) return
      socket.off('data', onData)
      resolve({ status: Number(head.split(' ')[1]), connection: /\r\nconnection: *([^\r]*)/i.exec(head)?.[1]?.toLowerCase() ?? '', body: data.slice(end + 4, end + 4 + length) })
    }
    socket.on('data', onData)
    socket.once('error', reject)
    socket.write(`GET ${path} HTTP/1.1\r\nHost: api.example.test\r\n\r\n`)
  })
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.once('error', reject)
  })
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { host: 'api.example.test' }, timeout: 10000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

test('SIGTERM: a slow request in flight completes with 200, a kept-alive connection is told connection: close, new connections are refused, then openalb exits 0', async (t) => {
  // The target: / at once, /slow after 1.5 s (it says when /slow has arrived).
  let slowArrived: () => void = () => {}
  const slowSeen = new Promise<void>((r) => (slowArrived = r))
  const backend = createHttpServer((req, res) => {
    if (req.url === '/slow') {
      slowArrived()
      setTimeout(() => res.end('slow done'), 1500)
    } else res.end('fast')
  })
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()))
  t.after(() => backend.close())
  const backendPort = (backend.address() as { port: number }).port
  const port = await freePort()
  const dir = join(work, 'drain')
  mkdirSync(dir)
  const config = join(dir, 'openalb.yaml')
  writeFileSync(
    config,
    `targetGroups:
  - name: web-tg
    protocol: HTTP
    port: ${backendPort}
    targetType: ip
    healthCheck: { path: /, intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 }
    targets: [{ id: 127.0.0.1, port: ${backendPort} }]
loadBalancers:
  - name: web-alb
    subnets: [subnet-a, subnet-b]
    listeners:
      - port: ${port}
        protocol: HTTP
        defaultActions: [{ type: forward, targetGroup: web-tg }]
`,
  )
  const node = up(join(dir, 'data'), ['--config', config, '--shutdown-timeout', '20'])
  await serverOf(join(dir, 'data'), node.output)
  await eventually(async () => (await get(port, '/').catch(() => ({ status: 0, body: '' }))).body === 'fast', { timeoutMs: 10000, message: 'the listener forwards' })

  const kept = await openSocket(port)
  t.after(() => kept.destroy())
  assert.deepEqual(await exchange(kept, '/'), { status: 200, connection: 'keep-alive', body: 'fast' })
  const slow = get(port, '/slow')
  await slowSeen
  node.child.kill('SIGTERM')
  await eventually(() => node.output().includes('"msg":"stopping"'), { timeoutMs: 5000, message: () => `openalb logs that it stops: ${node.output()}` })

  // The kept-alive connection's next request is answered, and told this connection ends.
  const closing = new Promise<void>((r) => kept.once('close', () => r()))
  assert.deepEqual(await exchange(kept, '/'), { status: 200, connection: 'close', body: 'fast' })
  await closing
  await assert.rejects(openSocket(port), /ECONNREFUSED/, 'no new connection is accepted')
  assert.equal(alive(node.child.pid!), true, 'openalb waits for the request in flight')
  assert.deepEqual(await slow, { status: 200, body: 'slow done' })
  const code = await Promise.race([node.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10000))])
  assert.equal(code, 0, node.output())
  assert.equal(existsSync(join(dir, 'data', 'openalb.pid')), false, 'the data directory is released')
})

test('a data directory has one openalb: a second up is refused with the first one\'s pid, a stale lock is taken over', async () => {
  const dir = join(work, 'locked')
  const first = up(dir)
  const info = await serverOf(dir, first.output)
  const second = spawnSync(process.execPath, [bin, 'up', '--data', dir, '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20000 })
  assert.equal(second.status, 1, second.stderr)
  assert.equal(second.stderr.trim(), `error: the data directory ${dir} is in use by another openalb (pid ${first.child.pid}): stop that one first, or give this one its own --data`)
  // The first one is untouched: its server file and its control endpoint.
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')).controlUrl, info.controlUrl)
  assert.equal((await fetch(`${info.controlUrl}/healthz`)).ok, true)
  await stopChild(first.child, 'SIGTERM')
  assert.equal(existsSync(join(dir, 'openalb.pid')), false)

  // A lock left by a process that is gone (kill -9) does not hold the directory.
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  writeFileSync(join(dir, 'openalb.pid'), gone.stdout)
  const third = up(dir)
  await serverOf(dir, third.output)
  assert.equal(readFileSync(join(dir, 'openalb.pid'), 'utf8').trim(), String(third.child.pid))
  await stopChild(third.child, 'SIGTERM')
})

test('SIGTERM to `npx openalb up` stops openalb too (it follows its parent)', { skip: needs('npx', 'npm') }, async () => {
  // A project with openalb installed: its node_modules/.bin/openalb is this repository's.
  const project = join(work, 'project')
  mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true })
  writeFileSync(join(project, 'package.json'), '{ "name": "uses-openalb", "private": true }\n')
  symlinkSync(bin, join(project, 'node_modules', '.bin', 'openalb'))
  const dir = join(project, 'data')
  const npx = spawn('npx', ['--no-install', 'openalb', 'up', '--data', dir, '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENALB_LOG_LEVEL: 'warn', npm_config_offline: 'true' },
  })
  started.add(npx)
  let out = ''
  npx.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  npx.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const info = await serverOf(dir, () => out)
  pids.add(info.pid)
  assert.notEqual(info.pid, npx.pid, 'openalb runs under npx, not as npx')
  await stopChild(npx, 'SIGTERM')
  await eventually(() => !alive(info.pid), { timeoutMs: 10000, message: () => `openalb (pid ${info.pid}) stops after npx: ${out}` })
})
