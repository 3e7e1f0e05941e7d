import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import type { InvokeOutcome } from '../../model/function.js'
import type { ProxyErrorKind } from '../errors.js'
import type { DataplaneMetricsSink } from '../proxy/context.js'
import type { TargetGroupSnapshot } from '../snapshot.js'
import { LAMBDA_BODY_LIMIT_BYTES, lambdaEvent, lambdaResponse } from './event.js'
import { LAMBDA_FAILURE_HEADER } from './failure.js'

/** What the data plane needs to reach functions (compute's runner implements it; main wires it). */
export interface LambdaInvoker {
  /** `ref` is the function's ARN; `event` is JSON text. Never throws. */
  invoke(ref: string, event: string): Promise<InvokeOutcome>
}

/** ALB's health checker's User-Agent (health/probe-request.ts sends it). */
const HEALTH_CHECKER = 'ELB-HealthChecker/2.0'

interface Gateway {
  readonly server: Server
  group: TargetGroupSnapshot
}

/**
 * The Lambda targets of this node. Each lambda target group has a gateway: an HTTP/1.1 server on a
 * local socket that the group's target resolves to, so both exchanges (HTTP/1.1 and HTTP/2
 * clients) forward to a function as to any HTTP/1.1 target, with the headers ALB adds. The gateway
 * turns each request into ALB's Lambda event, invokes the function and turns its answer into the
 * response. What ALB answers itself (502, 503, 504, 413) it marks with a header that the
 * exchanges turn into the balancer's own error with ALB's error reason (failure.ts).
 */
export class LambdaGateways {
  /** Made when the first lambda group needs it, removed on close. */
  #dir: string | undefined
  readonly #gateways = new Map<string, Gateway>()

  constructor(
    private readonly invoker: LambdaInvoker | undefined,
    private readonly metrics?: Pick<DataplaneMetricsSink, 'lambdaError' | 'lambdaProcessedBytes'> | undefined,
  ) {}

  /** The local socket a lambda group's target is reached at: fixed per group, so the runtime compiles it in. */
  socketPath(groupArn: string): string {
    return lambdaSocketIn(this.directory(), groupArn)
  }

  /** The directory of the gateways' sockets (made on first use). */
  directory(): string {
    this.#dir ??= mkdtempSync(join(tmpdir(), 'openalb-lambda-'))
    return this.#dir
  }

  /** Each snapshot: a gateway for every lambda group, none for the others. */
  sync(groups: ReadonlyMap<string, TargetGroupSnapshot>): void {
    for (const [arn, group] of groups) {
      if (group.targetType !== 'lambda') continue
      const gw = this.#gateways.get(arn)
      if (gw) {
        gw.group = group
        continue
      }
      this.#gateways.set(arn, this.#open(group))
    }
    for (const [arn, gw] of this.#gateways) {
      if (groups.get(arn)?.targetType === 'lambda') continue
      this.#gateways.delete(arn)
      gw.server.close()
      gw.server.closeAllConnections()
    }
  }

  close(): void {
    for (const gw of this.#gateways.values()) {
      gw.server.close()
      gw.server.closeAllConnections()
    }
    this.#gateways.clear()
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true })
    this.#dir = undefined
  }

  #open(group: TargetGroupSnapshot): Gateway {
    const path = this.socketPath(group.arn)
    const server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0 })
    const gw: Gateway = { server, group }
    // The balancer's pools keep connections open as long as they like; no server-side idle cut.
    server.keepAliveTimeout = 0
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#serve(gw, req, res))
    // ALB: WebSockets are not supported by Lambda targets; an upgrade request gets 400.
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      socket.end(`HTTP/1.1 400 Bad Request\r\n${LAMBDA_FAILURE_HEADER}: lambda-upgrade\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`)
    })
    try {
      unlinkSync(path)
    } catch {
      // no stale socket
    }
    server.listen(path)
    return gw
  }

  #serve(gw: Gateway, req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    let size = 0
    let refused = false
    req.on('data', (chunk: Buffer) => {
      if (refused) return
      size += chunk.length
      if (size > LAMBDA_BODY_LIMIT_BYTES) {
        refused = true
        this.metrics?.lambdaError?.(gw.group.arn, 'user')
        fail(res, 'lambda-request-too-large')
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (refused) return
      void this.#invoke(gw.group, req, Buffer.concat(chunks), res)
    })
    req.on('error', () => res.destroy())
  }

  async #invoke(group: TargetGroupSnapshot, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const fn = group.targets[0]?.id
    if (fn === undefined || this.invoker === undefined) {
      this.metrics?.lambdaError?.(group.arn, 'internal')
      return fail(res, 'lambda-unavailable')
    }
    const multiValue = group.lambdaMultiValueHeaders === true
    // A request from health's checker (it carries no trace id: the exchanges add one to every request) is ALB's health check event.
    const healthCheck = req.headers['user-agent'] === HEALTH_CHECKER && req.headers['x-amzn-trace-id'] === undefined
    const event = lambdaEvent(group.arn, { method: req.method ?? 'GET', target: req.url ?? '/', rawHeaders: req.rawHeaders, body }, multiValue, healthCheck)
    const outcome = await this.invoker.invoke(fn, event)
    const m = this.metrics
    m?.lambdaProcessedBytes?.(group.arn, body.length + (outcome.kind === 'ok' || outcome.kind === 'function-error' || outcome.kind === 'timeout' ? Buffer.byteLength(outcome.payload) : 0))
    // LambdaUserError is the function's doing; LambdaInternalError the balancer's or Lambda's.
    if (outcome.kind === 'not-runnable') m?.lambdaError?.(group.arn, 'internal')
    else if (outcome.kind !== 'ok') m?.lambdaError?.(group.arn, 'user')
    switch (outcome.kind) {
      case 'ok': {
        const answer = Buffer.byteLength(outcome.payload) > LAMBDA_BODY_LIMIT_BYTES ? 'too-large' : lambdaResponse(outcome.payload, multiValue)
        if (answer === undefined || answer === 'too-large') {
          m?.lambdaError?.(group.arn, 'user')
          return fail(res, answer === 'too-large' ? 'lambda-response-too-large' : 'lambda-invalid-response')
        }
        const headers: string[] = []
        for (const [name, value] of answer.headers) {
          const lower = name.toLowerCase()
          // The gateway frames the body itself.
          if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue
          headers.push(name, value)
        }
        headers.push('content-length', String(answer.body.length))
        res.writeHead(answer.status, answer.reason, headers)
        res.end(req.method === 'HEAD' ? undefined : answer.body)
        return
      }
      case 'function-error':
        return fail(res, 'lambda-unhandled')
      case 'timeout':
        return fail(res, 'lambda-timeout')
      case 'throttled':
        return fail(res, 'lambda-throttled')
      case 'not-found':
        return fail(res, 'lambda-not-found')
      case 'not-runnable':
        return fail(res, 'lambda-unavailable')
    }
  }
}

/** Where the gateway of a lambda group listens, in a gateways' directory (workers reach their primary's this way). */
export function lambdaSocketIn(dir: string, groupArn: string): string {
  return join(dir, `${createHash('sha256').update(groupArn).digest('hex').slice(0, 24)}.sock`)
}

/** An answer the balancer gives itself: marked for the exchange, which writes ALB's error page. */
function fail(res: ServerResponse, kind: ProxyErrorKind): void {
  if (res.headersSent) return
  res.writeHead(502, { [LAMBDA_FAILURE_HEADER]: kind, 'content-length': '0', connection: 'close' })
  res.end()
}
