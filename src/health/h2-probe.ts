import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { targetKey } from '../model/target-group.js'
import { HEALTH_CHECK_USER_AGENT, type Probe, type ProbeOutcome } from './probe-request.js'

/** The body of a gRPC health check call: one empty, uncompressed message. */
const EMPTY_GRPC_MESSAGE = Buffer.alloc(5)

/**
 * One check over HTTP/2, as for HTTP2 and GRPC groups: h2c with prior knowledge, or TLS with
 * ALPN h2 and no certificate check; a GET for HTTP2 groups, a gRPC call (POST,
 * content-type application/grpc) for GRPC ones, judged by the grpc-status it ends with. The
 * session is closed after the answer, as ALB closes a check's connection.
 */
export const h2Probe: Probe = ({ protocol, protocolVersion, address, port, path, signal }) =>
  new Promise((resolve) => {
    let done = false
    let session: ClientHttp2Session | undefined
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return
      done = true
      signal.removeEventListener('abort', onAbort)
      session?.destroy()
      resolve(outcome)
    }
    const onAbort = (): void => finish({ error: 'aborted' })
    if (signal.aborted) return finish({ error: 'aborted' })
    signal.addEventListener('abort', onAbort)

    const tls = protocol === 'HTTPS'
    const host = address.includes(':') ? `[${address}]` : address
    const socket = tls ? tlsConnect({ host: address, port, rejectUnauthorized: false, ALPNProtocols: ['h2'] }) : netConnect({ host: address, port })
    session = h2connect(`${tls ? 'https' : 'http'}://${host}:${port}`, { createConnection: () => socket })
    session.on('error', (err: Error) => finish({ error: err.message }))

    const grpc = protocolVersion === 'GRPC'
    const headers: OutgoingHttpHeaders = {
      ':method': grpc ? 'POST' : 'GET',
      ':path': path,
      ':authority': targetKey(address, port),
      'user-agent': HEALTH_CHECK_USER_AGENT,
      ...(grpc ? { 'content-type': 'application/grpc', te: 'trailers' } : { accept: '*/*' }),
    }
    const req = session.request(headers, { endStream: !grpc })
    if (grpc) req.end(EMPTY_GRPC_MESSAGE)
    let status = 0
    let grpcStatus: number | undefined
    req.on('response', (h: IncomingHttpHeaders) => {
      status = Number(h[':status'])
      // An HTTP2 check is judged by the status alone; a gRPC one waits for its trailers.
      if (!grpc) finish({ status })
      else grpcStatus = parseGrpcStatus(h['grpc-status'])
    })
    req.on('trailers', (h: IncomingHttpHeaders) => (grpcStatus = parseGrpcStatus(h['grpc-status']) ?? grpcStatus))
    req.on('data', noop)
    req.on('error', (err: Error) => finish({ error: err.message }))
    req.on('close', () => {
      if (status === 0) finish({ error: `stream closed (code ${req.rstCode ?? 0})` })
      else finish({ status, grpcStatus: grpcStatus ?? grpcStatusOfHttp(status) })
    })
  })

function parseGrpcStatus(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v
  if (s === undefined || !/^\d{1,2}$/.test(s)) return undefined
  return Number(s)
}

/**
 * The gRPC code of an answer without grpc-status, as gRPC clients derive it (gRPC's
 * http-grpc-status-mapping): 404 is UNIMPLEMENTED (12), the gateway errors UNAVAILABLE (14),
 * a 200 without a status INTERNAL (13).
 */
export function grpcStatusOfHttp(status: number): number {
  switch (status) {
    case 200:
      return 13
    case 400:
      return 13
    case 401:
      return 16
    case 403:
      return 7
    case 404:
      return 12
    case 429:
    case 502:
    case 503:
    case 504:
      return 14
    default:
      return 2
  }
}

function noop(): void {}
