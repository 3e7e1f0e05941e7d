import type { Control } from '../control/control.js'
import { markCertificateIssued, markRenewalFailed } from '../control/certificates.js'
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

/**
 * Issues and renews the certificates openalb's own CA is responsible for, and writes them back
 * through control, so every node and door sees the same material. Runs on each new revision and
 * on a timer for renewals (two thirds into a certificate's lifetime).
 */
export class CertificateManager {
  private busy = false
  private again = false
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly control: Control,
    private readonly ca: LocalCa,
    private readonly log: CertificateManagerLog,
    private readonly now: () => Date = () => new Date(),
    /** In a fleet: issue under this lock, so each certificate is issued once per fleet. */
    private readonly lock?: FleetLock,
  ) {}

  start(renewCheckMs = 60 * 60 * 1000): void {
    this.timer = setInterval(() => void this.reconcile(), renewCheckMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
  }

  private due(c: Certificate): boolean {
    if (c.source !== 'local-ca') return false
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
      if (this.lock) {
        // The lock holder reads the newest state itself; the result reaches every node through the store.
        await this.lock(() => this.issueDue())
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

  private async issueDue(view?: StateView): Promise<void> {
    const state = view ?? (await this.control.read())
    for (const cert of state.list('certificate').filter((c) => this.due(c) && (!c.awaitsDnsRecord || c.status !== 'PENDING_VALIDATION' || validated(state, c)))) {
      try {
        const issued = await this.ca.issue({ domainName: cert.domainName, subjectAlternativeNames: cert.subjectAlternativeNames }, this.now())
        await this.control.mutate((d) => {
          const current = d.get('certificate', cert.arn)
          // Issued only if it still asks for these names (a concurrent change wins).
          if (current && current.domainName === cert.domainName && this.due(current)) markCertificateIssued(d, cert.arn, issued)
        })
        this.log.info({ certificate: cert.arn, domainName: cert.domainName, notAfter: issued.notAfter }, cert.status === 'ISSUED' ? 'certificate renewed' : 'certificate issued')
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e)
        this.log.error({ certificate: cert.arn, err: reason }, 'certificate issue failed')
        if (cert.status === 'ISSUED') await this.control.mutate((d) => void (d.get('certificate', cert.arn) && markRenewalFailed(d, cert.arn, reason))).catch(() => {})
      }
    }
  }
}
