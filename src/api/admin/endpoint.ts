import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { StoreUnavailableError } from '../../control/errors.js'

/** A handler for one part of the control endpoint; returns false when the request is not its own. */
export type EndpointHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean> | boolean

const MAX_BODY_BYTES = 16 * 1024 * 1024

/**
 * The control endpoint: the admin API (CLI, console), /metrics, and the AWS-compatible API on
 * one port, tried in order. Loopback by default.
 */
export function startEndpoint(handlers: readonly EndpointHandler[], host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'request body too large' }))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      try {
        for (const h of handlers) if (await h(req, res, body)) return
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no such endpoint: ${req.method} ${req.url}` }))
      } catch (e) {
        if (e instanceof StoreUnavailableError && !res.headersSent) return void sendJson(res, 503, { error: e.message })
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'internal error' }))
        process.stderr.write(`control endpoint: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
      }
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

export function sendJson(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  return true
}
