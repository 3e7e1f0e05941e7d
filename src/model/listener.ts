import { z } from 'zod'
import { actionsSpec, type Action } from './action.js'
import { port, tags, type Tags } from './schema-util.js'
import { ruleSpec } from './rule.js'
import { DEFAULT_SSL_POLICY, SSL_POLICIES } from './ssl-policy.js'
import { MTLS_MODES, type MutualAuthentication } from './trust-store.js'
import { listenerAttributesSpec, type ListenerAttributes } from './listener-attributes.js'

export const ListenerProtocol = { HTTP: 'HTTP', HTTPS: 'HTTPS', TCP: 'TCP', TLS: 'TLS', UDP: 'UDP', TCP_UDP: 'TCP_UDP' } as const
export type ListenerProtocol = (typeof ListenerProtocol)[keyof typeof ListenerProtocol]

/** NLB: a TCP connection idle this long is closed (listener attribute tcp.idle_timeout.seconds, default 350). */
export const NLB_TCP_IDLE_TIMEOUT_SECONDS = 350
/** NLB: a UDP flow (client address and port) with no datagram either way for this long is forgotten. */
export const NLB_UDP_IDLE_TIMEOUT_SECONDS = 120

/** ALB's recommended policy; the one openalb uses when none is named. */
export { DEFAULT_SSL_POLICY }

/** NLB's ALPN policies for TLS listeners. */
export const ALPN_POLICIES = ['HTTP1Only', 'HTTP2Only', 'HTTP2Optional', 'HTTP2Preferred', 'None'] as const
export type AlpnPolicy = (typeof ALPN_POLICIES)[number]

/** The ALPN protocols a TLS listener offers, in its order of preference (None: no ALPN at all). */
export function alpnProtocols(policy: AlpnPolicy | undefined): readonly string[] {
  switch (policy) {
    case 'HTTP1Only':
      return ['http/1.1']
    case 'HTTP2Only':
      return ['h2']
    case 'HTTP2Optional':
      return ['http/1.1', 'h2']
    case 'HTTP2Preferred':
      return ['h2', 'http/1.1']
    default:
      return []
  }
}

export const mutualAuthenticationSpec = z.strictObject({
  /** off, passthrough or verify. */
  mode: z.enum(MTLS_MODES),
  /** verify: the trust store, by name or ARN. */
  trustStore: z.string().min(1).optional(),
  /** verify: accept a client certificate that has expired or is not yet valid (default false). */
  ignoreClientCertificateExpiry: z.boolean().optional(),
  /** verify: on sends the trust store's CA names in the TLS CertificateRequest (default off). */
  advertiseTrustStoreCaNames: z.enum(['on', 'off']).optional(),
})
export type MutualAuthenticationSpec = z.input<typeof mutualAuthenticationSpec>

export const listenerSpec = z.strictObject({
  /** 1-65535, unique per balancer. */
  port,
  /** HTTP or HTTPS on application balancers; TCP, TLS, UDP or TCP_UDP (both on one port) on network ones. */
  protocol: z.enum(['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP']).default('HTTP'),
  /** HTTPS/TLS: certificates by name or ARN; the first is the default (no SNI or no match). */
  certificates: z.array(z.string().min(1)).default([]),
  /** HTTPS/TLS security policy (default ELBSecurityPolicy-TLS13-1-2-2021-06). */
  sslPolicy: z.string().optional(),
  /**
   * TLS listeners: HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred or None (default: no ALPN).
   * The protocol the client chose is offered to a TLS target group's targets.
   */
  alpnPolicy: z.enum(ALPN_POLICIES).optional(),
  /**
   * HTTPS listeners: mutual TLS. mode off (default), passthrough (the client's certificate chain
   * goes to the target unverified, in X-Amzn-Mtls-Clientcert) or verify (the client needs a
   * certificate chaining to trustStore; the target gets X-Amzn-Mtls-Clientcert-* fields).
   */
  mutualAuthentication: mutualAuthenticationSpec.optional(),
  /**
   * Listener attributes (docs/http.md "Response headers"): HTTP/HTTPS serverEnabled,
   * responseHeaders and (HTTPS) mtlsHeaderNames; TCP tcpIdleTimeoutSeconds.
   */
  attributes: listenerAttributesSpec.optional(),
  /** What happens when no rule matches. */
  defaultActions: actionsSpec,
  /** Rules, evaluated by priority before the default actions. */
  rules: z.array(ruleSpec).max(100, 'at most 100 rules per balancer').default([]),
  tags,
})
export type ListenerSpec = z.input<typeof listenerSpec>

export interface Listener {
  readonly kind: 'listener'
  readonly arn: string
  readonly loadBalancerArn: string
  readonly port: number
  readonly protocol: ListenerProtocol
  /** Certificate ARNs; the default one first. */
  readonly certificates: readonly { readonly arn: string; readonly isDefault: boolean }[]
  readonly sslPolicy?: string | undefined
  /** TLS listeners only: the ALPN policy (None when not given). */
  readonly alpnPolicy?: AlpnPolicy | undefined
  /** HTTPS listeners: mutual TLS (absent: off). */
  readonly mutualAuthentication?: MutualAuthentication | undefined
  /** Listener attributes that differ from AWS's defaults (absent: all defaults). */
  readonly attributes?: ListenerAttributes | undefined
  readonly defaultActions: readonly Action[]
  readonly tags: Tags
}

/** The security policy names openalb knows: every policy of model/ssl-policy.ts, the one list. */
export const SSL_POLICY_NAMES: readonly string[] = SSL_POLICIES.map((p) => p.name)
