import {
  connect as h2connect,
  createSecureServer as createH2SecureServer,
  createServer as createH2Server,
  type ClientHttp2Session,
  type Http2Server,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { selfSigned } from '../../aws/self-signed.js'

/** Targets for HTTPS, HTTP2 and GRPC groups: node:https and node:http2 servers on 127.0.0.1:0. */

export interface TlsTarget {
  readonly port: number
  /** TLS connections accepted, and the SNI name each carried (false: none). */
  readonly handshakes: (string | false)[]
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers']; encrypted: boolean }[]
}

/** A node:https target with a fresh self-signed certificate, answering with its name. */
export async function startHttpsTarget(
  t: TestContext,
  name: string,
  handler?: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TlsTarget> {
  const cert = await selfSigned(`${name}.internal`)
  const target: TlsTarget = { port: 0, handshakes: [], seen: [] }
  const server: HttpsServer = createHttpsServer({ cert: cert.certificatePem, key: cert.privateKeyPem, keepAliveTimeout: 30_000 }, (req, res) => {
    target.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, encrypted: (req.socket as TLSSocket).encrypted === true })
    if (handler) return handler(req, res)
    req.resume()
    req.on('end', () => res.end(name))
  })
  server.on('secureConnection', (socket: TLSSocket) => target.handshakes.push(socket.servername ?? false))
  await listen(t, server)
  ;(target as { port: number }).port = (server.address() as AddressInfo).port
  return target
}

export interface H2Target {
  readonly port: number
  /** Sessions the target accepted (a client reusing one session opens just one). */
  sessions: number
  readonly streams: { headers: IncomingHttpHeaders; body: Buffer; trailers: IncomingHttpHeaders | undefined }[]
  /** RST_STREAM codes of streams that did not end normally (a cancelled request). */
  readonly resets: number[]
}

export type H2Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void

/** Echoes the request body with 200 and the request's method and path in headers. */
export const echo: H2Handler = (stream, headers, body) => {
  stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'x-method': String(headers[':method']), 'x-path': String(headers[':path']) })
  stream.end(body)
}

/**
 * An HTTP/2 target: h2c with prior knowledge, or with `tls` a self-signed TLS server offering
 * only h2. The handler runs once the request body has arrived.
 */
export async function startH2Target(t: TestContext, handler: H2Handler = echo, tls = false): Promise<H2Target> {
  const target: H2Target = { port: 0, sessions: 0, streams: [], resets: [] }
  let server: Http2Server | Http2SecureServer
  if (tls) {
    const cert = await selfSigned('h2.internal')
    server = createH2SecureServer({ cert: cert.certificatePem, key: cert.privateKeyPem })
  } else {
    server = createH2Server()
  }
  server.on('session', () => target.sessions++)
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = []
    let trailers: IncomingHttpHeaders | undefined
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('trailers', (h: IncomingHttpHeaders) => (trailers = h))
    stream.on('end', () => {
      // A reset ends the readable side too: only a clean end is a request.
      if (stream.rstCode !== undefined && stream.rstCode !== 0) return
      const body = Buffer.concat(chunks)
      target.streams.push({ headers, body, trailers })
      handler(stream, headers, body)
    })
    stream.on('close', () => {
      if (stream.rstCode !== undefined && stream.rstCode !== 0) target.resets.push(stream.rstCode)
    })
    stream.on('error', () => {})
  })
  await listen(t, server)
  ;(target as { port: number }).port = (server.address() as AddressInfo).port
  return target
}

async function listen(t: TestContext, server: HttpsServer | Http2Server | Http2SecureServer): Promise<void> {
  const sockets = new Set<{ destroy(): void }>()
  server.on('connection', (s: { destroy(): void; once(e: 'close', f: () => void): void }) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })
}

/** An HTTP/2 client session to an HTTPS listener, naming `servername`. */
export function h2Client(t: TestContext, port: number, ca: string, servername = 'api.example.test'): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://${servername}:${port}`, { ca, servername, host: '127.0.0.1' })
    t.after(() => session.close())
    session.once('connect', () => resolve(session))
    session.once('error', reject)
  })
}

export interface H2Reply {
  headers: IncomingHttpHeaders
  body: Buffer
  trailers: IncomingHttpHeaders | undefined
  /** The stream's RST_STREAM code (0 when it ended normally). */
  rstCode: number
}

/** One request on a client session; resolves when the stream closes, however it ends. */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer): Promise<H2Reply> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined })
    const reply: H2Reply = { headers: {}, body: Buffer.alloc(0), trailers: undefined, rstCode: 0 }
    const chunks: Buffer[] = []
    stream.on('response', (h) => (reply.headers = h))
    stream.on('trailers', (h) => (reply.trailers = h))
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('error', () => {})
    stream.on('close', () => {
      reply.body = Buffer.concat(chunks)
      reply.rstCode = stream.rstCode ?? 0
      resolve(reply)
    })
    if (body !== undefined) stream.end(body)
  })
}

/** A gRPC message frame: uncompressed flag, 4-byte length, the bytes. */
export function grpcFrame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.writeUInt32BE(payload.length, 1)
  return Buffer.concat([head, payload])
}
