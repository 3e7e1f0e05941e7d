import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Exchange } from './wire-check.js'

/**
 * A loopback HTTP proxy in front of a running openalb's control endpoint that keeps every request
 * and response, so tests against a whole node (real instance processes) can check the wire against
 * botocore's models as startAwsApi's tests do.
 */
export async function recordingProxy(target: string): Promise<{ endpoint: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const to = new URL(target)
  const exchanges: Exchange[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const parts: Buffer[] = []
        up.on('data', (c: Buffer) => parts.push(c))
        up.on('end', () => {
          const answer = Buffer.concat(parts)
          exchanges.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, requestBody: body.toString('utf8'), status: up.statusCode ?? 0, responseBody: answer.toString('utf8') })
          res.writeHead(up.statusCode ?? 502, up.headers)
          res.end(answer)
        })
      })
      out.on('error', (e) => {
        res.writeHead(502)
        res.end(String(e))
      })
      out.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
