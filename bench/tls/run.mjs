#!/usr/bin/env node
// TLS figures: new handshakes per second (openssl s_time, full handshakes, no resumption) and
// HTTPS keep-alive requests per second over HTTP/1.1 (wrk) and HTTP/2 (h2load), for openalb,
// nginx and HAProxy serving the same ECDSA P-256 certificate, each pinned to the same core while
// the clients and the backend share the other. Loopback only; every run is bounded in time; only
// the processes started here are stopped.
//
// Usage: node bench/tls/run.mjs [--seconds N] [--out DIR] [--proxies openalb,nginx,haproxy]
// bench/run.mjs can call runTls({ seconds, dir, log }) and put its result in its report.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cpuMicros, cpuTicks, groupPids, has, killAllSync, launch, stop, stopAll } from '../lib/processes.mjs'
import { freePort } from '../lib/probe.mjs'

const bench = fileURLToPath(new URL('..', import.meta.url))
const repo = join(bench, '..')
const PROXIES = ['openalb', 'nginx', 'haproxy']

/** One GET over TLS without verification (the bench certificate is self-signed); the status or 0. */
function httpsStatus(port) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false, timeout: 1000, servername: 'bench.example.test' }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => resolve(0))
    req.end()
  })
}

async function ready(port, exited, seconds) {
  let gone
  exited.then((e) => (gone = e))
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (gone) return false
    if ((await httpsStatus(port)) === 200) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return false
}

/** Runs a client to completion (bounded by its own duration plus a margin); stdout. */
function run(cmd, args, { cpus, seconds }) {
  return new Promise((resolve) => {
    const [file, argv] = cpus && has('taskset') ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args]
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000)
    child.once('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
  })
}

function makeCertificate(dir) {
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=bench.example.test', '-addext', 'subjectAltName=DNS:bench.example.test', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  const combined = join(dir, 'combined.pem')
  writeFileSync(combined, execFileSync('cat', [cert, key]))
  return { key, cert, combined }
}

function configFor(name, { dir, port, backendPort, cert }) {
  const d = join(dir, name)
  mkdirSync(d, { recursive: true })
  if (name === 'openalb') {
    const file = join(d, 'openalb.yaml')
    writeFileSync(file, `certificates:
  - { name: bench-cert, source: imported, certificate: ${cert.cert}, privateKey: ${cert.key} }
targetGroups:
  - name: bench-tg
    protocol: HTTP
    port: ${backendPort}
    targetType: ip
    healthCheck: { path: /, matcher: "200", intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 }
    targets: [{ id: 127.0.0.1, port: ${backendPort} }]
loadBalancers:
  - name: bench-tls
    subnets: [subnet-a, subnet-b]
    listeners:
      - port: ${port}
        protocol: HTTPS
        certificates: [bench-cert]
        defaultActions: [{ type: forward, targetGroup: bench-tg }]
`)
    return [join(repo, 'bin', 'openalb.js'), ['up', '-c', file, '--data', join(d, 'data'), '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0', '--workers', '1'], d]
  }
  if (name === 'nginx') {
    const file = join(d, 'nginx.conf')
    writeFileSync(file, `worker_processes 1;
daemon off;
pid ${d}/nginx.pid;
error_log ${d}/nginx.err warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${d}/body;
  proxy_temp_path ${d}/temp;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  http2_max_requests 1000000000;
  ssl_certificate ${cert.cert};
  ssl_certificate_key ${cert.key};
  ssl_protocols TLSv1.2 TLSv1.3;
  # Tickets on, as openalb (and ALB) issue them: s_time -new never uses them, but each full
  # handshake pays for issuing them.
  ssl_session_tickets on;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 1000000000; }
  server {
    listen 127.0.0.1:${port} ssl http2 backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Port $server_port;
    }
  }
}
`)
    return ['nginx', ['-e', join(d, 'nginx.err'), '-p', d, '-c', file], d]
  }
  const file = join(d, 'haproxy.cfg')
  writeFileSync(file, `global
  nbthread 1
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  timeout http-keep-alive 300s
  option forwardfor
frontend bench
  bind 127.0.0.1:${port} ssl crt ${cert.combined} alpn h2,http/1.1 ssl-min-ver TLSv1.2
  http-request set-header X-Forwarded-Proto https
  http-request set-header X-Forwarded-Port %[dst_port]
  default_backend backend
backend backend
  server target 127.0.0.1:${backendPort}
`)
  return ['haproxy', ['-db', '-f', file], d]
}

/** Full handshakes per second: `clients` openssl s_time loops in parallel, summed. */
async function handshakes(port, { seconds, cpus, clients }) {
  const outs = await Promise.all(
    Array.from({ length: clients }, () => run('openssl', ['s_time', '-connect', `127.0.0.1:${port}`, '-new', '-time', String(seconds)], { cpus, seconds })),
  )
  let total = 0
  for (const out of outs) {
    const m = /(\d+) connections in (\d+) real seconds/.exec(out)
    if (m) total += Number(m[1]) / Math.max(1, Number(m[2]))
  }
  return Math.round(total)
}

async function wrk(port, { seconds, cpus }) {
  const out = await run('wrk', ['-t1', '-c32', `-d${seconds}s`, `https://127.0.0.1:${port}/`], { cpus, seconds })
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out)
  return m ? Math.round(Number(m[1])) : 0
}

async function h2load(port, { seconds, cpus }) {
  const out = await run('h2load', ['-t1', '-c8', '-m16', '-D', String(seconds), `https://127.0.0.1:${port}/`], { cpus, seconds })
  const m = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)
  const failed = /requests: .*?(\d+) failed/.exec(out)
  return { rps: m ? Math.round(Number(m[1])) : 0, failed: failed ? Number(failed[1]) : undefined, protocol: /Application protocol: (\S+)/.exec(out)?.[1] }
}

/**
 * Measures each proxy in turn. `proxyCpus` pins the proxy (default '0'); `loadCpus` the clients and
 * the backend (default '1'). Resolves { rows, ratios, skipped }.
 */
export async function runTls({ seconds = 5, dir, log = (m) => process.stderr.write(`${m}\n`), proxies = PROXIES, proxyCpus, loadCpus } = {}) {
  const pinned = availableParallelism() >= 2 && has('taskset')
  const proxyCpu = proxyCpus ?? (pinned ? '0' : undefined)
  const loadCpu = loadCpus ?? (pinned ? '1' : undefined)
  mkdirSync(dir, { recursive: true })
  const missing = ['openssl', 'wrk', 'h2load'].filter((b) => !has(b))
  if (missing.length) {
    log(`TLS scenario skipped: ${missing.join(', ')} not installed (Debian: openssl, wrk, nghttp2-client)`)
    return { rows: [], ratios: {}, skipped: `missing ${missing.join(', ')}` }
  }
  const cert = makeCertificate(dir)
  const backendPort = await freePort()
  const backend = launch(process.execPath, [join(bench, 'backend.mjs'), String(backendPort)], { cpus: loadCpu, logFile: join(dir, 'backend.log') })
  const rows = []
  const skipped = {}
  try {
    for (const name of proxies) {
      if (name !== 'openalb' && !has(name)) {
        skipped[name] = `${name} not installed`
        continue
      }
      if (name === 'openalb' && !existsSync(join(repo, 'dist', 'src', 'cli', 'main.js'))) {
        skipped[name] = 'not built (npx tsc -p tsconfig.json)'
        continue
      }
      const port = await freePort()
      const [cmd, args, d] = configFor(name, { dir, port, backendPort, cert })
      const proc = launch(cmd === 'node' ? process.execPath : cmd, args, { cpus: proxyCpu, logFile: join(d, 'out.log'), cwd: repo, env: { OPENALB_LOG_LEVEL: 'warn' } })
      try {
        if (!(await ready(port, proc.exited, name === 'openalb' ? 30 : 10))) {
          skipped[name] = `did not answer 200 over HTTPS (log: ${join(d, 'out.log')})`
          continue
        }
        // With two cores the clients may saturate theirs first, so each figure also comes as
        // operations per second of the proxy's own CPU time: what one core of it would sustain.
        const measured = async (fn) => {
          const before = cpuTicks(groupPids(proc.pgid))
          const startedMs = Date.now()
          const value = await fn()
          const cpuSeconds = cpuMicros(before, cpuTicks(groupPids(proc.pgid))) / 1e6
          const rate = typeof value === 'number' ? value : value.rps
          const count = rate * ((Date.now() - startedMs) / 1000)
          return { value, perCpuSecond: cpuSeconds > 0 ? Math.round(count / cpuSeconds) : null, cpuShare: Math.round((cpuSeconds / ((Date.now() - startedMs) / 1000)) * 100) / 100 }
        }
        log(`tls: ${name}: handshakes`)
        const hs = await measured(() => handshakes(port, { seconds, cpus: loadCpu, clients: 4 }))
        log(`tls: ${name}: HTTP/1.1 keep-alive`)
        await wrk(port, { seconds: 1, cpus: loadCpu }) // warm-up (JIT, pools)
        const h1 = await measured(() => wrk(port, { seconds, cpus: loadCpu }))
        log(`tls: ${name}: HTTP/2`)
        const h2 = await measured(() => h2load(port, { seconds, cpus: loadCpu }))
        rows.push({
          proxy: name,
          handshakesPerSecond: hs.value,
          handshakesPerCpuSecond: hs.perCpuSecond,
          handshakeCpuShare: hs.cpuShare,
          http1RequestsPerSecond: h1.value,
          http1PerCpuSecond: h1.perCpuSecond,
          http1CpuShare: h1.cpuShare,
          http2RequestsPerSecond: h2.value.rps,
          http2PerCpuSecond: h2.perCpuSecond,
          http2CpuShare: h2.cpuShare,
          http2Protocol: h2.value.protocol,
          http2Failed: h2.value.failed,
        })
      } finally {
        await stop(proc)
      }
    }
  } finally {
    await stop(backend)
  }
  const by = Object.fromEntries(rows.map((r) => [r.proxy, r]))
  const ratios = {}
  const openalb = by.openalb
  if (openalb) {
    for (const peer of ['nginx', 'haproxy']) {
      const p = by[peer]
      if (!p) continue
      ratios[`openalb/${peer}`] = {
        handshakes: ratio(openalb.handshakesPerSecond, p.handshakesPerSecond),
        http1: ratio(openalb.http1RequestsPerSecond, p.http1RequestsPerSecond),
        http2: ratio(openalb.http2RequestsPerSecond, p.http2RequestsPerSecond),
        handshakesPerCpu: ratio(openalb.handshakesPerCpuSecond, p.handshakesPerCpuSecond),
        http1PerCpu: ratio(openalb.http1PerCpuSecond, p.http1PerCpuSecond),
        http2PerCpu: ratio(openalb.http2PerCpuSecond, p.http2PerCpuSecond),
      }
    }
  }
  return { pinned: { proxy: proxyCpu ?? 'unpinned', load: loadCpu ?? 'unpinned' }, seconds, rows, ratios, skipped }
}

function ratio(a, b) {
  return a !== null && b !== null && b > 0 ? Math.round((a / b) * 100) / 100 : null
}

export function markdownTls(result) {
  const lines = [
    '| proxy | TLS handshakes/s (per proxy CPU-s, CPU share) | HTTPS h1 keep-alive req/s (per CPU-s, share) | HTTPS h2 req/s (per CPU-s, share) |',
    '| --- | ---: | ---: | ---: |',
  ]
  for (const r of result.rows) {
    lines.push(`| ${r.proxy} | ${r.handshakesPerSecond} (${r.handshakesPerCpuSecond}, ${r.handshakeCpuShare}) | ${r.http1RequestsPerSecond} (${r.http1PerCpuSecond}, ${r.http1CpuShare}) | ${r.http2RequestsPerSecond} (${r.http2PerCpuSecond}, ${r.http2CpuShare}) |`)
  }
  for (const [k, v] of Object.entries(result.ratios)) {
    lines.push(`\n${k}: throughput handshakes ${v.handshakes}x, HTTP/1.1 ${v.http1}x, HTTP/2 ${v.http2}x; per proxy CPU-second handshakes ${v.handshakesPerCpu}x, HTTP/1.1 ${v.http1PerCpu}x, HTTP/2 ${v.http2PerCpu}x`)
  }
  for (const [k, v] of Object.entries(result.skipped)) lines.push(`\n${k}: skipped (${v})`)
  return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2)
  const opt = (name, fallback) => {
    const i = argv.indexOf(name)
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback
  }
  const seconds = Math.min(60, Math.max(1, Number(opt('--seconds', '5'))))
  const dir = opt('--out', join(bench, 'results', `tls-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`))
  const proxies = opt('--proxies', PROXIES.join(',')).split(',')
  process.on('exit', killAllSync)
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      await stopAll()
      process.exit(130)
    })
  }
  const result = await runTls({ seconds, dir, proxies })
  writeFileSync(join(dir, 'tls.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(markdownTls(result))
}
