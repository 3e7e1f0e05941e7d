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
  /** Classic's ssl_cipher and ssl_protocol (OpenSSL's cipher name, TLSv1.2): '' or absent writes '-'. */
  sslCipher?: string | undefined
  sslProtocol?: string | undefined
}

const quote = (s: string): string => `"${s === '' ? '-' : s.replace(/["\\]/g, (c) => `\\${c}`)}"`
const dash = (s: string): string => (s === '' ? '-' : s)
const seconds = (s: number): string => (s < 0 ? '-1' : s.toFixed(3))
const isoMicros = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z')

/**
 * ALB's field order: type time elb client:port target:port ... classification classification_reason;
 * a Classic balancer's (format 'classic'): time elb client:port backend:port request_processing_time
 * backend_processing_time response_processing_time elb_status_code backend_status_code
 * received_bytes sent_bytes "request" "user_agent" ssl_cipher ssl_protocol.
 */
export function formatAccessLog(e: AccessLogEntry, format?: 'classic'): string {
  // From time to ssl_protocol the two formats share their fields.
  const shared = [
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
    dash(e.sslCipher ?? ''),
    dash(e.sslProtocol ?? ''),
  ]
  if (format === 'classic') return shared.join(' ')
  return [
    e.type,
    ...shared,
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

/** One connection of a Classic balancer's TCP or SSL listener, in the terms of Classic's access log. */
export interface ClassicTcpLogEntry {
  /** When the connection was accepted (ms since epoch). */
  startMs: number
  /** The balancer's name. */
  elb: string
  /** client address:port. */
  client: string
  /** The instance's address:port, '-' when none was reached. */
  backend: string
  /** Accept to the first byte sent to the instance (or to the connection, when the client sent none): seconds, -1 without an instance. */
  requestProcessingSeconds: number
  /** The connect to the instance: seconds, -1 without one. */
  backendProcessingSeconds: number
  /** The instance's first byte to its relay to the client: seconds, -1 when it sent none. */
  responseProcessingSeconds: number
  receivedBytes: number
  sentBytes: number
  /** SSL listeners: OpenSSL's cipher name and the protocol (TLSv1.2); '' on TCP listeners. */
  sslCipher: string
  sslProtocol: string
}

/** Classic's fields for a TCP or SSL connection: no status codes, the request "- - - " and the user agent "-". */
export function formatClassicTcpLog(e: ClassicTcpLogEntry): string {
  return [
    isoMicros(e.startMs),
    e.elb,
    e.client,
    e.backend,
    seconds(e.requestProcessingSeconds),
    seconds(e.backendProcessingSeconds),
    seconds(e.responseProcessingSeconds),
    '-',
    '-',
    String(e.receivedBytes),
    String(e.sentBytes),
    '"- - - "',
    '"-"',
    dash(e.sslCipher),
    dash(e.sslProtocol),
  ].join(' ')
}

/** One TLS connection of a network balancer's TLS listener, in the terms of NLB's access log. */
export interface NlbTlsLogEntry {
  /** net/NAME/ID. */
  elb: string
  /** The listener's id (the last part of its ARN). */
  listenerId: string
  /** client address:port. */
  client: string
  /** The listener's address:port (NLB: the destination the client connected to). */
  destination: string
  /** When the connection was accepted and when it closed (ms since epoch). */
  startMs: number
  endMs: number
  /** Milliseconds from accept to the end of the handshake. */
  handshakeMs: number
  /** Bytes from the client after decryption, and to it before encryption. */
  receivedBytes: number
  sentBytes: number
  chosenCertArn: string
  /** OpenSSL's name, e.g. ECDHE-ECDSA-AES128-GCM-SHA256. */
  cipher: string
  /** tlsv12, tlsv13, ... */
  protocol: string
  /** The client's server name (SNI), '' when it sent none. */
  domainName: string
  /** The ALPN protocol negotiated with the client, and with the target ('' for none). */
  alpnFront: string
  alpnBack: string
  /** The protocols the client offered (ALPN), in its order; empty when it offered none or the listener has no ALPN policy. */
  alpnClientList: readonly string[]
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().slice(0, 19)

/**
 * NLB's field order: type version time elb listener client:port destination:port connection_time
 * tls_handshake_time received_bytes sent_bytes incoming_tls_alert chosen_cert_arn chosen_cert_serial
 * tls_cipher tls_protocol_version tls_named_group domain_name alpn_fe_protocol alpn_be_protocol
 * alpn_client_preference_list tls_connection_creation_time.
 */
export function formatNlbTlsLog(e: NlbTlsLogEntry): string {
  const list = e.alpnClientList.length > 0 ? encodeURIComponent(e.alpnClientList.map((p) => `"${p}"`).join(',')) : '-'
  return [
    'tls',
    '2.0',
    isoSeconds(e.endMs),
    e.elb,
    e.listenerId,
    e.client,
    e.destination,
    String(Math.max(0, Math.round(e.endMs - e.startMs))),
    String(Math.max(0, Math.round(e.handshakeMs))),
    String(e.receivedBytes),
    String(e.sentBytes),
    // incoming_tls_alert: a connection is logged once its handshake completed; alerts are not recorded.
    '-',
    dash(e.chosenCertArn),
    // chosen_cert_serial and tls_named_group: reserved by NLB, always '-'.
    '-',
    dash(e.cipher),
    dash(e.protocol),
    '-',
    dash(e.domainName),
    dash(e.alpnFront),
    dash(e.alpnBack),
    list,
    isoSeconds(e.startMs),
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
