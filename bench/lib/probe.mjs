// Loopback probes: is a port taken, a free port, wait for a 200.
import { request } from 'node:http'
import { connect, createServer } from 'node:net'

export function portInUse(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.setTimeout(500)
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('timeout', () => (s.destroy(), resolve(false)))
    s.once('error', () => resolve(false))
  })
}

let nextPort = 18080

/**
 * A free port for a peer proxy, counting up from 18080: below the kernel's ephemeral range, so it
 * cannot collide with the port-0 sockets openalb opens while the peers start.
 */
export async function freePort() {
  for (; nextPort < 19000; nextPort++) {
    if (await canListen(nextPort)) return nextPort++
  }
  throw new Error('no free port in 18080-18999')
}

function canListen(port) {
  return new Promise((resolve) => {
    const s = createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
}

/** One GET; resolves to the status code, or 0 when nothing answered within a second. */
export function status(url) {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => resolve(0))
    req.end()
  })
}

/**
 * Polls url until it answers 200, the process exits, or seconds pass.
 * Resolves { ok: true } or { ok: false, reason }.
 */
export async function waitFor200(url, { seconds, exited }) {
  let gone
  exited?.then((e) => (gone = e))
  const deadline = Date.now() + seconds * 1000
  let last = 0
  while (Date.now() < deadline) {
    if (gone) return { ok: false, reason: `exited (${gone.signal ?? `code ${gone.code}`})` }
    last = await status(url)
    if (last === 200) return { ok: true }
    await new Promise((r) => setTimeout(r, 200))
  }
  return { ok: false, reason: last === 0 ? 'not serving' : `answers ${last}, not 200` }
}
