import { connect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { ProbeOutcome, ProbeRequest } from './probe-request.js'

/**
 * NLB's TCP health check: a connection that opens is a pass; it is closed at once (AWS: "the load
 * balancer node closes the connection that was established for the health check"). Refused,
 * reset or unreachable is a failure; the checker's timeout aborts a connect that hangs.
 */
export function tcpProbe(request: ProbeRequest): Promise<ProbeOutcome> {
  return connectProbe(request, () => connect({ host: request.address, port: request.port }), 'connect')
}

/**
 * A Classic balancer's SSL check: the connection opens and its TLS handshake completes (the
 * instance's certificate is not verified, as ELB does not); closed at once.
 */
export function tlsProbe(request: ProbeRequest): Promise<ProbeOutcome> {
  return connectProbe(request, () => tlsConnect({ host: request.address, port: request.port, rejectUnauthorized: false, ALPNProtocols: [] }), 'secureConnect')
}

/** Opens a socket; `passed` (connect, or the end of a TLS handshake) is a pass, an error a failure. */
function connectProbe({ signal }: ProbeRequest, open: () => Socket, passed: 'connect' | 'secureConnect'): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: 'aborted' })
    const socket = open()
    let done = false
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return
      done = true
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      resolve(outcome)
    }
    const onAbort = (): void => finish({ error: 'aborted' })
    signal.addEventListener('abort', onAbort)
    socket.once(passed, () => finish({ status: 0 }))
    socket.once('error', (e) => finish({ error: e.message }))
  })
}
