import { randomBytes } from 'node:crypto'

/** The region and account every ARN carries; set once per installation. */
export interface Partition {
  readonly region: string
  readonly accountId: string
  /** DNS suffix of balancer names: NAME-ID.REGION.elb.<suffix>. */
  readonly dnsSuffix: string
}

export const DEFAULT_PARTITION: Partition = { region: 'us-east-1', accountId: '000000000000', dnsSuffix: 'openalb.test' }

/** An AWS account id: twelve digits. */
export const ACCOUNT_ID = /^\d{12}$/

/** The partition with another account id (OPENALB_ACCOUNT_ID), or why the id cannot be one. */
export function partitionOfAccount(accountId: string): Partition | string {
  if (!ACCOUNT_ID.test(accountId)) return `OPENALB_ACCOUNT_ID must be an AWS account id (12 digits), got '${accountId}'`
  return { ...DEFAULT_PARTITION, accountId }
}

export const hex = (bytes: number): string => randomBytes(bytes).toString('hex')

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
function upperAlnum(length: number): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const b of bytes) out += ALNUM[b % ALNUM.length]
  return out
}

const elb = (p: Partition) => `arn:aws:elasticloadbalancing:${p.region}:${p.accountId}`

export const newIds = {
  loadBalancerArn: (p: Partition, name: string, type: 'application' | 'network') =>
    `${elb(p)}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/${hex(8)}`,
  targetGroupArn: (p: Partition, name: string) => `${elb(p)}:targetgroup/${name}/${hex(8)}`,
  listenerArn: (p: Partition, loadBalancerArn: string) =>
    `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${hex(8)}`,
  trustStoreArn: (p: Partition, name: string) => `${elb(p)}:truststore/${name}/${hex(8)}`,
  ruleArn: (p: Partition, listenerArn: string) => `${listenerArn.replace(':listener/', ':listener-rule/')}/${hex(8)}`,
  certificateArn: (p: Partition, region = p.region) =>
    `arn:aws:acm:${region}:${p.accountId}:certificate/${hex(4)}-${hex(2)}-${hex(2)}-${hex(2)}-${hex(6)}`,
  securityGroupId: () => `sg-${hex(9).slice(0, 17)}`,
  instanceId: () => `i-${hex(9).slice(0, 17)}`,
  reservationId: () => `r-${hex(9).slice(0, 17)}`,
  vpcId: () => `vpc-${hex(9).slice(0, 17)}`,
  vpcCidrAssociationId: () => `vpc-cidr-assoc-${hex(9).slice(0, 17)}`,
  subnetId: () => `subnet-${hex(9).slice(0, 17)}`,
  dhcpOptionsId: () => `dopt-${hex(9).slice(0, 17)}`,
  internetGatewayId: () => `igw-${hex(9).slice(0, 17)}`,
  routeTableId: () => `rtb-${hex(9).slice(0, 17)}`,
  routeTableAssociationId: () => `rtbassoc-${hex(9).slice(0, 17)}`,
  networkAclId: () => `acl-${hex(9).slice(0, 17)}`,
  securityGroupRuleId: () => `sgr-${hex(9).slice(0, 17)}`,
  hostedZoneId: () => `Z${upperAlnum(20)}`,
  delegationSetId: () => `N${upperAlnum(13)}`,
  changeId: () => `C${upperAlnum(20)}`,
}

/** The region an ARN names (arn:aws:SERVICE:REGION:ACCOUNT:...): where its resource was made. */
export const regionOfArn = (arn: string): string => arn.split(':')[3] ?? ''

/** The id segment ALB puts in a balancer's DNS name (NAME-ID.REGION.elb...). */
export function loadBalancerDnsName(p: Partition, name: string, arn: string, scheme: string): string {
  const id = BigInt(`0x${arn.slice(-16)}`).toString().slice(0, 10)
  const prefix = scheme === 'internal' ? 'internal-' : ''
  return `${prefix}${name}-${id}.${p.region}.elb.${p.dnsSuffix}`.toLowerCase()
}

/** Route 53 zone id of balancer aliases, per region as AWS publishes them (us-east-1's ALB zone). */
export const CANONICAL_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K'

export const DEFAULT_VPC_ID = 'vpc-0a1b2c3d4e5f60718'

/** The default VPC's own security group named `default`, stored like every other group (Control.ensureDefaults). */
export const DEFAULT_VPC_SECURITY_GROUP_ID = 'sg-0a1b2c3d4e5f60718'
