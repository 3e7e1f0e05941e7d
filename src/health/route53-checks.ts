import { lookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { STATUS_CODES } from 'node:http'
import { checkPort, type HealthCheck, type HealthCheckConfig } from '../model/health-check.js'
import type { StateView } from '../model/state-view.js'
import { tcpProbe } from './tcp-probe.js'

/** Route 53 reads at most this much of a body for a string match. */
const STR_MATCH_BYTES = 5120
/** Route 53: 4 s to connect, 2 s more for the first bytes. */
const PROBE_TIMEOUT_MS = 6000
const USER_AGENT = 'Amazon-Route53-Health-Check-Service (ref openalb; report https://github.com/openalb)'

/** One checker's last look, as GetHealthCheckStatus shows it. */
export interface CheckObservation {
  /** Route 53's words: "Success: HTTP Status Code 200, OK", "Failure: ...". */
  readonly status: string
  readonly checkedAt: string
  readonly passed: boolean
}

interface Running {
  config: HealthCheckConfig
  timer: NodeJS.Timeout
  healthy: boolean
  streak: number
  last?: CheckObservation
  lastFailure?: CheckObservation
}

/**
 * Performs Route 53 health checks from this node: every check's endpoint is probed at its request
 * interval, and its status flips after FailureThreshold results in a row (as Route 53's checkers
 * do). New checks start healthy. Inverted flips the status; a disabled check is healthy; a
 * CALCULATED one is healthy when at least HealthThreshold of its children are.
 */
export class Route53Checks {
  private readonly running = new Map<string, Running>()

  constructor(
    private readonly probe: (c: HealthCheckConfig) => Promise<{ passed: boolean; status: string }> = probeEndpoint,
    /** Milliseconds between a check's probes (tests shorten it); default its RequestInterval. */
    private readonly intervalMs: (c: HealthCheckConfig) => number = (c) => c.requestInterval * 1000,
  ) {}

  /** Follows a revision: starts new checks, restarts changed ones, stops removed ones. */
  reconcile(view: StateView): void {
    const seen = new Set<string>()
    for (const hc of view.list('health-check')) {
      seen.add(hc.id)
      const current = this.running.get(hc.id)
      if (current && JSON.stringify(current.config) === JSON.stringify(hc.config)) continue
      if (current) clearInterval(current.timer)
      this.start(hc)
    }
    for (const [id, r] of this.running) {
      if (!seen.has(id)) {
        clearInterval(r.timer)
        this.running.delete(id)
      }
    }
  }

  private start(hc: HealthCheck): void {
    const run: Running = { config: hc.config, healthy: true, streak: 0, timer: setInterval(() => void this.tick(hc.id), this.intervalMs(hc.config)) }
    run.timer.unref()
    this.running.set(hc.id, run)
    void this.tick(hc.id)
  }

  private async tick(id: string): Promise<void> {
    const run = this.running.get(id)
    if (!run || run.config.type === 'CALCULATED' || run.config.disabled) return
    const { passed, status } = await this.probe(run.config)
    if (this.running.get(id) !== run) return
    const observation = { status, checkedAt: new Date().toISOString(), passed }
    run.last = observation
    if (!passed) run.lastFailure = observation
    if (passed === run.healthy) run.streak = 0
    else if (++run.streak >= run.config.failureThreshold) {
      run.healthy = passed
      run.streak = 0
    }
  }

  /** Whether Route 53 would call the check healthy now (undefined: no such check). */
  healthy(id: string, depth = 0): boolean | undefined {
    const run = this.running.get(id)
    if (!run) return undefined
    const c = run.config
    if (c.disabled) return true
    let status: boolean
    if (c.type === 'CALCULATED') {
      const up = depth > 8 ? 0 : c.childHealthChecks.filter((child) => this.healthy(child, depth + 1) === true).length
      status = up >= (c.healthThreshold ?? c.childHealthChecks.length)
    } else status = run.healthy
    return c.inverted ? !status : status
  }

  /** The last observation, and the last failed one (GetHealthCheckLastFailureReason). */
  observations(id: string): { last?: CheckObservation; lastFailure?: CheckObservation } {
    const run = this.running.get(id)
    return { ...(run?.last ? { last: run.last } : {}), ...(run?.lastFailure ? { lastFailure: run.lastFailure } : {}) }
  }

  stop(): void {
    for (const r of this.running.values()) clearInterval(r.timer)
    this.running.clear()
  }
}

/** One probe as a Route 53 checker sends it. */
export async function probeEndpoint(c: HealthCheckConfig): Promise<{ passed: boolean; status: string }> {
  let address = c.ipAddress
  if (!address && c.fullyQualifiedDomainName) {
    try {
      address = (await lookup(c.fullyQualifiedDomainName)).address
    } catch (e) {
      return { passed: false, status: `Failure: DNS resolution failed for ${c.fullyQualifiedDomainName}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }
    }
  }
  const port = checkPort(c)
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS)
  if (c.type === 'TCP') {
    const r = await tcpProbe({ protocol: 'TCP', address: address ?? '', port, path: '', signal })
    return 'error' in r ? { passed: false, status: `Failure: ${r.error === 'aborted' ? 'Connection timed out' : r.error}. The endpoint or the internet connection is down, or requests are being blocked by your firewall.` } : { passed: true, status: 'Success: TCP connection established.' }
  }
  const https = c.type.startsWith('HTTPS')
  const host = c.fullyQualifiedDomainName ?? address ?? ''
  return new Promise((resolve) => {
    let done = false
    const finish = (r: { passed: boolean; status: string }) => {
      if (done) return
      done = true
      req.destroy()
      resolve(r)
    }
    const onResponse = (res: IncomingMessage) => {
      const code = res.statusCode ?? 0
      const words = `HTTP Status Code ${code}, ${STATUS_CODES[code] ?? ''}`.trim()
      if (code < 200 || code >= 400) return finish({ passed: false, status: `Failure: ${words}` })
      if (!c.type.endsWith('STR_MATCH')) return finish({ passed: true, status: `Success: ${words}` })
      let body = Buffer.alloc(0)
      const judge = () => {
        const found = body.subarray(0, STR_MATCH_BYTES).includes(c.searchString ?? '')
        finish(found ? { passed: true, status: `Success: ${words}. Found search string.` } : { passed: false, status: `Failure: Search string not found in the first ${STR_MATCH_BYTES} bytes of the response body.` })
      }
      res.on('data', (chunk: Buffer) => {
        body = Buffer.concat([body, chunk])
        if (body.length >= STR_MATCH_BYTES) judge()
      })
      res.on('end', judge)
      res.on('error', () => finish({ passed: false, status: 'Failure: the response was cut off.' }))
    }
    const options = {
      host: address,
      port,
      path: c.resourcePath ?? '/',
      method: 'GET',
      agent: false as const,
      signal,
      ...(https && c.enableSni ? { servername: host } : {}),
      headers: { 'User-Agent': USER_AGENT, Host: port === (https ? 443 : 80) ? host : `${host}:${port}`, Connection: 'close' },
    }
    const req = https ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse) : httpRequest(options, onResponse)
    req.on('error', (e: Error) => finish({ passed: false, status: `Failure: ${e.name === 'AbortError' ? 'Connection timed out' : e.message}. The endpoint or the internet connection is down, or requests are being blocked by your firewall.` }))
    req.end()
  })
}
