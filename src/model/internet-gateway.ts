import type { Tags } from './schema-util.js'

/**
 * An internet gateway: stored and described with AWS's shapes; openalb routes nothing through it
 * (every address openalb serves is on this machine).
 */
export interface InternetGateway {
  readonly kind: 'internet-gateway'
  readonly id: string
  readonly region: string
  /** The VPC it is attached to (at most one, as on AWS). */
  readonly vpcId?: string | undefined
  readonly tags: Tags
}
