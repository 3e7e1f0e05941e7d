import type { LocalResponse } from '../exchange/local-response.js'

/** Actions compiled once per snapshot: everything that does not depend on the request is done here. */
export interface FixedResponsePlan {
  readonly kind: 'fixed-response'
  readonly status: number
  /** The answer, made once; each codec serialises it. */
  readonly response: LocalResponse
}

export type RedirectPart =
  | { readonly literal: string }
  | { readonly placeholder: 'protocol' | 'host' | 'port' | 'path' | 'query' }

export interface RedirectPlan {
  readonly kind: 'redirect'
  readonly status: 301 | 302
  /** undefined: keep the request's protocol (#{protocol}). */
  readonly protocol: 'http' | 'https' | undefined
  readonly host: readonly RedirectPart[]
  /** undefined: the listener port (#{port}). */
  readonly port: readonly RedirectPart[]
  readonly path: readonly RedirectPart[]
  readonly query: readonly RedirectPart[]
}

export interface ForwardPlan {
  readonly kind: 'forward'
  readonly targetGroupArns: readonly string[]
  /** Cumulative weights, same order; the last is the total. */
  readonly cumulativeWeights: readonly number[]
  /** Group stickiness (AWSALBTG) duration in seconds, or 0 when off. */
  readonly groupStickinessSeconds: number
}

export type ActionPlan = FixedResponsePlan | RedirectPlan | ForwardPlan
