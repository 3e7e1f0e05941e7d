import { createWriteStream, type WriteStream } from 'node:fs'

/** One request, in the terms of ALB's access log. */
export interface AccessLogEntry {
  /** http, https, ws, wss. */
  type: string
  /** When the response ended (ms since epoch). */
  timeMs: number
  /** app/NAME/ID. */
  elb: string
  client: string
  /** address:port, or '-' when no target was reached. */
  target: string
  requestProcessingSeconds: number
  targetProcessingSeconds: number
  responseProcessingSeconds: number
  elbStatus: number
  /** '-' when the target did not answer. */
  targetStatus: string
  receivedBytes: number
  sentBytes: number
  /** METHOD scheme://host:port/path?query HTTP/1.x */
  request: string
  userAgent: string
  targetGroupArn: string
  traceId: string
  domainName: string
  chosenCertArn: string
  /** Rule priority, 0 for the default rule, -1 when no rule was evaluated. */
  matchedRulePriority: number
  requestCreationMs: number
  actionsExecuted: string
  redirectUrl: string
  errorReason: string
  classification: string
  classificationReason: string
}

const quote = (s: string): string => `"${s === '' ? '-' : s.replace(/["\\]/g, (c) => `\\${c}`)}"`
const dash = (s: string): string => (s === '' ? '-' : s)
const seconds = (s: number): string => (s < 0 ? '-1' : s.toFixed(3))
const isoMicros = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z')

/** ALB's field order: type time elb client:port target:port ... classification classification_reason. */
export function formatAccessLog(e: AccessLogEntry): string {
  return [
    e.type,
    isoMicros(e.timeMs),
    e.elb,
    e.client,
    e.target,
    seconds(e.requestProcessingSeconds),
    seconds(e.targetProcessingSeconds),
    seconds(e.responseProcessingSeconds),
    e.elbStatus === 0 ? '-' : String(e.elbStatus),
    e.targetStatus,
    String(e.receivedBytes),
    String(e.sentBytes),
    quote(e.request),
    quote(e.userAgent),
    '-',
    '-',
    dash(e.targetGroupArn),
    quote(e.traceId),
    quote(e.domainName),
    quote(e.chosenCertArn),
    String(e.matchedRulePriority),
    isoMicros(e.requestCreationMs),
    quote(e.actionsExecuted),
    quote(e.redirectUrl),
    quote(e.errorReason),
    quote(e.target === '-' ? '' : e.target),
    quote(e.targetStatus === '-' ? '' : e.targetStatus),
    quote(e.classification),
    quote(e.classificationReason),
  ].join(' ')
}

/** Where lines go: one append stream per file path; "-" is standard output. */
export class AccessLogSinks {
  private readonly files = new Map<string, WriteStream>()

  write(bucket: string, line: string): void {
    if (bucket === '-' || bucket === '') {
      process.stdout.write(`${line}\n`)
      return
    }
    let f = this.files.get(bucket)
    if (!f) {
      f = createWriteStream(bucket, { flags: 'a' })
      f.on('error', () => this.files.delete(bucket))
      this.files.set(bucket, f)
    }
    f.write(`${line}\n`)
  }

  /**
   * Closes every file; the next line reopens it by name. After logrotate moved a file away
   * (openalb up reopens on SIGUSR1, as nginx does), lines go to a new file of the old name.
   */
  reopen(): void {
    for (const f of this.files.values()) f.end()
    this.files.clear()
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((r) => f.end(r))))
    this.files.clear()
  }
}
