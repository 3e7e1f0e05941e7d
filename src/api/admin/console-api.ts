import { withoutClientSecrets } from '../../model/action.js'
import { X509Certificate, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parseIp } from '../../lib/cidr.js'
import type { Control } from '../../control/control.js'
import { deregisterTargets, registerTargets } from '../../control/target-groups.js'
import { setRulePriorities } from '../../control/load-balancers.js'
import type { Certificate } from '../../model/certificate.js'
import type { Kind } from '../../model/resources.js'
import type { StateView } from '../../model/state-view.js'
import { serveConsoleAsset } from './console-assets.js'
import { sendJson, type EndpointHandler } from './endpoint.js'

/** The request the explain view asks about, as the router reads one. */
export interface ExplainRequest {
  method: string
  path: string
  query: string
  host: string
  headerNames: readonly string[]
  headerValues: readonly string[]
  source: ReturnType<typeof parseIp>
}

/** What the data plane answers for one listener (dataplane's ListenerExplanation, structurally). */
export interface ExplainAnswer {
  readonly route: {
    readonly matched: { readonly priority: number | 'default'; readonly ruleArn: string | undefined }
    readonly skipped: readonly { readonly priority: number | 'default'; readonly ruleArn: string | undefined; readonly failedCondition: number }[]
  }
  readonly groups: readonly { readonly arn: string; readonly targets: readonly { readonly key: string; readonly id: string; readonly routable: boolean }[] }[]
}

/** One metric family as prom-client's getMetricsAsJSON() gives it. */
export interface MetricFamily {
  readonly name: string
  readonly values: readonly { readonly value: number; readonly labels: Readonly<Partial<Record<string, string | number>>>; readonly metricName?: string }[]
}

/** What the console reads from the running node besides the store; main wires each one. */
export interface ConsoleDeps {
  readonly control: Control
  readonly targetHealth: (groupArn: string) => readonly unknown[]
  readonly healthHistory: (groupArn: string) => readonly unknown[]
  readonly explain: (listenerArn: string, req: ExplainRequest) => ExplainAnswer | undefined
  readonly metrics: () => Promise<readonly MetricFamily[]>
  /** What openalb's DNS answers now for a name (the records view shows each alias's answer). */
  readonly dnsAnswer?: (name: string, type: string) => Promise<{ rcode: string; data: readonly string[] }>
  /** Live nodes of the fleet; absent for a single node. */
  readonly nodes?: () => readonly unknown[]
  /** With access keys the console and its API ask for one (HTTP Basic: access key id and secret). */
  readonly accessKeys?: ReadonlyMap<string, string> | undefined
  /** Seconds between two live updates on /admin/v1/console/events (default 1). */
  readonly tickSeconds?: number
}

const KINDS_SHOWN: readonly Kind[] = [
  'load-balancer',
  'classic-load-balancer',
  'listener',
  'rule',
  'target-group',
  'security-group',
  'hosted-zone',
  'record-set',
  'vpc',
  'subnet',
  'auto-scaling-group',
  'launch-template',
]

/**
 * The web console: its static files under /console/ and its JSON under /admin/v1/console/ (state,
 * explain, live events, and the safe actions: register, deregister, rule priority), all through
 * control like the CLI and the AWS API.
 */
export function consoleApi(deps: ConsoleDeps): EndpointHandler & { closeStreams(): void } {
  const streams = new Set<ServerResponse>()
  let stopping = false
  const handler: EndpointHandler = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const isConsole = path === '/console' || path.startsWith('/console/')
    const isApi = path.startsWith('/admin/v1/console/')
    if (!isConsole && !isApi) return false
    if (!authorized(req, deps.accessKeys)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="openalb console (access key id and secret access key)", charset="UTF-8"', 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: 'the console needs an access key: user name = access key id, password = secret access key (OPENALB_ACCESS_KEYS)' }))
      return true
    }
    if (isConsole) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `${req.method} is not allowed on the console's files` })
      if (path === '/console') {
        res.writeHead(301, { location: '/console/' }).end()
        return true
      }
      return serveConsoleAsset(path.slice('/console/'.length), res)
    }
    const route = `${req.method} ${path.slice('/admin/v1/console'.length)}`
    switch (route) {
      case 'GET /state':
        return sendJson(res, 200, await stateOf(deps))
      case 'GET /explain':
        return explain(deps, url, res)
      case 'GET /events':
        // A stopping node takes no new stream: EventSource reconnects at once on the kept-alive
        // socket, and a stream opened then would hold the endpoint's close forever. A 503 ends it.
        if (stopping) {
          res.shouldKeepAlive = false
          return sendJson(res, 503, { error: 'openalb is stopping' })
        }
        streams.add(res)
        res.on('close', () => streams.delete(res))
        return events(deps, req, res)
      case 'POST /targets':
        return changeTargets(deps, body, res)
      case 'POST /rule-priority':
        return changeRulePriority(deps, body, res)
      default:
        return sendJson(res, 404, { error: `no such console endpoint: ${route}` })
    }
  }
  // Event streams never end by themselves: a stopping node ends them so its endpoint can close.
  return Object.assign(handler, {
    closeStreams: () => {
      stopping = true
      for (const s of streams) {
        s.end()
        s.socket?.end()
      }
    },
  })
}

function authorized(req: IncomingMessage, keys: ReadonlyMap<string, string> | undefined): boolean {
  if (!keys || keys.size === 0) return true
  const auth = req.headers.authorization
  if (!auth?.startsWith('Basic ')) return false
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return false
  const secret = keys.get(decoded.slice(0, colon))
  if (secret === undefined) return false
  const given = Buffer.from(decoded.slice(colon + 1))
  const expected = Buffer.from(secret)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** A certificate as the console shows it: names, issuer, validity and renewal; never key material. */
function certificateView(c: Certificate) {
  let issuer: string | undefined
  try {
    if (c.certificatePem) issuer = new X509Certificate(c.certificatePem).issuer.replace(/\n/g, ', ')
  } catch {
    issuer = undefined
  }
  return {
    arn: c.arn,
    name: c.name,
    domainName: c.domainName,
    subjectAlternativeNames: c.subjectAlternativeNames,
    source: c.source,
    status: c.status,
    issuer,
    keyAlgorithm: c.keyAlgorithm,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    renewal: c.renewal,
    renewRequested: c.renewRequested ?? false,
    failure: c.failure,
  }
}

/** Every target group's health, and each Classic balancer's (its one check, under the balancer's ARN). */
function healthOf(deps: ConsoleDeps, view: StateView): Record<string, { targets: readonly unknown[]; history: unknown }> {
  const arns = [...view.list('target-group').map((tg) => tg.arn), ...view.list('classic-load-balancer').map((lb) => lb.arn)]
  return Object.fromEntries(arns.map((arn) => [arn, { targets: deps.targetHealth(arn), history: deps.healthHistory(arn) }]))
}

async function stateOf(deps: ConsoleDeps) {
  const view: StateView = await deps.control.read()
  const out: Record<string, unknown> = { revision: view.revision }
  for (const kind of KINDS_SHOWN) out[kind] = view.list(kind)
  // User data and function environments may hold secrets: the console shows neither.
  out.instance = view.list('instance').map(({ userData: _userData, ...i }) => i)
  out.listener = view.list('listener').map((l) => ({ ...l, defaultActions: withoutClientSecrets(l.defaultActions) }))
  out.rule = view.list('rule').map((r) => ({ ...r, actions: withoutClientSecrets(r.actions) }))
  out.function = view.list('function').map(({ environment, policy: _policy, ...f }) => ({ ...f, environmentKeys: Object.keys(environment) }))
  // The newest activities of each group (DescribeScalingActivities' order), 10 per group.
  const activities = [...view.list('scaling-activity')].sort((a, b) => b.startTime.localeCompare(a.startTime))
  out['scaling-activity'] = view.list('auto-scaling-group').flatMap((g) => activities.filter((a) => a.groupArn === g.arn).slice(0, 10))
  out.certificate = view.list('certificate').map(certificateView)
  out.health = healthOf(deps, view)
  out.nodes = deps.nodes?.() ?? []
  if (deps.dnsAnswer) {
    const answers: Record<string, unknown> = {}
    for (const r of view.list('record-set')) {
      if (!r.alias) continue
      const key = `${r.name} ${r.type}`
      if (key in answers) continue
      answers[key] = await deps.dnsAnswer(r.name, r.type)
    }
    out.aliasAnswers = answers
  }
  return out
}

function explain(deps: ConsoleDeps, url: URL, res: ServerResponse): true {
  const listener = url.searchParams.get('listener') ?? ''
  const target = url.searchParams.get('url') ?? ''
  let parsed: URL
  try {
    parsed = new URL(target)
  } catch {
    return sendJson(res, 400, { error: `url '${target}' is not an absolute URL (e.g. http://api.example.test/path?x=1)` })
  }
  const headerNames: string[] = []
  const headerValues: string[] = []
  for (const h of url.searchParams.getAll('header')) {
    const colon = h.indexOf(':')
    if (colon <= 0) return sendJson(res, 400, { error: `header '${h}' is not Name: value` })
    headerNames.push(h.slice(0, colon).trim().toLowerCase())
    headerValues.push(h.slice(colon + 1).trim())
  }
  const sourceText = url.searchParams.get('source') ?? '127.0.0.1'
  const source = parseIp(sourceText)
  if (!source) return sendJson(res, 400, { error: `source '${sourceText}' is not an IP address` })
  const host = parsed.hostname.toLowerCase()
  headerNames.unshift('host')
  headerValues.unshift(parsed.host)
  const answer = deps.explain(listener, {
    method: (url.searchParams.get('method') ?? 'GET').toUpperCase(),
    path: parsed.pathname,
    query: parsed.search.replace(/^\?/, ''),
    host,
    headerNames,
    headerValues,
    source,
  })
  if (!answer) return sendJson(res, 404, { error: `listener '${listener}' is not served by this node` })
  return sendJson(res, 200, {
    matched: { priority: answer.route.matched.priority, ruleArn: answer.route.matched.ruleArn },
    skipped: answer.route.skipped,
    groups: answer.groups,
  })
}

/** The numbers the charts draw, summed per target group (and per balancer for the balancer's own answers). */
async function metricPoint(deps: ConsoleDeps) {
  const families = await deps.metrics()
  const byGroup: Record<string, { requests: number; target4xx: number; target5xx: number; responseTimeSum: number; responseTimeCount: number; healthy: number; unhealthy: number }> = {}
  const group = (tg: string) => (byGroup[tg] ??= { requests: 0, target4xx: 0, target5xx: 0, responseTimeSum: 0, responseTimeCount: 0, healthy: 0, unhealthy: 0 })
  const elb = { requests: 0, elb4xx: 0, elb5xx: 0 }
  for (const f of families) {
    for (const v of f.values) {
      const tg = typeof v.labels.target_group === 'string' ? v.labels.target_group : ''
      switch (f.name) {
        case 'openalb_request_count_total':
          elb.requests += v.value
          if (tg) group(tg).requests += v.value
          break
        case 'openalb_httpcode_elb_count_total': {
          const code = Number(v.labels.code)
          if (code >= 400 && code < 500) elb.elb4xx += v.value
          else if (code >= 500) elb.elb5xx += v.value
          break
        }
        case 'openalb_httpcode_target_group_count_total':
          if (!tg) break
          if (v.labels.class === '4XX') group(tg).target4xx += v.value
          else if (v.labels.class === '5XX') group(tg).target5xx += v.value
          break
        case 'openalb_target_response_time_seconds':
          if (!tg) break
          if (v.metricName === 'openalb_target_response_time_seconds_sum') group(tg).responseTimeSum += v.value
          else if (v.metricName === 'openalb_target_response_time_seconds_count') group(tg).responseTimeCount += v.value
          break
        case 'openalb_healthy_host_count':
          if (tg) group(tg).healthy = v.value
          break
        case 'openalb_unhealthy_host_count':
          if (tg) group(tg).unhealthy = v.value
          break
      }
    }
  }
  return { at: Date.now(), balancer: elb, targetGroups: byGroup }
}

/**
 * Server-sent events: a `tick` each second with the revision, every group's target health and the
 * metric totals (the page draws rates from two ticks), so the screen follows without a reload.
 */
async function events(deps: ConsoleDeps, req: IncomingMessage, res: ServerResponse): Promise<true> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  let stopped = false
  const send = async () => {
    if (stopped) return
    try {
      const view = await deps.control.read()
      const health = healthOf(deps, view)
      const data = { revision: view.revision, health, metrics: await metricPoint(deps) }
      if (!stopped) res.write(`event: tick\ndata: ${JSON.stringify(data)}\n\n`)
    } catch (e) {
      if (!stopped) res.write(`event: problem\ndata: ${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n\n`)
    }
  }
  await send()
  const timer = setInterval(() => void send(), (deps.tickSeconds ?? 1) * 1000)
  const stop = () => {
    stopped = true
    clearInterval(timer)
  }
  req.on('close', stop)
  res.on('close', stop)
  return true
}

function jsonBody(body: Buffer, res: ServerResponse): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'))
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  } catch {
    // answered below
  }
  sendJson(res, 400, { error: 'the body must be a JSON object' })
  return undefined
}

/** Control's errors are ALB's (TargetGroupNotFound, InvalidTarget, ...): shown as they are. */
async function answerMutation(res: ServerResponse, run: () => Promise<{ revision: number; value: unknown }>): Promise<true> {
  try {
    const m = await run()
    return sendJson(res, 200, { revision: m.revision })
  } catch (e) {
    const code = e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined
    if (code === undefined) throw e
    return sendJson(res, 400, { error: e instanceof Error ? e.message : String(e), code })
  }
}

async function changeTargets(deps: ConsoleDeps, body: Buffer, res: ServerResponse): Promise<true> {
  const input = jsonBody(body, res)
  if (!input) return true
  const { targetGroup, action, targets } = input
  if (typeof targetGroup !== 'string' || !Array.isArray(targets) || (action !== 'register' && action !== 'deregister')) {
    return sendJson(res, 400, { error: "expected { targetGroup: ARN or name, action: 'register' | 'deregister', targets: [{ id, port }] }" })
  }
  return answerMutation(res, () => deps.control.mutate((d) => (action === 'register' ? registerTargets(d, targetGroup, targets) : deregisterTargets(d, targetGroup, targets))))
}

async function changeRulePriority(deps: ConsoleDeps, body: Buffer, res: ServerResponse): Promise<true> {
  const input = jsonBody(body, res)
  if (!input) return true
  const { rule, priority } = input
  if (typeof rule !== 'string' || typeof priority !== 'number' || !Number.isInteger(priority)) {
    return sendJson(res, 400, { error: 'expected { rule: ARN, priority: an integer 1-50000 }' })
  }
  return answerMutation(res, () => deps.control.mutate((d) => setRulePriorities(d, [{ rule, priority }])))
}
