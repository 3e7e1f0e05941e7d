import type { ResponseHeaderPolicy } from './exchange/response-headers.js'
import type { CidrSet } from '../lib/cidr.js'
import type { LoadBalancerAttributes } from '../model/load-balancer.js'
import type { HealthCheck, ProtocolVersion, TargetProtocol, TargetType } from '../model/target-group.js'
import type { Algorithm, StickinessType } from '../model/target-group.js'
import type { Router } from './router/router.js'
import type { ListenerCertificate } from './tls/sni.js'
import type { MtlsTerms } from './tls/client-cert.js'
import type { AcmeAlpnChallenge } from '../model/acme.js'

/**
 * Everything the data plane needs for one store revision, compiled and frozen. The data plane reads
 * only this (and the health view); runtime/ builds it. A request keeps the snapshot it started with.
 */
export interface Snapshot {
  readonly revision: number
  /** By bind key `address:port` (one socket per key). */
  readonly listeners: ReadonlyMap<string, ListenerSnapshot>
  /** By target group ARN: only the groups some listener's action forwards to, plus every group with targets. */
  readonly targetGroups: ReadonlyMap<string, TargetGroupSnapshot>
  /** Network balancers' listeners (layer 4), by bind key `address:port`; absent means none. */
  readonly l4Listeners?: ReadonlyMap<string, L4ListenerSnapshot>
}

/** A network balancer's TCP listener: accepted connections are spliced byte for byte to one target. */
export interface L4ListenerSnapshot {
  /** `address:port` for TCP and TLS (the key space of HTTP listeners: all are TCP); `udp address:port` for UDP. */
  readonly bindKey: string
  readonly arn: string
  readonly balancerArn: string
  readonly bindAddress: string
  readonly port: number
  /**
   * TCP: bytes as they come; TLS: the listener terminates TLS first (certificates, policy and ALPN
   * below); UDP: datagrams by flow (a TCP_UDP listener is one TCP and one UDP entry on one port).
   */
  readonly protocol: 'TCP' | 'TLS' | 'UDP'
  /** TLS: the certificates that can be served now, the default first (empty: handshakes refused until issued). */
  readonly tlsCertificates: readonly ListenerCertificate[]
  readonly sslPolicy: string | undefined
  /** TLS: the ALPN protocols offered, in preference order (the listener's ALPN policy; empty for None). */
  readonly alpnProtocols: readonly string[]
  /** The one group the default action forwards to (NLB: one group per action, no weights). */
  readonly targetGroupArn: string
  /** A connection with no bytes either way for this long is reset (NLB: 350 s); a UDP flow is forgotten (120 s). */
  readonly idleTimeoutMs: number
  /** Who may connect; undefined when the balancer has no security groups (everyone may). */
  readonly allowedSources: CidrSet | undefined
  /**
   * Where each connection's access log line goes: a network balancer's TLS listeners (NLB logs TLS
   * connections only, in its fields), or a Classic balancer's TCP and SSL listeners (format
   * 'classic': Classic's fields, one line per connection).
   */
  readonly accessLog?: { readonly bucket: string; readonly elb: string; readonly listenerId: string; readonly format?: 'classic' | undefined }
}

export interface BalancerSnapshot {
  readonly arn: string
  readonly name: string
  /** `app/NAME/ID`, the access log's elb field. */
  readonly logName: string
  readonly attributes: LoadBalancerAttributes
  /** 'classic': access log lines in a Classic balancer's fields (default: ALB's). */
  readonly accessLogFormat?: 'classic' | undefined
}

export interface ListenerSnapshot {
  /** `address:port`: the socket this listener binds. */
  readonly bindKey: string
  readonly arn: string
  readonly balancer: BalancerSnapshot
  readonly bindAddress: string
  readonly port: number
  readonly protocol: 'HTTP' | 'HTTPS'
  /** `x-forwarded-proto: ...\r\nx-forwarded-port: ...\r\n`, built once per version for every forwarded request. */
  readonly forwardedProtoPort: string
  /** `:PORT` appended to a forwarded Host that has no port (ALB without preserve_host_header), or ''. */
  readonly hostPortSuffix: string
  /** A port in a forwarded Host is removed (ALB without preserve_host_header, on 80 and 443). */
  readonly hostPortStrip: boolean
  /** Certificate ARNs, the default first (HTTPS). */
  readonly certificateArns: readonly string[]
  readonly sslPolicy: string | undefined
  /**
   * HTTPS: the certificates that can be served now (issued, with their key), the default first.
   * Empty while the default one is still pending: the listener then refuses handshakes.
   */
  readonly tlsCertificates?: readonly ListenerCertificate[]
  /** HTTPS: the TLS-ALPN-01 challenges it answers while an ACME order waits (none, nearly always). */
  readonly acmeAlpnChallenges?: readonly AcmeAlpnChallenge[]
  /** HTTPS with mutual authentication passthrough or verify (absent: off). */
  readonly mtls?: MtlsTerms | undefined
  /** Listener attributes: the headers every response to the client gets (absent: none). */
  readonly responseHeaders?: ResponseHeaderPolicy | undefined
  /** routing.http.response.server.enabled false: the balancer's own answers carry no Server field. */
  readonly serverHeader?: false | undefined
  readonly router: Router
  /** Who may connect; undefined when the balancer has no security groups (everyone may). */
  readonly allowedSources: CidrSet | undefined
}

export interface TargetSnapshot {
  /** `address:port`, the key health and balancing use. */
  readonly key: string
  /**
   * What health knows the target by in healthGroupArn when that differs from key (a Classic
   * balancer checks each instance once, on its health check port, for every listener).
   */
  readonly healthKey?: string | undefined
  /** The registered id: an IP address or an instance id. */
  readonly id: string
  readonly address: string
  readonly port: number
  readonly availabilityZone: string | undefined
}

export interface StickinessSnapshot {
  readonly enabled: boolean
  readonly type: StickinessType
  readonly durationSeconds: number
  /** app_cookie: the application's cookie. */
  readonly cookieName: string | undefined
  /**
   * A Classic balancer's policy: the balancer's cookie is AWSELB (no AWSALBCORS or AWSALBAPP-N);
   * lb_cookie with durationSeconds 0 is a browser-session cookie; app_cookie sticks only while the
   * request still carries the application's cookie.
   */
  readonly classic?: boolean | undefined
}

export interface TargetGroupSnapshot {
  readonly arn: string
  readonly name: string
  /** HTTPS: target connections use TLS (no certificate check, as ALB). */
  readonly protocol: TargetProtocol
  /**
   * How requests reach the targets: HTTP1 over pooled HTTP/1.1 connections, HTTP2 and GRPC over
   * HTTP/2 sessions. Only HTTP/2 clients reach HTTP2 and GRPC groups; others get 464.
   */
  readonly protocolVersion: ProtocolVersion
  readonly port: number
  readonly targetType: TargetType
  /** Lambda groups: the event carries multiValueHeaders and multiValueQueryStringParameters (lambda.multi_value_headers.enabled). */
  readonly lambdaMultiValueHeaders?: boolean | undefined
  readonly algorithm: Algorithm
  readonly slowStartSeconds: number
  readonly deregistrationDelaySeconds: number
  /** Network groups: every target connection starts with a PROXY protocol v2 header (client address). */
  readonly proxyProtocolV2: boolean
  /** Network groups: flows still open when the deregistration delay ends are closed. */
  readonly connectionTermination: boolean
  readonly stickiness: StickinessSnapshot
  readonly healthCheck: HealthCheck
  readonly targets: readonly TargetSnapshot[]
  /** Registered ids that could not be resolved to an address (an instance that does not exist). */
  readonly unresolved: readonly string[]
  /**
   * The group health checks these targets under, when not this one: a Classic balancer's listeners
   * each get a group (one per instance port) whose health is the balancer's one check.
   */
  readonly healthGroupArn?: string | undefined
  /** false: with no healthy target nothing is routable (Classic answers 503); ALB and NLB fail open (default). */
  readonly failOpen?: boolean | undefined
}
