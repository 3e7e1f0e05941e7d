// Command-line options of bench/run.mjs.
import { parseArgs } from 'node:util'
import { PROXIES } from './proxies.mjs'

export const USAGE = `Usage: npm run bench -- [options]   (or: node bench/run.mjs [options] after npm run build)

  --quick                   1 round of 3 s per wrk run (warm-up 1 s), DNS phases of 2 s
  --only LIST               scenarios: http,dns,memory,tls,tcp,wholebox (default: all six)
  --proxies LIST            ${PROXIES.join(',')} (default: all; missing ones are skipped)
  --modes LIST              pinned,unpinned (default: both)
  --rounds N                interleaved rounds per mode, medians reported (default 3)
  --seconds N               measured seconds per wrk run (default 8)
  --warmup N                discarded warm-up seconds before each run (default 2)
  --connections N           wrk connections (default 50)
  --stream-mib N            size of the upload in the memory scenario (default 1024)
  --idle-connections N      idle keep-alive connections in the memory scenario (default 5000)
  --ready-seconds N         how long to wait for openalb to answer 200 (default 30)
  --out DIR                 results directory (default bench/results/<timestamp>)
  -h, --help`

export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', default: 'http,dns,memory,tls,tcp,wholebox' },
      proxies: { type: 'string', default: PROXIES.join(',') },
      modes: { type: 'string', default: 'pinned,unpinned' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '50' },
      'stream-mib': { type: 'string' },
      'idle-connections': { type: 'string', default: '5000' },
      'ready-seconds': { type: 'string', default: '30' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean)
  const num = (name, v, dflt) => {
    const n = Number(v ?? dflt)
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, got ${v}`)
    return n
  }
  const q = values.quick
  const o = {
    help: values.help,
    quick: q,
    only: new Set(list(values.only)),
    proxies: list(values.proxies),
    modes: list(values.modes),
    rounds: num('rounds', values.rounds, q ? 1 : 3),
    seconds: num('seconds', values.seconds, q ? 3 : 8),
    warmupSeconds: num('warmup', values.warmup, q ? 1 : 2),
    connections: num('connections', values.connections),
    streamMiB: num('stream-mib', values['stream-mib'], 1024),
    idleConnections: num('idle-connections', values['idle-connections']),
    readySeconds: num('ready-seconds', values['ready-seconds']),
    dnsSeconds: q ? 2 : 5,
    streamTimeoutSeconds: 180,
    idleTimeoutSeconds: 60,
    out: values.out,
  }
  for (const s of o.only) if (!['http', 'dns', 'memory', 'tls', 'tcp', 'wholebox'].includes(s)) throw new Error(`--only: unknown scenario ${s} (http, dns, memory, tls, tcp, wholebox)`)
  for (const m of o.modes) if (!['pinned', 'unpinned'].includes(m)) throw new Error(`--modes: unknown mode ${m} (pinned, unpinned)`)
  for (const p of o.proxies) if (!PROXIES.includes(p)) throw new Error(`--proxies: unknown proxy ${p} (${PROXIES.join(', ')})`)
  return o
}
