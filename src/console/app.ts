// The web console: one page, sections by the URL's #hash, state from /admin/v1/console/state and
// live health and metrics from /admin/v1/console/events (server-sent events), no reload.
import type { AutoScalingGroup, ScalingActivity } from '../model/autoscaling.js'
import type { ClassicLoadBalancer } from '../model/classic-load-balancer.js'
import type { LambdaFunction } from '../model/function.js'
import type { HostedZone, RecordSet } from '../model/hosted-zone.js'
import type { Instance } from '../model/instance.js'
import type { Listener } from '../model/listener.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import type { NodeRecord } from '../model/node.js'
import type { Rule } from '../model/rule.js'
import type { SecurityGroup } from '../model/security-group.js'
import type { TargetGroup } from '../model/target-group.js'
import type { Subnet, Vpc } from '../model/vpc.js'
import { getJson, postJson } from './api.js'
import { h, round, sparkline, table } from './dom.js'
import { actionsInWords, conditionInWords } from './words.js'

interface TargetHealthRow {
  readonly target: { readonly id: string; readonly port: number; readonly availabilityZone?: string }
  readonly healthCheckPort: string
  readonly state: string
  readonly reason?: string
  readonly description?: string
}
interface Transition {
  readonly at: number
  readonly target: string
  readonly from?: string
  readonly to?: string
  readonly reason?: string
}
type Health = Record<string, { targets: TargetHealthRow[]; history: Transition[] }>
interface CertificateView {
  arn: string
  name: string
  domainName: string
  subjectAlternativeNames: string[]
  source: string
  status: string
  issuer?: string
  keyAlgorithm?: string
  notBefore?: string
  notAfter?: string
  renewal?: { status?: string; updatedAt?: string; reason?: string }
  renewRequested: boolean
  failure?: { reason: string; retryAt: string; attempts: number }
}
interface State {
  revision: number
  'load-balancer': LoadBalancer[]
  'classic-load-balancer': ClassicLoadBalancer[]
  listener: Listener[]
  rule: Rule[]
  'target-group': TargetGroup[]
  'security-group': SecurityGroup[]
  'hosted-zone': HostedZone[]
  'record-set': RecordSet[]
  vpc: Vpc[]
  subnet: Subnet[]
  instance: Instance[]
  function: (Omit<LambdaFunction, 'environment' | 'policy'> & { environmentKeys: string[] })[]
  'auto-scaling-group': AutoScalingGroup[]
  'scaling-activity': ScalingActivity[]
  certificate: CertificateView[]
  health: Health
  nodes: NodeRecord[]
  aliasAnswers?: Record<string, { rcode: string; data: string[] }>
}
interface GroupPoint {
  requests: number
  target4xx: number
  target5xx: number
  responseTimeSum: number
  responseTimeCount: number
  healthy: number
  unhealthy: number
}
interface Tick {
  revision: number
  health: Health
  metrics: { at: number; balancer: { requests: number; elb4xx: number; elb5xx: number }; targetGroups: Record<string, GroupPoint> }
}
interface Explanation {
  matched: { priority: number | 'default'; ruleArn?: string }
  skipped: { priority: number | 'default'; ruleArn?: string; failedCondition: number }[]
  groups: { arn: string; targets: { key: string; id: string; routable: boolean }[] }[]
}

const SECTIONS = ['balancers', 'target-groups', 'certificates', 'zones', 'security-groups', 'instances', 'auto-scaling', 'functions', 'nodes'] as const
type Section = (typeof SECTIONS)[number]
const TITLES: Record<Section, string> = {
  balancers: 'Load balancers',
  'target-groups': 'Target groups',
  certificates: 'Certificates',
  zones: 'Hosted zones',
  'security-groups': 'Security groups',
  instances: 'Instances',
  'auto-scaling': 'Auto Scaling groups',
  functions: 'Lambda functions',
  nodes: 'Nodes',
}
/** Points kept per chart: two minutes at one tick a second. */
const HISTORY = 120

let state: State | undefined
/** Per target group dimension (targetgroup/NAME/ID): derived rates, oldest first. */
const series = new Map<string, { requests: number[]; errors4xx: number[]; errors5xx: number[]; responseMs: number[]; healthy: number[] }>()
let previous: Tick['metrics'] | undefined

const main = document.getElementById('main') as HTMLElement
const status = document.getElementById('status') as HTMLElement

function section(): Section {
  const s = location.hash.replace(/^#/, '') as Section
  return SECTIONS.includes(s) ? s : 'balancers'
}

function groupName(arn: string): string {
  return state?.['target-group'].find((g) => g.arn === arn)?.name ?? arn
}

/** targetgroup/NAME/ID, the metrics' label for a group ARN. */
function dimension(arn: string): string {
  const i = arn.indexOf(':targetgroup/')
  return i < 0 ? arn : arn.slice(i + 1)
}

function render(): void {
  if (!state) return
  const s = section()
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('current', a.getAttribute('href') === `#${s}`)
  const view = { balancers, 'target-groups': targetGroups, certificates, zones, 'security-groups': securityGroups, instances, 'auto-scaling': autoScaling, functions, nodes }[s]
  main.replaceChildren(h('h1', {}, TITLES[s]), ...view(state))
}

function balancers(st: State): HTMLElement[] {
  const classic = st['classic-load-balancer'] ?? []
  if (st['load-balancer'].length === 0 && classic.length === 0) return [h('p', {}, 'No load balancers yet.')]
  return [...elbv2Balancers(st), ...classic.map((lb) => h('section', { class: 'card', 'data-testid': `classic-balancer-${lb.name}` }, ...classicView(st, lb)))]
}

/** A Classic balancer: its listeners, its one health check and its instances' states (InService, OutOfService). */
function classicView(st: State, lb: ClassicLoadBalancer): HTMLElement[] {
  const health = st.health[lb.arn]?.targets ?? []
  const hc = lb.healthCheck
  const rows = lb.instances.map((id) => {
    const t = health.find((x) => x.target.id === id)
    const inService = t?.state === 'healthy'
    return [id, h('span', { class: `state ${inService ? 'healthy' : t?.state === 'unhealthy' ? 'unhealthy' : 'initial'}`, 'data-testid': `instance-state-${lb.name}-${id}` }, inService ? 'InService' : 'OutOfService')]
  })
  return [
    h('h2', {}, lb.name, ' ', h('small', {}, `classic · ${lb.scheme}`)),
    h('p', {}, 'DNS name ', h('code', {}, lb.dnsName), ` · zones ${lb.availabilityZones.join(', ')} · bound to ${lb.bindAddress}`),
    table(['listener', 'instances', 'certificate', 'policies'], lb.listeners.map((l) => [
      h('span', { 'data-testid': `classic-listener-${l.protocol}-${l.loadBalancerPort}` }, `${l.protocol} : ${l.loadBalancerPort}`),
      `${l.instanceProtocol} : ${l.instancePort}`,
      l.sslCertificateId ? (st.certificate.find((c) => c.arn === l.sslCertificateId)?.name ?? l.sslCertificateId) : '',
      l.policyNames.join(', '),
    ]), { class: 'rules' }),
    h('p', {}, `Health check ${hc.target} every ${hc.interval} s (timeout ${hc.timeout} s), in service after ${hc.healthyThreshold}, out after ${hc.unhealthyThreshold}`),
    rows.length > 0 ? table(['instance', 'state'], rows, { class: 'targets' }) : h('p', {}, 'No instances registered.'),
  ]
}

/** Layer 4 listeners (network balancers) have no rules: one default action forwards each connection. */
const LAYER4 = new Set(['TCP', 'TLS', 'UDP', 'TCP_UDP'])

function elbv2Balancers(st: State): HTMLElement[] {
  return st['load-balancer'].map((lb) => {
    const listeners = st.listener.filter((l) => l.loadBalancerArn === lb.arn).sort((a, b) => a.port - b.port)
    return h(
      'section',
      { class: 'card', 'data-testid': `balancer-${lb.name}` },
      h('h2', {}, lb.name, ' ', h('small', {}, `${lb.type} · ${lb.scheme}`)),
      h('p', {}, 'DNS name ', h('code', {}, lb.dnsName), ` · zones ${lb.availabilityZones.join(', ')} · bound to ${lb.bindAddress}`),
      ...listeners.map((l) => listenerView(st, l)),
    )
  })
}

function listenerView(st: State, l: Listener): HTMLElement {
  if (LAYER4.has(l.protocol)) {
    const certs = l.certificates.map((c) => st.certificate.find((x) => x.arn === c.arn)?.name ?? c.arn)
    return h(
      'div',
      { class: 'listener', 'data-testid': `listener-${l.protocol}-${l.port}` },
      h('h3', {}, `${l.protocol} : ${l.port}`, certs.length > 0 ? h('small', {}, ` certificates ${certs.join(', ')} · policy ${l.sslPolicy ?? ''}`) : undefined),
      h('p', {}, `Each connection: ${actionsInWords(l.defaultActions, groupName)}.`),
    )
  }
  const rules = st.rule.filter((r) => r.listenerArn === l.arn).sort((a, b) => a.priority - b.priority)
  const rows = rules.map((r) => [
    h('span', { 'data-testid': `rule-priority-${r.priority}` }, String(r.priority)),
    h('span', {}, r.conditions.map(conditionInWords).join(' and ')),
    h('span', {}, actionsInWords(r.actions, groupName)),
    priorityForm(r),
  ])
  rows.push([h('span', {}, 'default'), h('span', {}, 'every other request'), h('span', {}, actionsInWords(l.defaultActions, groupName)), h('span', {})])
  const certs = l.certificates.map((c) => st.certificate.find((x) => x.arn === c.arn)?.name ?? c.arn)
  return h(
    'div',
    { class: 'listener', 'data-testid': `listener-${l.protocol}-${l.port}` },
    h('h3', {}, `${l.protocol} : ${l.port}`, certs.length > 0 ? h('small', {}, ` certificates ${certs.join(', ')} · policy ${l.sslPolicy ?? ''}`) : undefined),
    table(['priority', 'if', 'then', ''], rows, { class: 'rules' }),
    explainForm(st, l),
  )
}

function priorityForm(r: Rule): HTMLElement {
  const input = h('input', { type: 'number', min: '1', max: '50000', value: String(r.priority), 'aria-label': `priority of rule ${r.priority}` }) as HTMLInputElement
  const button = h('button', { type: 'submit' }, 'Set priority')
  const form = h('form', { class: 'inline' }, input, button)
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void act(() => postJson('/admin/v1/console/rule-priority', { rule: r.arn, priority: Number(input.value) }), `rule moved to priority ${input.value}`)
  })
  return form
}

function explainForm(st: State, l: Listener): HTMLElement {
  const lb = st['load-balancer'].find((b) => b.arn === l.loadBalancerArn)
  const scheme = l.protocol === 'HTTPS' ? 'https' : 'http'
  const url = h('input', { type: 'url', size: '48', value: `${scheme}://${lb?.dnsName ?? 'example.test'}/`, 'aria-label': 'URL to explain', 'data-testid': `explain-url-${l.port}` }) as HTMLInputElement
  const method = h('input', { size: '6', value: 'GET', 'aria-label': 'method' }) as HTMLInputElement
  const out = h('div', { class: 'explain', 'data-testid': `explain-result-${l.port}` })
  const form = h('form', { class: 'inline' }, h('label', {}, 'Which rule matches ', url), ' ', method, ' ', h('button', { type: 'submit', 'data-testid': `explain-go-${l.port}` }, 'Explain'))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const q = new URLSearchParams({ listener: l.arn, url: url.value, method: method.value })
    getJson<Explanation>(`/admin/v1/console/explain?${q}`).then(
      (x) => out.replaceChildren(...explanationView(st, l, x)),
      (err: unknown) => out.replaceChildren(h('p', { class: 'error' }, String(err instanceof Error ? err.message : err))),
    )
  })
  return h('div', {}, form, out)
}

function explanationView(st: State, l: Listener, x: Explanation): HTMLElement[] {
  const rule = x.matched.ruleArn ? st.rule.find((r) => r.arn === x.matched.ruleArn) : undefined
  const actions = rule ? rule.actions : l.defaultActions
  const head =
    x.matched.priority === 'default'
      ? h('p', { 'data-testid': 'explain-match' }, 'No rule matches: the ', h('b', {}, 'default action'), ` applies: ${actionsInWords(actions, groupName)}.`)
      : h('p', { 'data-testid': 'explain-match' }, h('b', {}, `Rule ${x.matched.priority}`), ` matches (${rule?.conditions.map(conditionInWords).join(' and ') ?? ''}): ${actionsInWords(actions, groupName)}.`)
  const why = x.skipped.map((s) => {
    const r = st.rule.find((y) => y.arn === s.ruleArn)
    const c = r?.conditions[s.failedCondition]
    return h('li', {}, `Rule ${s.priority} does not match: `, c ? conditionInWords(c) : `condition ${s.failedCondition + 1}`, ' is false.')
  })
  const groups = x.groups.map((g) => {
    const routable = g.targets.filter((t) => t.routable)
    return h('p', {}, `${groupName(g.arn)}: `, routable.length > 0 ? `one of ${routable.map((t) => t.key).join(', ')} (healthy) takes it` : 'no healthy target: every registered target takes requests (fail-open)')
  })
  return [head, ...(why.length > 0 ? [h('ul', {}, ...why)] : []), ...groups]
}

function targetGroups(st: State): HTMLElement[] {
  if (st['target-group'].length === 0) return [h('p', {}, 'No target groups yet.')]
  return st['target-group'].map((tg) => {
    const hc = tg.healthCheck
    return h(
      'section',
      { class: 'card', 'data-testid': `group-${tg.name}` },
      h('h2', {}, tg.name, ' ', h('small', {}, `${tg.targetType} · ${tg.protocol ?? ''} ${tg.port ?? ''}`)),
      h('p', {}, `Health check ${hc.protocol} ${hc.path ?? ''} every ${hc.intervalSeconds} s, healthy after ${hc.healthyThreshold}, unhealthy after ${hc.unhealthyThreshold}${hc.matcher ? `, expects ${hc.matcher}` : ''}`),
      h('div', { class: 'live', 'data-group': tg.arn }, ...groupLive(st, tg)),
      registerForm(tg),
    )
  })
}

/** The parts of a group that change every tick: charts, targets and history (forms stay as typed). */
function groupLive(st: State, tg: TargetGroup): HTMLElement[] {
  const health = st.health[tg.arn] ?? { targets: [], history: [] }
  const rows = health.targets.map((t) => [
    t.target.id,
    String(t.target.port),
    t.target.availabilityZone ?? '',
    h('span', { class: `state ${t.state}`, 'data-testid': `target-state-${t.target.id}-${t.target.port}` }, t.state),
    t.reason ?? '',
    t.description ?? '',
    t.state === 'draining' ? '' : deregisterButton(tg, t),
  ])
  const s = series.get(dimension(tg.arn))
  return [
    h(
      'div',
      { class: 'charts' },
      sparkline(s?.requests ?? [], 'requests', '/s', `chart-requests-${tg.name}`),
      sparkline(s?.errors4xx ?? [], 'target 4xx', '/s', `chart-4xx-${tg.name}`),
      sparkline(s?.errors5xx ?? [], 'target 5xx', '/s', `chart-5xx-${tg.name}`),
      sparkline(s?.responseMs ?? [], 'response time', 'ms', `chart-rt-${tg.name}`),
      sparkline(s?.healthy ?? [], 'healthy hosts', '', `chart-healthy-${tg.name}`),
    ),
    table(['target', 'port', 'zone', 'state', 'reason', 'description', ''], rows, { class: 'targets' }),
    h('h3', {}, 'History'),
    h(
      'ol',
      { class: 'history', 'data-testid': `history-${tg.name}` },
      ...[...health.history].reverse().slice(0, 20).map((x) => h('li', {}, `${new Date(x.at).toLocaleTimeString()} ${x.target}: ${x.from ?? 'new'} → ${x.to ?? 'gone'}${x.reason ? ` (${x.reason})` : ''}`)),
    ),
  ]
}

function renderLive(): void {
  if (state && section() === 'balancers') {
    // Classic balancers' instance states change with each tick; ELBv2 cards hold forms and stay.
    for (const lb of state['classic-load-balancer'] ?? []) document.querySelector(`[data-testid="classic-balancer-${lb.name}"]`)?.replaceChildren(...classicView(state, lb))
    return
  }
  if (!state || section() !== 'target-groups') return
  for (const el of document.querySelectorAll<HTMLElement>('.live[data-group]')) {
    const tg = state['target-group'].find((g) => g.arn === el.dataset.group)
    if (tg) el.replaceChildren(...groupLive(state, tg))
  }
}

function deregisterButton(tg: TargetGroup, t: TargetHealthRow): HTMLElement {
  const b = h('button', { type: 'button' }, 'Deregister')
  b.addEventListener('click', () => {
    if (!confirm(`Deregister ${t.target.id}:${t.target.port} from ${tg.name}? It drains for the deregistration delay.`)) return
    void act(() => postJson('/admin/v1/console/targets', { targetGroup: tg.arn, action: 'deregister', targets: [{ id: t.target.id, port: t.target.port }] }), `${t.target.id} deregistered`)
  })
  return b
}

function registerForm(tg: TargetGroup): HTMLElement {
  const id = h('input', { placeholder: 'IP address or instance id', 'aria-label': 'target id' }) as HTMLInputElement
  const port = h('input', { type: 'number', placeholder: String(tg.port ?? ''), 'aria-label': 'target port' }) as HTMLInputElement
  const form = h('form', { class: 'inline' }, 'Register ', id, ' port ', port, ' ', h('button', { type: 'submit' }, 'Register target'))
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const target: { id: string; port?: number } = { id: id.value.trim() }
    if (port.value !== '') target.port = Number(port.value)
    void act(() => postJson('/admin/v1/console/targets', { targetGroup: tg.arn, action: 'register', targets: [target] }), `${target.id} registered`)
  })
  return form
}

function certificates(st: State): HTMLElement[] {
  if (st.certificate.length === 0) return [h('p', {}, 'No certificates yet.')]
  const rows = st.certificate.map((c) => [
    c.name,
    [c.domainName, ...c.subjectAlternativeNames.filter((n) => n !== c.domainName)].join(', '),
    h('span', { class: `state ${c.status.toLowerCase()}` }, c.status),
    `${c.source}${c.keyAlgorithm ? ` · ${c.keyAlgorithm}` : ''}`,
    c.issuer ?? '',
    c.notAfter ? new Date(c.notAfter).toISOString().slice(0, 10) : '',
    c.failure ? h('span', { class: 'error' }, `failed ${c.failure.attempts}x: ${c.failure.reason}; next try ${c.failure.retryAt}`) : c.renewRequested ? 'renewal requested' : (c.renewal?.status ?? 'renews at two thirds of its lifetime'),
  ])
  return [table(['name', 'names', 'status', 'source', 'issuer', 'expires', 'renewal'], rows, { 'data-testid': 'certificates' })]
}

function zones(st: State): HTMLElement[] {
  if (st['hosted-zone'].length === 0) return [h('p', {}, 'No hosted zones yet.')]
  return st['hosted-zone'].map((z) => {
    const records = st['record-set'].filter((r) => r.zoneId === z.id)
    const rows = records.map((r) => {
      const answer = st.aliasAnswers?.[`${r.name} ${r.type}`]
      const data = r.alias
        ? h('span', {}, `alias to ${r.alias.dnsName}`, h('br', {}), h('small', { 'data-testid': `alias-answer-${r.name}` }, answer ? `answers now: ${answer.rcode === 'NOERROR' ? answer.data.join(', ') || '(nothing)' : answer.rcode}` : ''))
        : r.values.join(', ')
      return [r.name, r.type, r.alias ? '' : String(r.ttl), data]
    })
    return h('section', { class: 'card', 'data-testid': `zone-${z.name}` }, h('h2', {}, z.name), table(['name', 'type', 'TTL', 'answer'], rows))
  })
}

function securityGroups(st: State): HTMLElement[] {
  return st['security-group'].map((g) => {
    const rule = (r: SecurityGroup['ingress'][number]) => [r.protocol, r.fromPort === r.toPort ? String(r.fromPort) : `${r.fromPort}-${r.toPort}`, [...r.cidrs, ...r.sourceGroups].join(', '), r.description ?? '']
    return h(
      'section',
      { class: 'card' },
      h('h2', {}, g.name, ' ', h('small', {}, `${g.id} · ${g.vpcId}`)),
      h('h3', {}, 'Inbound'),
      table(['protocol', 'ports', 'source', 'description'], g.ingress.map(rule)),
      h('h3', {}, 'Outbound'),
      table(['protocol', 'ports', 'destination', 'description'], g.egress.map(rule)),
    )
  })
}

function instances(st: State): HTMLElement[] {
  if (st.instance.length === 0) return [h('p', {}, 'No instances yet.')]
  const rows = st.instance.map((i) => [i.id, i.name, h('span', { class: `state ${i.state}` }, i.state), i.address, i.availabilityZone, i.instanceType, i.launched ? 'runs as a local process' : 'registered address'])
  return [table(['id', 'name', 'state', 'address', 'zone', 'type', ''], rows)]
}

function autoScaling(st: State): HTMLElement[] {
  if (st['auto-scaling-group'].length === 0) return [h('p', {}, 'No Auto Scaling groups yet.')]
  return st['auto-scaling-group'].map((g) => {
    const members = g.members.map((m) => [m.instanceId, m.availabilityZone, h('span', { class: `state ${m.lifecycleState.toLowerCase()}` }, m.lifecycleState), m.healthStatus, m.launchTemplate ? `${m.launchTemplate.name ?? m.launchTemplate.id ?? ''} v${m.launchTemplate.version ?? ''}` : (m.launchConfigurationName ?? '')])
    const activities = st['scaling-activity'].filter((a) => a.groupArn === g.arn)
    return h(
      'section',
      { class: 'card', 'data-testid': `asg-${g.name}` },
      h('h2', {}, g.name, ' ', h('small', {}, `min ${g.minSize} · desired ${g.desiredCapacity} · max ${g.maxSize} · health check ${g.healthCheckType} (grace ${g.healthCheckGracePeriod} s)`)),
      h('p', {}, `Target groups: ${g.targetGroupArns.map(groupName).join(', ') || 'none'}`),
      table(['instance', 'zone', 'lifecycle', 'health', 'launched from'], members),
      h('h3', {}, 'Activities'),
      table(['started', 'status', 'description', 'cause'], activities.map((a) => [new Date(a.startTime).toLocaleTimeString(), a.statusCode, a.description, a.cause])),
    )
  })
}

function functions(st: State): HTMLElement[] {
  if (st.function.length === 0) return [h('p', {}, 'No Lambda functions yet.')]
  const targetsOf = (arn: string) => st['target-group'].filter((tg) => tg.targets.some((t) => t.id === arn)).map((tg) => tg.name).join(', ')
  const rows = st.function.map((f) => [f.name, f.runtime, f.handler, `${f.timeoutSeconds} s`, `${f.memorySizeMb} MB`, f.reservedConcurrency === undefined ? 'default' : String(f.reservedConcurrency), f.environmentKeys.join(', '), targetsOf(f.arn)])
  return [table(['name', 'runtime', 'handler', 'timeout', 'memory', 'concurrency', 'environment', 'target of'], rows, { 'data-testid': 'functions' })]
}

function nodes(st: State): HTMLElement[] {
  if (st.nodes.length === 0) return [h('p', {}, 'A single node: no fleet (start nodes with --store etcd://... to see them here).')]
  return [table(['name', 'zone', 'address', 'control', 'version', 'workers', 'since'], st.nodes.map((n) => [n.name, n.zone, n.address, n.controlUrl, n.version, String(n.workers), n.startedAt]))]
}

async function act(run: () => Promise<unknown>, done: string): Promise<void> {
  try {
    await run()
    status.textContent = done
    await load()
  } catch (e) {
    status.textContent = `refused: ${e instanceof Error ? e.message : String(e)}`
  }
}

async function load(): Promise<void> {
  state = await getJson<State>('/admin/v1/console/state')
  render()
}

function perSecond(now: number, before: number | undefined, seconds: number): number {
  return before === undefined || now < before ? 0 : (now - before) / seconds
}

function onTick(t: Tick): void {
  if (!state) return
  const m = t.metrics
  const seconds = previous ? Math.max(0.001, (m.at - previous.at) / 1000) : 1
  for (const [tg, p] of Object.entries(m.targetGroups)) {
    const b = previous?.targetGroups[tg]
    let s = series.get(tg)
    if (!s) series.set(tg, (s = { requests: [], errors4xx: [], errors5xx: [], responseMs: [], healthy: [] }))
    const count = p.responseTimeCount - (b?.responseTimeCount ?? p.responseTimeCount)
    const push = (a: number[], v: number) => {
      a.push(v)
      if (a.length > HISTORY) a.shift()
    }
    push(s.requests, perSecond(p.requests, b?.requests, seconds))
    push(s.errors4xx, perSecond(p.target4xx, b?.target4xx, seconds))
    push(s.errors5xx, perSecond(p.target5xx, b?.target5xx, seconds))
    push(s.responseMs, count > 0 ? ((p.responseTimeSum - (b?.responseTimeSum ?? 0)) / count) * 1000 : 0)
    push(s.healthy, p.healthy)
  }
  const requests = perSecond(m.balancer.requests, previous?.balancer.requests, seconds)
  previous = m
  const changed = t.revision !== state.revision
  state.health = t.health
  if (changed) void load()
  else renderLive()
  status.textContent = `revision ${t.revision} · ${round(requests)} requests/s · live`
}

function follow(): void {
  const events = new EventSource('/admin/v1/console/events')
  events.addEventListener('tick', (e) => onTick(JSON.parse((e as MessageEvent<string>).data) as Tick))
  events.addEventListener('error', () => {
    status.textContent = 'reconnecting…'
  })
}

window.addEventListener('hashchange', render)
load().then(follow, (e: unknown) => {
  main.replaceChildren(h('p', { class: 'error' }, `The console could not read openalb's state: ${e instanceof Error ? e.message : String(e)}`))
})
