import { DEFAULT_VPC_ID } from '../../../model/ids.js'

/**
 * The default VPC openalb answers with, and its two subnets in two zones: enough for clients
 * (the CLI tutorial, Terraform data sources) that look them up before creating a balancer.
 */
export const DEFAULT_VPC = { id: DEFAULT_VPC_ID, cidr: '172.31.0.0/16' } as const

export interface DefaultSubnet {
  readonly id: string
  readonly availabilityZone: string
  readonly zoneId: string
  readonly cidr: string
}

export function defaultSubnets(region: string): DefaultSubnet[] {
  return [
    { id: 'subnet-0a1b2c3d4e5f60a01', availabilityZone: `${region}a`, zoneId: 'use1-az1', cidr: '172.31.0.0/20' },
    { id: 'subnet-0a1b2c3d4e5f60b02', availabilityZone: `${region}b`, zoneId: 'use1-az2', cidr: '172.31.16.0/20' },
  ]
}
