import { createHash } from 'node:crypto'
import type { Action } from '../../../model/action.js'
import type { Listener } from '../../../model/listener.js'
import type { LoadBalancer } from '../../../model/load-balancer.js'
import type { Condition, Rule, Transform } from '../../../model/rule.js'
import { GRPC_DEFAULT_MATCHER, isNetworkProtocol, type TargetGroup } from '../../../model/target-group.js'
import type { Draft } from '../../../control/draft.js'
import type { XmlValue } from '../protocol/xml.js'

type Shape = { [key: string]: XmlValue }

export const tagList = (tags: Readonly<Record<string, string>>): Shape[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))

/** The balancers whose listeners or rules forward to a group. */
export function balancersOfGroup(d: Draft, arn: string): string[] {
  const forwards = (actions: readonly Action[]) => actions.some((a) => a.type === 'forward' && a.targetGroups.some((g) => g.targetGroupArn === arn))
  const listeners = d.list('listener')
  const out = new Set<string>()
  for (const l of listeners) if (forwards(l.defaultActions)) out.add(l.loadBalancerArn)
  for (const r of d.list('rule')) {
    if (!forwards(r.actions)) continue
    const l = listeners.find((x) => x.arn === r.listenerArn)
    if (l) out.add(l.loadBalancerArn)
  }
  return [...out]
}

export function targetGroupShape(d: Draft, tg: TargetGroup): Shape {
  const hc = tg.healthCheck
  // A TCP check has no path or codes, and a network group no HTTP protocol version: AWS leaves them out.
  const http = hc.protocol !== 'TCP'
  const network = isNetworkProtocol(tg.protocol)
  if (tg.targetType === 'lambda') {
    // AWS: a lambda group has no protocol, port, VPC or protocol version.
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      HealthCheckProtocol: hc.protocol,
      HealthCheckEnabled: hc.enabled,
      HealthCheckIntervalSeconds: hc.intervalSeconds,
      HealthCheckTimeoutSeconds: hc.timeoutSeconds,
      HealthyThresholdCount: hc.healthyThreshold,
      UnhealthyThresholdCount: hc.unhealthyThreshold,
      HealthCheckPath: hc.path,
      Matcher: { HttpCode: hc.matcher },
      LoadBalancerArns: balancersOfGroup(d, tg.arn),
      TargetType: tg.targetType,
      IpAddressType: 'ipv4',
    }
  }
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: http ? hc.path : undefined,
    Matcher: !http ? undefined : tg.protocolVersion === 'GRPC' ? { GrpcCode: hc.grpcMatcher ?? GRPC_DEFAULT_MATCHER } : { HttpCode: hc.matcher },
    LoadBalancerArns: balancersOfGroup(d, tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: network ? undefined : tg.protocolVersion,
    IpAddressType: 'ipv4',
  }
}

export function loadBalancerShape(lb: LoadBalancer): Shape {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: lb.canonicalHostedZoneId,
    CreatedTime: lb.createdTime,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: lb.type,
    AvailabilityZones: availabilityZones(lb),
    SecurityGroups: lb.type === 'application' || lb.securityGroups.length > 0 ? [...lb.securityGroups] : undefined,
    IpAddressType: lb.ipAddressType,
  }
}

export const availabilityZones = (lb: LoadBalancer): Shape[] =>
  lb.subnets.map((s, i) => ({ ZoneName: lb.availabilityZones[i] ?? '', SubnetId: s, LoadBalancerAddresses: [] }))

export function actionShape(a: Action): Shape {
  switch (a.type) {
    case 'forward': {
      const single = a.targetGroups.length === 1 ? a.targetGroups[0]?.targetGroupArn : undefined
      return {
        Type: 'forward',
        TargetGroupArn: single,
        Order: a.order,
        ForwardConfig: {
          TargetGroups: a.targetGroups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
          TargetGroupStickinessConfig: a.stickiness.enabled ? { Enabled: true, DurationSeconds: a.stickiness.durationSeconds } : { Enabled: false },
        },
      }
    }
    case 'redirect': {
      const r = a.redirect
      return { Type: 'redirect', Order: a.order, RedirectConfig: { Protocol: r.protocol, Port: r.port, Host: r.host, Path: r.path, Query: r.query, StatusCode: r.statusCode } }
    }
    case 'fixed-response': {
      const f = a.fixedResponse
      return { Type: 'fixed-response', Order: a.order, FixedResponseConfig: { MessageBody: f.messageBody || undefined, StatusCode: f.statusCode, ContentType: f.contentType } }
    }
    case 'authenticate-oidc': {
      // ClientSecret is never returned (AWS).
      const o = a.authenticateOidc
      const extra = Object.entries(o.authenticationRequestExtraParams)
      return {
        Type: 'authenticate-oidc',
        Order: a.order,
        AuthenticateOidcConfig: {
          Issuer: o.issuer,
          AuthorizationEndpoint: o.authorizationEndpoint,
          TokenEndpoint: o.tokenEndpoint,
          UserInfoEndpoint: o.userInfoEndpoint,
          ClientId: o.clientId,
          SessionCookieName: o.sessionCookieName,
          Scope: o.scope,
          SessionTimeout: o.sessionTimeout,
          AuthenticationRequestExtraParams: extra.length > 0 ? extra.map(([key, value]) => ({ key, value })) : undefined,
          OnUnauthenticatedRequest: o.onUnauthenticatedRequest,
        },
      }
    }
  }
}

const regexShape = (r: readonly string[] | undefined): string[] | undefined => (r !== undefined && r.length > 0 ? [...r] : undefined)

export function conditionShape(c: Condition): Shape {
  switch (c.field) {
    case 'host-header':
      return { Field: c.field, Values: [...c.values], HostHeaderConfig: { Values: [...c.values], RegexValues: regexShape(c.regexValues) } }
    case 'path-pattern':
      return { Field: c.field, Values: [...c.values], PathPatternConfig: { Values: [...c.values], RegexValues: regexShape(c.regexValues) } }
    case 'http-header':
      return { Field: c.field, HttpHeaderConfig: { HttpHeaderName: c.name, Values: [...c.values], RegexValues: regexShape(c.regexValues) } }
    case 'http-request-method':
      return { Field: c.field, HttpRequestMethodConfig: { Values: [...c.values] } }
    case 'query-string':
      return { Field: c.field, QueryStringConfig: { Values: c.values.map((v) => ({ Key: v.key, Value: v.value })) } }
    case 'source-ip':
      return { Field: c.field, SourceIpConfig: { Values: [...c.values] } }
  }
}

export function listenerShape(l: Listener): Shape {
  const def = l.certificates.find((c) => c.isDefault)
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol,
    Certificates: def ? [{ CertificateArn: def.arn }] : undefined,
    SslPolicy: l.sslPolicy,
    AlpnPolicy: l.alpnPolicy !== undefined ? [l.alpnPolicy] : undefined,
    DefaultActions: l.defaultActions.map(actionShape),
    MutualAuthentication: mutualAuthenticationShape(l),
  }
}

/** HTTPS listeners: their mutual authentication (verify: the trust store and its options), as DescribeListeners shows it. */
function mutualAuthenticationShape(l: Listener): Shape | undefined {
  if (l.protocol !== 'HTTPS') return undefined
  const m = l.mutualAuthentication
  if (!m) return { Mode: 'off' }
  if (m.mode !== 'verify') return { Mode: m.mode }
  return {
    Mode: 'verify',
    TrustStoreArn: m.trustStoreArn,
    IgnoreClientCertificateExpiry: m.ignoreClientCertificateExpiry ?? false,
    TrustStoreAssociationStatus: 'active',
    AdvertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames ?? 'off',
  }
}

export function ruleShape(r: Rule): Shape {
  return {
    RuleArn: r.arn,
    Priority: String(r.priority),
    Conditions: r.conditions.map(conditionShape),
    Actions: r.actions.map(actionShape),
    IsDefault: false,
    Transforms: r.transforms !== undefined && r.transforms.length > 0 ? r.transforms.map(transformShape) : undefined,
  }
}

export function transformShape(t: Transform): Shape {
  const rewrites = { Rewrites: t.rewrites.map((r) => ({ Regex: r.regex, Replace: r.replace })) }
  return t.type === 'host-header-rewrite' ? { Type: t.type, HostHeaderRewriteConfig: rewrites } : { Type: t.type, UrlRewriteConfig: rewrites }
}

/**
 * ALB gives each listener's default actions a rule of their own (priority "default"); the model
 * keeps them on the listener, so its ARN is derived from the listener's.
 */
export function defaultRuleArn(listenerArn: string): string {
  const id = createHash('sha256').update(listenerArn).digest('hex').slice(0, 16)
  return `${listenerArn.replace(':listener/', ':listener-rule/')}/${id}`
}

export function defaultRuleShape(l: Listener): Shape {
  return { RuleArn: defaultRuleArn(l.arn), Priority: 'default', Conditions: [], Actions: l.defaultActions.map(actionShape), IsDefault: true }
}
