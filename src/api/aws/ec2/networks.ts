import { listSubnets, listVpcs, resolveVpc } from '../../../control/network-lookup.js'
import { createSubnet, createVpc, deleteSubnet, deleteVpc, modifySubnetAttributes, modifyVpcAttributes, type VpcAttributes } from '../../../control/networks.js'
import { parseCidr } from '../../../lib/cidr.js'
import type { Subnet, Vpc } from '../../../model/vpc.js'
import { REGIONS, zonesOf } from '../../../model/zones.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { applyFilters, arn, attributeBoolean, ec2Page, filters, invalidValue, requiredParam, tagSet, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'

function vpcOut(call: Call, v: Vpc): Ec2Result {
  return {
    vpcId: v.id,
    ownerId: call.deps.control.partition.accountId,
    state: 'available',
    cidrBlock: v.cidrBlock,
    cidrBlockAssociationSet: [{ associationId: v.cidrAssociationId, cidrBlock: v.cidrBlock, cidrBlockState: { state: 'associated' } }],
    ipv6CidrBlockAssociationSet: [],
    dhcpOptionsId: v.dhcpOptionsId,
    instanceTenancy: v.instanceTenancy,
    isDefault: v.isDefault,
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
    tagSet: tagSet(v.tags),
  }
}

/** AWS keeps 5 addresses of every subnet (network, router, DNS, future use, broadcast). */
function availableAddresses(s: Subnet): number {
  const r = parseCidr(s.cidrBlock)
  return r ? Number(r.high) - Number(r.low) + 1 - 5 : 0
}

export function subnetOut(call: Call, s: Subnet): Ec2Result {
  return {
    subnetId: s.id,
    subnetArn: arn(call, 'subnet', s.id),
    state: 'available',
    vpcId: s.vpcId,
    ownerId: call.deps.control.partition.accountId,
    cidrBlock: s.cidrBlock,
    ipv6CidrBlockAssociationSet: [],
    availableIpAddressCount: availableAddresses(s),
    availabilityZone: s.availabilityZone,
    availabilityZoneId: s.availabilityZoneId,
    defaultForAz: s.defaultForAz,
    mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    mapCustomerOwnedIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    enableDns64: false,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
    tagSet: tagSet(s.tags),
  }
}

/** Options openalb has no behaviour for: refused unless at AWS's default. */
function refuseUnlessDefault(call: Call, names: readonly string[]): void {
  for (const name of names) {
    const v = call.params.raw[name]
    if (v !== undefined && v !== '' && v !== 'false') throw new AwsError('InvalidParameterValue', `${name} is not supported by openalb`)
  }
}

const CreateVpc: Ec2Handler = async (call) => {
  const p = call.params
  refuseUnlessDefault(call, ['AmazonProvidedIpv6CidrBlock', 'Ipv6Pool', 'Ipv6CidrBlock', 'Ipv4IpamPoolId', 'Ipv6IpamPoolId'])
  const cidrBlock = requiredParam(p, 'CidrBlock')
  const tenancy = p.str('InstanceTenancy') ?? 'default'
  if (tenancy !== 'default' && tenancy !== 'dedicated') throw invalidValue(`Value (${tenancy}) for parameter instanceTenancy is invalid. Valid values are: default, dedicated.`)
  const tags = tagSpecifications(p, 'vpc')
  const vpc = (await call.deps.control.mutate((d) => createVpc(d, { cidrBlock, instanceTenancy: tenancy as 'default', tags, region: call.region }))).value
  return { vpc: { ...vpcOut(call, vpc), state: 'pending' } }
}

const DeleteVpc: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'VpcId')
  await call.deps.control.mutate((d) => deleteVpc(d, id, call.region))
  return { return: true }
}

const DescribeVpcs: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const all = listVpcs(d, call.region)
  const ids = p.strings('VpcId') ?? []
  for (const id of ids) if (!all.some((v) => v.id === id)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? all.filter((v) => ids.includes(v.id)) : all
  const vpcs = applyFilters(chosen, filters(p), (v) => ({
    'vpc-id': v.id,
    cidr: v.cidrBlock,
    'cidr-block-association.cidr-block': v.cidrBlock,
    'cidr-block-association.association-id': v.cidrAssociationId,
    'cidr-block-association.state': 'associated',
    'dhcp-options-id': v.dhcpOptionsId,
    'is-default': v.isDefault,
    isDefault: v.isDefault,
    'owner-id': call.deps.control.partition.accountId,
    state: 'available',
    'instance-tenancy': v.instanceTenancy,
  }))
  const pg = ec2Page(vpcs, p)
  return { vpcSet: pg.items.map((v) => vpcOut(call, v)), nextToken: pg.nextToken }
}

const VPC_ATTRIBUTES = ['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'] as const

const DescribeVpcAttribute: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'VpcId')
  const attribute = requiredParam(call.params, 'Attribute')
  if (!(VPC_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw invalidValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`)
  }
  const vpc = resolveVpc(await call.deps.control.view(), id, call.region)
  return { vpcId: vpc.id, [attribute]: { value: vpc[attribute as (typeof VPC_ATTRIBUTES)[number]] } }
}

const ModifyVpcAttribute: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'VpcId')
  const patch: Record<string, boolean> = {}
  for (const a of VPC_ATTRIBUTES) {
    const v = attributeBoolean(call.params, a.charAt(0).toUpperCase() + a.slice(1))
    if (v !== undefined) patch[a] = v
  }
  // EC2 changes one attribute per call.
  if (Object.keys(patch).length !== 1) throw new AwsError('InvalidParameterCombination', 'Fields for multiple attribute types specified: ' + Object.keys(patch).join(', '))
  await call.deps.control.mutate((d) => modifyVpcAttributes(d, id, patch as VpcAttributes, call.region))
  return { return: true }
}

/** openalb's default VPC always exists (it is fixed), so there is never one to create. */
const CreateDefaultVpc: Ec2Handler = async () => {
  throw new AwsError('DefaultVpcAlreadyExists', 'A Default VPC already exists for this account in this region.')
}

const CreateSubnet: Ec2Handler = async (call) => {
  const p = call.params
  refuseUnlessDefault(call, ['Ipv6CidrBlock', 'Ipv6Native', 'OutpostArn', 'Ipv4IpamPoolId', 'Ipv6IpamPoolId'])
  const vpc = requiredParam(p, 'VpcId')
  const cidrBlock = requiredParam(p, 'CidrBlock')
  const zone = p.str('AvailabilityZone')
  const zoneId = p.str('AvailabilityZoneId')
  const tags = tagSpecifications(p, 'subnet')
  const subnet = (
    await call.deps.control.mutate((d) =>
      createSubnet(d, { vpc, cidrBlock, tags, ...(zone !== undefined ? { availabilityZone: zone } : {}), ...(zoneId !== undefined ? { availabilityZoneId: zoneId } : {}) }, call.region),
    )
  ).value
  return { subnet: { ...subnetOut(call, subnet), state: 'pending' } }
}

const DeleteSubnet: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'SubnetId')
  await call.deps.control.mutate((d) => deleteSubnet(d, id, call.region))
  return { return: true }
}

const DescribeSubnets: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const all = listSubnets(d, call.region)
  const ids = p.strings('SubnetId') ?? []
  for (const id of ids) if (!all.some((s) => s.id === id)) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? all.filter((s) => ids.includes(s.id)) : all
  const subnets = applyFilters(chosen, filters(p), (s) => ({
    'vpc-id': s.vpcId,
    vpcId: s.vpcId,
    'subnet-id': s.id,
    subnetId: s.id,
    'subnet-arn': arn(call, 'subnet', s.id),
    'availability-zone': s.availabilityZone,
    availabilityZone: s.availabilityZone,
    'availability-zone-id': s.availabilityZoneId,
    availabilityZoneId: s.availabilityZoneId,
    'available-ip-address-count': availableAddresses(s),
    'default-for-az': s.defaultForAz,
    defaultForAz: s.defaultForAz,
    'map-public-ip-on-launch': s.mapPublicIpOnLaunch,
    state: 'available',
    'cidr-block': s.cidrBlock,
    cidr: s.cidrBlock,
    cidrBlock: s.cidrBlock,
    'owner-id': call.deps.control.partition.accountId,
  }))
  const pg = ec2Page(subnets, p)
  return { subnetSet: pg.items.map((s) => subnetOut(call, s)), nextToken: pg.nextToken }
}

const ModifySubnetAttribute: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'SubnetId')
  for (const name of ['AssignIpv6AddressOnCreation', 'MapCustomerOwnedIpOnLaunch', 'EnableDns64', 'EnableResourceNameDnsARecordOnLaunch', 'EnableResourceNameDnsAAAARecordOnLaunch', 'EnableLniAtDeviceIndex', 'DisableLniAtDeviceIndex']) {
    if (attributeBoolean(call.params, name) === true) throw invalidValue(`${name} is not supported by openalb`)
  }
  const hostType = call.params.str('PrivateDnsHostnameTypeOnLaunch')
  if (hostType !== undefined && hostType !== 'ip-name') throw invalidValue('PrivateDnsHostnameTypeOnLaunch resource-name is not supported by openalb')
  const mapPublic = attributeBoolean(call.params, 'MapPublicIpOnLaunch')
  await call.deps.control.mutate((d) => modifySubnetAttributes(d, id, mapPublic === undefined ? {} : { mapPublicIpOnLaunch: mapPublic }, call.region))
  return { return: true }
}

const DescribeAvailabilityZones: Ec2Handler = async (call) => {
  const p = call.params
  const zones = zonesOf(call.region).map((z) => ({ ...z, tags: {} }))
  const names = p.strings('ZoneName') ?? []
  const ids = p.strings('ZoneId') ?? []
  const unknown = [...names.filter((n) => !zones.some((z) => z.name === n)), ...ids.filter((i) => !zones.some((z) => z.id === i))]
  if (unknown.length > 0) throw invalidValue(`The zone '${unknown[0] ?? ''}' does not exist.`)
  const chosen = zones.filter((z) => (names.length === 0 && ids.length === 0) || names.includes(z.name) || ids.includes(z.id))
  const matched = applyFilters(chosen, filters(p), (z) => ({
    'zone-name': z.name,
    'zone-id': z.id,
    'region-name': z.region,
    state: 'available',
    'zone-type': 'availability-zone',
    'group-name': z.region,
    'network-border-group': z.region,
    'opt-in-status': 'opt-in-not-required',
  }))
  return {
    availabilityZoneInfo: matched.map((z) => ({
      optInStatus: 'opt-in-not-required',
      messageSet: [],
      regionName: z.region,
      zoneName: z.name,
      zoneId: z.id,
      groupName: z.region,
      networkBorderGroup: z.region,
      zoneType: 'availability-zone',
      zoneState: 'available',
      groupLongName: z.region,
    })),
  }
}

const DescribeRegions: Ec2Handler = async (call) => {
  const p = call.params
  const all = REGIONS.includes(call.region) ? [...REGIONS] : [...REGIONS, call.region]
  const names = p.strings('RegionName') ?? []
  const unknown = names.find((n) => !all.includes(n))
  if (unknown !== undefined) throw invalidValue(`Invalid region: ${unknown}`)
  const regions = (names.length > 0 ? names : all).map((name) => ({ name, endpoint: `ec2.${name}.amazonaws.com`, tags: {} }))
  const matched = applyFilters(regions, filters(p), (r) => ({ 'region-name': r.name, endpoint: r.endpoint, 'opt-in-status': 'opt-in-not-required' }))
  return { regionInfo: matched.map((r) => ({ regionName: r.name, regionEndpoint: r.endpoint, optInStatus: 'opt-in-not-required' })) }
}

/** VPCs, subnets, zones and regions. */
export const NETWORK_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateVpc,
  DeleteVpc,
  DescribeVpcs,
  DescribeVpcAttribute,
  ModifyVpcAttribute,
  CreateDefaultVpc,
  CreateSubnet,
  DeleteSubnet,
  DescribeSubnets,
  ModifySubnetAttribute,
  DescribeAvailabilityZones,
  DescribeRegions,
}
