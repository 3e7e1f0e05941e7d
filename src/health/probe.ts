import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { targetKey } from '../model/target-group.js'
import { h2Probe } from './h2-probe.js'
import { tcpProbe, tlsProbe } from './tcp-probe.js'
import { HEALTH_CHECK_USER_AGENT, type Probe, type ProbeOutcome } from './probe-request.js'

export { HEALTH_CHECK_USER_AGENT, type Probe, type ProbeOutcome, type ProbeRequest } from './probe-request.js'

/** The default probe: a connect for TCP checks, a TLS handshake for SSL ones, HTTP/1.1 for HTTP1 groups, HTTP/2 (h2-probe.ts) for HTTP2 and GRPC groups. */
export const httpProbe: Probe = (req) =>
  req.protocol === 'TCP' ? tcpProbe(req) : req.protocol === 'SSL' ? tlsProbe(req) : req.protocolVersion === undefined || req.protocolVersion === 'HTTP1' ? http1Probe(req) : h2Probe(req)

/**
 * One GET as ALB's checker sends it: its User-Agent, Host `<address>:<port>`, a fresh connection
 * closed after the answer, and for HTTPS no verification of the target's certificate.
 */
export const http1Probe: Probe = ({ protocol, address, port, path, signal }) =>
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
    // A path is a local socket: a lambda group's gateway, which invokes the function with ALB's health check event.
    const local = address.startsWith('/')
    const options = {
      ...(local ? { socketPath: address } : { host: address, port }),
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
    req = protocol === 'HTTPS' && !local ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse) : httpRequest(options, onResponse)
    req.on('error', (err: Error) => finish({ error: err.message }))
    req.end()
  })
