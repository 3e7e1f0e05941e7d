// The HTTP scenario: wrk against the backend directly and through each proxy, pinned and unpinned,
// in interleaved rounds (A B C, A B C, ...); medians per proxy and mode.
import { join } from 'node:path'
import { CLK_TCK, cpuMicros, cpuStat, cpuTicks, groupPids, interrupted, pinSelf, rssKiB, stop } from './processes.mjs'
import { startBackend, startProxy } from './proxies.mjs'
import { runWrk } from './wrk.mjs'

/** CPU layout per mode: pinned puts the proxy on CPU 0 and wrk + backend on CPU 1. */
export function layout(mode, cpuCount) {
  const all = `0-${cpuCount - 1}`
  return mode === 'pinned'
    ? { proxyCpus: '0', loadCpus: cpuCount > 1 ? '1' : '0', workers: 1, all }
    : { proxyCpus: undefined, loadCpus: undefined, workers: cpuCount, all }
}

export async function runHttp(o) {
  const rows = []
  for (const mode of o.modes) {
    const { proxyCpus, loadCpus, workers, all } = layout(mode, o.cpuCount)
    pinSelf(loadCpus, all)
    const dir = join(o.dir, `http-${mode}`)
    const backend = await startBackend({ cpus: loadCpus, dir })
    o.log(`== HTTP ${mode}: proxy on CPU ${proxyCpus ?? 'any'}, wrk and backend (${backend.name}) on CPU ${loadCpus ?? 'any'}`)
    const targets = await Promise.all(o.proxies.map((name) => startProxy(name, { cpus: proxyCpus, workers, dir, readySeconds: o.readySeconds, backend })))
    try {
      const runs = new Map(targets.map((t) => [t.name, []]))
      for (let round = 1; round <= o.rounds; round++) {
        for (const t of targets) {
          if (t.skip) continue
          if (interrupted.value) throw new Error('interrupted')
          // direct: the backend is the process measured, and it shares CPU 1 with wrk
          const m = await measure(t, { ...o, loadCpus, proxyCpus: t.name === 'direct' ? undefined : proxyCpus })
          runs.get(t.name).push(m)
          o.log(`  ${mode} r${round} ${t.name.padEnd(11)} ${Math.round(m.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${fmt(m.p50Ms)} ms  p99 ${fmt(m.p99Ms)} ms  ${fmt(m.cpuUsPerReq, 1)} µs/req  RSS ${fmt(m.rssMiB, 1)} MiB${m.othersPct === undefined ? '' : `  others on CPU ${proxyCpus} ${fmt(m.othersPct, 0)}%`}${m.errors + m.non2xx ? `  errors ${m.errors} non-2xx ${m.non2xx}` : ''}`)
        }
      }
      for (const t of targets) {
        if (t.skip) {
          o.log(`  ${mode} ${t.name}: ${t.skip}`)
          rows.push({ mode, proxy: t.name, status: t.skip })
        } else rows.push({ mode, proxy: t.name, status: 'ok', ...medians(runs.get(t.name)), rounds: runs.get(t.name).map(({ raw, ...m }) => m) })
      }
    } finally {
      for (const t of targets) if (t.owned) await stop(t.proc)
      await stop(backend.proc)
    }
  }
  pinSelf(undefined, layout('unpinned', o.cpuCount).all)
  return rows
}

/** One measured wrk run after a discarded warm-up; CPU and RSS of the proxy's process group. */
async function measure(target, { url = target.url, seconds, warmupSeconds, connections, loadCpus, proxyCpus }) {
  if (warmupSeconds > 0) await runWrk({ url, seconds: warmupSeconds, connections, cpus: loadCpus })
  const pids = groupPids(target.proc.pgid)
  let rss = rssKiB(pids)
  const sampler = setInterval(() => (rss = Math.max(rss, rssKiB(pids))), 500)
  const before = cpuTicks(pids)
  const statBefore = cpuStat()
  const w = await runWrk({ url, seconds, connections, cpus: loadCpus })
  const after = cpuTicks(pids)
  const statAfter = cpuStat()
  clearInterval(sampler)
  rss = Math.max(rss, rssKiB(pids))
  const proxyMicros = cpuMicros(before, after)
  return { ...w, rssMiB: rss / 1024, cpuUsPerReq: w.requests > 0 ? proxyMicros / w.requests : undefined, ...(proxyCpus ? { othersPct: othersOn(proxyCpus, statBefore, statAfter, proxyMicros) } : {}) }
}

/**
 * Share of the proxy's CPU that something other than the proxy kept busy during the run, in %:
 * other programs on a shared machine, or interrupts. Above ~10% the run is noisy.
 */
function othersOn(cpu, before, after, proxyMicros) {
  const a = before.get(cpu)
  const b = after.get(cpu)
  if (!a || !b || b.total === a.total) return undefined
  const busyMicros = ((b.busy - a.busy) * 1e6) / CLK_TCK
  const totalMicros = ((b.total - a.total) * 1e6) / CLK_TCK
  return Math.max(0, ((busyMicros - proxyMicros) / totalMicros) * 100)
}

function medians(runs) {
  const med = (key) => {
    const v = runs.map((r) => r[key]).filter((x) => typeof x === 'number').sort((a, b) => a - b)
    return v.length ? (v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : undefined
  }
  return {
    rps: med('rps'), p50Ms: med('p50Ms'), p99Ms: med('p99Ms'), rssMiB: med('rssMiB'), cpuUsPerReq: med('cpuUsPerReq'), othersPct: med('othersPct'),
    errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
  }
}

export const fmt = (v, digits = 2) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-')
