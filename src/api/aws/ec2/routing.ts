import { listInternetGateways, listRouteTables, listSubnets, listVpcs } from '../../../control/network-lookup.js'
import {
  associateRouteTable,
  attachInternetGateway,
  createInternetGateway,
  createRoute,
  createRouteTable,
  deleteInternetGateway,
  deleteRoute,
  deleteRouteTable,
  detachInternetGateway,
  disassociateRouteTable,
  replaceRoute,
} from '../../../control/routing.js'
import type { InternetGateway } from '../../../model/internet-gateway.js'
import type { RouteTable } from '../../../model/route-table.js'
import type { Vpc } from '../../../model/vpc.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import { applyFilters, ec2Page, filters, requiredParam, tagSet, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'

function gatewayOut(call: Call, g: InternetGateway): Ec2Result {
  return {
    attachmentSet: g.vpcId !== undefined ? [{ state: 'available', vpcId: g.vpcId }] : [],
    internetGatewayId: g.id,
    ownerId: call.deps.control.partition.accountId,
    tagSet: tagSet(g.tags),
  }
}

function tableOut(call: Call, t: RouteTable, vpcs: readonly Vpc[]): Ec2Result {
  const vpc = vpcs.find((v) => v.id === t.vpcId)
  const local = vpc ? [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable', state: 'active' }] : []
  return {
    associationSet: t.associations.map((a) => ({
      main: a.subnetId === undefined,
      routeTableAssociationId: a.id,
      routeTableId: t.id,
      subnetId: a.subnetId,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    routeTableId: t.id,
    routeSet: [...local, ...t.routes.map((r) => ({ destinationCidrBlock: r.destinationCidrBlock, gatewayId: r.gatewayId, origin: r.origin, state: 'active' }))],
    tagSet: tagSet(t.tags),
    vpcId: t.vpcId,
    ownerId: call.deps.control.partition.accountId,
  }
}

/** Targets openalb has no such thing for: refused with a clear word rather than dropped. */
function routeTarget(p: Params): string {
  for (const name of ['NatGatewayId', 'TransitGatewayId', 'VpcPeeringConnectionId', 'NetworkInterfaceId', 'InstanceId', 'EgressOnlyInternetGatewayId', 'VpcEndpointId', 'LocalGatewayId', 'CarrierGatewayId', 'CoreNetworkArn', 'DestinationPrefixListId', 'DestinationIpv6CidrBlock']) {
    if (p.has(name)) throw new AwsError('InvalidParameterValue', `${name} routes are not supported by openalb (internet gateway routes only)`)
  }
  const g = p.str('GatewayId')
  if (g === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter gatewayId')
  return g
}

const CreateInternetGateway: Ec2Handler = async (call) => {
  const tags = tagSpecifications(call.params, 'internet-gateway')
  const g = (await call.deps.control.mutate((d) => createInternetGateway(d, call.region, tags))).value
  return { internetGateway: gatewayOut(call, g) }
}

const DescribeInternetGateways: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const all = listInternetGateways(d, call.region)
  const ids = p.strings('InternetGatewayId') ?? []
  for (const id of ids) if (!all.some((g) => g.id === id)) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? all.filter((g) => ids.includes(g.id)) : all
  const matched = applyFilters(chosen, filters(p), (g) => ({
    'internet-gateway-id': g.id,
    'attachment.vpc-id': g.vpcId,
    'attachment.state': g.vpcId !== undefined ? 'available' : undefined,
    'owner-id': call.deps.control.partition.accountId,
  }))
  const pg = ec2Page(matched, p)
  return { internetGatewaySet: pg.items.map((g) => gatewayOut(call, g)), nextToken: pg.nextToken }
}

const DeleteInternetGateway: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InternetGatewayId')
  await call.deps.control.mutate((d) => deleteInternetGateway(d, id, call.region))
  return { return: true }
}

const AttachInternetGateway: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InternetGatewayId')
  const vpc = requiredParam(call.params, 'VpcId')
  await call.deps.control.mutate((d) => attachInternetGateway(d, id, vpc, call.region))
  return { return: true }
}

const DetachInternetGateway: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InternetGatewayId')
  const vpc = requiredParam(call.params, 'VpcId')
  await call.deps.control.mutate((d) => detachInternetGateway(d, id, vpc, call.region))
  return { return: true }
}

const CreateRouteTable: Ec2Handler = async (call) => {
  const vpc = requiredParam(call.params, 'VpcId')
  const tags = tagSpecifications(call.params, 'route-table')
  const { t, vpcs } = (
    await call.deps.control.mutate((d) => ({ t: createRouteTable(d, vpc, call.region, tags), vpcs: listVpcs(d, call.region) }))
  ).value
  return { routeTable: tableOut(call, t, vpcs) }
}

const DescribeRouteTables: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const all = listRouteTables(d, call.region)
  const vpcs = listVpcs(d, call.region)
  const ids = p.strings('RouteTableId') ?? []
  for (const id of ids) if (!all.some((t) => t.id === id)) throw new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? all.filter((t) => ids.includes(t.id)) : all
  const matched = applyFilters(chosen, filters(p), (t) => ({
    'route-table-id': t.id,
    'vpc-id': t.vpcId,
    'association.main': t.main,
    'association.subnet-id': t.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
    'association.route-table-association-id': t.associations.map((a) => a.id),
    'association.route-table-id': t.associations.length > 0 ? t.id : undefined,
    'route.gateway-id': t.routes.map((r) => r.gatewayId),
    'route.destination-cidr-block': t.routes.map((r) => r.destinationCidrBlock),
    'route.state': 'active',
    'owner-id': call.deps.control.partition.accountId,
  }))
  const pg = ec2Page(matched, p)
  return { routeTableSet: pg.items.map((t) => tableOut(call, t, vpcs)), nextToken: pg.nextToken }
}

const DeleteRouteTable: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'RouteTableId')
  await call.deps.control.mutate((d) => deleteRouteTable(d, id, call.region))
  return { return: true }
}

const CreateRoute: Ec2Handler = async (call) => {
  const table = requiredParam(call.params, 'RouteTableId')
  const gatewayId = routeTarget(call.params)
  const destinationCidrBlock = requiredParam(call.params, 'DestinationCidrBlock')
  await call.deps.control.mutate((d) => createRoute(d, table, { destinationCidrBlock, gatewayId }, call.region))
  return { return: true }
}

const ReplaceRoute: Ec2Handler = async (call) => {
  const table = requiredParam(call.params, 'RouteTableId')
  const gatewayId = routeTarget(call.params)
  const destinationCidrBlock = requiredParam(call.params, 'DestinationCidrBlock')
  await call.deps.control.mutate((d) => replaceRoute(d, table, { destinationCidrBlock, gatewayId }, call.region))
  return { return: true }
}

const DeleteRoute: Ec2Handler = async (call) => {
  const table = requiredParam(call.params, 'RouteTableId')
  const destination = requiredParam(call.params, 'DestinationCidrBlock')
  await call.deps.control.mutate((d) => deleteRoute(d, table, destination, call.region))
  return { return: true }
}

const AssociateRouteTable: Ec2Handler = async (call) => {
  const table = requiredParam(call.params, 'RouteTableId')
  if (call.params.has('GatewayId')) throw new AwsError('InvalidParameterValue', 'gateway route table associations are not supported by openalb')
  const subnet = requiredParam(call.params, 'SubnetId')
  const { associationId } = (await call.deps.control.mutate((d) => associateRouteTable(d, table, subnet, call.region))).value
  return { associationId, associationState: { state: 'associated' } }
}

const DisassociateRouteTable: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'AssociationId')
  await call.deps.control.mutate((d) => disassociateRouteTable(d, id, call.region))
  return { return: true }
}

/** Every VPC's default network ACL, allow-all both ways (described; openalb filters by security groups only). */
const DescribeNetworkAcls: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const subnets = listSubnets(d, call.region)
  const acls = listVpcs(d, call.region).map((v) => ({ id: v.defaultNetworkAclId, vpc: v, subnets: subnets.filter((s) => s.vpcId === v.id), tags: {} }))
  const ids = p.strings('NetworkAclId') ?? []
  for (const id of ids) if (!acls.some((a) => a.id === id)) throw new AwsError('InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? acls.filter((a) => ids.includes(a.id)) : acls
  const matched = applyFilters(chosen, filters(p), (a) => ({
    'network-acl-id': a.id,
    'vpc-id': a.vpc.id,
    default: true,
    'association.subnet-id': a.subnets.map((s) => s.id),
    'association.network-acl-id': a.id,
    'owner-id': call.deps.control.partition.accountId,
  }))
  const entry = (egress: boolean, ruleNumber: number, ruleAction: string) => ({ cidrBlock: '0.0.0.0/0', egress, protocol: '-1', ruleAction, ruleNumber })
  const pg = ec2Page(matched, p)
  return {
    networkAclSet: pg.items.map((a) => ({
      associationSet: a.subnets.map((s) => ({ networkAclAssociationId: `aclassoc-${s.id.slice(7)}`, networkAclId: a.id, subnetId: s.id })),
      entrySet: [entry(true, 100, 'allow'), entry(true, 32767, 'deny'), entry(false, 100, 'allow'), entry(false, 32767, 'deny')],
      default: true,
      networkAclId: a.id,
      tagSet: [],
      vpcId: a.vpc.id,
      ownerId: call.deps.control.partition.accountId,
    })),
    nextToken: pg.nextToken,
  }
}

/** Internet gateways, route tables, routes and associations, and the default network ACLs: stored and described. */
export const ROUTING_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateInternetGateway,
  DescribeInternetGateways,
  DeleteInternetGateway,
  AttachInternetGateway,
  DetachInternetGateway,
  CreateRouteTable,
  DescribeRouteTables,
  DeleteRouteTable,
  CreateRoute,
  ReplaceRoute,
  DeleteRoute,
  AssociateRouteTable,
  DisassociateRouteTable,
  DescribeNetworkAcls,
}
