import 'reflect-metadata'
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { webcrypto } from 'node:crypto'
import { X509CertificateGenerator } from '@peculiar/x509'

interface Closable {
  close(): Promise<void>
}

async function listen(server: Server | ReturnType<typeof createNetServer>, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function closer(server: Server | ReturnType<typeof createNetServer>, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
}

/** An HTTP target whose status the test flips; it records what each check sent. */
export interface FlipBackend extends Closable {
  readonly port: number
  status: number
  readonly requests: { readonly headers: IncomingHttpHeaders; readonly url: string; readonly method: string }[]
  /** Connections accepted, and how many of them are still open. */
  readonly connections: { accepted: number; open: number }
}

export async function flipBackend(status = 200, tls?: { key: string; cert: string }): Promise<FlipBackend> {
  const sockets = new Set<Socket>()
  const backend = { status, requests: [] as FlipBackend['requests'][number][], connections: { accepted: 0, open: 0 } }
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    backend.requests.push({ headers: req.headers, url: req.url ?? '', method: req.method ?? '' })
    res.writeHead(backend.status, { 'content-type': 'text/plain' })
    res.end('ok\n')
  }
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler)
  server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
    backend.connections.accepted++
    backend.connections.open++
    s.on('close', () => backend.connections.open--)
  })
  const port = await listen(server, sockets)
  return Object.assign(backend, { port, close: closer(server, sockets) })
}

/** Accepts connections and never answers. */
export async function silentBackend(): Promise<Closable & { port: number; readonly open: () => number }> {
  const sockets = new Set<Socket>()
  // Reads and drops what arrives, so it sees the checker hang up.
  const server = createNetServer((s) => {
    s.on('error', () => {})
    s.resume()
  })
  const port = await listen(server, sockets)
  return { port, open: () => sockets.size, close: closer(server, sockets) }
}

/** Answers every connection with bytes that are not HTTP. */
export async function garbageBackend(): Promise<Closable & { port: number }> {
  const sockets = new Set<Socket>()
  const server = createNetServer((s) => {
    s.on('error', () => {})
    s.end('SSH-2.0-OpenSSH_9.2\r\n\r\n')
  })
  const port = await listen(server, sockets)
  return { port, close: closer(server, sockets) }
}

/** A loopback port nothing listens on (bound once, then released). */
export async function refusedPort(): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createNetServer()
  const port = await listen(server, sockets)
  await closer(server, sockets)()
  return port
}

/** A self-signed certificate for an HTTPS target, as targets often have. */
export async function selfSigned(): Promise<{ key: string; cert: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair
  const now = Date.now()
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=target.internal',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: alg,
    keys,
  })
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`
  return { key, cert: cert.toString('pem') }
}
