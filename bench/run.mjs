#!/usr/bin/env node
// `npm run bench`: openalb against the backend directly, nginx, HAProxy and Node.js proxies
// (HTTP/1.1 keep-alive with wrk, pinned and unpinned), its memory while streaming and holding idle
// connections, and its DNS server (bench/dns/run.mjs). docs/bench.md explains the figures.
// Loopback only; every run is bounded in time; only the processes started here are stopped.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, release, totalmem } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runDns } from './lib/dns-scenario.mjs'
import { runHttp } from './lib/http-scenario.mjs'
import { runMemory } from './lib/memory-scenario.mjs'
import { markdownTls, runTls } from './tls/run.mjs'
import { markdownTcp, runTcp } from './tcp/run.mjs'
import { markdownWholebox, runWholebox } from './wholebox/run.mjs'
import { parseOptions, USAGE } from './lib/options.mjs'
import { has, interrupted, killAllSync, stopAll } from './lib/processes.mjs'
import { markdown, ratios } from './lib/report.mjs'

const bench = fileURLToPath(new URL('.', import.meta.url))
const log = (msg) => process.stderr.write(`${msg}\n`)

let o
try {
  o = parseOptions(process.argv.slice(2))
} catch (e) {
  log(`${e.message}\n\n${USAGE}`)
  process.exit(2)
}
if (o.help) {
  console.log(USAGE)
  process.exit(0)
}

process.on('exit', killAllSync)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    log(`\n${signal}: stopping the processes this benchmark started`)
    interrupted.value = true
    await stopAll()
    process.exit(130)
  })
}

if (o.only.has('http') && !has('wrk')) {
  log('wrk is not installed, so the HTTP scenario cannot run. Install it (Debian/Ubuntu: sudo apt-get install wrk;')
  log('macOS: brew install wrk) and run again. Skipping the HTTP scenario.')
  o.only.delete('http')
  if (o.only.size === 0) process.exit(0)
}
const cpuCount = availableParallelism()
if (o.modes.includes('pinned') && (cpuCount < 2 || !has('taskset'))) {
  log(`pinned mode needs taskset and 2 CPUs (found ${cpuCount}${has('taskset') ? '' : ', no taskset'}): running unpinned only`)
  o.modes = o.modes.filter((m) => m !== 'pinned')
}

const startedAt = new Date().toISOString()
const dir = o.out ?? join(bench, 'results', startedAt.replace(/[:.]/g, '-').replace('T', '_').slice(0, 19))
mkdirSync(join(dir, 'raw'), { recursive: true })
chmodSync(join(dir, 'raw'), 0o755) // nginx workers drop privileges when started as root
const results = {
  startedAt,
  command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
  host: `Linux ${release()}, ${cpuCount} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}; installed: ${['wrk', 'nginx', 'haproxy', 'nsd'].filter(has).join(', ')}`,
  options: { ...o, only: [...o.only] },
}
const ctx = { ...o, cpuCount, dir: join(dir, 'raw'), log }

try {
  if (o.only.has('http')) {
    results.http = await runHttp(ctx)
    results.ratios = ratios(results.http)
  }
  if (o.only.has('memory')) results.memory = await runMemory(ctx)
  if (o.only.has('dns')) results.dns = await runDns({ seconds: o.dnsSeconds, dir: ctx.dir, log })
  if (o.only.has('tls')) results.tls = await runTls({ seconds: o.quick ? 3 : 5, dir: ctx.dir, log })
  if (o.only.has('wholebox')) results.wholebox = await runWholebox({ rounds: o.rounds, seconds: o.seconds, warmupSeconds: o.warmupSeconds, dir: join(ctx.dir, 'wholebox'), log })
  if (o.only.has('tcp')) results.tcp = await runTcp({ proxies: o.proxies, rounds: o.rounds, seconds: o.seconds, warmupSeconds: o.warmupSeconds, cpuCount, dir: ctx.dir, log })
} catch (e) {
  if (interrupted.value) await new Promise(() => {}) // the signal handler exits
  log(`benchmark stopped: ${e.message}`)
  await stopAll()
  process.exit(1)
}
if (interrupted.value) await new Promise(() => {})

const md = [markdown(results), results.tls ? markdownTls(results.tls) : '', results.tcp ? markdownTcp(results.tcp) : '', results.wholebox ? markdownWholebox(results.wholebox) : ''].filter(Boolean).join('\n\n')
writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
writeFileSync(join(dir, 'results.md'), `${md}\n`)
console.log(`\n${md}`)
log(`results: ${relative(process.cwd(), dir) || '.'}/results.{md,json} (logs and configs in raw/)`)
