// The TCP scenario (`npm run bench -- --only tcp`): openalb's network balancer TCP listener against
// HAProxy in mode tcp and nginx's stream module, each pinned to CPU 0 with the load and the
// backend on CPU 1: throughput of a 1 GiB download streamed through (curl), and new connections
// per second (wrk with Connection: close, so every request is a new TCP connection through the
// proxy). Loopback only; every run bounded in time; only processes started here are stopped.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, ftruncateSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpuMicros, cpuTicks, groupPids, has, interrupted, launch, pinSelf, stop } from '../lib/processes.mjs'
import { freePort, waitFor200 } from '../lib/probe.mjs'
import { BACKEND_PORT, startBackend } from '../lib/proxies.mjs'
import { runWrk } from '../lib/wrk.mjs'

const bench = fileURLToPath(new URL('..', import.meta.url))
const repo = join(bench, '..')
export const TCP_PROXIES = ['direct', 'openalb', 'haproxy', 'nginx']
const STREAM_MODULE = ['/usr/lib/nginx/modules/ngx_stream_module.so', '/usr/share/nginx/modules/ngx_stream_module.so'].find(existsSync)
const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 20_000
const HAPROXY_MAXCONN = Math.max(256, Math.min(20_000, Math.floor((fdLimit - 200) / 2)))
const GIB = 1024 ** 3

function render(template, vars, out) {
  let text = readFileSync(join(bench, 'conf', template), 'utf8')
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, String(v))
  writeFileSync(out, text)
  return out
}

/** openalb with one network balancer: a TCP listener on `port` in front of the backend. */
function openalbYaml(port) {
  return `targetGroups:
  - name: bench-tcp
    protocol: TCP
    port: ${BACKEND_PORT}
    targetType: ip
    healthCheck: { protocol: TCP, intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 }
    targets: [{ id: 127.0.0.1, port: ${BACKEND_PORT} }]
loadBalancers:
  - name: bench-nlb
    type: network
    subnets: [subnet-a]
    listeners:
      - { port: ${port}, protocol: TCP, defaultActions: [{ type: forward, targetGroup: bench-tcp }] }
`
}

async function startTcpProxy(name, { cpus, dir, backend }) {
  const d = join(dir, name)
  mkdirSync(d, { recursive: true })
  const logFile = join(d, 'out.log')
  const upstream = `127.0.0.1:${BACKEND_PORT}`
  if (name === 'direct') return { name, proc: backend.proc, url: `http://${upstream}`, owned: false }
  const port = await freePort()
  let proc
  switch (name) {
    case 'openalb': {
      if (!existsSync(join(repo, 'dist', 'src', 'cli', 'main.js'))) return { name, skip: 'n/a (not built: npm run build)' }
      const config = join(d, 'openalb-tcp.yaml')
      writeFileSync(config, openalbYaml(port))
      proc = launch(join(repo, 'bin', 'openalb.js'), ['up', '-c', config, '--data', join(d, 'data'), '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0', '--workers', '1'], { cpus, logFile, cwd: repo })
      break
    }
    case 'haproxy':
      if (!has('haproxy')) return { name, skip: 'skipped (haproxy not installed: apt-get install haproxy)' }
      proc = launch('haproxy', ['-db', '-f', render('haproxy-tcp.cfg', { PORT: port, UPSTREAM: upstream, MAXCONN: HAPROXY_MAXCONN }, join(d, 'haproxy-tcp.cfg'))], { cpus, logFile })
      break
    case 'nginx':
      if (!has('nginx')) return { name, skip: 'skipped (nginx not installed: apt-get install nginx)' }
      if (!STREAM_MODULE) return { name, skip: 'skipped (nginx has no stream module: apt-get install libnginx-mod-stream)' }
      proc = launch('nginx', ['-e', join(d, 'nginx-stream.err'), '-p', d, '-c', render('nginx-stream.conf', { DIR: d, PORT: port, UPSTREAM: upstream, MODULE: STREAM_MODULE }, join(d, 'nginx-stream.conf'))], { cpus, logFile })
      break
    default:
      return { name, skip: `unknown (known: ${TCP_PROXIES.join(', ')})` }
  }
  const url = `http://127.0.0.1:${port}`
  const ready = await waitFor200(`${url}/`, { seconds: 30, exited: proc.exited })
  if (!ready.ok) {
    await stop(proc)
    return { name, skip: `n/a (${ready.reason}; log: ${logFile})` }
  }
  return { name, proc, url, owned: true }
}

/** curl downloads /big (1 GiB) through the proxy to /dev/null; seconds and the proxy's CPU. */
async function download(t, cpus, timeoutSeconds) {
  const pids = groupPids(t.proc.pgid)
  const before = cpuTicks(pids)
  const started = performance.now()
  const proc = launch('curl', ['-s', '-o', '/dev/null', '-w', '%{size_download}', '--max-time', String(timeoutSeconds), `${t.url}/big`], { cpus, pipe: true })
  let out = ''
  proc.child.stdout?.on('data', (d) => (out += d))
  await proc.exited
  await stop(proc, 1000)
  const seconds = (performance.now() - started) / 1000
  const bytes = Number(out.trim()) || 0
  return { seconds, bytes, mibPerSecond: bytes / 1048576 / seconds, cpuUsPerMiB: bytes > 0 ? cpuMicros(before, cpuTicks(pids)) / (bytes / 1048576) : undefined, ...(bytes !== GIB ? { error: `received ${bytes} of ${GIB} bytes` } : {}) }
}

/** wrk with Connection: close: each request a new TCP connection through the proxy. */
async function connections(t, cpus, seconds, warmupSeconds) {
  const url = `${t.url}/`
  const headers = ['Connection: close']
  if (warmupSeconds > 0) await runWrk({ url, seconds: warmupSeconds, connections: 50, cpus, headers })
  const pids = groupPids(t.proc.pgid)
  const before = cpuTicks(pids)
  const w = await runWrk({ url, seconds, connections: 50, cpus, headers })
  return { perSecond: w.rps, connections: w.requests, errors: w.errors + w.non2xx, cpuUsPerConn: w.requests > 0 ? cpuMicros(before, cpuTicks(pids)) / w.requests : undefined }
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : undefined
}

export async function runTcp({ rounds, seconds, warmupSeconds, cpuCount, dir: rawDir, log, proxies = TCP_PROXIES }) {
  const dir = join(rawDir, 'tcp')
  mkdirSync(dir, { recursive: true })
  if (!has('nginx')) return { skipped: 'the TCP scenario needs nginx as its backend (apt-get install nginx)' }
  if (!has('wrk') || !has('curl')) return { skipped: 'the TCP scenario needs wrk and curl' }
  const pinned = cpuCount > 1 && has('taskset')
  const proxyCpus = pinned ? '0' : undefined
  const loadCpus = pinned ? '1' : undefined
  pinSelf(loadCpus, `0-${cpuCount - 1}`)
  // A sparse 1 GiB file: nginx sends it from the page cache, so the backend costs little.
  const fd = openSync(join(dir, 'big.bin'), 'w')
  ftruncateSync(fd, GIB)
  closeSync(fd)
  const backend = await startBackend({ kind: 'nginx', cpus: loadCpus, dir })
  log(`== TCP: proxy on CPU ${proxyCpus ?? 'any'}, curl/wrk and the backend (nginx) on CPU ${loadCpus ?? 'any'}; 1 GiB download and connections/s`)
  const targets = []
  const rows = []
  try {
    for (const name of proxies.filter((p) => TCP_PROXIES.includes(p))) targets.push(await startTcpProxy(name, { cpus: proxyCpus, dir, backend }))
    const runs = new Map(targets.map((t) => [t.name, []]))
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        if (t.skip) continue
        if (interrupted.value) throw new Error('interrupted')
        const d = await download(t, loadCpus, 120)
        const c = await connections(t, loadCpus, seconds, warmupSeconds)
        runs.get(t.name).push({ ...d, ...c })
        log(`  r${round} ${t.name.padEnd(8)} 1 GiB in ${d.seconds.toFixed(2)} s = ${d.mibPerSecond.toFixed(0)} MiB/s (${d.cpuUsPerMiB?.toFixed(0) ?? '-'} µs CPU/MiB)  ${Math.round(c.perSecond).toLocaleString('en-US')} conn/s (${c.cpuUsPerConn?.toFixed(1) ?? '-'} µs CPU/conn)${d.error ? `  ${d.error}` : ''}${c.errors ? `  errors ${c.errors}` : ''}`)
      }
    }
    for (const t of targets) {
      if (t.skip) {
        log(`  ${t.name}: ${t.skip}`)
        rows.push({ proxy: t.name, status: t.skip })
        continue
      }
      const r = runs.get(t.name)
      rows.push({
        proxy: t.name,
        status: 'ok',
        mibPerSecond: median(r.map((x) => x.mibPerSecond)),
        cpuUsPerMiB: median(r.map((x) => x.cpuUsPerMiB)),
        connPerSecond: median(r.map((x) => x.perSecond)),
        cpuUsPerConn: median(r.map((x) => x.cpuUsPerConn)),
        errors: r.reduce((a, x) => a + x.errors + (x.error ? 1 : 0), 0),
        rounds: r,
      })
    }
  } finally {
    for (const t of targets) if (t.owned) await stop(t.proc)
    await stop(backend.proc)
    pinSelf(undefined, `0-${cpuCount - 1}`)
  }
  return { pinned, rounds, seconds, rows }
}

const fmt = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '-')

export function markdownTcp(tcp) {
  if (tcp.skipped) return `## TCP (network balancer)\n\n${tcp.skipped}`
  const out = [`## TCP (network balancer): ${tcp.pinned ? 'proxy pinned to CPU 0, load and backend on CPU 1' : 'unpinned'}, ${tcp.rounds} round(s), medians`, '']
  out.push('| proxy | 1 GiB download MiB/s | CPU µs/MiB | new connections/s | CPU µs/conn | errors |', '| --- | --- | --- | --- | --- | --- |')
  for (const r of tcp.rows) {
    out.push(r.status === 'ok' ? `| ${r.proxy} | ${fmt(r.mibPerSecond)} | ${fmt(r.cpuUsPerMiB)} | ${fmt(r.connPerSecond)} | ${fmt(r.cpuUsPerConn, 1)} | ${r.errors} |` : `| ${r.proxy} | ${r.status} | | | | |`)
  }
  const alb = tcp.rows.find((r) => r.proxy === 'openalb' && r.status === 'ok')
  const peers = tcp.rows.filter((r) => r.status === 'ok' && r.proxy !== 'openalb' && r.proxy !== 'direct')
  if (alb && peers.length) {
    out.push('', '| openalb / peer | throughput | connections/s | goal |', '| --- | --- | --- | --- |')
    for (const p of peers) {
      const tput = alb.mibPerSecond / p.mibPerSecond
      const conns = alb.connPerSecond / p.connPerSecond
      out.push(`| ${p.proxy} | ${tput.toFixed(2)}x | ${conns.toFixed(2)}x | ${p.proxy === 'haproxy' ? `≥ 0.7x on both: ${tput >= 0.7 && conns >= 0.7 ? 'met' : 'not met'}` : ''} |`)
    }
  }
  return out.join('\n')
}
