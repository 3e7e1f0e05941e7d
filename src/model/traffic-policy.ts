import { isIPv4, isIPv6 } from 'node:net'
import type { RecordType } from './hosted-zone.js'

/**
 * Route 53 traffic policies: a JSON document (format 2015-10-01) that routes one name through a
 * tree of rules to endpoints, and instances that put a policy version at a name of a hosted zone.
 * openalb's DNS answers an instance's name by walking the tree per query (dns/compile.ts).
 */
export interface TrafficPolicyVersion {
  readonly version: number
  readonly document: string
  readonly comment: string
}

export interface TrafficPolicy {
  readonly kind: 'traffic-policy'
  /** A UUID, as Route 53; every version shares it. */
  readonly id: string
  readonly name: string
  /** The DNS type every version answers (the document's RecordType). */
  readonly type: RecordType
  /** Oldest first; deleted versions are gone, numbers are never reused. */
  readonly versions: readonly TrafficPolicyVersion[]
  /** The highest version number ever made. */
  readonly latestVersion: number
}

export interface TrafficPolicyInstance {
  readonly kind: 'traffic-policy-instance'
  /** A UUID, as Route 53. */
  readonly id: string
  readonly hostedZoneId: string
  /** fqdn. */
  readonly name: string
  readonly ttl: number
  readonly type: RecordType
  readonly policyId: string
  readonly policyVersion: number
}

/** Route 53's default quotas; a policy has at most 1000 versions. */
export const MAX_TRAFFIC_POLICY_VERSIONS = 1000

/** An endpoint of a document: a value of the record type, or an openalb balancer by DNS name (answered as an alias). */
export type PolicyEndpoint = { readonly type: 'value'; readonly value: string } | { readonly type: 'load-balancer'; readonly dnsName: string }

/** One branch of a rule: what it leads to, and what decides its health. */
export interface PolicyBranch {
  readonly to: PolicyTree
  readonly weight?: number | undefined
  readonly healthCheck?: string | undefined
  readonly evaluateTargetHealth: boolean
}

export type PolicyTree =
  | { readonly kind: 'endpoint'; readonly endpoint: PolicyEndpoint }
  | { readonly kind: 'failover'; readonly primary: PolicyBranch; readonly secondary: PolicyBranch }
  | { readonly kind: 'weighted' | 'multivalue'; readonly items: readonly PolicyBranch[] }

const TYPES: readonly string[] = ['A', 'AAAA', 'CAA', 'CNAME', 'MX', 'NAPTR', 'PTR', 'SPF', 'SRV', 'TXT']
/** Record types openalb's DNS serves (model/hosted-zone.ts RecordType, less SOA and NS). */
const SERVED: readonly string[] = ['A', 'AAAA', 'CNAME', 'MX', 'PTR', 'SRV', 'TXT', 'CAA']
const BALANCER_ENDPOINTS = new Set(['elastic-load-balancer', 'application-load-balancer', 'network-load-balancer'])
const ELSEWHERE = new Set(['cloudfront', 's3-website', 'elastic-beanstalk'])
const REFUSED_RULES: Record<string, string> = { geo: 'geolocation', latency: 'latency', geoproximity: 'geoproximity' }

type Parsed = { readonly ok: true; readonly type: RecordType; readonly tree: PolicyTree } | { readonly ok: false; readonly message: string }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Parses a traffic policy document into its tree, with Route 53's rules: the format version, a
 * record type, one start (rule or endpoint), references that exist, no cycle, values of the
 * record type. Rules openalb cannot answer (geo, latency, geoproximity) and endpoints outside
 * openalb (CloudFront, S3, Elastic Beanstalk) are refused by name.
 */
export function parseTrafficPolicyDocument(text: string): Parsed {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    return { ok: false, message: `The document is not valid JSON: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (!isObject(doc)) return { ok: false, message: 'The document must be a JSON object' }
  if (doc.AWSPolicyFormatVersion !== '2015-10-01') return { ok: false, message: 'AWSPolicyFormatVersion must be "2015-10-01"' }
  const type = doc.RecordType
  if (typeof type !== 'string' || !TYPES.includes(type)) return { ok: false, message: `RecordType must be one of ${TYPES.join(', ')}` }
  if (!SERVED.includes(type)) return { ok: false, message: `RecordType ${type} is not served by openalb's DNS` }
  const endpoints = doc.Endpoints ?? {}
  const rules = doc.Rules ?? {}
  if (!isObject(endpoints) || !isObject(rules)) return { ok: false, message: 'Endpoints and Rules must be objects' }
  const hasRule = doc.StartRule !== undefined
  const hasEndpoint = doc.StartEndpoint !== undefined
  if (hasRule === hasEndpoint) return { ok: false, message: 'The document needs exactly one of StartRule and StartEndpoint' }

  const fail = (message: string): never => {
    throw new Error(message)
  }
  const endpoint = (ref: unknown): PolicyTree => {
    if (typeof ref !== 'string' || !isObject(endpoints[ref])) return fail(`Endpoint ${String(ref)} is not defined in Endpoints`)
    const e = endpoints[ref]
    const kind = e.Type
    const value = e.Value
    if (typeof value !== 'string' || value === '') return fail(`Endpoint ${ref} needs a Value`)
    if (kind === 'value') {
      if (type === 'A' && !isIPv4(value)) return fail(`Endpoint ${ref}: ${value} is not an IPv4 address (RecordType A)`)
      if (type === 'AAAA' && !isIPv6(value)) return fail(`Endpoint ${ref}: ${value} is not an IPv6 address (RecordType AAAA)`)
      return { kind: 'endpoint', endpoint: { type: 'value', value } }
    }
    if (typeof kind === 'string' && BALANCER_ENDPOINTS.has(kind)) {
      if (type !== 'A' && type !== 'AAAA') return fail(`Endpoint ${ref}: a load balancer answers A and AAAA only`)
      return { kind: 'endpoint', endpoint: { type: 'load-balancer', dnsName: value.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '') } }
    }
    if (typeof kind === 'string' && ELSEWHERE.has(kind)) return fail(`Endpoint ${ref}: ${kind} endpoints are not served by openalb (value and load balancer endpoints are)`)
    return fail(`Endpoint ${ref}: Type must be value, elastic-load-balancer, application-load-balancer or network-load-balancer`)
  }
  const rule = (ref: unknown, path: readonly string[]): PolicyTree => {
    if (typeof ref !== 'string' || !isObject(rules[ref])) return fail(`Rule ${String(ref)} is not defined in Rules`)
    if (path.includes(ref)) return fail(`Rule ${ref} refers to itself through ${[...path, ref].join(' -> ')}`)
    const r = rules[ref]
    const at = [...path, ref]
    const ruleType = r.RuleType
    if (typeof ruleType === 'string' && REFUSED_RULES[ruleType]) return fail(`Rule ${ref}: ${REFUSED_RULES[ruleType]} rules are not answered by openalb (failover, weighted and multivalue are)`)
    const branch = (b: unknown, where: string, withWeight: boolean): PolicyBranch => {
      if (!isObject(b)) return fail(`Rule ${ref}: ${where} must be an object`)
      const toRule = b.RuleReference !== undefined
      const toEndpoint = b.EndpointReference !== undefined
      if (toRule === toEndpoint) return fail(`Rule ${ref}: ${where} needs exactly one of EndpointReference and RuleReference`)
      if (ruleType === 'multivalue' && toRule) return fail(`Rule ${ref}: a multivalue rule's items are endpoints`)
      const weight = b.Weight === undefined ? undefined : Number(b.Weight)
      if (withWeight && (weight === undefined || !Number.isInteger(weight) || weight < 0 || weight > 255)) return fail(`Rule ${ref}: ${where} needs a Weight of 0-255`)
      const healthCheck = b.HealthCheck
      if (healthCheck !== undefined && typeof healthCheck !== 'string') return fail(`Rule ${ref}: ${where}.HealthCheck must be a health check id`)
      return {
        to: toRule ? rule(b.RuleReference, at) : endpoint(b.EndpointReference),
        ...(weight !== undefined ? { weight } : {}),
        ...(healthCheck !== undefined ? { healthCheck } : {}),
        evaluateTargetHealth: b.EvaluateTargetHealth !== false,
      }
    }
    if (ruleType === 'failover') return { kind: 'failover', primary: branch(r.Primary, 'Primary', false), secondary: branch(r.Secondary, 'Secondary', false) }
    if (ruleType === 'weighted' || ruleType === 'multivalue') {
      const items = r.Items
      if (!Array.isArray(items) || items.length === 0) return fail(`Rule ${ref}: Items must list at least one item`)
      if (ruleType === 'multivalue' && items.length > 8) return fail(`Rule ${ref}: a multivalue rule has at most 8 items`)
      return { kind: ruleType, items: items.map((item, i) => branch(item, `Items[${i}]`, ruleType === 'weighted')) }
    }
    return fail(`Rule ${ref}: RuleType must be failover, weighted or multivalue`)
  }
  try {
    const tree = hasRule ? rule(doc.StartRule, []) : endpoint(doc.StartEndpoint)
    return { ok: true, type: type as RecordType, tree }
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) }
  }
}

/** The health check ids a tree names. */
export function healthChecksOf(tree: PolicyTree): string[] {
  if (tree.kind === 'endpoint') return []
  const branches = tree.kind === 'failover' ? [tree.primary, tree.secondary] : tree.items
  return branches.flatMap((b) => [...(b.healthCheck ? [b.healthCheck] : []), ...healthChecksOf(b.to)])
}
