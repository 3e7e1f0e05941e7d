// Peer: the leanest conventional Node proxy, node:http server + undici Pool.dispatch with a plain
// handler and flat header arrays (../../docs/bench.md: the design openalb has to beat).
// Env: PORT, UPSTREAM (host:port).
import { createServer } from 'node:http'
import { Pool } from 'undici'

const pool = new Pool(`http://${process.env.UPSTREAM}`, { connections: 256, pipelining: 1, keepAliveTimeout: 300_000 })
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'proxy-authenticate', 'proxy-authorization'])

function forward(req, res) {
  const raw = req.rawHeaders
  const headers = []
  let xff = ''
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (HOP.has(name)) continue
    if (name === 'x-forwarded-for') xff = `${raw[i + 1]}, `
    else headers.push(raw[i], raw[i + 1])
  }
  headers.push('x-forwarded-for', xff + req.socket.remoteAddress, 'x-forwarded-proto', 'http')
  const body = req.headers['content-length'] || req.headers['transfer-encoding'] ? req : null
  pool.dispatch({ method: req.method, path: req.url, headers, body }, {
    onConnect() {},
    onHeaders(statusCode, rawHeaders, resume) {
      const out = []
      for (let i = 0; i < rawHeaders.length; i += 2) {
        const name = rawHeaders[i].toString('latin1')
        if (!HOP.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1].toString('latin1'))
      }
      res.writeHead(statusCode, out)
      res.on('drain', resume)
      return true
    },
    onData: (chunk) => res.write(chunk),
    onComplete: () => res.end(),
    onError() {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    },
  })
}

const server = createServer(forward)
server.keepAliveTimeout = 300_000
server.requestTimeout = 0
server.listen(Number(process.env.PORT), '127.0.0.1')
process.once('SIGTERM', () => process.exit(0))
