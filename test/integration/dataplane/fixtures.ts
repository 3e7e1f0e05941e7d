import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { request } from 'node:http'
import type { TestContext } from 'node:test'
import type { Action } from '../../../src/model/action.js'
import type { Instance } from '../../../src/model/instance.js'
import { hostInstance } from '../../helpers/instances.js'
import type { Listener } from '../../../src/model/listener.js'
import { loadBalancerAttributesSpec, type LoadBalancer, type LoadBalancerAttributes } from '../../../src/model/load-balancer.js'
import type { Kind, Resource } from '../../../src/model/resources.js'
import { resourceKey } from '../../../src/model/resources.js'
import type { Condition, Rule } from '../../../src/model/rule.js'
import type { SecurityGroup } from '../../../src/model/security-group.js'
import {
  defaultHealthCheck,
  targetGroupAttributesSpec,
  type TargetGroup,
  type TargetGroupAttributes,
} from '../../../src/model/target-group.js'
import { MapStateView } from '../../../src/store/state.js'
import { Dataplane, type DataplaneOptions } from '../../../src/dataplane/dataplane.js'
import { tryCompile, type Snapshot } from '../../../src/runtime/snapshot.js'
import { DataplaneCounts } from '../../helpers/dataplane-counts.js'

export const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/test-lb/0123456789abcdef'
let counter = 0
const id = (): string => (++counter).toString(16).padStart(8, '0')

export function loadBalancer(attrs: Partial<LoadBalancerAttributes> = {}, more: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    kind: 'load-balancer',
    arn: LB_ARN,
    name: 'test-lb',
    type: 'application',
    scheme: 'internet-facing',
    ipAddressType: 'ipv4',
    subnets: ['a', 'b'],
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    securityGroups: [],
    bindAddress: '127.0.0.1',
    attributes: { ...loadBalancerAttributesSpec.parse({}), ...attrs },
    dnsName: 'test-lb.openalb.test',
    canonicalHostedZoneId: 'Z1',
    vpcId: 'vpc-1',
    createdTime: new Date(0).toISOString(),
    tags: {},
    ...more,
  }
}

export function listener(port: number, defaultActions: Action[], more: Partial<Listener> = {}): Listener {
  return {
    kind: 'listener',
    arn: `${LB_ARN.replace(':loadbalancer/', ':listener/')}/${id()}`,
    loadBalancerArn: LB_ARN,
    port,
    protocol: 'HTTP',
    certificates: [],
    defaultActions,
    tags: {},
    ...more,
  }
}

export function rule(l: Listener, priority: number, conditions: Condition[], actions: Action[]): Rule {
  return { kind: 'rule', arn: `${l.arn.replace(':listener/', ':listener-rule/')}/${id()}`, listenerArn: l.arn, priority, conditions, actions, tags: {} }
}

export function targetGroup(
  name: string,
  targets: { id: string; port: number }[],
  attrs: Partial<TargetGroupAttributes> = {},
  more: Partial<TargetGroup> = {},
): TargetGroup {
  return {
    kind: 'target-group',
    arn: `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${name}/${id()}`,
    name,
    protocol: 'HTTP',
    port: 80,
    targetType: 'ip',
    protocolVersion: 'HTTP1',
    vpcId: 'vpc-1',
    healthCheck: defaultHealthCheck(),
    attributes: { ...targetGroupAttributesSpec.parse({}), ...attrs },
    targets,
    tags: {},
    ...more,
  }
}

export function instance(name: string, address: string, securityGroups: string[] = []): Instance {
  return hostInstance({ id: `i-${id()}`, name, address, securityGroups })
}

export function securityGroup(name: string, ingress: SecurityGroup['ingress']): SecurityGroup {
  return { kind: 'security-group', id: `sg-${id()}`, name, description: '', vpcId: 'vpc-1', ingress, egress: [], ruleIds: {}, ruleTags: {}, tags: {} }
}

export const forward = (...groups: (TargetGroup | { tg: TargetGroup; weight: number })[]): Action => ({
  type: 'forward',
  order: 1,
  targetGroups: groups.map((g) => ('tg' in g ? { targetGroupArn: g.tg.arn, weight: g.weight } : { targetGroupArn: g.arn, weight: 1 })),
  stickiness: { enabled: false, durationSeconds: 3600 },
})

export const fixed = (statusCode: string, messageBody = '', contentType = 'text/plain'): Action => ({
  type: 'fixed-response',
  order: 1,
  fixedResponse: { statusCode, contentType, messageBody },
})

export function state(revision: number, ...resources: Resource[]): MapStateView {
  const byKind = new Map<Kind, Map<string, Resource>>()
  for (const r of resources) {
    let m = byKind.get(r.kind)
    if (!m) byKind.set(r.kind, (m = new Map()))
    m.set(resourceKey(r), r)
  }
  return new MapStateView(revision, byKind)
}

/** Ports freePort() handed out in this process: the kernel may offer a just-closed port again. */
const handedOut = new Set<number>()

/**
 * A port nothing listens on a moment ago: a dead target, or a listener a test must name before
 * binding. Never the same one twice in a process (a test taking three gets three).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const s = createNetServer()
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const port = (s.address() as AddressInfo).port
    await new Promise<void>((r) => s.close(() => r()))
    if (handedOut.has(port)) continue
    handedOut.add(port)
    return port
  }
  throw new Error('no port the kernel offered was new in 100 tries')
}

/**
 * The port a dataplane's listener on port 0 actually bound: tests give listeners port 0 and read the
 * port back, so no test guesses a free port that another process may take first.
 */
export function portOf(dp: Dataplane, bindAddress = '127.0.0.1'): number {
  const port = dp.boundPort(`${bindAddress}:0`)
  if (port === undefined) throw new Error(`no listener on ${bindAddress}:0`)
  return port
}

const counts = new WeakMap<Dataplane, DataplaneCounts>()

/** What a data plane from startDataplane reported (its metrics events, counted; they go on to options.metrics too). */
export function countsOf(dp: Dataplane): DataplaneCounts {
  const c = counts.get(dp)
  if (c === undefined) throw new Error('not a data plane from startDataplane')
  return c
}

export async function startDataplane(t: TestContext, view: MapStateView, options: DataplaneOptions = {}): Promise<Dataplane> {
  const sink = new DataplaneCounts(options.metrics)
  const dp = new Dataplane({ ...options, metrics: sink })
  counts.set(dp, sink)
  t.after(() => dp.close())
  await applyState(dp, view)
  return dp
}

export function compile(view: MapStateView): Snapshot {
  const compiled = tryCompile(view)
  if (!compiled.ok) throw new Error(`snapshot rejected: ${JSON.stringify(compiled.failures)}`)
  return compiled.value
}

export async function applyState(dp: Dataplane, view: MapStateView): Promise<void> {
  const compiled = tryCompile(view)
  if (!compiled.ok) throw new Error(`snapshot rejected: ${JSON.stringify(compiled.failures)}`)
  const r = await dp.apply(compiled.value)
  if (r.failed.length > 0) throw new Error(`listeners failed: ${JSON.stringify(r.failed)}`)
}

export interface Backend {
  readonly port: number
  readonly name: string
  readonly server: Server
  requests: IncomingMessage[]
  /** Headers of each request received, in order. */
  seen: { method: string; url: string; headers: IncomingMessage['headers']; rawHeaders: string[] }[]
}

export type Handler = (req: IncomingMessage, res: ServerResponse, backend: Backend) => void

/** An HTTP backend on 127.0.0.1:0 answering with its name unless a handler says otherwise. */
export async function startBackend(t: TestContext, name: string, handler?: Handler): Promise<Backend> {
  const backend: Backend = { port: 0, name, server: undefined as unknown as Server, requests: [], seen: [] }
  const server = createHttpServer((req, res) => {
    backend.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders })
    if (handler) return handler(req, res, backend)
    req.resume()
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain')
      res.end(name)
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  ;(backend as { port: number }).port = (server.address() as AddressInfo).port
  ;(backend as { server: Server }).server = server
  t.after(() => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  })
  return backend
}

export interface Reply {
  status: number
  headers: IncomingMessage['headers']
  body: string
}

/** One request through a fresh connection (no agent keep-alive, so tests do not share sockets). */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}
