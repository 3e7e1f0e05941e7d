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

/**
 * The Route 53 hosted zone ids of balancers' DNS names, per region as AWS publishes them
 * (Elastic Load Balancing endpoints): [Application and Classic, Network].
 */
const BALANCER_ZONE_IDS: Readonly<Record<string, readonly [string, string]>> = {
  'us-east-1': ['Z35SXDOTRQ7X7K', 'Z26RNL4JYFTOTI'],
  'us-east-2': ['Z3AADJGX6KTTL2', 'ZLMOA37VPKANP'],
  'us-west-1': ['Z368ELLRRE2KJ0', 'Z24FKFUX50B4VW'],
  'us-west-2': ['Z1H1FL5HABSF5', 'Z18D5FSROUN65G'],
  'ca-central-1': ['ZQSVJUPU6J1EY', 'Z2EPGBW3API2WT'],
  'sa-east-1': ['Z2P70J7HTTTPLU', 'ZTK26PT1VY4CU'],
  'eu-west-1': ['Z32O12XQLNTSW2', 'Z2IFOLAFXWLO4F'],
  'eu-west-2': ['ZHURV8PSTC4K8', 'ZD4D7Y8KGAS4G'],
  'eu-west-3': ['Z3Q77PNBQS71R4', 'Z1CMS0P5QUZ6D5'],
  'eu-central-1': ['Z215JYRZR1TBD5', 'Z3F0SRJ5LGBH90'],
  'eu-north-1': ['Z23TAZ6LKFMNIO', 'Z1UDT6IFJ4EJM'],
  'eu-south-1': ['Z3ULH7SSC9OV64', 'Z23146JA1KNAFP'],
  'ap-south-1': ['ZP97RAFLXTNZK', 'ZVDDRBQ08TROA'],
  'ap-northeast-1': ['Z14GRHDCWA56QT', 'Z31USIVHYNEOWT'],
  'ap-northeast-2': ['ZWKZPGTI48KDX', 'ZIBE1TIR4HY56'],
  'ap-northeast-3': ['Z5LXEXXYW11ES', 'Z1GWIQ4HH19I5X'],
  'ap-southeast-1': ['Z1LMS91P8CMLE5', 'ZKVM4W9LS7TM'],
  'ap-southeast-2': ['Z1GM3OXH4ZPM65', 'ZCT6FZBF4DROD'],
  'me-south-1': ['ZS929ML54UICD', 'Z3QSRYVP46NYYV'],
  'af-south-1': ['Z268VQBMOI5EKX', 'Z203XCE67M25HM'],
}

/** us-east-1's Application and Classic zone id, which every region outside the table also gets. */
export const CANONICAL_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K'

/** The hosted zone id of a balancer's DNS name in `region`: Application and Classic balancers share one, Network balancers have their own. */
export function canonicalHostedZoneId(region: string, type: 'application' | 'network' | 'classic'): string {
  const ids = BALANCER_ZONE_IDS[region] ?? BALANCER_ZONE_IDS['us-east-1']!
  return type === 'network' ? ids[1] : ids[0]
}

export const DEFAULT_VPC_ID = 'vpc-0a1b2c3d4e5f60718'

/** The default VPC's own security group named `default`, stored like every other group (Control.ensureDefaults). */
export const DEFAULT_VPC_SECURITY_GROUP_ID = 'sg-0a1b2c3d4e5f60718'
