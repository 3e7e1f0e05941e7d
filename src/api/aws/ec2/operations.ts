import { ACCOUNT_OPERATIONS } from './account.js'
import type { Ec2Handler } from './common.js'
import { INSTANCE_ATTRIBUTE_OPERATIONS } from './instance-attributes.js'
import { IMAGE_OPERATIONS } from './images.js'
import { INSTANCE_OPERATIONS } from './instances.js'
import { LAUNCH_TEMPLATE_OPERATIONS } from './launch-templates.js'
import { NETWORK_INTERFACE_OPERATIONS } from './network-interfaces.js'
import { NETWORK_OPERATIONS } from './networks.js'
import { ROUTING_OPERATIONS } from './routing.js'
import { SECURITY_GROUP_OPERATIONS } from './security-groups.js'
import { TAG_OPERATIONS } from './tags.js'

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
export const EC2_VERSION = '2016-11-15'

/** The EC2 operations openalb answers: security groups, VPCs, subnets, zones, regions, gateways, route tables, tags. */
export const EC2_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  ...SECURITY_GROUP_OPERATIONS,
  ...NETWORK_OPERATIONS,
  ...NETWORK_INTERFACE_OPERATIONS,
  ...ROUTING_OPERATIONS,
  ...TAG_OPERATIONS,
  ...ACCOUNT_OPERATIONS,
  ...INSTANCE_OPERATIONS,
  ...INSTANCE_ATTRIBUTE_OPERATIONS,
  ...IMAGE_OPERATIONS,
  ...LAUNCH_TEMPLATE_OPERATIONS,
}
