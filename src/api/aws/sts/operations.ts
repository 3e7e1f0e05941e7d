import type { Call } from '../deps.js'
import type { XmlValue } from '../protocol/xml.js'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const STS_VERSION = '2011-06-15'

export type StsHandler = (call: Call) => Promise<Record<string, XmlValue>>

/**
 * GetCallerIdentity, as openalb's IAM-less model sees the caller: there are no IAM users or roles,
 * so every access key (OPENALB_ACCESS_KEYS, or any key when none is configured) acts as the
 * account's root user, and STS answers as it does for root credentials: UserId is the account id,
 * the ARN arn:aws:iam::ACCOUNT:root.
 */
const GetCallerIdentity: StsHandler = async (call) => {
  const account = call.deps.control.partition.accountId
  return { UserId: account, Account: account, Arn: `arn:aws:iam::${account}:root` }
}

/** The STS operations openalb answers (Terraform's provider and `aws sts get-caller-identity` ask first who they are). */
export const STS_OPERATIONS: Readonly<Record<string, StsHandler>> = { GetCallerIdentity }
