import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as h2connect, createServer, type ClientHttp2Session } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'

test('examples/grpc.yaml serves a gRPC call through its HTTPS listener and checks the server with gRPC health checks', async (t) => {
  // The example's server: every call ends with grpc-status 0.
  const calls: string[] = []
  const server = createServer().on('stream', (s, h) => {
    calls.push(String(h[':path']))
    s.resume()
    s.on('end', () => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'hello' }))
      s.end()
    })
  })
  const sockets = new Set<Socket>()
  server.on('connection', (c: Socket) => {
    sockets.add(c)
    c.once('close', () => sockets.delete(c))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const c of sockets) c.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
  const grpcPort = (server.address() as AddressInfo).port

  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-grpc-'))
  const httpsPort = await freePort()
  const configFile = join(dataDir, 'grpc.yaml')
  writeFileSync(configFile, readFileSync(join(repoRoot, 'examples', 'grpc.yaml'), 'utf8').replaceAll('8443', String(httpsPort)).replaceAll('50051', String(grpcPort)))
  const lb = await startOpenalb({ dataDir, configFile, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const ca = readFileSync(join(dataDir, 'ca', 'root.pem'), 'utf8')
  // The listener takes handshakes once openalb's CA has issued the certificate.
  const session = await eventually(
    () =>
      new Promise<ClientHttp2Session | undefined>((resolve) => {
        const s = h2connect(`https://grpc.example.test:${httpsPort}`, { ca, servername: 'grpc.example.test', host: '127.0.0.1' })
        s.once('connect', () => resolve(s))
        s.once('error', () => resolve(undefined))
      }),
    { timeoutMs: 10_000, message: 'the HTTPS listener serves its certificate' },
  )
  assert.ok(session)
  t.after(() => session.close())

  const reply = await new Promise<{ status: unknown; trailers: Record<string, unknown> }>((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/helloworld.Greeter/SayHello', 'content-type': 'application/grpc', te: 'trailers' })
    let status: unknown
    let trailers: Record<string, unknown> = {}
    req.on('response', (h) => (status = h[':status']))
    req.on('trailers', (h) => (trailers = h))
    req.on('error', reject)
    req.resume()
    req.on('end', () => resolve({ status, trailers }))
    req.end(Buffer.alloc(5))
  })
  assert.equal(reply.status, 200)
  assert.equal(reply.trailers['grpc-status'], '0')
  assert.equal(reply.trailers['grpc-message'], 'hello')

  const view = await lb.control.view()
  const arn = view.find('target-group', 'greeter-tg')?.arn ?? ''
  await eventually(
    async () => {
      const res = await fetch(`${lb.controlUrl}/admin/v1/target-health?targetGroup=${encodeURIComponent(arn)}`)
      const body = (await res.json()) as { targets: { state: string }[] }
      return body.targets[0]?.state === 'healthy'
    },
    { timeoutMs: 15_000, message: 'the gRPC server turns healthy' },
  )
  assert.ok(calls.includes('/grpc.health.v1.Health/Check'))
})
