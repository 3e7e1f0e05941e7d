import { DEFAULT_VPC_ID } from '../../../model/ids.js'
import { AwsError } from '../errors.js'
import type { Ec2Handler } from './common.js'

/** What DescribeAccountAttributes answers: a VPC-only account with the default VPC and AWS's default quotas. */
const ATTRIBUTES: readonly [string, readonly string[]][] = [
  ['supported-platforms', ['VPC']],
  ['default-vpc', [DEFAULT_VPC_ID]],
  ['max-instances', ['20']],
  ['vpc-max-security-groups-per-interface', ['5']],
  ['max-elastic-ips', ['5']],
  ['vpc-max-elastic-ips', ['5']],
]

const DescribeAccountAttributes: Ec2Handler = async (call) => {
  const names = call.params.strings('AttributeName') ?? []
  const unknown = names.find((n) => !ATTRIBUTES.some(([a]) => a === n))
  if (unknown !== undefined) throw new AwsError('InvalidParameterValue', `Value (${unknown}) for parameter attributeName is invalid. Unknown attribute.`)
  const chosen = names.length > 0 ? ATTRIBUTES.filter(([a]) => names.includes(a)) : ATTRIBUTES
  return { accountAttributeSet: chosen.map(([attributeName, values]) => ({ attributeName, attributeValueSet: values.map((attributeValue) => ({ attributeValue })) })) }
}

export const ACCOUNT_OPERATIONS: Readonly<Record<string, Ec2Handler>> = { DescribeAccountAttributes }
