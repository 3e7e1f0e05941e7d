#!/usr/bin/env node
// DNS benchmark: UDP queries per second for a zone of 10,000 A records, openalb against NSD
// serving the same zone on the same pinned core; then p99 latency at half of openalb's rate.
// Runs on the compiled dist/ (npm run build first). Bounded: each phase stops at a query count or a
// time limit, whichever comes first. Usage: node bench/dns/run.mjs [--records N] [--seconds S]
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import dnsPacket from 'dns-packet'
import { ZONE, zoneFile } from './zone.mjs'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RECORDS = arg('records', 10000)
const SECONDS = arg('seconds', 5)
const MAX_QUERIES = arg('max-queries', 3_000_000)
const SOCKETS = 4
const WINDOW = 64 // outstanding queries per socket in the throughput phase
const here = fileURLToPath(new URL('.', import.meta.url))

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
const cores = availableParallelism()
const SERVER_CORE = '0'
const LOAD_CORE = cores > 1 ? '1' : '0'
const pin = (cmd, args) => (has('taskset') ? ['taskset', ['-c', SERVER_CORE, cmd, ...args]] : [cmd, args])
if (has('taskset')) spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' })

const queries = Array.from({ length: RECORDS }, (_, i) =>
  dnsPacket.encode({ type: 'query', id: 0, flags: 0, questions: [{ type: 'A', name: `h${(i * 7919) % RECORDS}.${ZONE}` }] }),
)

/** Closed loop: SOCKETS x WINDOW queries in flight; returns answered queries per second. */
async function throughput(port) {
  const deadline = performance.now() + SECONDS * 1000
  let sent = 0
  let answered = 0
  let errors = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: SOCKETS }, (_, s) => new Promise((resolve) => {
      const sock = createSocket('udp4')
      let next = s
      let inFlight = 0
      let done = false
      const fire = () => {
        if (done || sent >= MAX_QUERIES || performance.now() > deadline) {
          if (!done && inFlight === 0) finish()
          return
        }
        const q = Buffer.from(queries[next++ % queries.length])
        q.writeUInt16BE(next & 0xffff, 0)
        sent++
        inFlight++
        sock.send(q, port, '127.0.0.1')
      }
      const finish = () => {
        done = true
        clearInterval(refill)
        sock.close()
        resolve()
      }
      sock.on('message', (m) => {
        inFlight--
        if ((m.readUInt16BE(2) & 0xf) === 0) answered++
        else errors++
        fire()
      })
      // Lost datagrams would shrink the window for good: top it up now and then, and stop at the deadline.
      const refill = setInterval(() => {
        if (performance.now() > deadline + 200) return finish()
        inFlight = Math.min(inFlight, WINDOW)
        for (let i = inFlight; i < WINDOW; i++) fire()
      }, 50)
      for (let i = 0; i < WINDOW; i++) fire()
    })),
  )
  const seconds = (performance.now() - started) / 1000
  return { qps: Math.round(answered / seconds), sent, answered, errors }
}

/** Open loop at a fixed rate: latency percentiles from send to answer. */
async function latency(port, rate) {
  const socks = Array.from({ length: SOCKETS }, () => createSocket({ type: 'udp4', recvBufferSize: 1 << 22 }))
  await Promise.all(socks.map((s) => new Promise((r) => s.bind(0, '127.0.0.1', r))))
  const sentAt = new Float64Array(65536)
  const latencies = []
  for (const sock of socks) sock.on('message', (m) => latencies.push(performance.now() - sentAt[m.readUInt16BE(0)]))
  const total = Math.min(MAX_QUERIES, Math.round(rate * SECONDS))
  const start = performance.now()
  let sent = 0
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate))
      for (; sent < due; sent++) {
        const q = Buffer.from(queries[sent % queries.length])
        const id = sent & 0xffff
        q.writeUInt16BE(id, 0)
        sentAt[id] = performance.now()
        socks[sent % SOCKETS].send(q, port, '127.0.0.1')
      }
      if (sent >= total || performance.now() - start > SECONDS * 1000 + 1000) setTimeout(resolve, 200)
      else setImmediate(tick)
    }
    tick()
  })
  for (const s of socks) s.close()
  latencies.sort((a, b) => a - b)
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN
  // Lost answers mean the load generator or the kernel queues overflowed: the figures then measure them too.
  const answeredShare = latencies.length / Math.max(1, sent)
  return { rate, sent, answered: latencies.length, p50Ms: +pct(50).toFixed(3), p99Ms: +pct(99).toFixed(3), trustworthy: answeredShare > 0.99 }
}

function startProcess(cmd, args, readPort) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const port = readPort(out)
      if (port) resolve({ child, port })
    })
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}`)))
  })
}

async function freePort() {
  const s = createSocket('udp4')
  await new Promise((r) => s.bind(0, '127.0.0.1', r))
  const { port } = s.address()
  await new Promise((r) => s.close(r))
  return port
}

async function waitForAnswer(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = createSocket('udp4')
      const t = setTimeout(() => (s.close(), resolve(false)), 100)
      s.once('message', () => (clearTimeout(t), s.close(), resolve(true)))
      s.send(queries[0], port, '127.0.0.1')
    })
    if (ok) return
  }
  throw new Error(`no answer on port ${port}`)
}

const results = { records: RECORDS, seconds: SECONDS, cores, serverCore: SERVER_CORE, loadCore: LOAD_CORE, generator: 'node (bench/dns/run.mjs)' }

const [ocmd, oargs] = pin(process.execPath, [join(here, 'serve-openalb.mjs'), String(RECORDS)])
const openalb = await startProcess(ocmd, oargs, (out) => Number(out.split('\n')[0]) || undefined)
try {
  await waitForAnswer(openalb.port)
  await throughput(openalb.port) // warm-up: answers cached, JIT warm
  results.openalb = await throughput(openalb.port)
  results.openalbLatency = await latency(openalb.port, Math.round(results.openalb.qps / 2))
} finally {
  openalb.child.kill('SIGTERM')
}

if (has('nsd')) {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-bench-nsd-'))
  const port = await freePort()
  writeFileSync(join(dir, 'bench.zone'), zoneFile(RECORDS))
  writeFileSync(
    join(dir, 'nsd.conf'),
    [
      'server:',
      '  ip-address: 127.0.0.1',
      `  port: ${port}`,
      '  username: ""',
      '  chroot: ""',
      `  zonesdir: "${dir}"`,
      '  database: ""',
      `  zonelistfile: "${dir}/zone.list"`,
      `  xfrdfile: "${dir}/xfrd.state"`,
      `  xfrdir: "${dir}"`,
      `  pidfile: "${dir}/nsd.pid"`,
      `  logfile: "${dir}/nsd.log"`,
      '  server-count: 1',
      'remote-control:',
      '  control-enable: no',
      'zone:',
      `  name: ${ZONE}`,
      `  zonefile: "${dir}/bench.zone"`,
      '',
    ].join('\n'),
  )
  const [ncmd, nargs] = pin('nsd', ['-d', '-c', join(dir, 'nsd.conf')])
  const nsd = spawn(ncmd, nargs, { stdio: 'ignore' })
  try {
    await waitForAnswer(port)
    await throughput(port)
    results.nsd = await throughput(port)
    results.nsdLatency = await latency(port, Math.round(results.nsd.qps / 2))
    results.ratio = +(results.openalb.qps / results.nsd.qps).toFixed(2)
  } finally {
    nsd.kill('SIGTERM')
    await new Promise((r) => nsd.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
} else {
  console.warn('SKIPPED peer: nsd is not installed (Debian package nsd); openalb figures only')
}

console.log(JSON.stringify(results, null, 2))
