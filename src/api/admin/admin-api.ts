import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Control } from '../../control/control.js'
import { sendJson, type EndpointHandler } from './endpoint.js'

/** What the admin API reads from the running node besides the store. */
export interface AdminDeps {
  readonly control: Control
  readonly targetHealth: (groupArn: string) => readonly unknown[]
  /** The Prometheus text; `params` are the query's (with workers, `by=worker` keeps each worker's series apart). */
  readonly metrics?: (params?: URLSearchParams) => Promise<string>
  /** This node's listener sockets: listening, or failed to bind with why. */
  readonly listenerStates?: () => readonly unknown[]
  readonly version: string
}

/** The native JSON API for the CLI and the console, under /admin/v1/, plus /metrics and /healthz. */
export function adminApi(deps: AdminDeps): EndpointHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method === 'GET' && url.pathname === '/healthz') {
      const view = await deps.control.read()
      return sendJson(res, 200, { ok: true, revision: view.revision, version: deps.version })
    }
    if (req.method === 'GET' && url.pathname === '/metrics' && deps.metrics) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(await deps.metrics(url.searchParams))
      return true
    }
    if (!url.pathname.startsWith('/admin/v1/')) return false
    if (req.method === 'GET' && url.pathname === '/admin/v1/target-health') {
      const ref = url.searchParams.get('targetGroup') ?? ''
      const tg = (await deps.control.view()).find('target-group', ref)
      if (!tg) return sendJson(res, 404, { error: `target group '${ref}' not found` })
      return sendJson(res, 200, { targetGroup: tg.arn, targets: deps.targetHealth(tg.arn) })
    }
    if (req.method === 'GET' && url.pathname === '/admin/v1/listener-states' && deps.listenerStates) {
      return sendJson(res, 200, { listeners: deps.listenerStates() })
    }
    return sendJson(res, 404, { error: `no such admin endpoint: ${req.method} ${url.pathname}` })
  }
}
