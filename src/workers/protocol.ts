import type { ApplyResult, ListenerBindState } from '../dataplane/dataplane.js'
import type { WireState } from './wire.js'

/** What a worker needs to build its data plane, sent once when it says it is ready. */
export interface InitMessage {
  readonly t: 'init'
  /** 0..N-1; a replacement takes the index of the worker it replaces. */
  readonly index: number
  readonly node: { readonly bindAddress?: string | undefined; readonly zone?: string | undefined }
  /** Stickiness cookies signed by one worker are read by every other: one key per node. */
  readonly cookieKey: Uint8Array
  /** authenticate-oidc's secret: a session sealed by one worker opens on every other, one signing key. */
  readonly authSecret: Uint8Array
  /** The node's current TLS session-ticket key: a ticket from one worker resumes on another. */
  readonly ticketKey: Uint8Array
  /** Every (health group, target key) that is routable now; the rest are not. */
  readonly routable: readonly (readonly [string, string])[]
  /** The newest revision the primary applied; absent before the first. */
  readonly state: WireState | undefined
  /** Worker 0 alone serves UDP listeners: a flow's datagrams must all reach the process that holds its target. */
  readonly udp: boolean
  /** The node's log file (DATA/openalb.log), which the worker appends its lines to as well. */
  readonly logFile: string | undefined
  /** The primary's lambda gateways' socket directory: a lambda group's target is its gateway there (lambdaSocketIn). */
  readonly lambdaDir: string
}

export type ToWorker =
  | InitMessage
  | { readonly t: 'apply'; readonly seq: number; readonly state: WireState }
  | { readonly t: 'health'; readonly group: string; readonly key: string; readonly routable: boolean }
  | { readonly t: 'ticket-key'; readonly key: Uint8Array }
  | { readonly t: 'drain'; readonly seq: number; readonly timeoutMs: number }
  | { readonly t: 'metrics'; readonly seq: number }
  | { readonly t: 'reopen-logs' }
  | { readonly t: 'stop' }

/** A worker's listeners as it has them, with the ports actually bound (they differ for port 0). */
export interface ListenerReport {
  readonly states: readonly ListenerBindState[]
  readonly ports: readonly (readonly [string, number])[]
  /** The counters CloudWatch's sources read (Metrics.counts): the primary sums the workers' for alarms and target tracking. */
  readonly counts: ReadonlyMap<string, number>
}

export type FromWorker =
  | { readonly t: 'ready' }
  /** seq 0 answers init. */
  | ({ readonly t: 'applied'; readonly seq: number; readonly revision: number; readonly result: ApplyResult | undefined; readonly error?: string } & ListenerReport)
  | ({ readonly t: 'report' } & ListenerReport)
  | { readonly t: 'drained'; readonly seq: number; readonly idle: boolean }
  | { readonly t: 'metrics'; readonly seq: number; readonly json: unknown }
