import type { Control } from '../control/control.js'
import { markCertificateIssued, markIssueFailed, type IssuedMaterial } from '../control/certificates.js'
import type { Certificate } from '../model/certificate.js'
import type { StateView } from '../model/state-view.js'
import { validationRecordFor } from '../model/certificate-validation.js'
import { fqdn } from '../model/hosted-zone.js'
import { needsRenewal, type LocalCa } from './ca.js'

/** ACM's DNS validation: every name's CNAME is published in a zone openalb serves. */
export function validated(state: StateView, c: Certificate): boolean {
  const records = state.list('record-set')
  return c.subjectAlternativeNames.every((name) => {
    const want = validationRecordFor(c.arn, name)
    return records.some((r) => r.type === 'CNAME' && r.name === fqdn(want.name) && r.values.some((v) => fqdn(v) === fqdn(want.value)))
  })
}

export interface CertificateManagerLog {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** Runs fn under a fleet-wide lock; false when another node holds it (that node does the work). */
export type FleetLock = (fn: () => Promise<void>) => Promise<boolean>

/** Orders a certificate from an ACME CA (certs/acme.ts). */
export interface AcmeOrderer {
  order(cert: Certificate): Promise<IssuedMaterial>
}

export interface CertificateManagerOptions {
  readonly now?: () => Date
  /** In a fleet: issue under this lock, so each certificate is issued once per fleet. */
  readonly lock?: FleetLock
  /** Issues `source: acme` certificates; without it they stay PENDING_VALIDATION with a failure saying so. */
  readonly acme?: AcmeOrderer
  /** Told of each failed attempt (main counts it in openalb_certificate_issue_failures_total). */
  readonly onFailure?: (cert: Certificate, reason: string) => void
  /** The first retry after a failure; each further failure doubles it, up to six hours (default 60 s). */
  readonly retryBaseMs?: number
}

const MAX_RETRY_MS = 6 * 60 * 60 * 1000

/**
 * Issues and renews the certificates openalb is responsible for (its own CA's and ACME's), and
 * writes them back through control, so every node and door sees the same material. Runs on each
 * new revision and on a timer for renewals (two thirds into a certificate's lifetime); a failure
 * is written to the certificate with the time of the next attempt, doubling each time.
 */
export class CertificateManager {
  private busy = false
  private again = false
  private timer: NodeJS.Timeout | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private readonly now: () => Date

  constructor(
    private readonly control: Control,
    private readonly ca: LocalCa,
    private readonly log: CertificateManagerLog,
    private readonly options: CertificateManagerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date())
  }

  start(renewCheckMs = 60 * 60 * 1000): void {
    this.timer = setInterval(() => void this.reconcile(), renewCheckMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    if (this.retryTimer) clearTimeout(this.retryTimer)
  }

  private due(c: Certificate): boolean {
    if (c.source === 'imported') return false
    if (c.failure && Date.parse(c.failure.retryAt) > this.now().getTime()) return false
    if (c.status === 'PENDING_VALIDATION') return true
    return this.renewalDue(c)
  }

  private renewalDue(c: Certificate): boolean {
    if (c.status !== 'ISSUED') return false
    return c.renewRequested === true || (c.notBefore !== undefined && c.notAfter !== undefined && needsRenewal(c.notBefore, c.notAfter, this.now()))
  }

  /** Issues what is due; safe to call on every revision (one run at a time). */
  async reconcile(view?: StateView): Promise<void> {
    if (this.busy) {
      this.again = true
      return
    }
    this.busy = true
    try {
      if (this.options.lock) {
        // The lock holder reads the newest state itself; the result reaches every node through the store.
        await this.options.lock(() => this.issueDue())
      } else await this.issueDue(view)
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'certificate reconcile failed')
    } finally {
      this.busy = false
      if (this.again) {
        this.again = false
        void this.reconcile()
      }
    }
  }

  private async obtain(cert: Certificate): Promise<IssuedMaterial> {
    if (cert.source === 'acme') {
      if (!this.options.acme) throw new Error('ACME is not available in this process')
      return this.options.acme.order(cert)
    }
    return this.ca.issue({ domainName: cert.domainName, subjectAlternativeNames: cert.subjectAlternativeNames }, this.now())
  }

  private async issueDue(view?: StateView): Promise<void> {
    const state = view ?? (await this.control.read())
    const due = state.list('certificate').filter((c) => this.due(c) && (!c.awaitsDnsRecord || c.status !== 'PENDING_VALIDATION' || validated(state, c)))
    for (const cert of due) {
      try {
        const issued = await this.obtain(cert)
        await this.control.mutate((d) => {
          const current = d.get('certificate', cert.arn)
          // Issued only if it still asks for these names (a concurrent change wins).
          if (current && current.domainName === cert.domainName && this.due(current)) markCertificateIssued(d, cert.arn, issued)
        })
        this.log.info({ certificate: cert.arn, domainName: cert.domainName, notAfter: issued.notAfter }, cert.status === 'ISSUED' ? 'certificate renewed' : 'certificate issued')
      } catch (e) {
        await this.recordFailure(cert, e instanceof Error ? e.message : String(e))
      }
    }
    this.scheduleRetry(await this.control.read())
  }

  private async recordFailure(cert: Certificate, reason: string): Promise<void> {
    this.options.onFailure?.(cert, reason)
    const attempts = (cert.failure?.attempts ?? 0) + 1
    const delay = Math.min((this.options.retryBaseMs ?? 60_000) * 2 ** (attempts - 1), MAX_RETRY_MS)
    const retryAt = new Date(this.now().getTime() + delay)
    this.log.error({ certificate: cert.arn, domainName: cert.domainName, attempts, retryAt: retryAt.toISOString(), err: reason }, cert.status === 'ISSUED' ? 'certificate renewal failed' : 'certificate issue failed')
    await this.control
      .mutate((d) => void (d.get('certificate', cert.arn) && markIssueFailed(d, cert.arn, reason, retryAt)))
      .catch((e: unknown) => this.log.error({ certificate: cert.arn, err: String(e) }, 'cannot record the certificate failure'))
  }

  /** Wakes up for the earliest retry a failure scheduled (revisions wake it up anyway). */
  private scheduleRetry(state: StateView): void {
    const next = Math.min(...state.list('certificate').map((c) => (c.failure ? Date.parse(c.failure.retryAt) : Infinity)))
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    if (!Number.isFinite(next)) return
    this.retryTimer = setTimeout(() => void this.reconcile(), Math.max(0, next - this.now().getTime()) + 10)
    this.retryTimer.unref()
  }
}
