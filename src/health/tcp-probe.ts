import { connect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { ProbeOutcome, ProbeRequest } from './probe-request.js'

/**
 * NLB's TCP health check: a connection that opens is a pass; it is closed at once (AWS: "the load
 * balancer node closes the connection that was established for the health check"). Refused,
 * reset or unreachable is a failure; the checker's timeout aborts a connect that hangs.
 */
export function tcpProbe({ address, port, signal }: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: 'aborted' })
    const socket = connect({ host: address, port })
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
    socket.once('connect', () => finish({ status: 0 }))
    socket.once('error', (e) => finish({ error: e.message }))
  })
}

/**
 * A Classic balancer's SSL check: the connection opens and its TLS handshake completes (the
 * instance's certificate is not verified, as ELB does not); closed at once.
 */
export function tlsProbe({ address, port, signal }: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ error: 'aborted' })
    const socket = tlsConnect({ host: address, port, rejectUnauthorized: false, ALPNProtocols: [] })
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
    socket.once('secureConnect', () => finish({ status: 0 }))
    socket.once('error', (e) => finish({ error: e.message }))
  })
}
