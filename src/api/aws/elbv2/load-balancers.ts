import { createLoadBalancer, deleteLoadBalancer, modifyLoadBalancer } from '../../../control/load-balancers.js'
import type { LoadBalancer } from '../../../model/load-balancer.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { loadBalancerAttributesIn, loadBalancerAttributesOut } from './attributes.js'
import { mutate, view, type ElbHandler } from './handler.js'
import { tagsFromInput } from './inputs.js'
import { availabilityZones, loadBalancerShape } from './shapes.js'

/** Subnets or SubnetMappings.member.N.SubnetId; ALB needs at least two. */
function subnetsFromInput(p: Params): string[] | undefined {
  const subnets = p.strings('Subnets')
  const mappings = p.objs('SubnetMappings').map((m) => {
    if (m.has('AllocationId') || m.has('PrivateIPv4Address') || m.has('IPv6Address')) {
      throw new AwsError('ValidationError', 'SubnetMappings with addresses are not supported by openalb')
    }
    return m.required('SubnetId')
  })
  if (subnets && subnets.length > 0 && mappings.length > 0) throw new AwsError('ValidationError', 'You can specify subnets or subnet mappings, not both')
  if (mappings.length > 0) return mappings
  return subnets && subnets.length > 0 ? subnets : undefined
}

function ipAddressType(p: Params): string | undefined {
  const t = p.str('IpAddressType')
  if (t === 'dualstack-without-public-ipv4') throw new AwsError('ValidationError', `IP address type '${t}' is not supported by openalb`)
  return t
}

export const CreateLoadBalancer: ElbHandler = async (call: Call) => {
  const p = call.params
  const name = p.required('Name')
  const spec: Record<string, unknown> = { name }
  const type = p.str('Type')
  if (type === 'gateway') throw new AwsError('ValidationError', 'gateway load balancers are not supported by openalb')
  if (type !== undefined) spec.type = type
  const scheme = p.str('Scheme')
  if (scheme !== undefined) spec.scheme = scheme
  const ip = ipAddressType(p)
  if (ip !== undefined) spec.ipAddressType = ip
  // Without subnets, the default VPC's subnet-a and subnet-b (the model's default).
  const subnets = subnetsFromInput(p)
  if (subnets) spec.subnets = subnets
  const groups = p.strings('SecurityGroups')
  if (groups) spec.securityGroups = groups
  const tags = tagsFromInput(p)
  if (tags) spec.tags = tags
  const lb = await mutate(call, (d) => {
    const existing = d.list('load-balancer').find((l) => l.name === name)
    // ALB: creating a balancer that exists with the same settings returns it.
    if (existing && existing.type === (type ?? 'application') && existing.scheme === (scheme ?? 'internet-facing')) return existing
    return createLoadBalancer(d, spec as Parameters<typeof createLoadBalancer>[1], call.region)
  })
  return { LoadBalancers: [loadBalancerShape(lb)] }
}

export const DescribeLoadBalancers: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  let lbs = [...d.list('load-balancer')].sort((a, b) => a.name.localeCompare(b.name))
  const arns = p.strings('LoadBalancerArns') ?? []
  const names = p.strings('Names') ?? []
  if (arns.length > 0 && names.length > 0) throw new AwsError('ValidationError', 'Load balancer names and load balancer ARNs cannot be specified at the same time')
  if (arns.length > 0) {
    const missing = arns.find((a) => !d.get('load-balancer', a))
    if (missing) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found')
    lbs = arns.map((a) => d.get('load-balancer', a)).filter((l): l is LoadBalancer => l !== undefined)
  }
  if (names.length > 0) {
    const missing = names.find((n) => !lbs.some((l) => l.name === n))
    if (missing) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found')
    lbs = names.map((n) => lbs.find((l) => l.name === n)).filter((l): l is LoadBalancer => l !== undefined)
  }
  const pg = page(lbs, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { LoadBalancers: pg.items.map(loadBalancerShape), NextMarker: pg.next }
}

/** ALB: deleting a balancer that does not exist (or no longer does) succeeds. */
export const DeleteLoadBalancer: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  await mutate(call, (d) => {
    if (d.get('load-balancer', arn)) deleteLoadBalancer(d, arn)
  })
  return {}
}

export const DescribeLoadBalancerAttributes: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  return { Attributes: loadBalancerAttributesOut((await view(call)).resolve('load-balancer', arn)) }
}

export const ModifyLoadBalancerAttributes: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  const lb = await mutate(call, (d) => modifyLoadBalancer(d, arn, { attributes: loadBalancerAttributesIn(call.params, d.resolve('load-balancer', arn)) }))
  return { Attributes: loadBalancerAttributesOut(lb) }
}

export const SetSecurityGroups: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  const groups = call.params.strings('SecurityGroups') ?? []
  const lb = await mutate(call, (d) => {
    const current = d.resolve('load-balancer', arn)
    // AWS: a network balancer created without security groups cannot get any later.
    if (current.type !== 'application' && current.securityGroups.length === 0) {
      throw new AwsError('InvalidConfigurationRequest', "You cannot add security groups to a load balancer of type 'network' that was created without any")
    }
    return modifyLoadBalancer(d, arn, { securityGroups: groups })
  })
  return { SecurityGroupIds: [...lb.securityGroups] }
}

export const SetSubnets: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  const subnets = subnetsFromInput(call.params)
  if (!subnets) throw new AwsError('ValidationError', 'Subnets or SubnetMappings must be specified')
  const ip = ipAddressType(call.params)
  const lb = await mutate(call, (d) => modifyLoadBalancer(d, arn, { subnets, ...(ip !== undefined ? { ipAddressType: ip } : {}) }))
  return { AvailabilityZones: availabilityZones(lb), IpAddressType: lb.ipAddressType }
}

export const SetIpAddressType: ElbHandler = async (call) => {
  const arn = call.params.required('LoadBalancerArn')
  const ip = ipAddressType(call.params)
  if (ip === undefined) throw new AwsError('ValidationError', 'IpAddressType is required')
  const lb = await mutate(call, (d) => modifyLoadBalancer(d, arn, { ipAddressType: ip }))
  return { IpAddressType: lb.ipAddressType }
}
