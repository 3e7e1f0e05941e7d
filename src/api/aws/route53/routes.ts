import { ChangeIds } from './change-ids.js'
import { isIP } from 'node:net'
import { changeCidrCollection, createCidrCollection, deleteCidrCollection, findCidrCollection, type CidrChange } from '../../../control/cidr-collections.js'
import { cidrCollectionArn, type CidrCollection } from '../../../model/cidr-collection.js'
import { createTrafficPolicy, createTrafficPolicyInstance, createTrafficPolicyVersion, deleteTrafficPolicyInstance, deleteTrafficPolicyVersion, findPolicyVersion, findTrafficPolicy, findTrafficPolicyInstance, updateTrafficPolicyComment, updateTrafficPolicyInstance } from '../../../control/traffic-policies.js'
import type { TrafficPolicy, TrafficPolicyInstance, TrafficPolicyVersion } from '../../../model/traffic-policy.js'
import { CONTINENTS, COUNTRIES, DEFAULT_GEO_COUNTRY, geoLocationName, US_SUBDIVISIONS, type GeoLocation } from '../../../model/geo-locations.js'
import { associateVpc, disassociateVpc, changeRecordSets, createDelegationSet, createHostedZone, deleteDelegationSet, deleteHostedZone, findDelegationSet, findZone, updateHostedZone, type RecordChange } from '../../../control/hosted-zones.js'
import { changeTags } from '../../../control/tags.js'
import type { Draft } from '../../../control/draft.js'
import { fqdn, isPrivateZone, type ZoneVpc, MAX_ZONES_BY_REUSABLE_DELEGATION_SET, NAME_SERVERS, ROUTE53_ACCOUNT_LIMITS, ROUTE53_ZONE_LIMITS, type DelegationSet, type HostedZone, type RecordSet } from '../../../model/hosted-zone.js'
import type { AwsApiDeps } from '../deps.js'
import { createHealthCheck, deleteHealthCheck, findHealthCheck, updateHealthCheck } from '../../../control/health-checks.js'
import { checkPort, ROUTE53_CHECK_TYPES, type HealthCheck, type HealthCheckConfig } from '../../../model/health-check.js'
import { AwsError } from '../errors.js'
import { NotFoundError } from '../../../control/errors.js'
import { Params } from '../protocol/params.js'
import { parseXmlBody, restXmlDocument } from '../protocol/rest-xml.js'
import type { XmlValue } from '../protocol/xml.js'

export const ROUTE53_PREFIX = '/2013-04-01/'
export const ROUTE53_NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/'

const MEMBER: Record<string, string> = {
  ResourceTagSets: 'ResourceTagSet',
  DelegationSets: 'DelegationSet',
  HealthChecks: 'HealthCheck',
  HealthCheckObservations: 'HealthCheckObservation',
  ChildHealthChecks: 'ChildHealthCheck',
  Regions: 'Region',
  RecordData: 'RecordDataEntry',
  HostedZones: 'HostedZone',
  ResourceRecordSets: 'ResourceRecordSet',
  ResourceRecords: 'ResourceRecord',
  NameServers: 'NameServer',
  Tags: 'Tag',
  Messages: 'Message',
  VPCs: 'VPC',
  GeoLocationDetailsList: 'GeoLocationDetails',
  TrafficPolicies: 'TrafficPolicy',
  TrafficPolicyInstances: 'TrafficPolicyInstance',
  TrafficPolicySummaries: 'TrafficPolicySummary',
  HostedZoneSummaries: 'HostedZoneSummary',
}
const memberName = (list: string): string => MEMBER[list] ?? 'member'

const LIST_PATHS = ['Changes.Change', 'Changes.member', 'CidrList.Cidr', 'ResourceRecords.ResourceRecord', 'AddTags.Tag', 'RemoveTagKeys.Key', 'ResourceIds.ResourceId', 'HealthCheckConfig.ChildHealthChecks.ChildHealthCheck', 'ChildHealthChecks.ChildHealthCheck', 'ResetElements.ResettableElementName', 'HealthCheckConfig.Regions.Region', 'Regions.Region']

const invalidInput = (message: string) => new AwsError('InvalidInput', message)

export interface Route53Reply {
  readonly status: number
  readonly body: string
  readonly headers?: Record<string, string>
}

interface Ctx {
  readonly deps: AwsApiDeps
  readonly requestId: string
}

type Shape = Record<string, XmlValue>

/** Change ids of a process without deps.changeIds (tests): known until it exits. */
const processChangeIds = new ChangeIds()

/** Every change is applied at once, so each is INSYNC; its id says when it was submitted (change-ids.ts). */
function changeInfo(deps: AwsApiDeps, comment?: string): Shape {
  const at = (deps.now ?? (() => new Date()))()
  const id = (deps.changeIds ?? processChangeIds).issue(at)
  return { Id: `/change/${id}`, Status: 'INSYNC', SubmittedAt: at.toISOString(), Comment: comment }
}

/** Route 53 escapes characters outside letters, digits, - and _ as \ooo: the wildcard is \052. */
function escapeName(name: string): string {
  return name.replace(/[^a-z0-9\-_.]/gi, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)
}
const unescapeName = (name: string): string => name.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))

function apexRecords(zone: HostedZone): RecordSet[] {
  const [primary = NAME_SERVERS[0] ?? ''] = zone.nameServers
  return [
    { kind: 'record-set', id: `${zone.id}/${zone.name}/NS`, zoneId: zone.id, name: zone.name, type: 'NS', ttl: 172800, values: [...zone.nameServers] },
    { kind: 'record-set', id: `${zone.id}/${zone.name}/SOA`, zoneId: zone.id, name: zone.name, type: 'SOA', ttl: 900, values: [`${primary} hostmaster.openalb.test. ${zone.serial} 7200 900 1209600 86400`] },
  ]
}

/** The zone's record sets, with the apex NS and SOA openalb serves, in Route 53's order. */
function recordsOf(d: Draft, zone: HostedZone): RecordSet[] {
  // A traffic policy instance shows as the record set it answers, named by its id (Route 53's TrafficPolicyInstanceId).
  const byPolicy: RecordSet[] = d
    .list('traffic-policy-instance')
    .filter((i) => i.hostedZoneId === zone.id)
    .map((i) => ({ kind: 'record-set', id: `${zone.id}/${i.name}/${i.type}`, zoneId: zone.id, name: i.name, type: i.type, ttl: i.ttl, values: [], trafficPolicyInstanceId: i.id }))
  const stored = [...d.list('record-set').filter((r) => r.zoneId === zone.id), ...byPolicy]
  const apex = apexRecords(zone).filter((a) => !stored.some((r) => r.name === a.name && r.type === a.type))
  return [...stored, ...apex].sort((a, b) => compareNames(a.name, b.name) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
}

/** Route 53 lists names with their labels reversed: example.test. < api.example.test. */
const reversed = (name: string): string => fqdn(name).split('.').reverse().join('.')
const compareNames = (a: string, b: string): number => {
  const x = reversed(a)
  const y = reversed(b)
  return x < y ? -1 : x > y ? 1 : 0
}

function zoneShape(d: Draft, z: HostedZone): Shape {
  return {
    Id: `/hostedzone/${z.id}`,
    Name: z.name,
    CallerReference: z.callerReference,
    Config: { Comment: z.comment || undefined, PrivateZone: isPrivateZone(z) },
    ResourceRecordSetCount: recordsOf(d, z).length,
  }
}

function recordShape(r: RecordSet): Shape {
  if (r.trafficPolicyInstanceId !== undefined) return { Name: escapeName(r.name), Type: r.type, TTL: r.ttl, TrafficPolicyInstanceId: r.trafficPolicyInstanceId }
  return {
    Name: escapeName(r.name),
    Type: r.type,
    SetIdentifier: r.setIdentifier,
    Weight: r.weight,
    Failover: r.failover,
    MultiValueAnswer: r.multiValueAnswer,
    GeoLocation: r.geoLocation ? { ContinentCode: r.geoLocation.continentCode, CountryCode: r.geoLocation.countryCode, SubdivisionCode: r.geoLocation.subdivisionCode } : undefined,
    CidrRoutingConfig: r.cidrRouting ? { CollectionId: r.cidrRouting.collectionId, LocationName: r.cidrRouting.locationName } : undefined,
    TTL: r.alias ? undefined : r.ttl,
    ResourceRecords: r.alias ? undefined : r.values.map((Value) => ({ Value })),
    AliasTarget: r.alias ? { HostedZoneId: r.alias.hostedZoneId, DNSName: r.alias.dnsName, EvaluateTargetHealth: r.alias.evaluateTargetHealth } : undefined,
    HealthCheckId: r.healthCheckId,
  }
}

const delegationSet = (z: HostedZone): Shape => ({ Id: z.delegationSetId && `/delegationset/${z.delegationSetId}`, NameServers: z.nameServers.map((n) => n.replace(/\.$/, '')) })
const reusableSet = (s: DelegationSet): Shape => ({ Id: `/delegationset/${s.id}`, CallerReference: s.callerReference, NameServers: s.nameServers.map((n) => n.replace(/\.$/, '')) })

function maxItems(q: URLSearchParams, fallback: number): number {
  const raw = q.get('maxitems')
  if (raw === null) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw invalidInput('maxitems must be a positive integer')
  return Math.min(n, fallback)
}

/** One page of a Marker listing: from the item whose key is the marker (none: the first), at most max items. */
function markerPage<T>(items: readonly T[], key: (t: T) => string, marker: string | null, max: number): { items: T[]; next: T | undefined } {
  const start = marker ? items.findIndex((t) => key(t) === marker) : 0
  if (start < 0) throw invalidInput(`The marker '${marker ?? ''}' is not valid`)
  return { items: items.slice(start, start + max), next: items[start + max] }
}

/** Turns one Change of a ChangeBatch into control/'s record change. */
function changeIn(zone: HostedZone, c: Params, i: number): RecordChange {
  const action = c.required('Action')
  if (action !== 'CREATE' && action !== 'UPSERT' && action !== 'DELETE') throw invalidInput(`Invalid action '${action}' in change ${i + 1}`)
  const rs = c.obj('ResourceRecordSet')
  if (!rs) throw invalidInput(`change ${i + 1} has no ResourceRecordSet`)
  for (const unsupported of ['Region', 'GeoProximityLocation']) {
    if (rs.has(unsupported)) throw invalidInput(`${unsupported}: latency and geoproximity routing are not supported by openalb (simple, weighted, failover, multivalue, geolocation and IP-based are)`)
  }
  // The API's names are fully qualified, with or without the final dot (YAML's may be relative to the zone).
  const record: Record<string, unknown> = { name: fqdn(unescapeName(rs.required('Name'))), type: rs.required('Type') }
  const setIdentifier = rs.str('SetIdentifier')
  if (setIdentifier !== undefined) record.setIdentifier = setIdentifier
  const weight = rs.int('Weight')
  if (weight !== undefined) record.weight = weight
  const failover = rs.str('Failover')
  if (failover !== undefined) record.failover = failover
  const multiValueAnswer = rs.bool('MultiValueAnswer')
  if (multiValueAnswer !== undefined) record.multiValueAnswer = multiValueAnswer
  const healthCheckId = rs.str('HealthCheckId')
  if (healthCheckId !== undefined) record.healthCheckId = healthCheckId
  const geo = rs.obj('GeoLocation')
  if (geo) {
    const g = { continentCode: geo.str('ContinentCode'), countryCode: geo.str('CountryCode'), subdivisionCode: geo.str('SubdivisionCode') }
    record.geoLocation = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined))
  }
  const cidr = rs.obj('CidrRoutingConfig')
  if (cidr) record.cidrRouting = { collectionId: cidr.required('CollectionId'), locationName: cidr.required('LocationName') }
  const alias = rs.obj('AliasTarget')
  if (alias) {
    const dnsName = alias.required('DNSName')
    const target = alias.required('HostedZoneId')
    const evaluateTargetHealth = alias.bool('EvaluateTargetHealth') ?? false
    record.alias = target === zone.id || target === `/hostedzone/${zone.id}` ? { record: dnsName, evaluateTargetHealth } : { loadBalancer: dnsName, evaluateTargetHealth }
  } else {
    const ttl = rs.int('TTL')
    if (ttl !== undefined) record.ttl = ttl
    record.values = rs.obj('ResourceRecords')?.objs('ResourceRecord').map((r) => r.required('Value')) ?? []
  }
  return { action, record }
}

type Route = readonly [method: string, pattern: RegExp, handler: (ctx: Ctx, m: RegExpExecArray, q: URLSearchParams, body: Buffer) => Promise<Route53Reply>]

function ok(root: string, value: Shape, status = 200, headers?: Record<string, string>): Route53Reply {
  return { status, body: restXmlDocument(root, ROUTE53_NAMESPACE, value, memberName), ...(headers ? { headers } : {}) }
}

const body = (b: Buffer) => new Params(parseXmlBody(b, LIST_PATHS), invalidInput)

function healthCheckShape(h: HealthCheck): Shape {
  const c = h.config
  return {
    Id: h.id,
    CallerReference: h.callerReference,
    HealthCheckConfig: {
      IPAddress: c.ipAddress,
      Port: c.type === 'CALCULATED' ? undefined : checkPort(c),
      Type: c.type,
      ResourcePath: c.resourcePath,
      FullyQualifiedDomainName: c.fullyQualifiedDomainName,
      SearchString: c.searchString,
      RequestInterval: c.type === 'CALCULATED' ? undefined : c.requestInterval,
      FailureThreshold: c.type === 'CALCULATED' ? undefined : c.failureThreshold,
      MeasureLatency: false,
      Inverted: c.inverted,
      Disabled: c.disabled,
      HealthThreshold: c.healthThreshold,
      ChildHealthChecks: c.type === 'CALCULATED' ? [...c.childHealthChecks] : undefined,
      EnableSNI: c.type.startsWith('HTTPS') ? c.enableSni : undefined,
    },
    HealthCheckVersion: h.version,
  }
}

/** A HealthCheckConfig (or UpdateHealthCheck's flat fields) over a base: what is given replaces, ResetElements clears. */
function healthConfigIn(p: Params, base: HealthCheckConfig | undefined): HealthCheckConfig {
  const type = base?.type ?? (p.required('Type') as HealthCheckConfig['type'])
  if (!(ROUTE53_CHECK_TYPES as readonly string[]).includes(type)) throw invalidInput(`Type ${type} is not performed by openalb (${ROUTE53_CHECK_TYPES.join(', ')}); CloudWatch and recovery-control checks need AWS`)
  if (p.has('AlarmIdentifier') || p.has('RoutingControlArn') || p.has('InsufficientDataHealthStatus')) throw invalidInput('CloudWatch alarms and routing controls are not available in openalb')
  if (p.has('Regions')) throw invalidInput('Regions: openalb checks from the node asked, not from chosen Route 53 regions')
  if (p.bool('MeasureLatency')) throw invalidInput('MeasureLatency: openalb publishes no CloudWatch latency metrics for health checks')
  const reset = new Set(p.obj('ResetElements')?.strings('ResettableElementName') ?? [])
  const pick = <T>(key: string, read: (k: string) => T | undefined, current: T | undefined, resetName?: string): T | undefined =>
    resetName && reset.has(resetName) ? undefined : (read(key) ?? current)
  const str = (k: string) => p.str(k)
  const int = (k: string) => p.int(k)
  const bool = (k: string) => p.bool(k)
  const children = p.obj('ChildHealthChecks')?.strings('ChildHealthCheck')
  return {
    type,
    ipAddress: pick('IPAddress', str, base?.ipAddress),
    port: pick('Port', int, base?.port),
    resourcePath: pick('ResourcePath', str, base?.resourcePath, 'ResourcePath'),
    fullyQualifiedDomainName: pick('FullyQualifiedDomainName', str, base?.fullyQualifiedDomainName, 'FullyQualifiedDomainName'),
    searchString: pick('SearchString', str, base?.searchString),
    requestInterval: base?.requestInterval ?? p.int('RequestInterval') ?? 30,
    failureThreshold: pick('FailureThreshold', int, base?.failureThreshold) ?? 3,
    inverted: pick('Inverted', bool, base?.inverted) ?? false,
    disabled: pick('Disabled', bool, base?.disabled) ?? false,
    enableSni: pick('EnableSNI', bool, base?.enableSni) ?? type.startsWith('HTTPS'),
    healthThreshold: pick('HealthThreshold', int, base?.healthThreshold),
    childHealthChecks: reset.has('ChildHealthChecks') ? [] : (children ?? base?.childHealthChecks ?? []),
  }
}

/** One observation per checker; openalb's checker is this node, in the caller's region. */
function observationsOf(deps: AwsApiDeps, id: string, which: 'last' | 'lastFailure'): Shape {
  const seen = deps.route53Check?.(id)[which]
  return { HealthCheckObservations: seen ? [{ Region: 'us-east-1', IPAddress: '127.0.0.1', StatusReport: { Status: seen.status, CheckedTime: seen.checkedAt } }] : [] }
}

const collectionShape = (c: CidrCollection): Shape => ({ Arn: cidrCollectionArn(c.id), Id: c.id, Name: c.name, Version: c.version })

/** One page of a NextToken listing: the token is the key of the first item of the next page. */
function page<T>(items: readonly T[], key: (t: T) => string, q: URLSearchParams): { items: T[]; NextToken: string | undefined } {
  const token = q.get('nexttoken')
  const start = token ? items.findIndex((t) => key(t) === token) : 0
  if (start < 0) throw invalidInput(`The NextToken '${token ?? ''}' is not valid`)
  const raw = q.get('maxresults')
  const max = raw === null ? 100 : Number(raw)
  if (!Number.isInteger(max) || max < 1) throw invalidInput('MaxResults must be a positive integer')
  const next = items[start + max]
  return { items: items.slice(start, start + max), NextToken: next === undefined ? undefined : key(next) }
}

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/
function collectionId(raw: string | undefined): string {
  const id = raw ?? ''
  if (!UUID.test(id)) throw invalidInput(`1 validation error detected: Value '${id}' at 'collectionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}`)
  return id
}

const CIDR_ROUTES: readonly Route[] = [
  ['POST', /^cidrcollection$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const name = p.required('Name')
    const callerReference = p.required('CallerReference')
    const { collection } = (await deps.control.mutate((d) => createCidrCollection(d, name, callerReference))).value
    return ok('CreateCidrCollectionResponse', { Collection: collectionShape(collection) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/cidrcollection/${collection.id}` })
  }],
  ['GET', /^cidrcollection$/, async ({ deps }, _m, q) => {
    const all = [...(await deps.control.view()).list('cidr-collection')].sort((a, b) => a.name.localeCompare(b.name))
    const { items, NextToken } = page(all, (c) => c.id, q)
    return ok('ListCidrCollectionsResponse', { NextToken, CidrCollections: items.map(collectionShape) })
  }],
  ['POST', /^cidrcollection\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const id = collectionId(m[1])
    const p = body(b)
    const expected = p.int('CollectionVersion')
    const list = p.obj('Changes')?.objs('member') ?? []
    if (list.length === 0) throw invalidInput('Changes must hold at least one change')
    if (list.length > 1000) throw invalidInput('Changes holds at most 1000 changes')
    const changes: CidrChange[] = list.map((c) => {
      const action = c.required('Action')
      if (action !== 'PUT' && action !== 'DELETE_IF_EXISTS') throw invalidInput(`1 validation error detected: Value '${action}' at 'changes.member.action' failed to satisfy constraint: Member must satisfy enum value set: [PUT, DELETE_IF_EXISTS]`)
      const cidrs = c.obj('CidrList')?.strings('Cidr') ?? []
      if (cidrs.length === 0) throw invalidInput('CidrList must hold at least one CIDR block')
      return { locationName: c.required('LocationName'), action, cidrs }
    })
    if (changes.reduce((n, c) => n + c.cidrs.length, 0) > 1000) throw invalidInput('A ChangeCidrCollection request holds at most 1000 CIDR blocks')
    await deps.control.mutate((d) => {
      const current = findCidrCollection(d, id)
      if (expected !== undefined && expected !== current.version) {
        throw new AwsError('CidrCollectionVersionMismatchException', 'The CIDR collection version you provided, doesn\'t match the one in the ListCidrCollections operation.', 409)
      }
      return changeCidrCollection(d, id, changes)
    })
    const change = changeInfo(deps)
    return ok('ChangeCidrCollectionResponse', { Id: String(change.Id).replace(/^\/change\//, '') })
  }],
  ['GET', /^cidrcollection\/([^/]+)$/, async ({ deps }, m, q) => {
    const c = findCidrCollection(await deps.control.view(), collectionId(m[1]))
    const { items, NextToken } = page(Object.keys(c.locations).sort(), (l) => l, q)
    return ok('ListCidrLocationsResponse', { NextToken, CidrLocations: items.map((LocationName) => ({ LocationName })) })
  }],
  ['GET', /^cidrcollection\/([^/]+)\/cidrblocks$/, async ({ deps }, m, q) => {
    const c = findCidrCollection(await deps.control.view(), collectionId(m[1]))
    const location = q.get('location')
    if (location !== null && !Object.hasOwn(c.locations, location)) throw new NotFoundError('cidr-location', location)
    const blocks = Object.entries(c.locations)
      .filter(([name]) => location === null || name === location)
      .flatMap(([LocationName, list]) => list.map((CidrBlock) => ({ CidrBlock, LocationName })))
      .sort((a, b) => a.LocationName.localeCompare(b.LocationName) || a.CidrBlock.localeCompare(b.CidrBlock))
    const { items, NextToken } = page(blocks, (x) => `${x.LocationName}/${x.CidrBlock}`, q)
    return ok('ListCidrBlocksResponse', { NextToken, CidrBlocks: items })
  }],
  ['DELETE', /^cidrcollection\/([^/]+)$/, async ({ deps }, m) => {
    const id = collectionId(m[1])
    await deps.control.mutate((d) => deleteCidrCollection(d, id))
    return ok('DeleteCidrCollectionResponse', {})
  }],
]

const vpcShape = (v: ZoneVpc): Shape => ({ VPCRegion: v.region, VPCId: v.vpcId })

function vpcOf(p: Params): ZoneVpc {
  const vpcId = p.required('VPCId')
  const region = p.str('VPCRegion')
  if (region === undefined) throw invalidInput('VPCRegion is required with VPCId')
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw invalidInput(`1 validation error detected: Value '${region}' at 'vPC.vPCRegion' failed to satisfy constraint: Member must be a region such as us-east-1`)
  return { vpcId, region }
}

const VPC_ROUTES: readonly Route[] = [
  ['POST', /^hostedzone\/([^/]+)\/(associatevpc|disassociatevpc)$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const given = p.obj('VPC')
    if (!given) throw invalidInput('VPC is required')
    const vpc = vpcOf(given)
    const associate = m[2] === 'associatevpc'
    await deps.control.mutate((d) => (associate ? associateVpc : disassociateVpc)(d, m[1] ?? '', vpc))
    return ok(associate ? 'AssociateVPCWithHostedZoneResponse' : 'DisassociateVPCFromHostedZoneResponse', { ChangeInfo: changeInfo(deps, p.str('Comment')) })
  }],
  ['GET', /^hostedzonesbyvpc$/, async ({ deps }, _m, q) => {
    const vpcId = q.get('vpcid')
    const region = q.get('vpcregion')
    if (!vpcId || !region) throw invalidInput('vpcid and vpcregion are required')
    const d = await deps.control.view()
    const zones = d
      .list('hosted-zone')
      .filter((z) => z.vpcs?.some((v) => v.vpcId === vpcId && v.region === region))
      .sort((a, b) => a.id.localeCompare(b.id))
    const token = q.get('nexttoken')
    const start = token ? zones.findIndex((z) => z.id === token) : 0
    if (start < 0) throw new AwsError('InvalidPaginationToken', 'The value that you specified to get the second or subsequent page of results is invalid.')
    const max = maxItems(q, 100)
    const next = zones[start + max]
    return ok('ListHostedZonesByVPCResponse', {
      HostedZoneSummaries: zones.slice(start, start + max).map((z) => ({ HostedZoneId: z.id, Name: z.name, Owner: { OwningAccount: d.partition.accountId } })),
      MaxItems: String(max),
      NextToken: next?.id,
    })
  }],
]

const policyShape = (p: TrafficPolicy, v: TrafficPolicyVersion): Shape => ({ Id: p.id, Version: v.version, Name: p.name, Type: p.type, Document: v.document, Comment: v.comment || undefined })
const instanceShape = (i: TrafficPolicyInstance): Shape => ({
  Id: i.id,
  HostedZoneId: i.hostedZoneId,
  Name: i.name,
  TTL: i.ttl,
  // Applied at once: the change is in the store, and the DNS serves it with the next revision.
  State: 'Applied',
  Message: '',
  TrafficPolicyId: i.policyId,
  TrafficPolicyVersion: i.policyVersion,
  TrafficPolicyType: i.type,
})

function versionOf(raw: string | null | undefined): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw invalidInput(`1 validation error detected: Value '${raw ?? ''}' at 'version' failed to satisfy constraint: Member must have value between 1 and 1000`)
  return n
}

/** One page of traffic policy instances in Route 53's order (zone, name, type) from the three markers. */
function instancePage(all: readonly TrafficPolicyInstance[], q: URLSearchParams, withZone: boolean): Shape {
  const sorted = [...all].sort((a, b) => (withZone ? a.hostedZoneId.localeCompare(b.hostedZoneId) : 0) || compareNames(a.name, b.name) || a.type.localeCompare(b.type))
  const zone = q.get('hostedzoneid')
  const name = q.get('trafficpolicyinstancename')
  const type = q.get('trafficpolicyinstancetype')
  let start = 0
  if (name !== null) {
    const want = fqdn(name)
    start = sorted.findIndex((i) => (!withZone || zone === null || i.hostedZoneId === zone) && i.name === want && (type === null || i.type === type))
    if (start < 0) throw new AwsError('NoSuchTrafficPolicyInstance', 'No traffic policy instance exists with the specified ID.', 404)
  }
  const max = maxItems(q, 100)
  const next = sorted[start + max]
  return {
    TrafficPolicyInstances: sorted.slice(start, start + max).map(instanceShape),
    ...(withZone ? { HostedZoneIdMarker: next?.hostedZoneId } : {}),
    TrafficPolicyInstanceNameMarker: next?.name,
    TrafficPolicyInstanceTypeMarker: next?.type,
    IsTruncated: next !== undefined,
    MaxItems: String(max),
  }
}

/** Every location in ListGeoLocations' order: continents, then countries ("*" first), each US state after the United States. */
const GEO_LOCATIONS: readonly GeoLocation[] = [
  ...CONTINENTS.map(([continentCode]) => ({ continentCode })),
  { countryCode: DEFAULT_GEO_COUNTRY },
  ...COUNTRIES.flatMap(([countryCode]) => [{ countryCode }, ...(countryCode === 'US' ? US_SUBDIVISIONS.map(([subdivisionCode]) => ({ countryCode, subdivisionCode })) : [])]),
]

function geoDetails(g: GeoLocation): Shape {
  const names = geoLocationName(g)
  if (!names) throw new AwsError('NoSuchGeoLocation', 'Amazon Route 53 doesn\'t support the specified geographic location.', 404)
  return { ContinentCode: g.continentCode, ContinentName: names.continentName, CountryCode: g.countryCode, CountryName: names.countryName, SubdivisionCode: g.subdivisionCode, SubdivisionName: names.subdivisionName }
}

const GEO_ROUTES: readonly Route[] = [
  ['GET', /^geolocation$/, async (_ctx, _m, q) => {
    const g = { continentCode: q.get('continentcode') ?? undefined, countryCode: q.get('countrycode') ?? undefined, subdivisionCode: q.get('subdivisioncode') ?? undefined }
    if (g.subdivisionCode !== undefined && g.countryCode === undefined) throw invalidInput('SubdivisionCode needs CountryCode')
    return ok('GetGeoLocationResponse', { GeoLocationDetails: geoDetails(g) })
  }],
  ['GET', /^geolocations$/, async (_ctx, _m, q) => {
    const continent = q.get('startcontinentcode')
    const country = q.get('startcountrycode')
    const subdivision = q.get('startsubdivisioncode')
    if (continent !== null && country !== null) throw invalidInput('StartContinentCode and StartCountryCode cannot both be given')
    if (subdivision !== null && country === null) throw invalidInput('StartSubdivisionCode needs StartCountryCode')
    const start = continent === null && country === null ? 0 : GEO_LOCATIONS.findIndex((g) => (continent !== null ? g.continentCode === continent : g.countryCode === country && g.subdivisionCode === (subdivision ?? undefined)))
    if (start < 0) throw invalidInput('The start location is not one of Route 53\'s geographic locations')
    const max = maxItems(q, 100)
    const next = GEO_LOCATIONS[start + max]
    return ok('ListGeoLocationsResponse', {
      GeoLocationDetailsList: GEO_LOCATIONS.slice(start, start + max).map(geoDetails),
      IsTruncated: next !== undefined,
      NextContinentCode: next?.continentCode,
      NextCountryCode: next?.countryCode,
      NextSubdivisionCode: next?.subdivisionCode,
      MaxItems: String(max),
    })
  }],
]

const POLICY_ROUTES: readonly Route[] = [
  ['POST', /^trafficpolicy$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const policy = (await deps.control.mutate((d) => createTrafficPolicy(d, p.required('Name'), p.required('Document'), p.str('Comment') ?? ''))).value
    return ok('CreateTrafficPolicyResponse', { TrafficPolicy: policyShape(policy, policy.versions[0] as TrafficPolicyVersion) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/trafficpolicy/${policy.id}/1` })
  }],
  ['POST', /^trafficpolicy\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const { policy, version } = (await deps.control.mutate((d) => createTrafficPolicyVersion(d, m[1] ?? '', p.required('Document'), p.str('Comment') ?? ''))).value
    return ok('CreateTrafficPolicyVersionResponse', { TrafficPolicy: policyShape(policy, version) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/trafficpolicy/${policy.id}/${version.version}` })
  }],
  ['GET', /^trafficpolicy\/([^/]+)\/([^/]+)$/, async ({ deps }, m) => {
    const { policy, version } = findPolicyVersion(await deps.control.view(), m[1] ?? '', versionOf(m[2]))
    return ok('GetTrafficPolicyResponse', { TrafficPolicy: policyShape(policy, version) })
  }],
  ['POST', /^trafficpolicy\/([^/]+)\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const comment = body(b).required('Comment')
    const { policy, version } = (await deps.control.mutate((d) => updateTrafficPolicyComment(d, m[1] ?? '', versionOf(m[2]), comment))).value
    return ok('UpdateTrafficPolicyCommentResponse', { TrafficPolicy: policyShape(policy, version) })
  }],
  ['DELETE', /^trafficpolicy\/([^/]+)\/([^/]+)$/, async ({ deps }, m) => {
    const version = versionOf(m[2])
    await deps.control.mutate((d) => deleteTrafficPolicyVersion(d, m[1] ?? '', version))
    return ok('DeleteTrafficPolicyResponse', {})
  }],
  ['GET', /^trafficpolicies$/, async ({ deps }, _m, q) => {
    const all = [...(await deps.control.view()).list('traffic-policy')].sort((a, b) => a.id.localeCompare(b.id))
    const max = maxItems(q, 100)
    const { items, next } = markerPage(all, (p) => p.id, q.get('trafficpolicyid'), max)
    return ok('ListTrafficPoliciesResponse', {
      TrafficPolicySummaries: items.map((p) => ({ Id: p.id, Name: p.name, Type: p.type, LatestVersion: p.latestVersion, TrafficPolicyCount: p.versions.length })),
      IsTruncated: next !== undefined,
      TrafficPolicyIdMarker: next?.id ?? '',
      MaxItems: String(max),
    })
  }],
  ['GET', /^trafficpolicies\/([^/]+)\/versions$/, async ({ deps }, m, q) => {
    const policy = findTrafficPolicy(await deps.control.view(), m[1] ?? '')
    const max = maxItems(q, 100)
    const { items, next } = markerPage(policy.versions, (v) => String(v.version), q.get('trafficpolicyversion'), max)
    return ok('ListTrafficPolicyVersionsResponse', {
      TrafficPolicies: items.map((v) => policyShape(policy, v)),
      IsTruncated: next !== undefined,
      TrafficPolicyVersionMarker: next ? String(next.version) : '',
      MaxItems: String(max),
    })
  }],
  ['POST', /^trafficpolicyinstance$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const input = { zoneId: p.required('HostedZoneId'), name: p.required('Name'), ttl: p.int('TTL') ?? Number.NaN, policyId: p.required('TrafficPolicyId'), policyVersion: versionOf(p.required('TrafficPolicyVersion')) }
    const instance = (await deps.control.mutate((d) => createTrafficPolicyInstance(d, input))).value
    return ok('CreateTrafficPolicyInstanceResponse', { TrafficPolicyInstance: instanceShape(instance) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/trafficpolicyinstance/${instance.id}` })
  }],
  ['GET', /^trafficpolicyinstancecount$/, async ({ deps }) => ok('GetTrafficPolicyInstanceCountResponse', { TrafficPolicyInstanceCount: (await deps.control.view()).list('traffic-policy-instance').length })],
  ['GET', /^trafficpolicyinstance\/([^/]+)$/, async ({ deps }, m) => ok('GetTrafficPolicyInstanceResponse', { TrafficPolicyInstance: instanceShape(findTrafficPolicyInstance(await deps.control.view(), m[1] ?? '')) })],
  ['POST', /^trafficpolicyinstance\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const input = { ttl: p.int('TTL') ?? Number.NaN, policyId: p.required('TrafficPolicyId'), policyVersion: versionOf(p.required('TrafficPolicyVersion')) }
    const instance = (await deps.control.mutate((d) => updateTrafficPolicyInstance(d, m[1] ?? '', input))).value
    return ok('UpdateTrafficPolicyInstanceResponse', { TrafficPolicyInstance: instanceShape(instance) })
  }],
  ['DELETE', /^trafficpolicyinstance\/([^/]+)$/, async ({ deps }, m) => {
    await deps.control.mutate((d) => deleteTrafficPolicyInstance(d, m[1] ?? ''))
    return ok('DeleteTrafficPolicyInstanceResponse', {})
  }],
  ['GET', /^trafficpolicyinstances$/, async ({ deps }, _m, q) => ok('ListTrafficPolicyInstancesResponse', instancePage((await deps.control.view()).list('traffic-policy-instance'), q, true))],
  ['GET', /^trafficpolicyinstances\/hostedzone$/, async ({ deps }, _m, q) => {
    const d = await deps.control.view()
    const zone = findZone(d, q.get('id') ?? '')
    return ok('ListTrafficPolicyInstancesByHostedZoneResponse', instancePage(d.list('traffic-policy-instance').filter((i) => i.hostedZoneId === zone.id), q, false))
  }],
  ['GET', /^trafficpolicyinstances\/trafficpolicy$/, async ({ deps }, _m, q) => {
    const d = await deps.control.view()
    const { policy, version } = findPolicyVersion(d, q.get('id') ?? '', versionOf(q.get('version')))
    return ok('ListTrafficPolicyInstancesByPolicyResponse', instancePage(d.list('traffic-policy-instance').filter((i) => i.policyId === policy.id && i.policyVersion === version.version), q, true))
  }],
]

const ROUTES: readonly Route[] = [
  ...CIDR_ROUTES,
  ...VPC_ROUTES,
  ...POLICY_ROUTES,
  ...GEO_ROUTES,
  ['POST', /^healthcheck$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const callerReference = p.required('CallerReference')
    const given = p.obj('HealthCheckConfig')
    if (!given) throw invalidInput('HealthCheckConfig is required')
    const config = healthConfigIn(given, undefined)
    const hc = (await deps.control.mutate((d) => createHealthCheck(d, callerReference, config))).value
    return ok('CreateHealthCheckResponse', { HealthCheck: healthCheckShape(hc) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/healthcheck/${hc.id}` })
  }],
  ['GET', /^healthcheck$/, async ({ deps }, _m, q) => {
    const checks = [...(await deps.control.view()).list('health-check')].sort((a, b) => a.id.localeCompare(b.id))
    const marker = q.get('marker')
    const max = maxItems(q, 1000)
    const { items, next } = markerPage(checks, (h) => h.id, marker, max)
    return ok('ListHealthChecksResponse', { HealthChecks: items.map(healthCheckShape), Marker: marker ?? '', IsTruncated: next !== undefined, NextMarker: next?.id, MaxItems: String(max) })
  }],
  ['GET', /^checkeripranges$/, async ({ deps }) => {
    if (!deps.checkerIpRanges) throw new AwsError('InvalidInput', 'GetCheckerIpRanges needs openalb\'s Route 53 checker, which this process does not run', 400)
    return ok('GetCheckerIpRangesResponse', { CheckerIpRanges: [...deps.checkerIpRanges()] })
  }],
  ['GET', /^healthcheckcount$/, async ({ deps }) => ok('GetHealthCheckCountResponse', { HealthCheckCount: (await deps.control.view()).list('health-check').length })],
  ['GET', /^healthcheck\/([^/]+)$/, async ({ deps }, m) => ok('GetHealthCheckResponse', { HealthCheck: healthCheckShape(findHealthCheck(await deps.control.view(), m[1] ?? '')) })],
  ['POST', /^healthcheck\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const expected = p.int('HealthCheckVersion')
    const hc = (await deps.control.mutate((d) => {
      const current = findHealthCheck(d, m[1] ?? '')
      if (expected !== undefined && expected !== current.version) {
        throw new AwsError('HealthCheckVersionMismatch', `The value of HealthCheckVersion in the request (${expected}) does not match the current version (${current.version}).`, 409)
      }
      return updateHealthCheck(d, current.id, (c) => healthConfigIn(p, c))
    })).value
    return ok('UpdateHealthCheckResponse', { HealthCheck: healthCheckShape(hc) })
  }],
  ['DELETE', /^healthcheck\/([^/]+)$/, async ({ deps }, m) => {
    await deps.control.mutate((d) => deleteHealthCheck(d, m[1] ?? ''))
    return ok('DeleteHealthCheckResponse', {})
  }],
  ['GET', /^healthcheck\/([^/]+)\/status$/, async ({ deps }, m) => {
    const hc = findHealthCheck(await deps.control.view(), m[1] ?? '')
    if (hc.config.type === 'CALCULATED') throw invalidInput('GetHealthCheckStatus does not apply to a CALCULATED health check: ask its children')
    return ok('GetHealthCheckStatusResponse', observationsOf(deps, hc.id, 'last'))
  }],
  ['GET', /^healthcheck\/([^/]+)\/lastfailurereason$/, async ({ deps }, m) => {
    const hc = findHealthCheck(await deps.control.view(), m[1] ?? '')
    return ok('GetHealthCheckLastFailureReasonResponse', observationsOf(deps, hc.id, 'lastFailure'))
  }],
  ['POST', /^hostedzone$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const name = p.required('Name')
    const callerReference = p.required('CallerReference')
    const vpcIn = p.obj('VPC')
    const vpc = vpcIn ? vpcOf(vpcIn) : undefined
    if (!vpc && p.obj('HostedZoneConfig')?.bool('PrivateZone')) throw invalidInput('A private hosted zone needs a VPC: give VPC (VPCId and VPCRegion)')
    const delegationSetId = p.str('DelegationSetId')
    const comment = p.obj('HostedZoneConfig')?.str('Comment')
    const zone = (
      await deps.control.mutate((d) => {
        const byRef = d.list('hosted-zone').find((z) => z.callerReference === callerReference)
        if (byRef) throw new AwsError('HostedZoneAlreadyExists', `A hosted zone has already been created with the specified caller reference '${callerReference}'.`, 409)
        return createHostedZone(d, { name, callerReference, ...(comment !== undefined ? { comment } : {}), ...(delegationSetId ? { delegationSetId } : {}), ...(vpc ? { vpc } : {}) })
      })
    ).value
    const d = await deps.control.view()
    return ok(
      'CreateHostedZoneResponse',
      { HostedZone: zoneShape(d, zone), ChangeInfo: changeInfo(deps), DelegationSet: delegationSet(zone), VPC: vpc ? vpcShape(vpc) : undefined },
      201,
      { location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}` },
    )
  }],
  ['GET', /^hostedzone$/, async ({ deps }, _m, q) => {
    const d = await deps.control.view()
    const type = q.get('hostedzonetype')
    if (type !== null && type !== 'PrivateHostedZone') throw invalidInput(`1 validation error detected: Value '${type}' at 'hostedZoneType' failed to satisfy constraint: Member must satisfy enum value set: [PrivateHostedZone]`)
    const zones = [...d.list('hosted-zone')].filter((z) => type === null || isPrivateZone(z)).sort((a, b) => a.id.localeCompare(b.id))
    const marker = q.get('marker')
    const start = marker ? zones.findIndex((z) => z.id === marker.replace(/^\/hostedzone\//, '')) : 0
    if (start < 0) throw invalidInput(`The marker '${marker ?? ''}' is not valid`)
    const max = maxItems(q, 100)
    const items = zones.slice(start, start + max)
    const next = zones[start + max]
    return ok('ListHostedZonesResponse', {
      HostedZones: items.map((z) => zoneShape(d, z)),
      Marker: marker ?? '',
      IsTruncated: next !== undefined,
      NextMarker: next?.id,
      MaxItems: String(max),
    })
  }],
  ['GET', /^hostedzonesbyname$/, async ({ deps }, _m, q) => {
    const d = await deps.control.view()
    const dnsName = q.get('dnsname')
    const zoneId = q.get('hostedzoneid')
    if (zoneId !== null && dnsName === null) throw invalidInput('hostedzoneid can be given only with dnsname')
    const zones = [...d.list('hosted-zone')].sort((a, b) => compareNames(a.name, b.name) || a.id.localeCompare(b.id))
    let start = 0
    if (dnsName !== null) {
      const want = fqdn(dnsName)
      start = zones.findIndex((z) => compareNames(z.name, want) > 0 || (z.name === want && (zoneId === null || z.id >= zoneId.replace(/^\/hostedzone\//, ''))))
      if (start < 0) start = zones.length
    }
    const max = maxItems(q, 100)
    const items = zones.slice(start, start + max)
    const next = zones[start + max]
    return ok('ListHostedZonesByNameResponse', {
      HostedZones: items.map((z) => zoneShape(d, z)),
      DNSName: dnsName ?? undefined,
      HostedZoneId: zoneId ?? undefined,
      IsTruncated: next !== undefined,
      NextDNSName: next?.name,
      NextHostedZoneId: next?.id,
      MaxItems: String(max),
    })
  }],
  ['POST', /^hostedzone\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const comment = body(b).str('Comment') ?? ''
    if (comment.length > 256) throw invalidInput('Comment must be at most 256 characters')
    const zone = (await deps.control.mutate((d) => {
      const z = findZone(d, m[1] ?? '')
      return updateHostedZone(d, z.id, { comment, tags: z.tags })
    })).value
    return ok('UpdateHostedZoneCommentResponse', { HostedZone: zoneShape(await deps.control.view(), zone) })
  }],
  ['GET', /^hostedzonelimit\/([^/]+)\/([^/]+)$/, async ({ deps }, m) => {
    const d = await deps.control.view()
    const zone = findZone(d, m[1] ?? '')
    const type = m[2] ?? ''
    if (type === 'MAX_VPCS_ASSOCIATED_BY_ZONE') {
      if (!zone.vpcs) throw new AwsError('HostedZoneNotPrivate', `The specified hosted zone ${zone.id} is a public hosted zone.`, 400)
      return ok('GetHostedZoneLimitResponse', { Limit: { Type: type, Value: ROUTE53_ZONE_LIMITS.MAX_VPCS_ASSOCIATED_BY_ZONE }, Count: zone.vpcs.length })
    }
    if (type !== 'MAX_RRSETS_BY_ZONE') throw invalidInput(`Type '${type}' is not MAX_RRSETS_BY_ZONE or MAX_VPCS_ASSOCIATED_BY_ZONE`)
    return ok('GetHostedZoneLimitResponse', { Limit: { Type: type, Value: ROUTE53_ZONE_LIMITS.MAX_RRSETS_BY_ZONE }, Count: recordsOf(d, zone).length })
  }],
  ['GET', /^accountlimit\/([^/]+)$/, async ({ deps }, m) => {
    const type = m[1] ?? ''
    if (!Object.hasOwn(ROUTE53_ACCOUNT_LIMITS, type)) throw invalidInput(`Type '${type}' is not one of ${Object.keys(ROUTE53_ACCOUNT_LIMITS).join(', ')}`)
    const d = await deps.control.view()
    const counts: Record<string, number> = {
      MAX_HOSTED_ZONES_BY_OWNER: d.list('hosted-zone').length,
      MAX_REUSABLE_DELEGATION_SETS_BY_OWNER: d.list('delegation-set').length,
      MAX_HEALTH_CHECKS_BY_OWNER: d.list('health-check').length,
      MAX_TRAFFIC_POLICIES_BY_OWNER: d.list('traffic-policy').length,
      MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER: d.list('traffic-policy-instance').length,
    }
    const count = counts[type] ?? 0
    return ok('GetAccountLimitResponse', { Limit: { Type: type, Value: ROUTE53_ACCOUNT_LIMITS[type as keyof typeof ROUTE53_ACCOUNT_LIMITS] }, Count: count })
  }],
  ['GET', /^hostedzone\/([^/]+)\/dnssec$/, async ({ deps }, m) => {
    findZone(await deps.control.view(), m[1] ?? '')
    return ok('GetDNSSECResponse', { Status: { ServeSignature: 'NOT_SIGNING' }, KeySigningKeys: [] })
  }],
  ['POST', /^tags\/(hostedzone|healthcheck)$/, async ({ deps }, m, _q, b) => {
    const ids = body(b).obj('ResourceIds')?.strings('ResourceId') ?? []
    if (ids.length === 0) throw invalidInput('ResourceIds must name at least one resource')
    if (ids.length > 10) throw invalidInput('ResourceIds names at most 10 resources')
    const d = await deps.control.view()
    return ok('ListTagsForResourcesResponse', {
      ResourceTagSets: ids.map((id) => {
        const r = m[1] === 'hostedzone' ? findZone(d, id) : findHealthCheck(d, id)
        return { ResourceType: m[1] ?? '', ResourceId: r.id, Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) }
      }),
    })
  }],
  ['GET', /^testdnsanswer$/, async ({ deps }, _m, q) => {
    const zoneId = q.get('hostedzoneid')
    const name = q.get('recordname')
    const type = q.get('recordtype')
    if (!zoneId || !name || !type) throw invalidInput('hostedzoneid, recordname and recordtype are required')
    const zone = findZone(await deps.control.view(), zoneId)
    if (!deps.dnsAnswer) throw new AwsError('InvalidInput', 'TestDNSAnswer needs openalb\'s DNS server, which this process does not run', 400)
    const resolverIp = q.get('resolverip') ?? undefined
    const subnetIp = q.get('edns0clientsubnetip')
    const subnetMask = q.get('edns0clientsubnetmask')
    if (resolverIp !== undefined && !isIP(resolverIp)) throw invalidInput(`ResolverIP '${resolverIp}' is not an IPv4 or IPv6 address`)
    if (subnetMask !== null && subnetIp === null) throw invalidInput('EDNS0ClientSubnetMask needs EDNS0ClientSubnetIP')
    let clientSubnet: { ip: string; prefix: number } | undefined
    if (subnetIp !== null) {
      const family = isIP(subnetIp)
      if (family === 0) throw invalidInput(`EDNS0ClientSubnetIP '${subnetIp}' is not an IPv4 or IPv6 address`)
      // Route 53's defaults: a /24 of an IPv4 address, a /64 of an IPv6 one.
      const prefix = subnetMask === null ? (family === 4 ? 24 : 64) : Number(subnetMask)
      if (!/^\d{1,3}$/.test(subnetMask ?? '0') || prefix > (family === 4 ? 32 : 128)) throw invalidInput(`EDNS0ClientSubnetMask '${subnetMask ?? ''}' is not a prefix length of ${family === 4 ? '0-32' : '0-128'}`)
      clientSubnet = { ip: subnetIp, prefix }
    }
    const answer = await deps.dnsAnswer(fqdn(name), type.toUpperCase(), { resolverIp, clientSubnet })
    return ok('TestDNSAnswerResponse', {
      Nameserver: (zone.nameServers[0] ?? NAME_SERVERS[0] ?? '').replace(/\.$/, ''),
      RecordName: fqdn(name),
      RecordType: type.toUpperCase(),
      RecordData: [...answer.data],
      ResponseCode: answer.rcode,
      Protocol: 'UDP',
    })
  }],
  ['POST', /^delegationset$/, async ({ deps }, _m, _q, b) => {
    const p = body(b)
    const callerReference = p.required('CallerReference')
    const zoneId = p.str('HostedZoneId')
    const set = (await deps.control.mutate((d) => createDelegationSet(d, callerReference, zoneId))).value
    return ok('CreateReusableDelegationSetResponse', { DelegationSet: reusableSet(set) }, 201, { location: `https://route53.amazonaws.com/2013-04-01/delegationset/${set.id}` })
  }],
  ['GET', /^delegationset$/, async ({ deps }, _m, q) => {
    const sets = [...(await deps.control.view()).list('delegation-set')].sort((a, b) => a.id.localeCompare(b.id))
    const marker = q.get('marker')
    const start = marker ? sets.findIndex((s) => s.id === marker.replace(/^\/delegationset\//, '')) : 0
    if (start < 0) throw invalidInput(`The marker '${marker ?? ''}' is not valid`)
    const max = maxItems(q, 100)
    const next = sets[start + max]
    return ok('ListReusableDelegationSetsResponse', {
      DelegationSets: sets.slice(start, start + max).map(reusableSet),
      Marker: marker ?? '',
      IsTruncated: next !== undefined,
      NextMarker: next?.id,
      MaxItems: String(max),
    })
  }],
  ['GET', /^delegationset\/([^/]+)$/, async ({ deps }, m) => ok('GetReusableDelegationSetResponse', { DelegationSet: reusableSet(findDelegationSet(await deps.control.view(), m[1] ?? '')) })],
  ['DELETE', /^delegationset\/([^/]+)$/, async ({ deps }, m) => {
    await deps.control.mutate((d) => deleteDelegationSet(d, m[1] ?? ''))
    return ok('DeleteReusableDelegationSetResponse', {})
  }],
  ['GET', /^reusabledelegationsetlimit\/([^/]+)\/([^/]+)$/, async ({ deps }, m) => {
    const d = await deps.control.view()
    const set = findDelegationSet(d, m[1] ?? '')
    if (m[2] !== 'MAX_ZONES_BY_REUSABLE_DELEGATION_SET') throw invalidInput(`Type '${m[2] ?? ''}' is not MAX_ZONES_BY_REUSABLE_DELEGATION_SET`)
    return ok('GetReusableDelegationSetLimitResponse', {
      Limit: { Type: 'MAX_ZONES_BY_REUSABLE_DELEGATION_SET', Value: MAX_ZONES_BY_REUSABLE_DELEGATION_SET },
      Count: d.list('hosted-zone').filter((z) => z.delegationSetId === set.id).length,
    })
  }],
  ['GET', /^hostedzonecount$/, async ({ deps }) => {
    const d = await deps.control.view()
    return ok('GetHostedZoneCountResponse', { HostedZoneCount: d.list('hosted-zone').length })
  }],
  ['GET', /^hostedzone\/([^/]+)$/, async ({ deps }, m) => {
    const d = await deps.control.view()
    const zone = findZone(d, m[1] ?? '')
    // A private zone lists its VPCs; it has no delegation set to show.
    if (zone.vpcs) return ok('GetHostedZoneResponse', { HostedZone: zoneShape(d, zone), VPCs: zone.vpcs.map(vpcShape) })
    return ok('GetHostedZoneResponse', { HostedZone: zoneShape(d, zone), DelegationSet: delegationSet(zone) })
  }],
  ['DELETE', /^hostedzone\/([^/]+)$/, async ({ deps }, m) => {
    await deps.control.mutate((d) => deleteHostedZone(d, m[1] ?? ''))
    return ok('DeleteHostedZoneResponse', { ChangeInfo: changeInfo(deps) })
  }],
  ['POST', /^hostedzone\/([^/]+)\/rrset\/?$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const batch = p.obj('ChangeBatch')
    if (!batch) throw invalidInput('ChangeBatch is required')
    const list = batch.obj('Changes')?.objs('Change') ?? []
    if (list.length === 0) throw invalidInput('ChangeBatch must contain at least one change')
    if (list.length > 1000) throw invalidInput('a change batch holds at most 1000 changes')
    await deps.control.mutate((d) => {
      const zone = findZone(d, m[1] ?? '')
      return changeRecordSets(d, zone.id, list.map((c, i) => changeIn(zone, c, i)))
    })
    return ok('ChangeResourceRecordSetsResponse', { ChangeInfo: changeInfo(deps, batch.str('Comment')) })
  }],
  ['GET', /^hostedzone\/([^/]+)\/rrset\/?$/, async ({ deps }, m, q) => {
    const d = await deps.control.view()
    const zone = findZone(d, m[1] ?? '')
    const records = recordsOf(d, zone)
    const name = q.get('name')
    const type = q.get('type')
    if (type !== null && name === null) throw invalidInput('type can be given only with name')
    let start = 0
    if (name !== null) {
      const want = fqdn(unescapeName(name))
      start = records.findIndex((r) => compareNames(r.name, want) > 0 || (r.name === want && (type === null || r.type >= type)))
      if (start < 0) start = records.length
    }
    const max = maxItems(q, 300)
    const items = records.slice(start, start + max)
    const next = records[start + max]
    return ok('ListResourceRecordSetsResponse', {
      ResourceRecordSets: items.map(recordShape),
      IsTruncated: next !== undefined,
      NextRecordName: next ? escapeName(next.name) : undefined,
      NextRecordType: next?.type,
      MaxItems: String(max),
    })
  }],
  ['GET', /^change\/([^/]+)$/, async ({ deps }, m) => {
    const id = (m[1] ?? '').replace(/^\/?change\//, '')
    const at = (deps.changeIds ?? processChangeIds).submittedAt(id)
    if (!at) throw new AwsError('NoSuchChange', `A change with the specified change ID '${id}' does not exist.`, 404)
    return ok('GetChangeResponse', { ChangeInfo: { Id: `/change/${id}`, Status: 'INSYNC', SubmittedAt: at } })
  }],
  ['GET', /^tags\/(hostedzone|healthcheck)\/([^/]+)$/, async ({ deps }, m) => {
    const d = await deps.control.view()
    const [id, tags] = m[1] === 'hostedzone' ? ((z) => [z.id, z.tags] as const)(findZone(d, m[2] ?? '')) : ((h) => [h.id, h.tags] as const)(findHealthCheck(d, m[2] ?? ''))
    return ok('ListTagsForResourceResponse', { ResourceTagSet: { ResourceType: m[1] ?? '', ResourceId: id, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } })
  }],
  ['POST', /^tags\/(hostedzone|healthcheck)\/([^/]+)$/, async ({ deps }, m, _q, b) => {
    const p = body(b)
    const add = Object.fromEntries((p.obj('AddTags')?.objs('Tag') ?? []).map((t) => [t.required('Key'), t.str('Value') ?? '']))
    const remove = p.obj('RemoveTagKeys')?.strings('Key') ?? []
    await deps.control.mutate((d) => {
      const tagged = m[1] === 'hostedzone' ? changeTags(d, 'hosted-zone', findZone(d, m[2] ?? '').id, add, remove) : changeTags(d, 'health-check', findHealthCheck(d, m[2] ?? '').id, add, remove)
      if (Object.keys(tagged.tags).length > 10) throw invalidInput(`a ${m[1] === 'hostedzone' ? 'hosted zone' : 'health check'} can have at most 10 tags`)
    })
    return ok('ChangeTagsForResourceResponse', {})
  }],
]

/** Every Route 53 operation openalb answers, for the coverage table. */
export const ROUTE53_OPERATIONS: readonly string[] = [
  'CreateHostedZone',
  'ListHostedZones',
  'ListHostedZonesByName',
  'GetHostedZoneCount',
  'GetHostedZone',
  'DeleteHostedZone',
  'ChangeResourceRecordSets',
  'ListResourceRecordSets',
  'GetChange',
  'ListTagsForResource',
  'ChangeTagsForResource',
  'UpdateHostedZoneComment',
  'GetHostedZoneLimit',
  'GetAccountLimit',
  'GetDNSSEC',
  'ListTagsForResources',
  'TestDNSAnswer',
  'CreateReusableDelegationSet',
  'ListReusableDelegationSets',
  'GetReusableDelegationSet',
  'DeleteReusableDelegationSet',
  'GetReusableDelegationSetLimit',
  'CreateHealthCheck',
  'ListHealthChecks',
  'GetHealthCheckCount',
  'GetHealthCheck',
  'UpdateHealthCheck',
  'DeleteHealthCheck',
  'GetHealthCheckStatus',
  'GetHealthCheckLastFailureReason',
  'CreateCidrCollection',
  'ChangeCidrCollection',
  'ListCidrCollections',
  'ListCidrLocations',
  'ListCidrBlocks',
  'DeleteCidrCollection',
  'AssociateVPCWithHostedZone',
  'DisassociateVPCFromHostedZone',
  'ListHostedZonesByVPC',
  'GetCheckerIpRanges',
  'CreateTrafficPolicy',
  'CreateTrafficPolicyVersion',
  'GetTrafficPolicy',
  'UpdateTrafficPolicyComment',
  'DeleteTrafficPolicy',
  'ListTrafficPolicies',
  'ListTrafficPolicyVersions',
  'CreateTrafficPolicyInstance',
  'GetTrafficPolicyInstance',
  'GetTrafficPolicyInstanceCount',
  'UpdateTrafficPolicyInstance',
  'DeleteTrafficPolicyInstance',
  'ListTrafficPolicyInstances',
  'ListTrafficPolicyInstancesByHostedZone',
  'ListTrafficPolicyInstancesByPolicy',
  'GetGeoLocation',
  'ListGeoLocations',
]

export async function routeRoute53(method: string, url: URL, b: Buffer, ctx: Ctx): Promise<Route53Reply> {
  const rest = decodeURIComponent(url.pathname.slice(ROUTE53_PREFIX.length))
  for (const [m, pattern, handler] of ROUTES) {
    if (m !== method) continue
    const match = pattern.exec(rest)
    if (match) return handler(ctx, match, url.searchParams, b)
  }
  throw new AwsError('InvalidAction', `openalb does not serve ${method} ${url.pathname}`, 400)
}
