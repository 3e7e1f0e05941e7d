import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { targetKey } from '../model/target-group.js'

export const HEALTH_CHECK_USER_AGENT = 'ELB-HealthChecker/2.0'

export interface ProbeRequest {
  readonly protocol: 'HTTP' | 'HTTPS'
  readonly address: string
  readonly port: number
  readonly path: string
  /** Aborted by the checker when the check's timeout passes. */
  readonly signal: AbortSignal
}

/** What one probe saw: a status code, or an error (refused, reset, malformed response, TLS). */
export type ProbeOutcome = { readonly status: number } | { readonly error: string }

export type Probe = (req: ProbeRequest) => Promise<ProbeOutcome>

/**
 * One GET as ALB's checker sends it: its User-Agent, Host `<address>:<port>`, a fresh connection
 * closed after the answer, and for HTTPS no verification of the target's certificate.
 */
export const httpProbe: Probe = ({ protocol, address, port, path, signal }) =>
  new Promise((resolve) => {
    let done = false
    let req: ClientRequest | undefined
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return
      done = true
      req?.destroy()
      resolve(outcome)
    }
    if (signal.aborted) return finish({ error: 'aborted' })
    const options = {
      host: address,
      port,
      path,
      method: 'GET',
      agent: false as const,
      signal,
      headers: { 'User-Agent': HEALTH_CHECK_USER_AGENT, Host: targetKey(address, port), Connection: 'close', Accept: '*/*' },
    }
    const onResponse = (res: IncomingMessage): void => {
      res.on('error', () => {})
      finish({ status: res.statusCode ?? 0 })
    }
    req = protocol === 'HTTPS' ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse) : httpRequest(options, onResponse)
    req.on('error', (err: Error) => finish({ error: err.message }))
    req.end()
  })
