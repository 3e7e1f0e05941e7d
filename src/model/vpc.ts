import { z } from 'zod'
import { isCidr } from './cidr-text.js'
import { tags, type Tags } from './schema-util.js'

export const InstanceTenancy = { DEFAULT: 'default', DEDICATED: 'dedicated' } as const
export type InstanceTenancy = (typeof InstanceTenancy)[keyof typeof InstanceTenancy]

const ipv4Cidr = z.string().refine((c) => isCidr(c) && !c.includes(':'), 'must be an IPv4 CIDR such as 10.0.0.0/16')

export const vpcSpec = z.strictObject({
  /** The VPC's name (its Name tag), unique in the file. */
  name: z.string().min(1).max(255),
  /** IPv4 range, a /16 to a /28 (10.0.0.0/16). */
  cidrBlock: ipv4Cidr,
  /** Whether the VPC resolves names (stored; openalb's DNS does not depend on it). Default true. */
  enableDnsSupport: z.boolean().default(true),
  /** Whether instances get DNS host names (stored). Default false, as AWS's non-default VPCs. */
  enableDnsHostnames: z.boolean().default(false),
  /** default or dedicated (stored; every openalb instance runs on this machine). */
  instanceTenancy: z.enum(['default', 'dedicated']).default('default'),
  /** The region (default: openalb's region). */
  region: z.string().regex(/^[a-z]{2}-[a-z]+-\d$/, 'must be a region such as us-east-1').optional(),
  tags,
})
export type VpcSpec = z.input<typeof vpcSpec>

export interface Vpc {
  readonly kind: 'vpc'
  readonly id: string
  /** The Name tag, else the id. */
  readonly name: string
  readonly region: string
  readonly cidrBlock: string
  readonly cidrAssociationId: string
  readonly isDefault: boolean
  readonly enableDnsSupport: boolean
  readonly enableDnsHostnames: boolean
  readonly enableNetworkAddressUsageMetrics: boolean
  readonly instanceTenancy: InstanceTenancy
  readonly dhcpOptionsId: string
  /** The network ACL every VPC has (described, allow-all, not enforced). */
  readonly defaultNetworkAclId: string
  readonly tags: Tags
}

export const subnetSpec = z.strictObject({
  /** The subnet's name (its Name tag), unique in the file. */
  name: z.string().min(1).max(255),
  /** The VPC, by name or id. */
  vpc: z.string().min(1),
  /** IPv4 range inside the VPC's, a /16 to a /28, overlapping no other subnet of the VPC. */
  cidrBlock: ipv4Cidr,
  /** Zone name (us-east-1a) or zone id (use1-az1) of the VPC's region. */
  availabilityZone: z.string().min(1),
  /** Whether instances launched here get a public address (stored; openalb gives them none). Default false. */
  mapPublicIpOnLaunch: z.boolean().default(false),
  tags,
})
export type SubnetSpec = z.input<typeof subnetSpec>

export interface Subnet {
  readonly kind: 'subnet'
  readonly id: string
  /** The Name tag, else the id; the default subnets are named subnet-a, subnet-b, subnet-c. */
  readonly name: string
  readonly region: string
  readonly vpcId: string
  readonly cidrBlock: string
  readonly availabilityZone: string
  readonly availabilityZoneId: string
  readonly defaultForAz: boolean
  readonly mapPublicIpOnLaunch: boolean
  readonly tags: Tags
}

/** A VPC's and a subnet's prefix length: AWS allows /16 to /28. */
export const CIDR_PREFIX = { min: 16, max: 28 } as const
