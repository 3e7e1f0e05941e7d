import { isIPv4, isIPv6 } from 'node:net'
import { CidrSet, parseIp } from '../lib/cidr.js'
import { fqdn, routingPolicyOf, vpcKey, type HostedZone, type RecordSet } from '../model/hosted-zone.js'
import { BALANCER_ALIAS_TTL_SECONDS, type PolicyMember, type AliasRRSet, type CompiledZone, type CompiledZones, type RRSet, type StaticRRSet } from './compiled-zone.js'
import { CidrMatcher } from './cidr-match.js'
import type { GeoTable } from './geo-table.js'
import { isAtOrBelow, parentName } from './names.js'
import { parseRData, type RData } from './rdata.js'
import type { TrafficPolicyRecord, VpcNetwork, ZoneSource } from './zone-source.js'
import { parseTrafficPolicyDocument, type PolicyBranch, type PolicyTree } from '../model/traffic-policy.js'

/** A record that could not be served, and why; the rest of the zone is served. */
export interface CompileProblem {
  readonly zone: string
  readonly record: string
  readonly message: string
}

/** SOA defaults for a zone without an explicit SOA record (Route 53's, with a 300 s negative TTL). */
export const SOA_DEFAULTS = { ttl: 900, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 } as const
/** TTL of the apex NS set made from HostedZone.nameServers (Route 53's). */
export const NS_TTL_SECONDS = 172800

interface ZoneBuilder {
  readonly name: string
  readonly nodes: Map<string, Map<string, RRSet>>
  soa: StaticRRSet
}

export interface CompileOptions {
  /** SOA serial of the zones made for balancer names outside every hosted zone. */
  readonly balancerZoneSerial: number
  /** Where clients are, for geolocation routing. */
  readonly geoTable?: GeoTable | undefined
}

/** Compiles every zone once per configuration revision into lookup maps. */
export function compileZones(source: ZoneSource, options: CompileOptions): { zones: CompiledZones; problems: CompileProblem[] } {
  const problems: CompileProblem[] = []
  const builders = new Map<string, ZoneBuilder>()
  const matchers = new Map((source.cidrCollections?.() ?? []).map((c) => [c.id, new CidrMatcher(c)]))

  const privateBuilders: { zone: HostedZone; b: ZoneBuilder }[] = []
  for (const zone of source.zones()) {
    const b = hostedZoneBuilder(zone)
    if (zone.vpcs) privateBuilders.push({ zone, b })
    else builders.set(b.name, b)
    for (const record of source.records(zone.id)) addRecord(b, record, source, problems, matchers, options.geoTable)
    for (const record of source.trafficPolicyRecords?.(zone.id) ?? []) addTrafficPolicy(b, record, source, problems)
    ensureApex(b, zone)
  }

  for (const lb of source.loadBalancers()) {
    const name = fqdn(lb.dnsName)
    let b = enclosing(builders, name)
    if (!b) {
      const zoneName = parentName(name) ?? '.'
      b = syntheticZoneBuilder(zoneName, options.balancerZoneSerial)
      builders.set(zoneName, b)
    }
    const node = nodeAt(b, name)
    // Records the operator wrote at the same name win over the balancer's own addresses.
    if (node.has('CNAME')) continue
    const v4 = lb.addresses.filter((a) => isIPv4(a))
    const v6 = lb.addresses.filter((a) => isIPv6(a))
    if (v4.length > 0 && !node.has('A')) node.set('A', staticSet(balancerTtl(source), v4.map((data) => ({ type: 'A', data }))))
    if (v6.length > 0 && !node.has('AAAA')) node.set('AAAA', staticSet(balancerTtl(source), v6.map((data) => ({ type: 'AAAA', data }))))
  }

  const zones = new Map<string, CompiledZone>()
  for (const b of builders.values()) zones.set(b.name, finish(b, problems))
  const privateZones = new Map<string, Map<string, CompiledZone>>()
  for (const { zone, b } of privateBuilders) {
    const compiled = finish(b, problems)
    for (const v of zone.vpcs ?? []) {
      const key = vpcKey(v)
      const byName = privateZones.get(key) ?? new Map<string, CompiledZone>()
      byName.set(compiled.name, compiled)
      privateZones.set(key, byName)
    }
  }
  return {
    zones: { zones, privateZones, routesByClient: [...builders.values(), ...privateBuilders.map((p) => p.b)].some(routesByClient), vpcsOf: privateZones.size > 0 ? vpcIndex(source.vpcNetworks?.() ?? []) : () => NO_VPCS, isBalancerHealthy: (arn) => source.loadBalancer(arn)?.healthy ?? false, isHealthCheckHealthy: (id) => source.healthCheckHealthy?.(id) },
    problems,
  }
}

const NO_VPCS: readonly string[] = []

/** Whether a zone holds a policy set chosen by the client's address (IP-based or geolocation), at any depth. */
function routesByClient(b: ZoneBuilder): boolean {
  const byClient = (set: RRSet): boolean => set.kind === 'policy' && (set.policy === 'cidr' || set.policy === 'geolocation' || set.members.some((m) => byClient(m.set)))
  for (const node of b.nodes.values()) for (const set of node.values()) if (byClient(set)) return true
  return false
}

/**
 * Who is "from" a VPC, for private zones: a source address that is one of its instances'
 * addresses or lies in one of its CIDR blocks. Built once per revision.
 */
function vpcIndex(networks: readonly VpcNetwork[]): (address: string) => readonly string[] {
  const byAddress = new Map<string, string[]>()
  const blocks: { set: CidrSet; key: string }[] = []
  const norm = (a: string): string | undefined => {
    const ip = parseIp(a)
    return ip ? `${ip.family}:${ip.value}` : undefined
  }
  for (const n of networks) {
    for (const a of n.addresses) {
      const k = norm(a)
      if (k !== undefined) byAddress.set(k, [...(byAddress.get(k) ?? []), n.key])
    }
    const parsed = CidrSet.parse(n.cidrBlocks)
    if (parsed.ok && parsed.value.size > 0) blocks.push({ set: parsed.value, key: n.key })
  }
  return (address) => {
    const k = norm(address)
    if (k === undefined) return NO_VPCS
    const out = [...(byAddress.get(k) ?? [])]
    for (const b of blocks) if (!out.includes(b.key) && b.set.contains(address)) out.push(b.key)
    return out.length > 0 ? out.sort() : NO_VPCS
  }
}

const staticSet = (ttl: number, records: RData[]): StaticRRSet => ({ kind: 'static', ttl, records })

function nodeAt(b: ZoneBuilder, name: string): Map<string, RRSet> {
  let node = b.nodes.get(name)
  if (!node) {
    node = new Map()
    b.nodes.set(name, node)
  }
  return node
}

function enclosing(builders: ReadonlyMap<string, ZoneBuilder>, name: string): ZoneBuilder | undefined {
  for (let n: string | undefined = name; n !== undefined; n = parentName(n)) {
    const b = builders.get(n)
    if (b) return b
  }
  return undefined
}

function soaSet(zone: string, mname: string, serial: number): StaticRRSet {
  const { ttl, refresh, retry, expire, minimum } = SOA_DEFAULTS
  return staticSet(ttl, [{ type: 'SOA', data: { mname, rname: `hostmaster.${zone}`, serial, refresh, retry, expire, minimum } }])
}

function hostedZoneBuilder(zone: HostedZone): ZoneBuilder {
  const name = fqdn(zone.name)
  const mname = zone.nameServers[0] !== undefined ? fqdn(zone.nameServers[0]) : `ns1.${name}`
  return { name, nodes: new Map(), soa: soaSet(name, mname, zone.serial) }
}

function syntheticZoneBuilder(name: string, serial: number): ZoneBuilder {
  const b: ZoneBuilder = { name, nodes: new Map(), soa: soaSet(name, `ns1.${name}`, serial) }
  nodeAt(b, name).set('NS', staticSet(NS_TTL_SECONDS, [{ type: 'NS', data: `ns1.${name}` }]))
  nodeAt(b, name).set('SOA', b.soa)
  return b
}

/** The TTL of a balancer's own name and of alias answers to it. */
function balancerTtl(source: ZoneSource): number {
  return source.balancerTtlSeconds ?? BALANCER_ALIAS_TTL_SECONDS
}

function addRecord(b: ZoneBuilder, record: RecordSet, source: ZoneSource, problems: CompileProblem[], matchers: ReadonlyMap<string, CidrMatcher>, geoTable: GeoTable | undefined): void {
  const owner = fqdn(record.name)
  const problem = (message: string) => problems.push({ zone: b.name, record: `${owner} ${record.type}`, message })
  if (!isAtOrBelow(owner, b.name)) return void problem(`not inside zone ${b.name}`)
  const node = nodeAt(b, owner)

  // A routing policy's record set joins the policy set of its name and type.
  const place = (set: StaticRRSet | AliasRRSet): void => {
    const policy = routingPolicyOf(record)
    if (policy === 'simple' || record.setIdentifier === undefined) return void node.set(record.type, set)
    const current = node.get(record.type)
    const members = current?.kind === 'policy' ? [...current.members] : []
    const cidr = record.cidrRouting
    members.push({ setIdentifier: record.setIdentifier, set, weight: record.weight, failover: record.failover, location: cidr?.locationName, geo: record.geoLocation, healthCheckId: record.healthCheckId })
    const matcher = cidr ? matchers.get(cidr.collectionId) : undefined
    if (cidr && !matcher) problem(`CIDR collection ${cidr.collectionId} does not exist`)
    node.set(record.type, { kind: 'policy', policy, members, ...(matcher ? { matcher } : {}), ...(policy === 'geolocation' && geoTable ? { geoTable } : {}) })
  }

  if (record.alias) {
    const arn = record.alias.loadBalancerArn
    const lb = arn !== undefined ? source.loadBalancer(arn) : undefined
    if (arn !== undefined && !lb) problem(`alias to a load balancer that does not exist: ${arn}`)
    const family = record.type === 'A' ? isIPv4 : record.type === 'AAAA' ? isIPv6 : undefined
    place({
      kind: 'alias',
      evaluateTargetHealth: record.alias.evaluateTargetHealth,
      loadBalancerArn: arn,
      addresses: lb && family ? lb.addresses.filter((a) => family(a)) : [],
      ttl: balancerTtl(source),
      recordName: arn === undefined && record.alias.recordName !== undefined ? fqdn(record.alias.recordName) : undefined,
    })
    return
  }

  const records: RData[] = []
  for (const value of record.values) {
    const parsed = parseRData(record.type, value, b.name)
    if (parsed.ok) records.push(parsed.rdata)
    else problem(parsed.message)
  }
  if (records.length === 0) return
  if (record.type === 'SOA') {
    if (owner !== b.name) return void problem('an SOA record belongs at the zone apex')
    const first = records[0]
    // The serial is openalb's: it increases with each change of the zone (HostedZone.serial).
    if (first?.type === 'SOA') b.soa = staticSet(record.ttl, [{ type: 'SOA', data: { ...first.data, serial: b.soa.records[0]?.type === 'SOA' ? b.soa.records[0].data.serial : first.data.serial } }])
    return
  }
  place(staticSet(record.ttl, record.type === 'CNAME' ? records.slice(0, 1) : records))
}

/** A traffic policy instance: its document's tree, compiled once into nested policy sets the resolver walks per query. */
function addTrafficPolicy(b: ZoneBuilder, record: TrafficPolicyRecord, source: ZoneSource, problems: CompileProblem[]): void {
  const owner = fqdn(record.name)
  const problem = (message: string) => problems.push({ zone: b.name, record: `${owner} ${record.type} (traffic policy instance ${record.instanceId})`, message })
  const parsed = parseTrafficPolicyDocument(record.document)
  if (!parsed.ok) return void problem(parsed.message)
  const node = nodeAt(b, owner)
  if (node.has(record.type)) return void problem('a record set of this name and type is already served')
  const balancers = new Map(source.loadBalancers().map((lb) => [fqdn(lb.dnsName), lb]))
  const family = record.type === 'A' ? isIPv4 : record.type === 'AAAA' ? isIPv6 : undefined
  const build = (tree: PolicyTree, evaluateTargetHealth: boolean): RRSet => {
    if (tree.kind === 'endpoint') {
      const e = tree.endpoint
      if (e.type === 'value') {
        const parsedValue = parseRData(record.type, e.value, b.name)
        if (!parsedValue.ok) problem(parsedValue.message)
        return staticSet(record.ttl, parsedValue.ok ? [parsedValue.rdata] : [])
      }
      const lb = balancers.get(fqdn(e.dnsName))
      if (!lb?.arn) problem(`no load balancer has the DNS name ${e.dnsName}`)
      return { kind: 'alias', evaluateTargetHealth, loadBalancerArn: lb?.arn, addresses: lb && family ? lb.addresses.filter((a) => family(a)) : [], ttl: balancerTtl(source), recordName: undefined }
    }
    if (tree.kind === 'failover') {
      const member = (branch: PolicyBranch, role: 'PRIMARY' | 'SECONDARY'): PolicyMember => ({ setIdentifier: role, set: build(branch.to, branch.evaluateTargetHealth), failover: role, healthCheckId: branch.healthCheck })
      return { kind: 'policy', policy: 'failover', members: [member(tree.primary, 'PRIMARY'), member(tree.secondary, 'SECONDARY')] }
    }
    return {
      kind: 'policy',
      policy: tree.kind,
      members: tree.items.map((item, i) => ({ setIdentifier: String(i), set: build(item.to, item.evaluateTargetHealth), weight: item.weight, healthCheckId: item.healthCheck })),
    }
  }
  node.set(record.type, build(parsed.tree, false))
}

function ensureApex(b: ZoneBuilder, zone: HostedZone): void {
  const apex = nodeAt(b, b.name)
  apex.set('SOA', b.soa)
  if (!apex.has('NS')) {
    const servers = zone.nameServers.length > 0 ? zone.nameServers.map(fqdn) : [`ns1.${b.name}`]
    apex.set('NS', staticSet(NS_TTL_SECONDS, servers.map((data) => ({ type: 'NS', data }))))
  }
}

function finish(b: ZoneBuilder, problems: CompileProblem[]): CompiledZone {
  const names = new Set<string>()
  const cuts = new Set<string>()
  for (const [owner, node] of b.nodes) {
    if (node.has('CNAME') && node.size > 1) {
      problems.push({ zone: b.name, record: `${owner} CNAME`, message: 'a CNAME cannot share its name with other records; only the CNAME is served' })
      for (const type of [...node.keys()]) if (type !== 'CNAME') node.delete(type)
    }
    if (owner !== b.name && node.has('NS')) cuts.add(owner)
    for (let n: string | undefined = owner; n !== undefined && isAtOrBelow(n, b.name); n = parentName(n)) {
      if (names.has(n)) break
      names.add(n)
    }
  }
  const soaRecord = b.soa.records[0]
  const minimum = soaRecord?.type === 'SOA' ? (soaRecord.data.minimum ?? SOA_DEFAULTS.minimum) : SOA_DEFAULTS.minimum
  return { name: b.name, nodes: b.nodes, names, cuts, soa: b.soa, negativeTtl: Math.min(b.soa.ttl, minimum) }
}
