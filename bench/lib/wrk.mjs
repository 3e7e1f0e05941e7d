// Runs wrk (HTTP/1.1 keep-alive) against one URL and parses its report.
import { launch, stop } from './processes.mjs'

/**
 * wrk -t1 -c<connections> -d<seconds>s --latency <url>, pinned to cpus when given; killed if it
 * overruns its duration by 15 s. Resolves { rps, p50Ms, p99Ms, requests, errors, non2xx, raw }.
 */
export async function runWrk({ url, seconds, connections, cpus, threads = 1, headers = [] }) {
  const proc = launch('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url], { cpus, pipe: true })
  let out = ''
  const ended = new Promise((resolve) => {
    if (!proc.child.stdout) return resolve()
    proc.child.stdout.on('data', (d) => (out += d))
    proc.child.stdout.once('close', resolve)
  })
  const timer = setTimeout(() => stop(proc, 1000), (seconds + 15) * 1000)
  await Promise.all([proc.exited, ended])
  clearTimeout(timer)
  await stop(proc, 1000)
  return parseWrk(out)
}

export function parseWrk(out) {
  const num = (re) => {
    const m = re.exec(out)
    return m ? Number(m[1]) : undefined
  }
  const ms = (pct) => {
    const m = new RegExp(`^\\s+${pct}%\\s+([\\d.]+)(us|ms|s|m)\\b`, 'm').exec(out)
    if (!m) return undefined
    const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2]]
    return Number(m[1]) * scale
  }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  return {
    rps: num(/^Requests\/sec:\s+([\d.]+)/m) ?? 0,
    p50Ms: ms(50),
    p99Ms: ms(99),
    requests: num(/^\s+(\d+) requests in/m) ?? 0,
    errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    raw: out,
  }
}
