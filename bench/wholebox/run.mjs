#!/usr/bin/env node
// The whole-box case: every proxy may use every core (unpinned) with as many workers or threads
// as there are cores, sharing the machine with wrk and the backend: openalb --workers N against
// HAProxy nbthread N and nginx worker_processes N, HTTP/1.1 keep-alive over plain HTTP and over
// HTTPS (wrk). openalb with one process is measured too, for scale. Interleaved rounds, medians.
// Loopback only; every run is bounded in time; only the processes started here are stopped.
//
// Usage: node bench/wholebox/run.mjs [--rounds N] [--seconds N] [--out DIR]
// bench/run.mjs calls runWholebox() for --only wholebox.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { has, killAllSync, launch, stop, stopAll } from '../lib/processes.mjs'
import { freePort, waitFor200 } from '../lib/probe.mjs'
import { runWrk } from '../lib/wrk.mjs'

const bench = fileURLToPath(new URL('..', import.meta.url))
const repo = join(bench, '..')
/** Issue 10's goal: openalb --workers N at least 0.8x HAProxy nbthread N, whole box. */
const GOAL_VS_HAPROXY = 0.8

function makeCertificate(dir) {
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=bench.example.test', '-addext', 'subjectAltName=DNS:bench.example.test', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  const combined = join(dir, 'combined.pem')
  writeFileSync(combined, execFileSync('cat', [cert, key]))
  return { key, cert, combined }
}

/** [command, args, dir] of one proxy with an HTTP and an HTTPS listener in front of the backend. */
function configFor(name, { dir, http, https, backendPort, cert, workers }) {
  const d = join(dir, name.replace(/\W+/g, '-'))
  mkdirSync(d, { recursive: true })
  if (name.startsWith('openalb')) {
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
  - name: bench-box
    subnets: [subnet-a, subnet-b]
    listeners:
      - { port: ${http}, protocol: HTTP, defaultActions: [{ type: forward, targetGroup: bench-tg }] }
      - { port: ${https}, protocol: HTTPS, certificates: [bench-cert], defaultActions: [{ type: forward, targetGroup: bench-tg }] }
`)
    const n = name === 'openalb' ? workers : 1
    return [join(repo, 'bin', 'openalb.js'), ['up', '-c', file, '--data', join(d, 'data'), '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0', '--workers', String(n)], d]
  }
  if (name === 'nginx') {
    const file = join(d, 'nginx.conf')
    const location = `location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_request_buffering off;
    }`
    writeFileSync(file, `worker_processes ${workers};
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
  client_max_body_size 0;
  ssl_certificate ${cert.cert};
  ssl_certificate_key ${cert.key};
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_tickets on;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 256; keepalive_requests 1000000000; keepalive_timeout 300s; }
  server { listen 127.0.0.1:${http} backlog=4096; ${location} }
  server { listen 127.0.0.1:${https} ssl backlog=4096; ${location} }
}
`)
    return ['nginx', ['-e', join(d, 'nginx.err'), '-p', d, '-c', file], d]
  }
  const file = join(d, 'haproxy.cfg')
  writeFileSync(file, `global
  nbthread ${workers}
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  timeout http-keep-alive 300s
  option forwardfor
frontend plain
  bind 127.0.0.1:${http}
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Port %[dst_port]
  default_backend backend
frontend tls
  bind 127.0.0.1:${https} ssl crt ${cert.combined} alpn http/1.1 ssl-min-ver TLSv1.2
  http-request set-header X-Forwarded-Proto https
  http-request set-header X-Forwarded-Port %[dst_port]
  default_backend backend
backend backend
  server target 127.0.0.1:${backendPort}
`)
  return ['haproxy', ['-db', '-f', file], d]
}

const median = (v) => {
  const s = v.filter((x) => typeof x === 'number').sort((a, b) => a - b)
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : undefined
}

/**
 * Resolves { workers, rows: [{ proxy, protocol, rps, p50Ms, p99Ms, errors, rounds }], ratios, skipped }.
 * proxies: 'openalb' (--workers N), 'openalb-1' (one process), 'haproxy', 'nginx'.
 */
export async function runWholebox({ rounds = 3, seconds = 8, warmupSeconds = 2, connections = 64, dir, log = (m) => process.stderr.write(`${m}\n`), proxies = ['openalb', 'openalb-1', 'haproxy', 'nginx'] } = {}) {
  const workers = availableParallelism()
  mkdirSync(dir, { recursive: true })
  const missing = ['openssl', 'wrk'].filter((b) => !has(b))
  if (missing.length) {
    log(`whole-box scenario skipped: ${missing.join(', ')} not installed (Debian: openssl, wrk)`)
    return { workers, rows: [], ratios: [], skipped: { all: `missing ${missing.join(', ')}` } }
  }
  if (!existsSync(join(repo, 'dist', 'src', 'cli', 'main.js'))) return { workers, rows: [], ratios: [], skipped: { openalb: 'not built (npm run build)' } }
  const cert = makeCertificate(dir)
  const backendPort = await freePort()
  // The cheapest backend there is (nginx, one worker) when installed, else the Node one.
  const backend = has('nginx')
    ? launch('nginx', ['-e', join(dir, 'backend.err'), '-p', dir, '-c', writeBackend(dir, backendPort)], { logFile: join(dir, 'backend.log') })
    : launch(process.execPath, [join(bench, 'backend.mjs'), String(backendPort)], { logFile: join(dir, 'backend.log') })
  const started = []
  const targets = []
  const skipped = {}
  try {
    if (!(await waitFor200(`http://127.0.0.1:${backendPort}/`, { seconds: 10, exited: backend.exited })).ok) throw new Error('the backend did not start')
    for (const name of proxies) {
      if (!name.startsWith('openalb') && !has(name)) {
        skipped[name] = `${name} not installed`
        continue
      }
      const http = await freePort()
      const https = await freePort()
      const [cmd, args, d] = configFor(name, { dir, http, https, backendPort, cert, workers })
      const proc = launch(cmd, args, { logFile: join(d, 'out.log'), cwd: repo, env: { OPENALB_LOG_LEVEL: 'warn' } })
      started.push(proc)
      const okHttp = await waitFor200(`http://127.0.0.1:${http}/`, { seconds: name.startsWith('openalb') ? 30 : 10, exited: proc.exited })
      if (!okHttp.ok) {
        skipped[name] = `did not answer 200 (${okHttp.reason}; log: ${join(d, 'out.log')})`
        continue
      }
      const label = name === 'openalb' ? `openalb --workers ${workers}` : name === 'openalb-1' ? 'openalb --workers 1' : name === 'haproxy' ? `haproxy nbthread ${workers}` : `nginx worker_processes ${workers}`
      targets.push({ name, label, urls: { http: `http://127.0.0.1:${http}/`, https: `https://127.0.0.1:${https}/` } })
    }
    const runs = new Map()
    for (let round = 1; round <= rounds; round++) {
      for (const protocol of ['http', 'https']) {
        for (const t of targets) {
          const url = t.urls[protocol]
          if (warmupSeconds > 0) await runWrk({ url, seconds: warmupSeconds, connections, threads: 2 })
          const m = await runWrk({ url, seconds, connections, threads: 2 })
          const key = `${t.name} ${protocol}`
          if (!runs.has(key)) runs.set(key, [])
          runs.get(key).push(m)
          log(`  whole-box r${round} ${protocol.padEnd(5)} ${t.label.padEnd(26)} ${Math.round(m.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${m.p50Ms ?? '-'} ms  p99 ${m.p99Ms ?? '-'} ms${m.errors + m.non2xx ? `  errors ${m.errors} non-2xx ${m.non2xx}` : ''}`)
        }
      }
    }
    const rows = []
    for (const t of targets) {
      for (const protocol of ['http', 'https']) {
        const r = runs.get(`${t.name} ${protocol}`) ?? []
        rows.push({ proxy: t.name, label: t.label, protocol, rps: median(r.map((x) => x.rps)), p50Ms: median(r.map((x) => x.p50Ms)), p99Ms: median(r.map((x) => x.p99Ms)), errors: r.reduce((a, x) => a + x.errors + x.non2xx, 0), rounds: r.map(({ raw, ...x }) => x) })
      }
    }
    const ratios = []
    for (const protocol of ['http', 'https']) {
      const ours = rows.find((r) => r.proxy === 'openalb' && r.protocol === protocol)
      for (const peer of rows.filter((r) => r.protocol === protocol && r.proxy !== 'openalb')) {
        const rps = ours?.rps && peer.rps ? Math.round((ours.rps / peer.rps) * 100) / 100 : undefined
        ratios.push({ protocol, peer: peer.label, rps, goal: peer.proxy === 'haproxy' ? GOAL_VS_HAPROXY : undefined })
      }
    }
    return { workers, connections, seconds, rounds, rows, ratios, skipped }
  } finally {
    for (const p of started) await stop(p)
    await stop(backend)
  }
}

function writeBackend(dir, port) {
  const file = join(dir, 'backend.conf')
  writeFileSync(file, `worker_processes 1;
daemon off;
pid ${dir}/backend.pid;
error_log ${dir}/backend.err warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${dir}/backend-body;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  server { listen 127.0.0.1:${port} backlog=4096; location / { default_type text/plain; return 200 "ok\\n"; } }
}
`)
  return file
}

export function markdownWholebox(result) {
  const lines = [`## Whole box: ${result.workers} cores, unpinned, wrk -t2 -c${result.connections} -d${result.seconds}s, ${result.rounds} round(s), medians (bench/wholebox/run.mjs)`, '',
    '| proxy | protocol | req/s | p50 ms | p99 ms | errors |', '| --- | --- | ---: | ---: | ---: | ---: |']
  for (const r of result.rows) lines.push(`| ${r.label} | ${r.protocol === 'http' ? 'HTTP/1.1 keep-alive' : 'HTTPS, HTTP/1.1 keep-alive'} | ${r.rps === undefined ? '-' : Math.round(r.rps).toLocaleString('en-US')} | ${r.p50Ms ?? '-'} | ${r.p99Ms ?? '-'} | ${r.errors} |`)
  if (result.ratios.length) {
    lines.push('', '| openalb --workers N against | protocol | req/s ratio | goal |', '| --- | --- | ---: | --- |')
    for (const r of result.ratios) lines.push(`| ${r.peer} | ${r.protocol} | ${r.rps === undefined ? 'n/a' : `${r.rps.toFixed(2)}x`} | ${r.goal === undefined ? '' : `≥ ${r.goal}x${r.rps === undefined ? '' : r.rps >= r.goal ? ' met' : ' not met'}`} |`)
  }
  for (const [k, v] of Object.entries(result.skipped)) lines.push('', `${k}: skipped (${v})`)
  return lines.join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2)
  const opt = (name, fallback) => {
    const i = argv.indexOf(name)
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback
  }
  const dir = opt('--out', join(bench, 'results', `wholebox-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`))
  process.on('exit', killAllSync)
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      await stopAll()
      process.exit(130)
    })
  }
  const result = await runWholebox({ rounds: Number(opt('--rounds', '3')), seconds: Number(opt('--seconds', '8')), warmupSeconds: Number(opt('--warmup', '2')), dir, proxies: opt('--proxies', 'openalb,openalb-1,haproxy,nginx').split(',') })
  writeFileSync(join(dir, 'wholebox.json'), `${JSON.stringify(result, null, 2)}\n`)
  console.log(markdownWholebox(result))
}
