// The two load generators of the DNS benchmark. dnsperf (Debian package dnsperf) is a C tool that
// can outrun every server here; the Node loop is the fallback when it is not installed and runs out
// of breath first (its figures then measure the generator as much as the server). Both send the
// same query mix and both are bounded by a time limit.
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import dnsPacket from 'dns-packet'

const SOCKETS = 4
const WINDOW = 64 // outstanding queries per socket in the throughput phase

const percentiles = (sorted) => {
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
  return { p50Ms: +pct(50).toFixed(3), p99Ms: +pct(99).toFixed(3), p999Ms: +pct(99.9).toFixed(3) }
}

/** dnsperf against 127.0.0.1:port; `names` are the query names in order. */
export function dnsperfGenerator({ names, dir, pin }) {
  const dataFile = join(dir, 'queries.txt')
  writeFileSync(dataFile, names.map((n) => `${n} A\n`).join(''))
  const run = (port, args, outFile) =>
    new Promise((resolve, reject) => {
      // Output goes to a file, not through this process: parsing it live would take the generator's core.
      const fd = openSync(outFile, 'w')
      const [cmd, cmdArgs] = pin('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', dataFile, '-c', String(SOCKETS), ...args])
      const child = spawn(cmd, cmdArgs, { stdio: ['ignore', fd, fd] })
      child.once('error', reject)
      child.once('exit', (code) => {
        closeSync(fd)
        const out = readFileSync(outFile, 'utf8')
        if (code === 0) resolve(out)
        else reject(new Error(`dnsperf exited with ${code}: ${out.slice(-500)}`))
      })
    })
  const field = (out, label) => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(out)?.[1] ?? NaN)
  return {
    name: 'dnsperf',
    async throughput(port, seconds) {
      const out = await run(port, ['-l', String(seconds), '-q', String(SOCKETS * WINDOW)], join(dir, 'throughput.txt'))
      return { qps: Math.round(field(out, 'Queries per second')), sent: field(out, 'Queries sent'), answered: field(out, 'Queries completed'), lost: field(out, 'Queries lost') }
    },
    async latency(port, rate, seconds, warmupSeconds) {
      await run(port, ['-l', String(warmupSeconds), '-Q', String(rate)], join(dir, 'warmup.txt'))
      // -v reports every answer with its latency in seconds: "> NOERROR h1.bench.test. A 0.000031".
      const out = await run(port, ['-l', String(seconds), '-Q', String(rate), '-v'], join(dir, 'latency.txt'))
      const latencies = []
      for (const line of out.split('\n')) {
        if (line.startsWith('> ')) latencies.push(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000)
      }
      const sorted = Float64Array.from(latencies).sort()
      const sent = field(out, 'Queries sent')
      return { rate, sent, answered: sorted.length, ...percentiles(sorted), trustworthy: sorted.length / Math.max(1, sent) > 0.99 }
    },
  }
}

/** The Node fallback: a closed loop for throughput, an open loop at a fixed rate for latency. */
export function nodeGenerator({ names, maxQueries }) {
  const queries = names.map((name) => dnsPacket.encode({ type: 'query', id: 0, flags: 0, questions: [{ type: 'A', name }] }))
  return {
    name: 'node (bench/dns/generators.mjs)',
    async throughput(port, seconds) {
      const deadline = performance.now() + seconds * 1000
      let sent = 0
      let answered = 0
      let errors = 0
      const started = performance.now()
      await Promise.all(
        Array.from({ length: SOCKETS }, (_, s) => new Promise((resolve) => {
          const sock = createSocket('udp4')
          let next = s
          let inFlight = 0
          let done = false
          const fire = () => {
            if (done || sent >= maxQueries || performance.now() > deadline) {
              if (!done && inFlight === 0) finish()
              return
            }
            const q = Buffer.from(queries[next++ % queries.length])
            q.writeUInt16BE(next & 0xffff, 0)
            sent++
            inFlight++
            sock.send(q, port, '127.0.0.1')
          }
          const finish = () => {
            done = true
            clearInterval(refill)
            sock.close()
            resolve()
          }
          sock.on('message', (m) => {
            inFlight--
            if ((m.readUInt16BE(2) & 0xf) === 0) answered++
            else errors++
            fire()
          })
          // Lost datagrams would shrink the window for good: top it up now and then, and stop at the deadline.
          const refill = setInterval(() => {
            if (performance.now() > deadline + 200) return finish()
            inFlight = Math.min(inFlight, WINDOW)
            for (let i = inFlight; i < WINDOW; i++) fire()
          }, 50)
          for (let i = 0; i < WINDOW; i++) fire()
        })),
      )
      const elapsed = (performance.now() - started) / 1000
      return { qps: Math.round(answered / elapsed), sent, answered, errors }
    },
    /**
     * The first warmupSeconds at the same rate are not recorded (the loop is cold then and sends in
     * bursts); nothing is allocated per answer, so this process's collector stays out of the figures.
     */
    async latency(port, rate, seconds, warmupSeconds) {
      const socks = Array.from({ length: SOCKETS }, () => createSocket({ type: 'udp4', recvBufferSize: 1 << 22 }))
      await Promise.all(socks.map((s) => new Promise((r) => s.bind(0, '127.0.0.1', r))))
      const sentAt = new Float64Array(65536)
      const recordedId = new Uint8Array(65536)
      const warmup = Math.round(rate * warmupSeconds)
      const total = warmup + Math.min(maxQueries, Math.round(rate * seconds))
      const latencies = new Float64Array(total)
      let answered = 0
      let sent = 0
      for (const sock of socks) {
        sock.on('message', (m) => {
          const id = m.readUInt16BE(0)
          if (recordedId[id] === 1 && answered < total) latencies[answered++] = performance.now() - sentAt[id]
        })
      }
      const prepared = queries.map((q) => Buffer.from(q))
      const start = performance.now()
      await new Promise((resolve) => {
        const tick = () => {
          const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate))
          for (; sent < due; sent++) {
            const q = prepared[sent % prepared.length]
            const id = sent & 0xffff
            q.writeUInt16BE(id, 0)
            sentAt[id] = performance.now()
            recordedId[id] = sent >= warmup ? 1 : 0
            socks[sent % SOCKETS].send(q, port, '127.0.0.1')
          }
          if (sent >= total || performance.now() - start > (seconds + warmupSeconds) * 1000 + 1000) setTimeout(resolve, 200)
          else setImmediate(tick)
        }
        tick()
      })
      for (const s of socks) s.close()
      const measured = sent - warmup
      const sorted = latencies.subarray(0, answered).sort()
      // Lost answers mean the load generator or the kernel queues overflowed: the figures then measure them too.
      return { rate, sent: measured, answered, ...percentiles(sorted), trustworthy: answered / Math.max(1, measured) > 0.99 }
    },
  }
}

/** One query for the waiting loop before a server is measured. */
export const probeQuery = (name) => dnsPacket.encode({ type: 'query', id: 1, flags: 0, questions: [{ type: 'A', name }] })
