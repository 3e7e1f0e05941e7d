import { z } from 'zod'

export const ActionType = { FORWARD: 'forward', REDIRECT: 'redirect', FIXED_RESPONSE: 'fixed-response', AUTHENTICATE_OIDC: 'authenticate-oidc' } as const
export type ActionType = (typeof ActionType)[keyof typeof ActionType]

export const weightedTargetGroupSpec = z.strictObject({
  /** Target group name or ARN. */
  targetGroup: z.string().min(1),
  /** Relative weight, 0-999 (default 1). */
  weight: z.number().int().min(0, 'must be between 0 and 999').max(999, 'must be between 0 and 999').default(1),
})

const forward = z.strictObject({
  type: z.literal('forward'),
  order: z.number().int().min(1).max(50000).optional(),
  /** A single target group by name or ARN (shorthand for targetGroups with one entry). */
  targetGroup: z.string().min(1).optional(),
  /** Weighted target groups, at most 5. */
  targetGroups: z.array(weightedTargetGroupSpec).min(1).max(5, 'at most 5 target groups per action').optional(),
  /** Group stickiness: keeps a client on the group it first got (AWSALBTG cookie). */
  stickiness: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** 1-604800 seconds (default 3600). */
      durationSeconds: z.number().int().min(1).max(604800).default(3600),
    })
    .optional(),
})

const placeholder = (max: number) => z.string().min(1).max(max, `must be at most ${max} characters`)

const redirect = z.strictObject({
  type: z.literal('redirect'),
  order: z.number().int().min(1).max(50000).optional(),
  redirect: z
    .strictObject({
      /** HTTP, HTTPS or #{protocol} (default). */
      protocol: z.enum(['HTTP', 'HTTPS', '#{protocol}']).default('#{protocol}'),
      /** 1-65535 or #{port} (default). */
      port: z
        .union([z.string(), z.number().int()])
        .transform(String)
        .refine((p) => p === '#{port}' || (/^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535), 'must be 1-65535 or #{port}')
        .default('#{port}'),
      /** Default #{host}. */
      host: placeholder(128).default('#{host}'),
      /** Absolute path, default /#{path}. */
      path: placeholder(128).startsWith('/', 'must start with /').default('/#{path}'),
      /** Without the leading ?, default #{query}. */
      query: z.string().max(128).refine((q) => !q.startsWith('?'), 'must not start with ?').default('#{query}'),
      /** HTTP_301 (permanent) or HTTP_302 (found). */
      statusCode: z.enum(['HTTP_301', 'HTTP_302']),
    })
    .refine(
      (r) => r.protocol !== '#{protocol}' || r.port !== '#{port}' || r.host !== '#{host}' || r.path !== '/#{path}',
      'a redirect must change at least one of protocol, port, host or path, to avoid a loop',
    ),
})

const fixedResponse = z.strictObject({
  type: z.literal('fixed-response'),
  order: z.number().int().min(1).max(50000).optional(),
  fixedResponse: z.strictObject({
    /** 2XX, 4XX or 5XX. */
    statusCode: z
      .union([z.string(), z.number().int()])
      .transform(String)
      .refine((s) => /^[245]\d\d$/.test(s), 'must be a 2XX, 4XX or 5XX code'),
    /** text/plain (default), text/css, text/html, application/javascript or application/json. */
    contentType: z.enum(['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json']).default('text/plain'),
    /** 0-1024 characters. */
    messageBody: z.string().max(1024, 'must be at most 1024 characters').default(''),
  }),
})

const httpsUrl = (what: string) =>
  z
    .string()
    .min(1)
    .refine((u) => {
      try {
        return new URL(u).protocol === 'https:'
      } catch {
        return false
      }
    }, `${what} must be a full URL, including the HTTPS protocol, the domain, and the path`)

/** ALB's authenticate-oidc: sign the browser in at an OpenID Connect provider before the next action. */
const authenticateOidc = z.strictObject({
  type: z.literal('authenticate-oidc'),
  order: z.number().int().min(1).max(50000).optional(),
  authenticateOidc: z.strictObject({
    /** The IdP's issuer identifier (https URL): the ID token's iss must be it. */
    issuer: httpsUrl('issuer'),
    authorizationEndpoint: httpsUrl('authorizationEndpoint'),
    tokenEndpoint: httpsUrl('tokenEndpoint'),
    userInfoEndpoint: httpsUrl('userInfoEndpoint'),
    clientId: z.string().min(1),
    /** Required, except when useExistingClientSecret keeps the stored one (ModifyListener/ModifyRule). */
    clientSecret: z.string().min(1).optional(),
    useExistingClientSecret: z.boolean().optional(),
    /** Default AWSELBAuthSessionCookie; the cookies are NAME-0, NAME-1 ... */
    sessionCookieName: z.string().min(1).max(256).regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be a cookie name (token characters)').default('AWSELBAuthSessionCookie'),
    /** Space-separated scopes; default openid. */
    scope: z.string().min(1).max(4096).default('openid'),
    /** Seconds, 1-604800 (default 604800, 7 days). */
    sessionTimeout: z.number().int().min(1, 'must be between 1 and 604800').max(604800, 'must be between 1 and 604800').default(604800),
    /** Extra query parameters of the authorization request (at most 10). */
    authenticationRequestExtraParams: z
      .record(z.string().min(1), z.string())
      .refine((m) => Object.keys(m).length <= 10, 'at most 10 parameters')
      .default({}),
    /** deny (401), allow (forward without claims) or authenticate (default: redirect to the IdP). */
    onUnauthenticatedRequest: z.enum(['deny', 'allow', 'authenticate']).default('authenticate'),
  }),
})

/** openalb has no Cognito: refused by name rather than accepted. */
const authenticateCognito = z.object({ type: z.literal('authenticate-cognito'), order: z.number().int().optional() }).superRefine((_, ctx) => {
  ctx.addIssue({ code: 'custom', message: "openalb has no Amazon Cognito: the authenticate-cognito action is not supported; use authenticate-oidc with the user pool's OpenID Connect endpoints" })
})

export const actionSpec = z.discriminatedUnion('type', [forward, redirect, fixedResponse, authenticateOidc, authenticateCognito]).superRefine((a, ctx) => {
  if (a.type === 'forward' && (a.targetGroup === undefined) === (a.targetGroups === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['targetGroup'], message: 'give exactly one of targetGroup or targetGroups' })
  }
})
export type ActionSpec = z.input<typeof actionSpec>

export const actionsSpec = z
  .array(actionSpec)
  .min(1, 'needs at least one action')
  .superRefine((actions, ctx) => {
    const terminal = actions.filter((a) => ['forward', 'redirect', 'fixed-response'].includes(a.type))
    if (terminal.length !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'needs exactly one forward, redirect or fixed-response action' })
    const auth = actions.filter((a) => a.type === 'authenticate-oidc')
    if (auth.length > 1) ctx.addIssue({ code: 'custom', path: [], message: 'at most one authenticate action' })
  })

export interface WeightedTargetGroup {
  readonly targetGroupArn: string
  readonly weight: number
}
export interface ForwardAction {
  readonly type: 'forward'
  readonly order: number
  readonly targetGroups: readonly WeightedTargetGroup[]
  readonly stickiness: { readonly enabled: boolean; readonly durationSeconds: number }
}
export interface RedirectAction {
  readonly type: 'redirect'
  readonly order: number
  readonly redirect: {
    readonly protocol: 'HTTP' | 'HTTPS' | '#{protocol}'
    readonly port: string
    readonly host: string
    readonly path: string
    readonly query: string
    readonly statusCode: 'HTTP_301' | 'HTTP_302'
  }
}
export interface FixedResponseAction {
  readonly type: 'fixed-response'
  readonly order: number
  readonly fixedResponse: { readonly statusCode: string; readonly contentType: string; readonly messageBody: string }
}
export interface AuthenticateOidcConfig {
  readonly issuer: string
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  readonly userInfoEndpoint: string
  readonly clientId: string
  /** Stored; never shown by Describe* (as AWS). */
  readonly clientSecret: string
  readonly sessionCookieName: string
  readonly scope: string
  readonly sessionTimeout: number
  readonly authenticationRequestExtraParams: Readonly<Record<string, string>>
  readonly onUnauthenticatedRequest: 'deny' | 'allow' | 'authenticate'
}
export interface AuthenticateOidcAction {
  readonly type: 'authenticate-oidc'
  readonly order: number
  readonly authenticateOidc: AuthenticateOidcConfig
}
export type Action = ForwardAction | RedirectAction | FixedResponseAction | AuthenticateOidcAction

/** The target groups a list of actions forwards to. */
export function forwardedGroupArns(actions: readonly Action[]): string[] {
  const out: string[] = []
  for (const a of actions) if (a.type === 'forward') for (const g of a.targetGroups) out.push(g.targetGroupArn)
  return out
}

/** Actions as shown outside the store (the console): an authenticate-oidc's client secret left out, as AWS never returns it. */
export function withoutClientSecrets(actions: readonly Action[]): unknown[] {
  return actions.map((a) => {
    if (a.type !== 'authenticate-oidc') return a
    const { clientSecret: _secret, ...config } = a.authenticateOidc
    return { ...a, authenticateOidc: config }
  })
}
