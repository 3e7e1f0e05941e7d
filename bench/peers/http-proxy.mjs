// Peer: node-http-proxy with a keep-alive agent. Env: PORT, UPSTREAM (host:port).
import { Agent, createServer } from 'node:http'
import httpProxy from 'http-proxy'

const [host, port] = process.env.UPSTREAM.split(':')
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 })
const proxy = httpProxy.createProxyServer({ target: { host, port: Number(port) }, agent, xfwd: true })
proxy.on('error', (_err, _req, res) => {
  if (!res.headersSent) res.writeHead?.(502)
  res.end()
})
const server = createServer((req, res) => proxy.web(req, res))
server.keepAliveTimeout = 300_000
server.requestTimeout = 0
server.listen(Number(process.env.PORT), '127.0.0.1')
process.once('SIGTERM', () => process.exit(0))
