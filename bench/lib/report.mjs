// Results as markdown tables (printed and written) next to the JSON.
import { fmt } from './http-scenario.mjs'

const NODE_PEERS = new Set(['http-proxy', 'fastify', 'node-undici'])
/** Issue 3's goals for openalb's req/s against a peer on the same pinned core. */
const goal = (peer) => (peer === 'haproxy' ? 0.6 : NODE_PEERS.has(peer) ? 1.5 : undefined)

function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

const int = (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en-US') : '-')

export function markdown(results) {
  const out = [`# openalb benchmark, ${results.startedAt}`, '', `${results.host}`, '', `\`${results.command}\``, '']
  if (results.http) {
    const o = results.options
    out.push(`## HTTP/1.1 keep-alive: wrk -t1 -c${o.connections} -d${o.seconds}s, ${o.rounds} round(s), medians`, '')
    out.push(table(['mode', 'proxy', 'req/s', 'p50 ms', 'p99 ms', 'RSS MiB', 'CPU µs/req', 'others on proxy CPU', 'errors'],
      results.http.map((r) => r.status === 'ok'
        ? [r.mode, r.proxy, int(r.rps), fmt(r.p50Ms), fmt(r.p99Ms), fmt(r.rssMiB, 1), fmt(r.cpuUsPerReq, 1), r.othersPct === undefined ? '' : `${fmt(r.othersPct, 0)}%`, String(r.errors)]
        : [r.mode, r.proxy, r.status, '', '', '', '', '', ''])), '')
    if (results.ratios.length) {
      out.push('### openalb against each peer', '', 'req/s ratio above 1: openalb is faster; CPU ratio below 1: openalb spends less CPU per request.', '')
      out.push(table(['mode', 'peer', 'req/s openalb/peer', 'CPU µs/req openalb/peer', 'goal (pinned)'],
        results.ratios.map((r) => [r.mode, r.peer, r.rps === undefined ? 'n/a' : `${r.rps.toFixed(2)}x`, r.cpu === undefined ? 'n/a' : `${r.cpu.toFixed(2)}x`,
          r.goal === undefined ? '' : `≥ ${r.goal}x${r.rps === undefined ? '' : r.rps >= r.goal ? ' met' : ' not met'}`])), '')
    }
  }
  if (results.memory) {
    const o = results.options
    out.push(`## Memory: a ${o.streamMiB} MiB upload streamed through, then ${o.idleConnections.toLocaleString('en-US')} idle keep-alive connections`, '')
    out.push(table(['proxy', 'RSS cold MiB', 'RSS warm MiB', 'peak while streaming MiB', 'growth', 'MiB/s', `RSS with idle conns MiB`, 'KiB/conn', 'notes'],
      results.memory.map((r) => r.status === 'ok'
        ? [r.proxy, fmt(r.stream.coldKiB / 1024, 1), fmt(r.stream.startKiB / 1024, 1), fmt(r.stream.peakKiB / 1024, 1), `${fmt(r.stream.growthPct, 1)}%`, fmt(r.stream.mibPerSecond, 0),
            fmt(r.idle.withKiB / 1024, 1), fmt(r.idle.kibPerConnection, 1), [r.stream.error, r.idle.open < r.idle.requested ? `${r.idle.open} open` : '', r.idle.error].filter(Boolean).join('; ')]
        : [r.proxy, r.status, '', '', '', '', '', '', ''])), '')
    out.push('Goals for openalb: growth within 10% while streaming; under 150 MiB with the idle connections open.', '')
  }
  if (results.dns) {
    const d = results.dns
    out.push('## DNS (bench/dns/run.mjs): UDP queries/s, then latency at half that rate', '')
    if (d.status !== 'ok') out.push(d.status, '')
    else {
      const row = (name, t, l) => [name, int(t?.qps), fmt(l?.p50Ms, 3), fmt(l?.p99Ms, 3), fmt(l?.p999Ms, 3)]
      out.push(`load generator: ${d.generator}`, '')
      out.push(table(['server', 'queries/s', 'p50 ms', 'p99 ms', 'p99.9 ms'], [row('openalb', d.openalb, d.openalbLatency), ...(d.nsd ? [row('nsd', d.nsd, d.nsdLatency)] : [])]), '')
      if (d.ratio !== undefined) out.push(`openalb/nsd queries/s: ${d.ratio}x (${d.records} records, server on CPU ${d.serverCore})`, '')
    }
  }
  return out.join('\n')
}

/** openalb's req/s and CPU per request divided by each peer's, per mode. */
export function ratios(rows) {
  const out = []
  for (const mode of new Set(rows.map((r) => r.mode))) {
    const ours = rows.find((r) => r.mode === mode && r.proxy === 'openalb')
    if (!ours) continue
    for (const peer of rows.filter((r) => r.mode === mode && r.proxy !== 'openalb' && r.proxy !== 'direct' && r.status === 'ok')) {
      const ok = ours.status === 'ok'
      out.push({
        mode, peer: peer.proxy,
        rps: ok && peer.rps ? ours.rps / peer.rps : undefined,
        cpu: ok && peer.cpuUsPerReq && ours.cpuUsPerReq ? ours.cpuUsPerReq / peer.cpuUsPerReq : undefined,
        goal: mode === 'pinned' ? goal(peer.proxy) : undefined,
      })
    }
  }
  return out
}
