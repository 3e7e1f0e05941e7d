import type { Answer } from 'dns-packet'
import { type CompiledZone, type CompiledZones, type PolicyMember, type PolicyRRSet, type RRSet, type ZoneNode } from './compiled-zone.js'
import type { ClientSubnet } from './cidr-match.js'
import { DEFAULT_CIDR_LOCATION } from '../model/cidr-collection.js'
import { DEFAULT_GEO_COUNTRY } from '../model/geo-locations.js'
import { isAtOrBelow, parentName } from './names.js'
import type { RData } from './rdata.js'

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const
export type Rcode = (typeof Rcode)[keyof typeof Rcode]

export interface Resolution {
  readonly rcode: Rcode
  readonly authoritative: boolean
  readonly answers: Answer[]
  readonly authorities: Answer[]
  readonly additionals: Answer[]
  /** False when the answer depends on live state (target health) or on who asks, rather than the compiled zones alone. */
  readonly cacheable: boolean
  /** Whether the answer depended on the client's address (IP-based routing): an ECS answer then gives its scope. */
  readonly byClient?: boolean | undefined
}

/** CNAME hops followed inside one zone before the answer stops (chains longer than this are a loop in practice). */
const MAX_CHAIN = 16
/** Alias-to-record hops followed before giving up. */
const MAX_ALIAS_DEPTH = 8

const refused: Resolution = { rcode: Rcode.REFUSED, authoritative: false, answers: [], authorities: [], additionals: [], cacheable: true }

/**
 * The closest enclosing zone of a name, or undefined when openalb is not authoritative for it.
 * A query from VPCs (vpcs) is answered from their private zones first, as Route 53 Resolver
 * answers a VPC: a private zone that encloses the name wins over every public one.
 */
export function findZone(zones: CompiledZones, qname: string, vpcs: readonly string[] = []): CompiledZone | undefined {
  if (vpcs.length > 0) {
    for (let n: string | undefined = qname; n !== undefined; n = parentName(n)) {
      for (const v of vpcs) {
        const z = zones.privateZones.get(v)?.get(n)
        if (z) return z
      }
    }
  }
  for (let n: string | undefined = qname; n !== undefined; n = parentName(n)) {
    const z = zones.zones.get(n)
    if (z) return z
  }
  return undefined
}

interface Lookup {
  /** The node that answers (the name's own, or the wildcard that synthesizes it). */
  readonly node: ZoneNode | undefined
  /** Whether the name exists (possibly as an empty non-terminal, or through a wildcard). */
  readonly exists: boolean
}

/** RFC 4592: a wildcard answers only names that do not exist, from the source of synthesis *.<closest encloser>. */
function lookup(zone: CompiledZone, name: string): Lookup {
  const node = zone.nodes.get(name)
  if (node) return { node, exists: true }
  if (zone.names.has(name)) return { node: undefined, exists: true }
  let encloser = parentName(name)
  while (encloser !== undefined && encloser !== zone.name && !zone.names.has(encloser)) encloser = parentName(encloser)
  const wildcard = zone.nodes.get(`*.${encloser ?? zone.name}`)
  return wildcard ? { node: wildcard, exists: true } : { node: undefined, exists: false }
}

/** The delegation point at or above name (below the apex), if any. */
function findCut(zone: CompiledZone, name: string): string | undefined {
  if (zone.cuts.size === 0) return undefined
  let cut: string | undefined
  for (let n: string | undefined = name; n !== undefined && n !== zone.name; n = parentName(n)) if (zone.cuts.has(n)) cut = n
  return cut
}

interface SetData {
  readonly ttl: number
  readonly records: readonly RData[]
  readonly live: boolean
  /** The client's address chose the data (IP-based routing). */
  readonly byClient?: boolean | undefined
}

/**
 * An RRSet's data: static sets as compiled, aliases looked up now. No records: no data (or an
 * unhealthy alias). live: the outcome depended on target health.
 */
function setData(zones: CompiledZones, zone: CompiledZone, set: RRSet, type: string, depth: number, client: ClientSubnet | undefined): SetData {
  if (set.kind === 'static') return { ttl: set.ttl, records: set.records, live: false }
  if (set.kind === 'policy') return policyData(zones, zone, set, type, depth, client)
  if (set.loadBalancerArn !== undefined) {
    const live = set.evaluateTargetHealth
    // Route 53: with EvaluateTargetHealth, an alias to a balancer with no healthy target is unhealthy and not answered.
    if (live && !zones.isBalancerHealthy(set.loadBalancerArn)) return { ttl: 0, records: [], live }
    const records = set.addresses.map((data): RData => (type === 'AAAA' ? { type: 'AAAA', data } : { type: 'A', data }))
    return { ttl: set.ttl, records, live }
  }
  if (set.recordName === undefined || depth >= MAX_ALIAS_DEPTH || !isAtOrBelow(set.recordName, zone.name)) return NO_DATA
  const target = lookup(zone, set.recordName).node?.get(type)
  return target ? setData(zones, zone, target, type, depth + 1, client) : NO_DATA
}

const NO_DATA: SetData = { ttl: 0, records: [], live: false }

/** Route 53 answers at most eight record sets of a multivalue name. */
const MAX_MULTIVALUE = 8

interface Weighed {
  readonly member: PolicyMember
  readonly data: SetData
  readonly healthy: boolean
}

/**
 * A routing policy's answer, chosen now as Route 53 chooses it. A member is healthy when its
 * health check (if any) is, and, for an alias that evaluates target health, when its target is.
 * Failover: the primary while healthy, else the secondary (both down: the primary). Weighted: one
 * healthy member at random by weight (none healthy: all count). Multivalue: up to eight healthy
 * members together (none healthy: up to eight of all).
 */
function policyData(zones: CompiledZones, zone: CompiledZone, set: PolicyRRSet, type: string, depth: number, client: ClientSubnet | undefined): SetData {
  const weighed: Weighed[] = set.members.map((member) => {
    const data = setData(zones, zone, member.set, type, depth, client)
    const checked = member.healthCheckId === undefined || zones.isHealthCheckHealthy(member.healthCheckId) !== false
    const evaluated = !(member.set.kind === 'alias' && member.set.evaluateTargetHealth) || data.records.length > 0
    return { member, data, healthy: checked && evaluated && data.records.length > 0 }
  })
  const live = (d: SetData): SetData => ({ ...d, live: true })
  if (set.policy === 'failover') {
    const primary = weighed.find((w) => w.member.failover === 'PRIMARY')
    const secondary = weighed.find((w) => w.member.failover === 'SECONDARY')
    const chosen = primary?.healthy ? primary : secondary?.healthy ? secondary : (primary ?? secondary)
    return chosen ? live(chosen.data) : { ...NO_DATA, live: true }
  }
  if (set.policy === 'geolocation') {
    // Geolocation routing: the most specific set that covers the client's place (state, country,
    // continent), then the default "*"; an unhealthy one gives way to the next broader, all down: the first.
    const place = client && set.geoTable ? set.geoTable.locate(client) : undefined
    const covers = (w: Weighed, level: number): boolean => {
      const g = w.member.geo
      if (!g) return false
      if (level === 3) return g.countryCode === DEFAULT_GEO_COUNTRY
      if (!place) return false
      if (level === 0) return g.subdivisionCode !== undefined && g.countryCode === place.countryCode && g.subdivisionCode === place.subdivisionCode
      if (level === 1) return g.subdivisionCode === undefined && g.countryCode === place.countryCode
      return g.continentCode === place.continentCode
    }
    const candidates = [0, 1, 2, 3].flatMap((level) => weighed.filter((w) => covers(w, level)))
    const chosen = candidates.find((w) => w.healthy) ?? candidates[0]
    return { ...(chosen ? chosen.data : NO_DATA), live: true, byClient: true }
  }
  if (set.policy === 'cidr') {
    // IP-based routing: the set of the client's location (its longest matching block), else the
    // default location's; an unhealthy one gives way to the other, and both down answer as healthy.
    const found = client && set.matcher ? set.matcher.match(client) : undefined
    const at = found ? weighed.find((w) => w.member.location === found.location) : undefined
    const fallback = weighed.find((w) => w.member.location === DEFAULT_CIDR_LOCATION)
    const chosen = at?.healthy ? at : fallback?.healthy ? fallback : (at ?? fallback)
    return { ...(chosen ? chosen.data : NO_DATA), live: true, byClient: true }
  }
  const healthy = weighed.filter((w) => w.healthy)
  const pool = healthy.length > 0 ? healthy : weighed.filter((w) => w.data.records.length > 0)
  if (pool.length === 0) return { ...NO_DATA, live: true }
  if (set.policy === 'multivalue') {
    const records = pool.flatMap((w) => w.data.records).slice(0, MAX_MULTIVALUE)
    return { ttl: Math.min(...pool.map((w) => w.data.ttl)), records, live: true }
  }
  const weights = pool.map((w) => w.member.weight ?? 0)
  const total = weights.reduce((a, b) => a + b, 0)
  let pick = total === 0 ? Math.floor(Math.random() * pool.length) : -1
  if (pick < 0) {
    let r = Math.random() * total
    pick = weights.findIndex((w) => (r -= w) < 0)
    if (pick < 0) pick = pool.length - 1
  }
  return live((pool[pick] as Weighed).data)
}

const toAnswers = (owner: string, data: SetData, out: Answer[]): void => {
  for (const r of data.records) out.push({ ...r, name: owner, ttl: data.ttl, class: 'IN' } as Answer)
}

/** Answers one question (qname: lower-case fqdn) from the compiled zones, authoritatively; client: who asks (IP-based routing); vpcs: the VPCs it asks from (private zones). */
export function resolve(zones: CompiledZones, qname: string, qtype: string, client?: ClientSubnet, vpcs?: readonly string[]): Resolution {
  const zone = findZone(zones, qname, vpcs)
  if (!zone) return refused

  const answers: Answer[] = []
  let live = false
  let byClient = false
  const negative = (rcode: Rcode): Resolution => ({
    rcode,
    authoritative: true,
    answers,
    authorities: soaAnswer(zone),
    additionals: [],
    cacheable: !live,
    byClient,
  })
  const positive = (): Resolution => ({ rcode: Rcode.NOERROR, authoritative: true, answers, authorities: [], additionals: [], cacheable: !live, byClient })
  const took = (data: SetData): void => {
    live ||= data.live
    byClient ||= data.byClient === true
  }

  const seen = new Set<string>()
  let name = qname
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    seen.add(name)
    const cut = findCut(zone, name)
    if (cut !== undefined) return answers.length > 0 ? positive() : referral(zone, cut)

    const { node, exists } = lookup(zone, name)
    if (!exists) return negative(Rcode.NXDOMAIN)
    if (!node) return negative(Rcode.NOERROR)

    if (qtype === 'ANY') {
      for (const [type, set] of node) {
        const data = setData(zones, zone, set, type, 0, client)
        took(data)
        toAnswers(name, data, answers)
      }
      return answers.length > 0 ? positive() : negative(Rcode.NOERROR)
    }

    const set = node.get(qtype)
    if (set) {
      const data = setData(zones, zone, set, qtype, 0, client)
      took(data)
      if (data.records.length === 0) return negative(Rcode.NOERROR)
      toAnswers(name, data, answers)
      return positive()
    }

    const cname = node.get('CNAME')
    const cnameData = cname ? setData(zones, zone, cname, 'CNAME', 0, client) : NO_DATA
    took(cnameData)
    const first = cnameData.records[0]
    if (first?.type !== 'CNAME') return negative(Rcode.NOERROR)
    toAnswers(name, { ...cnameData, records: [first] }, answers)
    const target = first.data
    // Chains leaving the zone, or looping, end here: the client resolves the rest.
    if (!isAtOrBelow(target, zone.name) || seen.has(target)) return positive()
    name = target
  }
  return positive()
}

function soaAnswer(zone: CompiledZone): Answer[] {
  const soa = zone.soa.records[0]
  return soa ? [{ ...soa, name: zone.name, ttl: zone.negativeTtl, class: 'IN' } as Answer] : []
}

/** A delegation below the apex: not authoritative, the child's NS set in authority, in-zone glue in additional. */
function referral(zone: CompiledZone, cut: string): Resolution {
  const authorities: Answer[] = []
  const additionals: Answer[] = []
  const ns = zone.nodes.get(cut)?.get('NS')
  if (ns?.kind === 'static') {
    toAnswers(cut, { ttl: ns.ttl, records: ns.records, live: false }, authorities)
    for (const r of ns.records) {
      if (r.type !== 'NS' || !isAtOrBelow(r.data, zone.name)) continue
      const glue = zone.nodes.get(r.data)
      for (const type of ['A', 'AAAA']) {
        const g = glue?.get(type)
        if (g?.kind === 'static') toAnswers(r.data, { ttl: g.ttl, records: g.records, live: false }, additionals)
      }
    }
  }
  return { rcode: Rcode.NOERROR, authoritative: false, answers: [], authorities, additionals, cacheable: true }
}
