// The memory scenario, per proxy (fresh process, one worker, unpinned): RSS while a large upload
// streams through it to a backend that reads and discards it, then RSS with many idle keep-alive
// client connections open.
import { request } from 'node:http'
import { connect } from 'node:net'
import { join } from 'node:path'
import { groupPids, interrupted, rssKiB, stop } from './processes.mjs'
import { startBackend, startProxy } from './proxies.mjs'

export async function runMemory(o) {
  const dir = join(o.dir, 'memory')
  // The Node backend answers after it has read the whole body (nginx answers first, then discards).
  const backend = await startBackend({ kind: 'node', dir })
  o.log(`== memory: ${o.streamMiB} MiB upload through each proxy, then ${o.idleConnections} idle keep-alive connections`)
  const rows = []
  try {
    for (const name of o.proxies) {
      if (name === 'direct') continue
      if (interrupted.value) throw new Error('interrupted')
      const t = await startProxy(name, { workers: 1, dir, readySeconds: o.readySeconds, backend })
      if (t.skip) {
        o.log(`  ${name}: ${t.skip}`)
        rows.push({ proxy: name, status: t.skip })
        continue
      }
      try {
        const pids = () => groupPids(t.proc.pgid)
        const stream = await streamThrough(t.url, o.streamMiB * 1024 * 1024, pids, o.streamTimeoutSeconds)
        const idle = await idleConnections(t.url, o.idleConnections, pids, o.idleTimeoutSeconds)
        const row = { proxy: name, status: 'ok', stream, idle }
        rows.push(row)
        o.log(`  ${name.padEnd(11)} stream: RSS ${mib(stream.startKiB)} -> peak ${mib(stream.peakKiB)} MiB (${stream.growthPct.toFixed(1)}%), ${stream.mibPerSecond.toFixed(0)} MiB/s${stream.error ? `, ${stream.error}` : ''}` +
          `; idle: ${idle.open}/${o.idleConnections} open, RSS ${mib(idle.beforeKiB)} -> ${mib(idle.withKiB)} MiB${idle.error ? `, ${idle.error}` : ''}`)
      } finally {
        await stop(t.proc)
      }
    }
  } finally {
    await stop(backend.proc)
  }
  return rows
}

const mib = (kib) => (kib / 1024).toFixed(1)

/**
 * POSTs `bytes` of zeros through url, sampling the proxy's RSS every 100 ms. A 64 MiB upload first
 * warms the proxy up (JIT, buffers, heap), so the growth reported is the streaming's own.
 */
async function streamThrough(url, bytes, pids, timeoutSeconds) {
  const group = pids()
  const coldKiB = rssKiB(group)
  await upload(url, 64 * 1024 * 1024, timeoutSeconds * 1000)
  const startKiB = rssKiB(group)
  let peakKiB = startKiB
  const sampler = setInterval(() => (peakKiB = Math.max(peakKiB, rssKiB(group))), 100)
  const started = performance.now()
  const result = await upload(url, bytes, timeoutSeconds * 1000)
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const endKiB = rssKiB(group)
  peakKiB = Math.max(peakKiB, endKiB)
  const error = result.error ?? (result.status !== 200 ? `status ${result.status}` : result.received !== bytes ? `backend received ${result.received} of ${bytes} bytes` : undefined)
  return {
    bytes, sent: result.sent, seconds, mibPerSecond: result.sent / 1048576 / seconds,
    coldKiB, startKiB, peakKiB, endKiB, growthPct: ((peakKiB - startKiB) / startKiB) * 100, ...(error ? { error } : {}),
  }
}

function upload(url, bytes, timeoutMs) {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(256 * 1024)
    let sent = 0
    let settled = false
    const done = (r) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ sent, ...r })
    }
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) } })
    const timer = setTimeout(() => (done({ error: `timed out after ${timeoutMs / 1000} s` }), req.destroy()), timeoutMs)
    req.on('response', (res) => {
      res.resume()
      res.once('end', () => done({ status: res.statusCode, received: Number(res.headers['x-received-bytes']) }))
    })
    req.on('error', (e) => done({ error: e.message }))
    const pump = () => {
      while (sent < bytes && !settled) {
        const n = Math.min(chunk.length, bytes - sent)
        sent += n
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump)
      }
      req.end()
    }
    pump()
  })
}

/**
 * Opens `count` connections (at most 200 connecting at a time), sends one keep-alive GET on each,
 * and leaves them idle; samples RSS for a second once all are open, then closes them.
 */
async function idleConnections(url, count, pids, timeoutSeconds) {
  const { port } = new URL(url)
  const beforeKiB = rssKiB(pids())
  const sockets = []
  const deadline = Date.now() + timeoutSeconds * 1000
  let failed = 0
  const one = () => new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) })
    sockets.push(s)
    let buf = ''
    let settled = false
    const finish = (ok) => {
      if (settled) return
      settled = true
      clearTimeout(t)
      if (!ok) failed++
      resolve()
    }
    const t = setTimeout(() => finish(false), Math.max(1, Math.min(10_000, deadline - Date.now())))
    s.once('connect', () => s.write('GET / HTTP/1.1\r\nHost: bench\r\n\r\n'))
    s.on('data', (d) => {
      buf += d
      if (buf.includes('\r\n\r\n') && buf.endsWith('ok\n')) finish(true)
    })
    s.on('error', () => finish(false))
    s.on('close', () => finish(false))
  })
  let next = 0
  await Promise.all(Array.from({ length: Math.min(200, count) }, async () => {
    while (next < count && Date.now() < deadline) {
      next++
      await one()
    }
  }))
  await new Promise((r) => setTimeout(r, 1000))
  const group = pids()
  let withKiB = rssKiB(group)
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 250))
    withKiB = Math.max(withKiB, rssKiB(group))
  }
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length
  for (const s of sockets) s.destroy()
  return {
    requested: count, open, failed, beforeKiB, withKiB,
    kibPerConnection: open > 0 ? (withKiB - beforeKiB) / open : undefined,
    ...(next < count ? { error: `only ${next} connections attempted within ${timeoutSeconds} s` } : {}),
  }
}
