import { defaultInternetGateway, defaultRouteTable, defaultSubnets, defaultVpc } from '../model/default-vpc.js'
import type { InternetGateway } from '../model/internet-gateway.js'
import type { RouteTable } from '../model/route-table.js'
import type { Subnet, Vpc } from '../model/vpc.js'
import type { Draft } from './draft.js'
import { NotFoundError } from './errors.js'

/**
 * VPCs and subnets. The default VPC and its subnets are fixed (model/default-vpc.ts) and answered
 * for every region; the ones users create are stored with their region. `region` undefined means
 * every stored one plus openalb's own region's defaults (YAML and the CLI).
 */
export function listVpcs(d: Draft, region?: string): Vpc[] {
  const stored = d.list('vpc').filter((v) => region === undefined || v.region === region)
  return [defaultVpc(region ?? d.partition.region), ...stored]
}

export function listSubnets(d: Draft, region?: string): Subnet[] {
  const stored = d.list('subnet').filter((s) => region === undefined || s.region === region)
  return [...defaultSubnets(region ?? d.partition.region), ...stored]
}

const byRef = <T extends { id: string; name: string }>(list: readonly T[], ref: string): T | undefined =>
  list.find((r) => r.id === ref) ?? list.find((r) => r.name === ref)

export function resolveVpc(d: Draft, ref: string, region?: string): Vpc {
  const vpc = byRef(listVpcs(d, region), ref)
  if (!vpc) throw new NotFoundError('vpc', ref)
  return vpc
}

export function resolveSubnet(d: Draft, ref: string, region?: string): Subnet {
  const subnet = byRef(listSubnets(d, region), ref)
  if (!subnet) throw new NotFoundError('subnet', ref)
  return subnet
}

export function listInternetGateways(d: Draft, region?: string): InternetGateway[] {
  const stored = d.list('internet-gateway').filter((g) => region === undefined || g.region === region)
  return [defaultInternetGateway(region ?? d.partition.region), ...stored]
}

export function listRouteTables(d: Draft, region?: string): RouteTable[] {
  const stored = d.list('route-table').filter((t) => region === undefined || t.region === region)
  return [defaultRouteTable(region ?? d.partition.region), ...stored]
}

export function resolveInternetGateway(d: Draft, id: string, region?: string): InternetGateway {
  const g = listInternetGateways(d, region).find((x) => x.id === id)
  if (!g) throw new NotFoundError('internet-gateway', id)
  return g
}

export function resolveRouteTable(d: Draft, id: string, region?: string): RouteTable {
  const t = listRouteTables(d, region).find((x) => x.id === id)
  if (!t) throw new NotFoundError('route-table', id)
  return t
}

/** A VPC's main route table. */
export function mainRouteTable(d: Draft, vpc: Vpc): RouteTable | undefined {
  return listRouteTables(d, vpc.region).find((t) => t.vpcId === vpc.id && t.main)
}
