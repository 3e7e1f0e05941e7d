#!/usr/bin/env node
// DNS benchmark: UDP queries per second for a zone of 10,000 A records, openalb against NSD
// serving the same zone on the same pinned core; then p99 latency at half of openalb's rate.
// Runs on the compiled dist/ (npm run build first). Bounded: each phase stops at a query count or a
// time limit, whichever comes first. The load comes from dnsperf when installed (Debian package
// dnsperf), else from a Node loop (--node-generator forces it).
// Usage: node bench/dns/run.mjs [--records N] [--seconds S] [--node-generator]
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dnsperfGenerator, nodeGenerator, probeQuery } from './generators.mjs'
import { ZONE, zoneFile } from './zone.mjs'

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : dflt
}
const RECORDS = arg('records', 10000)
const SECONDS = arg('seconds', 5)
const MAX_QUERIES = arg('max-queries', 3_000_000)
const WARMUP_SECONDS = 1
const here = fileURLToPath(new URL('.', import.meta.url))

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
const cores = availableParallelism()
const SERVER_CORE = '0'
const LOAD_CORE = cores > 1 ? '1' : '0'
const pin = (cmd, args) => (has('taskset') ? ['taskset', ['-c', SERVER_CORE, cmd, ...args]] : [cmd, args])
const pinLoad = (cmd, args) => (has('taskset') ? ['taskset', ['-c', LOAD_CORE, cmd, ...args]] : [cmd, args])
if (has('taskset')) spawnSync('taskset', ['-cp', LOAD_CORE, String(process.pid)], { stdio: 'ignore' })

const names = Array.from({ length: RECORDS }, (_, i) => `h${(i * 7919) % RECORDS}.${ZONE}`)
const workDir = mkdtempSync(join(tmpdir(), 'openalb-bench-dns-'))
const useNode = process.argv.includes('--node-generator') || !has('dnsperf')
if (useNode && !process.argv.includes('--node-generator')) {
  console.warn('dnsperf is not installed (Debian package dnsperf): the Node generator runs instead and is slower than the servers, so queries/s measure it too')
}
const generator = useNode ? nodeGenerator({ names, maxQueries: MAX_QUERIES }) : dnsperfGenerator({ names, dir: workDir, pin: pinLoad })
const measure = async (port) => {
  await generator.throughput(port, Math.max(1, Math.round(SECONDS / 2))) // warm-up: answers cached, JIT warm
  const throughput = await generator.throughput(port, SECONDS)
  const latency = await generator.latency(port, Math.round(throughput.qps / 2), SECONDS, WARMUP_SECONDS)
  return { throughput, latency }
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
      s.send(probeQuery(names[0]), port, '127.0.0.1')
    })
    if (ok) return
  }
  throw new Error(`no answer on port ${port}`)
}

const results = { records: RECORDS, seconds: SECONDS, cores, serverCore: SERVER_CORE, loadCore: LOAD_CORE, generator: generator.name }

// The same V8 flag as bin/openalb.js: a small young generation keeps collector pauses short.
const [ocmd, oargs] = pin(process.execPath, ['--max-semi-space-size=2', join(here, 'serve-openalb.mjs'), String(RECORDS)])
const openalb = await startProcess(ocmd, oargs, (out) => Number(out.split('\n')[0]) || undefined)
try {
  await waitForAnswer(openalb.port)
  const m = await measure(openalb.port)
  results.openalb = m.throughput
  results.openalbLatency = m.latency
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
    const m = await measure(port)
    results.nsd = m.throughput
    results.nsdLatency = m.latency
    results.ratio = +(results.openalb.qps / results.nsd.qps).toFixed(2)
  } finally {
    nsd.kill('SIGTERM')
    await new Promise((r) => nsd.once('exit', r))
    rmSync(dir, { recursive: true, force: true })
  }
} else {
  console.warn('SKIPPED peer: nsd is not installed (Debian package nsd); openalb figures only')
}

rmSync(workDir, { recursive: true, force: true })
console.log(JSON.stringify(results, null, 2))
