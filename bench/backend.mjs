// The Node backend for `npm run bench`: answers 200 "ok\n" once the request body (if any) has been
// read and thrown away, with the body's size in x-received-bytes. Used when nginx is not installed,
// and always for the memory scenario (nginx answers before it has read a body).
// Usage: node bench/backend.mjs <port>
import { createServer } from 'node:http'

const port = Number(process.argv[2] ?? 9000)
const server = createServer((req, res) => {
  let bytes = 0
  req.on('data', (chunk) => (bytes += chunk.length))
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3', 'x-received-bytes': String(bytes) })
    res.end('ok\n')
  })
})
server.keepAliveTimeout = 300_000
server.headersTimeout = 310_000
server.requestTimeout = 0
server.listen(port, '127.0.0.1')
process.once('SIGTERM', () => process.exit(0))
