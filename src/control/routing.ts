import { parseCidr } from '../lib/cidr.js'
import { newIds } from '../model/ids.js'
import type { InternetGateway } from '../model/internet-gateway.js'
import type { Route, RouteTable } from '../model/route-table.js'
import type { Tags } from '../model/schema-util.js'
import type { Draft } from './draft.js'
import { AlreadyAssociatedError, InUseError, InvalidValueError, NotAttachedError, NotFoundError, OperationNotPermittedError, RouteExistsError } from './errors.js'
import { listInternetGateways, listRouteTables, resolveInternetGateway, resolveRouteTable, resolveSubnet, resolveVpc } from './network-lookup.js'

/**
 * Internet gateways, route tables, routes and associations: kept with EC2's rules and errors and
 * described with its shapes; openalb routes nothing by them. The default VPC's gateway and main
 * table are fixed.
 */
export function createInternetGateway(d: Draft, region: string, tags: Tags): InternetGateway {
  return d.put({ kind: 'internet-gateway', id: newIds.internetGatewayId(), region, tags })
}

function storedGateway(d: Draft, id: string, region?: string): InternetGateway {
  const g = resolveInternetGateway(d, id, region)
  const s = d.get('internet-gateway', g.id)
  if (!s) throw new OperationNotPermittedError(`the default VPC's internet gateway ${g.id} is fixed in openalb`)
  return s
}

export function attachInternetGateway(d: Draft, id: string, vpcRef: string, region?: string): InternetGateway {
  const g = storedGateway(d, id, region)
  const vpc = resolveVpc(d, vpcRef, region)
  if (g.vpcId !== undefined) throw new AlreadyAssociatedError(`resource ${g.id} is already attached to network ${g.vpcId}`)
  const other = d.list('internet-gateway').find((x) => x.vpcId === vpc.id) ?? (vpc.isDefault ? { id: 'the default internet gateway' } : undefined)
  if (other) throw new AlreadyAssociatedError(`network ${vpc.id} already has an internet gateway attached (${other.id})`)
  return d.put({ ...g, vpcId: vpc.id })
}

export function detachInternetGateway(d: Draft, id: string, vpcRef: string, region?: string): InternetGateway {
  const g = storedGateway(d, id, region)
  const vpc = resolveVpc(d, vpcRef, region)
  if (g.vpcId !== vpc.id) throw new NotAttachedError(`resource ${g.id} is not attached to network ${vpc.id}`)
  const route = d.list('route-table').find((t) => t.vpcId === vpc.id && t.routes.some((r) => r.gatewayId === g.id))
  // EC2 refuses to detach a gateway routes still use (they would turn blackhole).
  if (route) throw new InUseError('internet-gateway', g.id, `route table ${route.id}`)
  return d.put({ ...g, vpcId: undefined })
}

export function deleteInternetGateway(d: Draft, id: string, region?: string): void {
  const g = storedGateway(d, id, region)
  if (g.vpcId !== undefined) throw new InUseError('internet-gateway', g.id, `network ${g.vpcId}`)
  d.remove('internet-gateway', g.id)
}

export function createRouteTable(d: Draft, vpcRef: string, region: string, tags: Tags): RouteTable {
  const vpc = resolveVpc(d, vpcRef, region)
  return d.put({ kind: 'route-table', id: newIds.routeTableId(), region, vpcId: vpc.id, main: false, routes: [], associations: [], tags })
}

function storedTable(d: Draft, id: string, region?: string): RouteTable {
  const t = resolveRouteTable(d, id, region)
  const s = d.get('route-table', t.id)
  if (!s) throw new OperationNotPermittedError(`the default VPC's main route table ${t.id} is fixed in openalb`)
  return s
}

export function deleteRouteTable(d: Draft, id: string, region?: string): void {
  const t = storedTable(d, id, region)
  if (t.main || t.associations.length > 0) throw new InUseError('route-table', t.id, t.main ? `network ${t.vpcId} (its main table)` : `subnet ${t.associations[0]?.subnetId ?? ''}`)
  d.remove('route-table', t.id)
}

function destination(cidr: string): string {
  const r = parseCidr(cidr)
  if (!r || r.family !== 4) throw new InvalidValueError(`Value (${cidr}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`)
  return cidr
}

function routeTarget(d: Draft, t: RouteTable, gatewayId: string, region?: string): string {
  if (gatewayId === 'local') return gatewayId
  const g = listInternetGateways(d, region).find((x) => x.id === gatewayId)
  if (!g) throw new NotFoundError('gateway', gatewayId)
  if (g.vpcId !== t.vpcId) throw new InvalidValueError(`route table ${t.id} and network gateway ${gatewayId} belong to different networks`)
  return gatewayId
}

function isLocal(d: Draft, t: RouteTable, cidr: string, region?: string): boolean {
  return resolveVpc(d, t.vpcId, region).cidrBlock === cidr
}

export function createRoute(d: Draft, tableId: string, route: { destinationCidrBlock: string; gatewayId: string }, region?: string): RouteTable {
  const t = storedTable(d, tableId, region)
  const dest = destination(route.destinationCidrBlock)
  if (isLocal(d, t, dest, region) || t.routes.some((r) => r.destinationCidrBlock === dest)) throw new RouteExistsError(dest)
  const added: Route = { destinationCidrBlock: dest, gatewayId: routeTarget(d, t, route.gatewayId, region), origin: 'CreateRoute' }
  return d.put({ ...t, routes: [...t.routes, added] })
}

export function replaceRoute(d: Draft, tableId: string, route: { destinationCidrBlock: string; gatewayId: string }, region?: string): RouteTable {
  const t = storedTable(d, tableId, region)
  const dest = destination(route.destinationCidrBlock)
  if (!t.routes.some((r) => r.destinationCidrBlock === dest)) {
    throw new InvalidValueError(`There is no route defined for '${dest}' in the route table. Use CreateRoute instead.`)
  }
  const gatewayId = routeTarget(d, t, route.gatewayId, region)
  return d.put({ ...t, routes: t.routes.map((r) => (r.destinationCidrBlock === dest ? { ...r, gatewayId } : r)) })
}

export function deleteRoute(d: Draft, tableId: string, destinationCidrBlock: string, region?: string): RouteTable {
  const t = storedTable(d, tableId, region)
  if (!t.routes.some((r) => r.destinationCidrBlock === destinationCidrBlock)) throw new NotFoundError('route', `${destinationCidrBlock} in route table ${t.id}`)
  return d.put({ ...t, routes: t.routes.filter((r) => r.destinationCidrBlock !== destinationCidrBlock) })
}

/** Associates a subnet with a table of its VPC; a subnet has at most one explicit table. Returns the association id. */
export function associateRouteTable(d: Draft, tableId: string, subnetRef: string, region?: string): { table: RouteTable; associationId: string } {
  const t = storedTable(d, tableId, region)
  const subnet = resolveSubnet(d, subnetRef, region)
  if (subnet.vpcId !== t.vpcId) throw new InvalidValueError(`Route table ${t.id} and subnet ${subnet.id} belong to different networks`)
  const existing = listRouteTables(d, region).find((x) => x.associations.some((a) => a.subnetId === subnet.id))
  if (existing) throw new AlreadyAssociatedError(`the specified association for route table ${t.id} conflicts with an existing association (${existing.id})`)
  const associationId = newIds.routeTableAssociationId()
  return { table: d.put({ ...t, associations: [...t.associations, { id: associationId, subnetId: subnet.id }] }), associationId }
}

export function disassociateRouteTable(d: Draft, associationId: string, region?: string): RouteTable {
  const t = listRouteTables(d, region).find((x) => x.associations.some((a) => a.id === associationId))
  if (!t) throw new NotFoundError('route-table-association', associationId)
  const a = t.associations.find((x) => x.id === associationId)
  if (a?.subnetId === undefined) throw new InvalidValueError(`cannot disassociate the main route table association ${associationId}`)
  const stored = storedTable(d, t.id, region)
  return d.put({ ...stored, associations: stored.associations.filter((x) => x.id !== associationId) })
}
