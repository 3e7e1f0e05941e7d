import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'

const invalid = (message: string) => new AwsError('ValidationError', message)

/** ELBv2 Tags.member.N.Key/Value -> a tag map; a key given twice is DuplicateTagKeys. */
export function tagsFromInput(p: Params, key = 'Tags'): Record<string, string> | undefined {
  if (!p.has(key)) return undefined
  const out: Record<string, string> = {}
  for (const t of p.objs(key)) {
    const k = t.required('Key')
    if (k in out) throw new AwsError('DuplicateTagKeys', `Tag key '${k}' is duplicated`)
    if (k.toLowerCase().startsWith('aws:')) throw invalid(`Tag key '${k}' cannot start with the reserved prefix aws:`)
    out[k] = t.str('Value') ?? ''
  }
  if (Object.keys(out).length > 50) throw new AwsError('TooManyTags', 'a resource can have at most 50 tags')
  return out
}

/** Actions.member.N -> the model's action specs (forward / redirect / fixed-response). */
export function actionsFromInput(list: readonly Params[]): Record<string, unknown>[] {
  return list.map((a, i) => {
    const type = a.required('Type')
    const order = a.int('Order')
    const base = order === undefined ? {} : { order }
    switch (type) {
      case 'forward': {
        const fc = a.obj('ForwardConfig')
        const groups = fc?.objs('TargetGroups') ?? []
        const single = a.str('TargetGroupArn')
        const sticky = fc?.obj('TargetGroupStickinessConfig')
        const stickiness = sticky
          ? { stickiness: { enabled: sticky.bool('Enabled') ?? false, ...(sticky.int('DurationSeconds') !== undefined ? { durationSeconds: sticky.int('DurationSeconds') } : {}) } }
          : {}
        if (groups.length > 0) {
          if (single !== undefined && !(groups.length === 1 && groups[0]?.str('TargetGroupArn') === single)) {
            throw invalid('You cannot specify both a target group ARN and a forward config with a different target group')
          }
          return {
            type,
            ...base,
            targetGroups: groups.map((g) => ({ targetGroup: g.required('TargetGroupArn'), ...(g.int('Weight') !== undefined ? { weight: g.int('Weight') } : {}) })),
            ...stickiness,
          }
        }
        if (single === undefined) throw invalid(`Actions[${i}]: a forward action needs a TargetGroupArn or a ForwardConfig`)
        return { type, ...base, targetGroup: single, ...stickiness }
      }
      case 'redirect': {
        const r = a.obj('RedirectConfig')
        if (!r) throw invalid(`Actions[${i}]: a redirect action needs a RedirectConfig`)
        const redirect: Record<string, unknown> = { statusCode: r.required('StatusCode') }
        for (const [k, m] of [['Protocol', 'protocol'], ['Port', 'port'], ['Host', 'host'], ['Path', 'path'], ['Query', 'query']] as const) {
          const v = r.str(k)
          if (v !== undefined) redirect[m] = v
        }
        return { type, ...base, redirect }
      }
      case 'fixed-response': {
        const f = a.obj('FixedResponseConfig')
        if (!f) throw invalid(`Actions[${i}]: a fixed-response action needs a FixedResponseConfig`)
        const fixedResponse: Record<string, unknown> = { statusCode: f.required('StatusCode') }
        const ct = f.str('ContentType')
        const body = f.str('MessageBody')
        if (ct !== undefined) fixedResponse.contentType = ct
        if (body !== undefined) fixedResponse.messageBody = body
        return { type, ...base, fixedResponse }
      }
      case 'authenticate-oidc': {
        const o = a.obj('AuthenticateOidcConfig')
        if (!o) throw invalid(`Actions[${i}]: an authenticate-oidc action needs an AuthenticateOidcConfig`)
        const config: Record<string, unknown> = {}
        for (const [k, m] of [['Issuer', 'issuer'], ['AuthorizationEndpoint', 'authorizationEndpoint'], ['TokenEndpoint', 'tokenEndpoint'], ['UserInfoEndpoint', 'userInfoEndpoint'], ['ClientId', 'clientId']] as const) {
          config[m] = o.required(k)
        }
        for (const [k, m] of [['ClientSecret', 'clientSecret'], ['SessionCookieName', 'sessionCookieName'], ['Scope', 'scope'], ['OnUnauthenticatedRequest', 'onUnauthenticatedRequest']] as const) {
          const v = o.str(k)
          if (v !== undefined) config[m] = v
        }
        const timeout = o.int('SessionTimeout')
        if (timeout !== undefined) config.sessionTimeout = timeout
        const existing = o.bool('UseExistingClientSecret')
        if (existing !== undefined) config.useExistingClientSecret = existing
        if (o.has('AuthenticationRequestExtraParams')) {
          const extra: Record<string, string> = {}
          for (const e of o.objs('AuthenticationRequestExtraParams')) extra[e.required('key')] = e.str('value') ?? ''
          config.authenticationRequestExtraParams = extra
        }
        return { type, ...base, authenticateOidc: config }
      }
      case 'authenticate-cognito':
        throw new AwsError('InvalidLoadBalancerAction', `Actions[${i}]: openalb has no Amazon Cognito: the authenticate-cognito action is not supported; use authenticate-oidc with the user pool's OpenID Connect endpoints`)
      case 'jwt-validation':
        throw new AwsError('InvalidLoadBalancerAction', `Actions[${i}]: openalb does not support ${type} actions`)
      default:
        throw invalid(`Actions[${i}]: '${type}' is not a valid action type (forward, redirect, fixed-response, authenticate-oidc)`)
    }
  })
}

const CONFIG_OF: Record<string, string> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'query-string': 'QueryStringConfig',
  'source-ip': 'SourceIpConfig',
}

const REGEX_FIELDS = new Set(['http-header', 'host-header', 'path-pattern'])

/** Conditions.member.N: the legacy Field+Values form or the Field+*Config form. */
export function conditionsFromInput(list: readonly Params[]): Record<string, unknown>[] {
  return list.map((c, i) => {
    const field = c.required('Field')
    const configName = CONFIG_OF[field]
    if (!configName) throw invalid(`Conditions[${i}]: '${field}' is not a valid condition field`)
    const config = c.obj(configName)
    const legacy = c.strings('Values')
    if (legacy && legacy.length > 0 && config) throw invalid(`Conditions[${i}]: give either Values or ${configName}, not both`)
    // RegexValues sit in the field's config or, as for Values, on the condition itself.
    const regexValues = config?.strings('RegexValues') ?? c.strings('RegexValues')
    if (regexValues !== undefined && !REGEX_FIELDS.has(field)) {
      throw invalid(`Conditions[${i}]: RegexValues can be specified only for http-header, host-header and path-pattern conditions`)
    }
    const regex = regexValues !== undefined && regexValues.length > 0 ? { regexValues } : {}
    switch (field) {
      case 'http-header':
        if (!config) throw invalid(`Conditions[${i}]: an http-header condition needs HttpHeaderConfig`)
        return { field, name: config.required('HttpHeaderName'), values: config.strings('Values') ?? [], ...regex }
      case 'query-string':
        if (!config) throw invalid(`Conditions[${i}]: a query-string condition needs QueryStringConfig`)
        return {
          field,
          values: config.objs('Values').map((v) => {
            const key = v.str('Key')
            return key === undefined ? { value: v.required('Value') } : { key, value: v.required('Value') }
          }),
        }
      case 'host-header':
      case 'path-pattern':
        return { field, values: config?.strings('Values') ?? legacy ?? [], ...regex }
      default:
        return { field, values: config?.strings('Values') ?? legacy ?? [] }
    }
  })
}

const TRANSFORM_CONFIG: Record<string, string> = { 'host-header-rewrite': 'HostHeaderRewriteConfig', 'url-rewrite': 'UrlRewriteConfig' }

/** Transforms.member.N (CreateRule, ModifyRule) -> the model's transform specs. */
export function transformsFromInput(list: readonly Params[]): Record<string, unknown>[] {
  return list.map((t, i) => {
    const type = t.required('Type')
    const configName = TRANSFORM_CONFIG[type]
    if (configName === undefined) throw invalid(`Transforms[${i}]: '${type}' is not a valid transform type (host-header-rewrite, url-rewrite)`)
    for (const other of Object.values(TRANSFORM_CONFIG)) {
      if (other !== configName && t.has(other)) throw invalid(`Transforms[${i}]: ${other} can be specified only when Type is ${other === 'UrlRewriteConfig' ? 'url-rewrite' : 'host-header-rewrite'}`)
    }
    const config = t.obj(configName)
    if (config === undefined) throw invalid(`Transforms[${i}]: a ${type} transform needs ${configName}`)
    return { type, rewrites: config.objs('Rewrites').map((r) => ({ regex: r.required('Regex'), replace: r.str('Replace') ?? '' })) }
  })
}

/** ModifyTargetGroup / CreateTargetGroup health check parameters -> the model's field names. */
export function healthCheckFromInput(p: Params): Record<string, unknown> {
  const hc: Record<string, unknown> = {}
  // Only lambda groups may turn checks off: the model refuses it for the others.
  const enabled = p.bool('HealthCheckEnabled')
  if (enabled !== undefined) hc.enabled = enabled
  const map = [
    ['HealthCheckProtocol', 'protocol', 'str'],
    ['HealthCheckPort', 'port', 'str'],
    ['HealthCheckPath', 'path', 'str'],
    ['HealthCheckIntervalSeconds', 'intervalSeconds', 'int'],
    ['HealthCheckTimeoutSeconds', 'timeoutSeconds', 'int'],
    ['HealthyThresholdCount', 'healthyThreshold', 'int'],
    ['UnhealthyThresholdCount', 'unhealthyThreshold', 'int'],
  ] as const
  for (const [k, m, t] of map) {
    const v = t === 'int' ? p.int(k) : p.str(k)
    if (v !== undefined) hc[m] = v
  }
  const matcher = p.obj('Matcher')
  const code = matcher?.str('HttpCode')
  const grpcCode = matcher?.str('GrpcCode')
  if (code !== undefined && grpcCode !== undefined) throw invalid('Specify either HttpCode or GrpcCode in the Matcher, not both')
  // CreateTargetGroup names the protocol version; ModifyTargetGroup leaves the check to control/, which knows the group.
  const version = p.str('ProtocolVersion')
  if (version === 'GRPC' && code !== undefined) throw invalid('Matcher HttpCode cannot be used with protocol version GRPC: use GrpcCode')
  if (version !== undefined && version !== 'GRPC' && grpcCode !== undefined) throw invalid(`Matcher GrpcCode can only be used with protocol version GRPC, not ${version}`)
  if (code !== undefined) hc.matcher = code
  if (grpcCode !== undefined) hc.grpcMatcher = grpcCode
  return hc
}

export function targetsFromInput(p: Params): Record<string, unknown>[] {
  return p.objs('Targets').map((t) => {
    const port = t.int('Port')
    const az = t.str('AvailabilityZone')
    return { id: t.required('Id'), ...(port !== undefined ? { port } : {}), ...(az !== undefined ? { availabilityZone: az } : {}) }
  })
}
