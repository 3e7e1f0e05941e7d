import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { startOpenalb, type OpenalbHandle } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'
import { startTutorial } from '../helpers/tutorial.js'
import { needsEtcd, startEtcd } from '../helpers/etcd.js'
import { openalb } from '../helpers/cli.js'
import { connect as tlsConnect } from 'node:tls'

// `openalb up --workers N`: N data-plane processes (node:cluster workers) on the same listening
// sockets, fed by the one process that follows the store and checks health. Real processes,
// sockets on loopback, SQLite; every load loop is bounded in count and time.

/** One request on a connection of its own (so the kernel spreads them over the workers). */
function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

/** Target B answers its health check with 500 while `sick` is set. */
function backend(name: string, host: string, state: { sick: boolean }): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.url === '/health' && state.sick) return void res.writeHead(500).end()
    if (req.url === '/slow') return void setTimeout(() => res.end(`${name} slow`), 1500)
    res.end(name)
  })
  return new Promise((resolve) => server.listen(0, host, () => resolve({ server, port: (server.address() as { port: number }).port })))
}

function config(listenerPort: number, a: number, b: number, defaultAction = '{ type: forward, targetGroup: tg }'): string {
  return `securityGroups:
  - name: sg
    description: test clients on loopback
    ingress:
      - { protocol: tcp, fromPort: ${listenerPort}, toPort: ${listenerPort}, cidrs: [127.0.0.0/8] }
targetGroups:
  - name: tg
    protocol: HTTP
    port: ${a}
    targetType: ip
    healthCheck: { path: /health, matcher: "200", intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2 }
    targets:
      - { id: 127.0.0.1, port: ${a} }
      - { id: 127.0.0.2, port: ${b} }
loadBalancers:
  - name: lb
    securityGroups: [sg]
    subnets: [subnet-a, subnet-b]
    listeners:
      - port: ${listenerPort}
        protocol: HTTP
        defaultActions:
          - ${defaultAction}
`
}

/** A counter family's value per worker label ("0", "1", ...), from /metrics?by=worker. */
async function perWorker(lb: OpenalbHandle, family: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${lb.controlUrl}/metrics?by=worker`)).text()
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`) && !line.startsWith(`${family} `)) continue
    const worker = /worker="([^"]+)"/.exec(line)?.[1]
    if (worker === undefined || worker === 'primary') continue
    out.set(worker, (out.get(worker) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)))
  }
  return out
}

async function summed(lb: OpenalbHandle, family: string): Promise<number> {
  const text = await (await fetch(`${lb.controlUrl}/metrics`)).text()
  let n = 0
  for (const line of text.split('\n')) if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) n += Number(line.slice(line.lastIndexOf(' ') + 1))
  return n
}

/** Sends batches of concurrent requests until every worker has served one (bounded: 800 requests). */
async function untilEveryWorkerServes(lb: OpenalbHandle, port: number, family: string, workers: number, check: (r: { status: number; body: string }) => void, path = '/', batch = 20): Promise<Map<string, number>> {
  const before = await perWorker(lb, family)
  for (let n = 0; n < 800 / batch; n++) {
    for (const r of await Promise.all(Array.from({ length: batch }, () => get(port, path)))) check(r)
    const now = await perWorker(lb, family)
    const grew = [...Array(workers).keys()].filter((i) => (now.get(String(i)) ?? 0) > (before.get(String(i)) ?? 0))
    if (grew.length === workers) return now
  }
  throw new Error(`not every one of ${workers} workers served a request in 800 connections: ${JSON.stringify([...(await perWorker(lb, family))])}`)
}

test('--workers 2: traffic reaches both workers, a config change and a health change reach every worker, metrics sum the workers, kill -9 of one under load fails no request beyond its own connections and it is replaced', { timeout: 120000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-workers-'))
  const sickB = { sick: false }
  const a = await backend('A', '127.0.0.1', { sick: false })
  const b = await backend('B', '127.0.0.2', sickB)
  const port = await freePort()
  const file = join(dataDir, 'openalb.yaml')
  writeFileSync(file, config(port, a.port, b.port))
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', log, workers: 2 })
  t.after(async () => {
    await lb.close()
    a.server.close()
    b.server.close()
    a.server.closeAllConnections()
    b.server.closeAllConnections()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const pids = lb.workerPids()
  assert.equal(pids.length, 2)
  assert.ok(pids.every((p) => typeof p === 'number' && p !== process.pid), `two worker processes: ${pids}`)
  assert.deepEqual(
    lb.listenerStates().map((s) => s.state),
    ['listening'],
  )

  // Both targets healthy (one health checker, in this process), then traffic reaches both workers.
  const healthy = async () => (await (await fetch(`${lb.controlUrl}/admin/v1/target-health?targetGroup=tg`)).json()) as { targets: { target: { id: string }; state: string }[] }
  await eventually(async () => (await healthy()).targets.every((x) => x.state === 'healthy'), { timeoutMs: 20000, message: 'both targets healthy' })
  const served = new Set<string>()
  await untilEveryWorkerServes(lb, port, 'openalb_request_count_total', 2, (r) => {
    assert.equal(r.status, 200)
    served.add(r.body)
  })
  assert.deepEqual([...served].sort(), ['A', 'B'])

  // /metrics sums the workers; ?by=worker has each one's series.
  const byWorker = await perWorker(lb, 'openalb_request_count_total')
  assert.equal(await summed(lb, 'openalb_request_count_total'), [...byWorker.values()].reduce((x, y) => x + y, 0))
  assert.ok([...byWorker.values()].every((n) => n > 0))

  // A health change reaches every worker: B fails its checks, and no worker sends it a request.
  sickB.sick = true
  await eventually(async () => (await healthy()).targets.find((x) => x.target.id === '127.0.0.2')?.state === 'unhealthy', { timeoutMs: 25000, message: 'B unhealthy' })
  await untilEveryWorkerServes(lb, port, 'openalb_request_count_total', 2, (r) => assert.deepEqual(r, { status: 200, body: 'A' }))
  sickB.sick = false

  // A config change reaches every worker: the listener answers a fixed response, in both.
  writeFileSync(file, config(port, a.port, b.port, `{ type: fixed-response, fixedResponse: { statusCode: '200', messageBody: v2 } }`))
  await eventually(async () => (await get(port)).body === 'v2', { timeoutMs: 10000, message: 'the config change served' })
  await untilEveryWorkerServes(lb, port, 'openalb_http_fixed_response_count_total', 2, (r) => assert.deepEqual(r, { status: 200, body: 'v2' }))
  writeFileSync(file, config(port, a.port, b.port))
  await eventually(async () => (await get(port)).body === 'A', { timeoutMs: 10000, message: 'forwarding again' })

  // kill -9 one worker under a bounded load: 8 clients, a new connection per request, 3 s.
  const results: { start: number; ok: boolean; error?: string }[] = []
  const stopAt = Date.now() + 3000
  let killedAt = 0
  const client = async () => {
    while (Date.now() < stopAt && results.length < 20000) {
      const start = Date.now()
      try {
        const r = await get(port)
        results.push({ start, ok: r.status === 200 && r.body.length > 0 })
      } catch (e) {
        results.push({ start, ok: false, error: String(e) })
      }
    }
  }
  const load = Promise.all(Array.from({ length: 8 }, client))
  await new Promise((r) => setTimeout(r, 1000))
  const victim = pids[0]!
  killedAt = Date.now()
  process.kill(victim, 'SIGKILL')
  await load
  const failed = results.filter((r) => !r.ok)
  const after = results.filter((r) => r.start > killedAt + 100)
  t.diagnostic(`kill -9 under load: ${results.length} requests, ${failed.length} failed (${failed.map((f) => f.error).join('; ')}), ${after.length} started 100 ms after the kill`)
  // At most the requests that were in flight on the killed worker's connections (8 clients: 8 at most).
  assert.ok(failed.length <= 8, `${failed.length} failed`)
  assert.ok(failed.every((f) => f.start <= killedAt + 100), 'no request started after the kill failed')
  assert.ok(after.length > 50, `the other worker kept serving (${after.length} requests)`)

  // It is replaced (the log says so), the listener never closed, and the new worker serves.
  await eventually(() => lb.workerPids()[0] !== undefined && lb.workerPids()[0] !== victim, { timeoutMs: 15000, message: 'a replacement worker' })
  assert.ok(lines.some((l) => l.includes(`worker 0 (pid ${victim}) exited (SIGKILL)`)), 'the exit is logged')
  await eventually(() => lines.some((l) => l.includes('worker 0 replaced')), { message: 'the replacement logged' })
  await untilEveryWorkerServes(lb, port, 'openalb_request_count_total', 2, (r) => assert.equal(r.status, 200))
  assert.deepEqual(
    lb.listenerStates().map((s) => s.state),
    ['listening'],
  )

  // Stopping: every worker drains as one process does; a slow request in flight gets its whole answer.
  const slow = get(port, '/slow')
  await new Promise((r) => setTimeout(r, 300))
  const drained = lb.drain(10000)
  const answer = await slow
  assert.equal(answer.status, 200)
  assert.match(answer.body, /^[AB] slow$/)
  assert.deepEqual(await drained, { idle: true })
  await assert.rejects(get(port), /ECONNREFUSED/)
})

test('--workers 2 HTTPS: a TLS session from one worker resumes on the other (one ticket key per node), and explain answers from the primary', { timeout: 60000 }, async (t) => {
  const tut = await startTutorial({ workers: 2 })
  t.after(() => tut.close())
  const ca = readFileSync(tut.caFile)
  const handshake = (session?: Buffer): Promise<{ reused: boolean; session: Buffer | undefined }> =>
    new Promise((resolve, reject) => {
      let ticket: Buffer | undefined
      let reused = false
      const s = tlsConnect({ host: '127.0.0.1', port: tut.ports.https, servername: 'api.example.test', ca, ...(session ? { session } : {}) }, () => {
        reused = s.isSessionReused()
        s.write('GET / HTTP/1.1\r\nhost: api.example.test\r\nconnection: close\r\n\r\n')
      })
      s.on('session', (b: Buffer) => (ticket = b))
      s.on('data', () => {})
      s.once('error', reject)
      s.once('close', () => resolve({ reused, session: ticket }))
    })
  const first = await handshake()
  assert.ok(first.session, 'a session ticket')
  // New connections land on either worker (batches until both took some; 240 at most): every one resumes the first session.
  const before = await perWorker(tut.lb, 'openalb_new_connection_count_total')
  let both = false
  for (let batch = 0; batch < 20 && !both; batch++) {
    const resumed = await Promise.all(Array.from({ length: 12 }, () => handshake(first.session)))
    assert.deepEqual(resumed.map((r) => r.reused), resumed.map(() => true))
    const now = await perWorker(tut.lb, 'openalb_new_connection_count_total')
    both = ['0', '1'].every((w) => (now.get(w) ?? 0) > (before.get(w) ?? 0))
  }
  assert.ok(both, 'both workers took resumed connections')

  // The console's explain view, answered by the primary from its own compile and the node's health.
  const view = await tut.lb.control.read()
  const listener = view.list('listener').find((l) => l.port === tut.ports.https)
  const explained = (await (await fetch(`${tut.lb.controlUrl}/admin/v1/console/explain?listener=${encodeURIComponent(listener?.arn ?? '')}&url=${encodeURIComponent('https://api.example.test/')}`)).json()) as { groups: { targets: { routable: boolean }[] }[] }
  assert.equal(explained.groups.length, 1)
  assert.deepEqual(explained.groups[0]?.targets.map((x) => x.routable), [true, true])
})

test('--workers 2 --run-user-data: Lambda targets are served from every worker through the primary\'s gateways (examples/lambda.yaml), health checks of a lambda group too', { timeout: 60000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-workers-lambda-'))
  const port = await freePort()
  const yaml = readFileSync(join(repoRoot, 'examples', 'lambda.yaml'), 'utf8')
    .replace(/\$schema=\S+/, `$schema=${join(repoRoot, 'schema', 'openalb.schema.json')}`)
    .replace(/\b8080\b/g, String(port))
    .replace(/code: \.\/lambda\//g, `code: ${join(repoRoot, 'examples', 'lambda')}/`)
  const file = join(dataDir, 'lambda.yaml')
  writeFileSync(file, yaml)
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, workers: 2, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  await eventually(async () => (await get(port, '/').catch(() => undefined))?.status === 404, { timeoutMs: 10000, message: 'listener up' })
  // The requests reach both workers; each answer is the function's (two at a time: more would be throttled, as Lambda's concurrency).
  await untilEveryWorkerServes(lb, port, 'openalb_request_count_total', 2, (r) => assert.deepEqual(r, { status: 200, body: 'hello ALB from hello (hi from YAML)\n' }), '/api/hello?name=ALB', 2)
  // The report group's health check is the function's answer to ALB's health check event, checked once, in the primary.
  const tg = (await lb.control.read()).list('target-group').find((g) => g.name === 'report-tg')
  await eventually(() => lb.health.counts(tg?.arn ?? '').healthy === 1, { timeoutMs: 15000, message: 'report healthy' })
  const report = await fetch(`http://127.0.0.1:${port}/report/x`, { method: 'POST' })
  assert.deepEqual(await report.json(), { path: '/report/x', method: 'POST', function: 'report' })
})

test('--workers 2 on a fleet node (etcd store, its own address): both workers serve the node\'s address, and get nodes shows 2 workers', { skip: needsEtcd(), timeout: 90000 }, async (t) => {
  const etcd = await startEtcd(1)
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-workers-fleet-'))
  const a = await backend('A', '127.0.0.1', { sick: false })
  const b = await backend('B', '127.0.0.2', { sick: false })
  const port = await freePort()
  const file = join(dataDir, 'openalb.yaml')
  writeFileSync(file, config(port, a.port, b.port))
  const lb = await startOpenalb({ dataDir, configFile: file, store: etcd.url, node: { name: 'w1', zone: 'us-east-1a', address: '127.0.0.5' }, control: '127.0.0.5:0', dns: '127.0.0.5:0', workers: 2, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    await etcd.stop()
    for (const s of [a.server, b.server]) {
      s.close()
      s.closeAllConnections()
    }
    rmSync(dataDir, { recursive: true, force: true })
  })
  const getOn = (path = '/'): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.5', port, path, agent: false, timeout: 5000 }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      req.on('error', reject)
      req.end()
    })
  await eventually(async () => (await getOn().catch(() => undefined))?.status === 200, { timeoutMs: 20000, message: 'the node serves its address' })
  const before = await perWorker(lb, 'openalb_request_count_total')
  let both = false
  for (let batch = 0; batch < 40 && !both; batch++) {
    for (const r of await Promise.all(Array.from({ length: 20 }, () => getOn()))) assert.equal(r.status, 200)
    const now = await perWorker(lb, 'openalb_request_count_total')
    both = ['0', '1'].every((w) => (now.get(w) ?? 0) > (before.get(w) ?? 0))
  }
  assert.ok(both, 'both workers served the node address')
  const nodes = openalb(['get', 'nodes', '--store', etcd.url])
  assert.match(nodes.stdout, /^w1\s+us-east-1a\s+127\.0\.0\.5\s+\S+\s+\S+\s+2\s/m)
})
