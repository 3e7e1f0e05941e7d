import { DEFAULT_VPC_ID } from './ids.js'
import type { InternetGateway } from './internet-gateway.js'
import type { RouteTable } from './route-table.js'
import type { Subnet, Vpc } from './vpc.js'
import { zonesOf } from './zones.js'

/**
 * The default VPC every region has, with a default subnet in each zone (AWS's 172.31.0.0/16 and
 * /20s), an internet gateway and a main route table sending 0.0.0.0/0 to it. They are fixed: not stored, the same ids in every region, not deleted or modified.
 * The default subnets are named subnet-a, subnet-b and subnet-c after their zone, so a YAML file
 * (and the ELBv2 API) may name them so.
 */
export const DEFAULT_VPC_CIDR = '172.31.0.0/16'

export function defaultVpc(region: string): Vpc {
  return {
    kind: 'vpc',
    id: DEFAULT_VPC_ID,
    name: DEFAULT_VPC_ID,
    region,
    cidrBlock: DEFAULT_VPC_CIDR,
    cidrAssociationId: 'vpc-cidr-assoc-0a1b2c3d4e5f60718',
    isDefault: true,
    enableDnsSupport: true,
    enableDnsHostnames: true,
    enableNetworkAddressUsageMetrics: false,
    instanceTenancy: 'default',
    dhcpOptionsId: 'dopt-0a1b2c3d4e5f60718',
    defaultNetworkAclId: 'acl-0a1b2c3d4e5f60718',
    tags: {},
  }
}

export function defaultSubnets(region: string): Subnet[] {
  return zonesOf(region).map((zone, i) => {
    const letter = zone.name.slice(-1)
    return {
      kind: 'subnet',
      id: `subnet-0a1b2c3d4e5f60${letter}0${i + 1}`,
      name: `subnet-${letter}`,
      region,
      vpcId: DEFAULT_VPC_ID,
      cidrBlock: `172.31.${i * 16}.0/20`,
      availabilityZone: zone.name,
      availabilityZoneId: zone.id,
      defaultForAz: true,
      mapPublicIpOnLaunch: true,
      tags: {},
    }
  })
}

export const DEFAULT_INTERNET_GATEWAY_ID = 'igw-0a1b2c3d4e5f60718'

export function defaultInternetGateway(region: string): InternetGateway {
  return { kind: 'internet-gateway', id: DEFAULT_INTERNET_GATEWAY_ID, region, vpcId: DEFAULT_VPC_ID, tags: {} }
}

export function defaultRouteTable(region: string): RouteTable {
  return {
    kind: 'route-table',
    id: 'rtb-0a1b2c3d4e5f60718',
    region,
    vpcId: DEFAULT_VPC_ID,
    main: true,
    routes: [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: DEFAULT_INTERNET_GATEWAY_ID, origin: 'CreateRoute' }],
    associations: [{ id: 'rtbassoc-0a1b2c3d4e5f60718' }],
    tags: {},
  }
}
