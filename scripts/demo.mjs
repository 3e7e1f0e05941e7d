#!/usr/bin/env node
// `npm start`: the tutorial, running. Two demo web servers on 127.0.0.1:4000 and :4001, and
// openalb with examples/tutorial.yaml. Stop one server (the keys below) and watch the target
// turn unhealthy in `npx openalb get targets web-tg` while traffic keeps flowing.
import { createServer } from 'node:http'
import { resolve } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const { startOpenalb } = await import(new URL('../dist/src/main.js', import.meta.url).href)

function demoServer(port) {
  const server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(`<!doctype html><title>openalb demo</title><h1>Hello from the web server on port ${port}</h1><p>${req.method} ${req.url} via ${req.headers['x-forwarded-proto'] ?? 'direct'}, for ${req.headers['x-forwarded-for'] ?? req.socket.remoteAddress}</p>\n`)
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
    }
  })
  return new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', () => ok(server)))
}

const servers = new Map()
for (const port of [4000, 4001]) {
  try {
    servers.set(port, await demoServer(port))
  } catch (e) {
    console.error(`port ${port} is taken (${e.code}); the demo uses whatever already answers there`)
  }
}

const dataDir = resolve(process.env.OPENALB_DATA ?? resolve(root, '.openalb'))
const config = resolve(root, 'examples/tutorial.yaml')
// Quiet logs so the instructions stay readable; OPENALB_LOG_LEVEL=info shows what openalb does.
const { default: pino } = await import('pino')
const log = pino({ level: process.env.OPENALB_LOG_LEVEL ?? 'warn' }, pino.destination(2))
const lb = await startOpenalb({ dataDir, configFile: config, log })
await lb.settled()
const view = await lb.control.read()
const balancer = view.list('load-balancer')[0]

console.log(`
openalb is running the tutorial (${config}); data in ${dataDir}
  control endpoint ${lb.controlUrl}    DNS 127.0.0.1:8053    demo web servers 127.0.0.1:4000 and :4001

Open the web console: ${lb.controlUrl}/console/   (stop a web server below and watch its target turn unhealthy)

Try, from another terminal:
  curl -i http://127.0.0.1:8080/                                              # forwarded to a web server
  curl -i -H 'Host: api.example.test' http://127.0.0.1:8080/                  # 301 to https://api.example.test:8443/
  npx openalb ca export > /tmp/openalb-ca.pem
  curl --cacert /tmp/openalb-ca.pem --resolve api.example.test:8443:127.0.0.1 https://api.example.test:8443/
  dig @127.0.0.1 -p 8053 api.example.test                                     # the alias answers ${balancer ? balancer.bindAddress : '127.0.0.1'}
  npx openalb get targets web-tg                                              # live target health
  curl -s ${lb.controlUrl}/metrics | head

Type 1 or 2 and Enter to stop or restart the web server on port 4000 or 4001; Ctrl-C to quit.
`)

process.stdin.setEncoding('utf8')
process.stdin.on('data', async (line) => {
  const port = line.trim() === '1' ? 4000 : line.trim() === '2' ? 4001 : undefined
  if (!port) return
  const s = servers.get(port)
  if (s) {
    s.closeAllConnections?.()
    s.close()
    servers.delete(port)
    console.log(`stopped the web server on ${port}`)
  } else {
    servers.set(port, await demoServer(port))
    console.log(`started the web server on ${port}`)
  }
})

const stop = async () => {
  for (const s of servers.values()) (s.closeAllConnections?.(), s.close())
  await lb.close()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
if (process.env.OPENALB_DEMO_EXIT_AFTER_MS) setTimeout(stop, Number(process.env.OPENALB_DEMO_EXIT_AFTER_MS)).unref()
