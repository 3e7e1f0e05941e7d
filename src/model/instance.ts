import { z } from 'zod'
import { isIpAddress } from './cidr-text.js'
import { tags, type Tags } from './schema-util.js'

export const instanceSpec = z.strictObject({
  /** A name for the host, unique; targets of type instance may name it. */
  name: z.string().min(1).max(255),
  /** The address its targets are reached on (IPv4 or IPv6). */
  address: z.string().refine(isIpAddress, 'must be an IPv4 or IPv6 address'),
  /** Availability zone label (default us-east-1a). */
  availabilityZone: z.string().default('us-east-1a'),
  /** Security groups, by name or id. */
  securityGroups: z.array(z.string()).default([]),
  tags,
})
export type InstanceSpec = z.input<typeof instanceSpec>

export interface Instance {
  readonly kind: 'instance'
  readonly id: string
  readonly name: string
  readonly address: string
  readonly availabilityZone: string
  readonly securityGroups: readonly string[]
  readonly tags: Tags
}
