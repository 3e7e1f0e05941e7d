import type { z } from 'zod'
import { parseCidr, type CidrRange } from '../lib/cidr.js'
import { newIds } from '../model/ids.js'
import type { Tags } from '../model/schema-util.js'
import { CIDR_PREFIX, subnetSpec, vpcSpec, type Subnet, type SubnetSpec, type Vpc, type VpcSpec } from '../model/vpc.js'
import { findZone, zonesOf } from '../model/zones.js'
import { CidrConflictError, InUseError, InvalidCidrError, InvalidSubnetsError, InvalidZoneError, OperationNotPermittedError } from './errors.js'
import { validate, type Draft } from './draft.js'
import { listSubnets, resolveSubnet, resolveVpc } from './network-lookup.js'
import { createDefaultSecurityGroup, DEFAULT_GROUP_NAME } from './security-groups.js'


/** The name a VPC or subnet goes by: its Name tag, else its id. */
export const nameFrom = (tags: Tags, id: string): string => tags.Name ?? id

function rangeOf(kind: 'vpc' | 'subnet', cidr: string): CidrRange {
  const range = parseCidr(cidr)
  if (!range || range.family !== 4) throw new InvalidCidrError(kind, cidr, 'not an IPv4 CIDR')
  const prefix = Number(cidr.split('/')[1])
  if (prefix < CIDR_PREFIX.min || prefix > CIDR_PREFIX.max) throw new InvalidCidrError(kind, cidr, `the prefix must be between /${CIDR_PREFIX.min} and /${CIDR_PREFIX.max}`)
  return range
}

/** The block as EC2 stores it: host bits cleared (10.0.1.7/24 -> 10.0.1.0/24). */
function normalized(range: CidrRange, cidr: string): string {
  const low = range.low as number
  const ip = [low >>> 24, (low >>> 16) & 255, (low >>> 8) & 255, low & 255].join('.')
  return `${ip}/${cidr.split('/')[1]}`
}

/** The API names a VPC by its Name tag, if any; YAML always names it. */
const vpcInput = vpcSpec.extend({ name: vpcSpec.shape.name.optional() })
export type VpcInput = z.input<typeof vpcInput>

export function createVpc(d: Draft, input: VpcInput): Vpc {
  const spec = validate(vpcInput, input, 'vpc')
  const cidrBlock = normalized(rangeOf('vpc', spec.cidrBlock), spec.cidrBlock)
  const id = newIds.vpcId()
  const tags = spec.name !== undefined ? { ...spec.tags, Name: spec.tags.Name ?? spec.name } : spec.tags
  const vpc = d.put({
    kind: 'vpc',
    id,
    name: nameFrom(tags, id),
    region: spec.region ?? d.partition.region,
    cidrBlock,
    cidrAssociationId: newIds.vpcCidrAssociationId(),
    isDefault: false,
    enableDnsSupport: spec.enableDnsSupport,
    enableDnsHostnames: spec.enableDnsHostnames,
    enableNetworkAddressUsageMetrics: false,
    instanceTenancy: spec.instanceTenancy,
    dhcpOptionsId: newIds.dhcpOptionsId(),
    defaultNetworkAclId: newIds.networkAclId(),
    tags,
  })
  // EC2 gives every VPC a main route table and a default security group, deleted with it.
  d.put({ kind: 'route-table', id: newIds.routeTableId(), region: vpc.region, vpcId: id, main: true, routes: [], associations: [{ id: newIds.routeTableAssociationId() }], tags: {} })
  createDefaultSecurityGroup(d, id)
  return vpc
}

function stored(d: Draft, vpc: Vpc, action: string): Vpc {
  const s = d.get('vpc', vpc.id)
  if (!s) throw new OperationNotPermittedError(`the default VPC ${vpc.id} is fixed in openalb and cannot be ${action}`)
  return s
}

/** Config apply: a VPC's range and region cannot change in place. */
export function updateVpc(d: Draft, ref: string, input: VpcSpec): Vpc {
  const current = stored(d, resolveVpc(d, ref), 'changed')
  const spec = validate(vpcSpec, input, 'vpc')
  const cidrBlock = normalized(rangeOf('vpc', spec.cidrBlock), spec.cidrBlock)
  if (cidrBlock !== current.cidrBlock) throw new OperationNotPermittedError(`vpc '${current.name}': cidrBlock cannot be changed (${current.cidrBlock} -> ${cidrBlock}); delete and recreate it`)
  const tags = { ...spec.tags, Name: spec.tags.Name ?? spec.name }
  return d.put({ ...current, name: tags.Name, enableDnsSupport: spec.enableDnsSupport, enableDnsHostnames: spec.enableDnsHostnames, instanceTenancy: spec.instanceTenancy, tags })
}

export interface VpcAttributes {
  readonly enableDnsSupport?: boolean
  readonly enableDnsHostnames?: boolean
  readonly enableNetworkAddressUsageMetrics?: boolean
}

export function modifyVpcAttributes(d: Draft, ref: string, patch: VpcAttributes, region?: string): Vpc {
  const current = stored(d, resolveVpc(d, ref, region), 'modified')
  const next = { ...current, ...patch }
  // EC2: DNS host names need DNS support.
  if (next.enableDnsHostnames && !next.enableDnsSupport) throw new OperationNotPermittedError('enableDnsHostnames requires enableDnsSupport')
  return d.put(next)
}

/** What keeps a VPC from being deleted (EC2: DependencyViolation), if anything. */
function vpcUser(d: Draft, vpc: Vpc): string | undefined {
  const subnet = d.list('subnet').find((s) => s.vpcId === vpc.id)
  if (subnet) return `subnet ${subnet.id}`
  const gateway = d.list('internet-gateway').find((g) => g.vpcId === vpc.id)
  if (gateway) return `internet gateway ${gateway.id}`
  const table = d.list('route-table').find((t) => t.vpcId === vpc.id && !t.main)
  if (table) return `route table ${table.id}`
  const group = d.list('security-group').find((g) => g.vpcId === vpc.id && g.name !== DEFAULT_GROUP_NAME)
  if (group) return `security group ${group.id}`
  const lb = d.list('load-balancer').find((l) => l.vpcId === vpc.id)
  if (lb) return `load balancer '${lb.name}'`
  const tg = d.list('target-group').find((g) => g.vpcId === vpc.id)
  if (tg) return `target group '${tg.name}'`
  return undefined
}

export function deleteVpc(d: Draft, ref: string, region?: string): void {
  const vpc = stored(d, resolveVpc(d, ref, region), 'deleted')
  const user = vpcUser(d, vpc)
  if (user) throw new InUseError('vpc', vpc.id, user)
  for (const t of d.list('route-table')) if (t.vpcId === vpc.id) d.remove('route-table', t.id)
  for (const g of d.list('security-group')) if (g.vpcId === vpc.id) d.remove('security-group', g.id)
  d.remove('vpc', vpc.id)
}

export interface SubnetInput extends Omit<SubnetSpec, 'availabilityZone' | 'name'> {
  readonly name?: string
  readonly availabilityZone?: string
  readonly availabilityZoneId?: string
}

function zoneFor(vpc: Vpc, subnets: readonly Subnet[], input: SubnetInput): { name: string; id: string } {
  const zones = zonesOf(vpc.region)
  if (input.availabilityZone !== undefined) {
    const z = zones.find((x) => x.name === input.availabilityZone) ?? (input.availabilityZoneId === undefined ? findZone(vpc.region, input.availabilityZone) : undefined)
    if (!z) throw new InvalidZoneError(input.availabilityZone, 'availabilityZone', zones.map((x) => x.name))
    return z
  }
  if (input.availabilityZoneId !== undefined) {
    const z = zones.find((x) => x.id === input.availabilityZoneId)
    if (!z) throw new InvalidZoneError(input.availabilityZoneId, 'availabilityZoneId', zones.map((x) => x.id))
    return z
  }
  // EC2 picks a zone when none is given: the one of the VPC with the fewest subnets.
  const count = (zone: string) => subnets.filter((s) => s.vpcId === vpc.id && s.availabilityZone === zone).length
  return [...zones].sort((a, b) => count(a.name) - count(b.name))[0] ?? { name: `${vpc.region}a`, id: '' }
}

function overlaps(a: CidrRange, b: CidrRange): boolean {
  return a.low <= b.high && b.low <= a.high
}

export function createSubnet(d: Draft, input: SubnetInput, region?: string): Subnet {
  const spec = validate(subnetSpec.omit({ name: true, availabilityZone: true }), { vpc: input.vpc, cidrBlock: input.cidrBlock, mapPublicIpOnLaunch: input.mapPublicIpOnLaunch, tags: input.tags }, 'subnet')
  const vpc = resolveVpc(d, spec.vpc, region)
  const subnetRegion = region ?? vpc.region
  const range = rangeOf('subnet', spec.cidrBlock)
  const vpcRange = parseCidr(vpc.cidrBlock)
  if (!vpcRange || range.low < vpcRange.low || range.high > vpcRange.high) throw new InvalidCidrError('subnet', spec.cidrBlock, `outside the VPC's ${vpc.cidrBlock}`)
  const siblings = listSubnets(d, subnetRegion).filter((s) => s.vpcId === vpc.id)
  for (const s of siblings) {
    const other = parseCidr(s.cidrBlock)
    if (other && overlaps(range, other)) throw new CidrConflictError(spec.cidrBlock, s.id)
  }
  const zone = zoneFor({ ...vpc, region: subnetRegion }, siblings, input)
  const id = newIds.subnetId()
  const tags = input.name !== undefined ? { ...spec.tags, Name: spec.tags.Name ?? input.name } : spec.tags
  return d.put({
    kind: 'subnet',
    id,
    name: nameFrom(tags, id),
    region: subnetRegion,
    vpcId: vpc.id,
    cidrBlock: normalized(range, spec.cidrBlock),
    availabilityZone: zone.name,
    availabilityZoneId: zone.id,
    defaultForAz: false,
    mapPublicIpOnLaunch: spec.mapPublicIpOnLaunch,
    tags,
  })
}

function storedSubnet(d: Draft, subnet: Subnet, action: string): Subnet {
  const s = d.get('subnet', subnet.id)
  if (!s) throw new OperationNotPermittedError(`the default subnet ${subnet.id} is fixed in openalb and cannot be ${action}`)
  return s
}

/** Config apply: a subnet's VPC, range and zone cannot change in place. */
export function updateSubnet(d: Draft, ref: string, input: SubnetSpec): Subnet {
  const current = storedSubnet(d, resolveSubnet(d, ref), 'changed')
  const spec = validate(subnetSpec, input, 'subnet')
  const vpc = resolveVpc(d, spec.vpc)
  const zone = findZone(current.region, spec.availabilityZone)
  const same = vpc.id === current.vpcId && normalized(rangeOf('subnet', spec.cidrBlock), spec.cidrBlock) === current.cidrBlock && zone?.name === current.availabilityZone
  if (!same) throw new OperationNotPermittedError(`subnet '${current.name}': vpc, cidrBlock and availabilityZone cannot be changed; delete and recreate it`)
  const tags = { ...spec.tags, Name: spec.tags.Name ?? spec.name }
  return d.put({ ...current, name: tags.Name, mapPublicIpOnLaunch: spec.mapPublicIpOnLaunch, tags })
}

export function modifySubnetAttributes(d: Draft, ref: string, patch: { mapPublicIpOnLaunch?: boolean }, region?: string): Subnet {
  const current = storedSubnet(d, resolveSubnet(d, ref, region), 'modified')
  return d.put({ ...current, ...patch })
}

export function deleteSubnet(d: Draft, ref: string, region?: string): void {
  const subnet = storedSubnet(d, resolveSubnet(d, ref, region), 'deleted')
  const lb = d.list('load-balancer').find((l) => l.subnets.includes(subnet.id))
  if (lb) throw new InUseError('subnet', subnet.id, `load balancer '${lb.name}'`)
  // EC2 drops the subnet's route table association with it.
  for (const t of d.list('route-table')) {
    if (t.associations.some((a) => a.subnetId === subnet.id)) d.put({ ...t, associations: t.associations.filter((a) => a.subnetId !== subnet.id) })
  }
  d.remove('subnet', subnet.id)
}

/** Sets or removes tags of a VPC or subnet; the Name tag is its name. */
export function tagNetwork(d: Draft, r: Vpc | Subnet, tags: Tags): Vpc | Subnet {
  const current = r.kind === 'vpc' ? stored(d, r, 'tagged') : storedSubnet(d, r, 'tagged')
  return d.put({ ...current, tags, name: nameFrom(tags, current.id) })
}

export interface BalancerSubnets {
  readonly subnets: string[]
  readonly availabilityZones: string[]
  readonly vpcId: string
}

/**
 * A balancer's subnets, as ELB checks them: each exists (SubnetNotFound), one per zone, all in one
 * VPC; an application balancer spans at least two zones. The zones come from the subnets.
 */
export function balancerSubnets(d: Draft, refs: readonly string[], type: 'application' | 'network', region?: string): BalancerSubnets {
  const subnets = [...new Set(refs)].map((ref) => resolveSubnet(d, ref, region))
  const zones = new Set<string>()
  for (const s of subnets) {
    if (zones.has(s.availabilityZone)) throw new InvalidSubnetsError('same-zone', 'A load balancer cannot be attached to multiple subnets in the same Availability Zone')
    zones.add(s.availabilityZone)
  }
  const vpcs = [...new Set(subnets.map((s) => s.vpcId))]
  if (vpcs.length > 1) throw new InvalidSubnetsError('several-vpcs', `The subnets must all be in one VPC; they are in ${vpcs.join(', ')}`)
  if (type === 'application' && zones.size < 2) throw new InvalidSubnetsError('too-few-zones', 'At least two subnets in two different Availability Zones must be specified')
  return { subnets: subnets.map((s) => s.id), availabilityZones: subnets.map((s) => s.availabilityZone), vpcId: vpcs[0] ?? '' }
}
