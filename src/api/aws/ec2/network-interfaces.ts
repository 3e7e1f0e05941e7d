import { createHash } from 'node:crypto'
import type { Draft } from '../../../control/draft.js'
import { modifyInstanceAttribute } from '../../../control/instances.js'
import { listSubnets } from '../../../control/network-lookup.js'
import type { Instance } from '../../../model/instance.js'
import { privateDnsName } from '../../../model/instance.js'
import { regionOfArn } from '../../../model/ids.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { applyFilters, ec2Page, filters, invalidValue, requiredParam, type Ec2Handler, type Ec2Result } from './common.js'

/**
 * Network interfaces, as EC2 shows them: one per instance (its primary interface, device 0, with
 * the instance's address, subnet and groups) and one per balancer per subnet (requester-managed by
 * ELB, described "ELB app/NAME/ID", "ELB net/NAME/ID" or "ELB NAME" for Classic, with the
 * balancer's groups and the address its listeners bind). They follow their owners, are not
 * stored, and cannot be made, detached or deleted by the user, as EC2 refuses for attached ones.
 * Their ids are derived from their owner, so every read gives the same ones.
 */
export interface NetworkInterface {
  readonly id: string
  readonly attachmentId: string
  readonly subnetId: string
  readonly vpcId: string
  readonly availabilityZone: string
  readonly description: string
  readonly address: string
  readonly dnsName: string
  readonly groups: readonly string[]
  readonly mac: string
  readonly instance?: Instance | undefined
  /** The balancer's kind: application, network or classic. */
  readonly balancer?: string | undefined
  readonly attachTime: string
  readonly interfaceType: string
  readonly tags: Record<string, string>
}

const digest = (seed: string) => createHash('sha256').update(seed).digest('hex')
const derived = (prefix: string, seed: string) => `${prefix}-0${digest(seed).slice(0, 16)}`
const mac = (seed: string) => `0e:${(digest(`mac|${seed}`).slice(0, 10).match(/../g) ?? []).join(':')}`


/** The interface of an instance, as DescribeNetworkInterfaces and the instance's networkInterfaceSet show it. */
export function instanceInterface(i: Instance): NetworkInterface {
  return {
    id: derived('eni', `instance|${i.id}`),
    attachmentId: derived('eni-attach', `instance|${i.id}`),
    subnetId: i.subnetId,
    vpcId: i.vpcId,
    availabilityZone: i.availabilityZone,
    description: '',
    address: i.address,
    dnsName: i.privateDnsName,
    groups: i.securityGroups,
    mac: mac(i.id),
    instance: i,
    attachTime: i.launchTime,
    interfaceType: 'interface',
    tags: {},
  }
}

const WILDCARDS = new Set(['0.0.0.0', '::', ''])

/** Every interface of the caller's region. */
export function networkInterfaces(d: Draft, region: string): NetworkInterface[] {
  const out: NetworkInterface[] = []
  for (const i of d.list('instance')) if (i.region === region && i.state !== 'terminated') out.push(instanceInterface(i))
  const subnets = new Map(listSubnets(d, region).map((s) => [s.id, s]))
  const balancers = [
    ...d.list('load-balancer').map((lb) => ({ lb, kind: lb.type, description: `ELB ${lb.type === 'application' ? 'app' : 'net'}/${lb.name}/${lb.arn.split('/').pop() ?? ''}` })),
    ...d.list('classic-load-balancer').map((lb) => ({ lb, kind: 'classic', description: `ELB ${lb.name}` })),
  ]
  for (const { lb, kind, description } of balancers) {
    if (regionOfArn(lb.arn) !== region) continue
    const address = WILDCARDS.has(lb.bindAddress) ? '127.0.0.1' : lb.bindAddress
    for (const subnetId of lb.subnets) {
      const s = subnets.get(subnetId)
      if (!s) continue
      const seed = `lb|${lb.arn}|${subnetId}`
      out.push({
        id: derived('eni', seed),
        attachmentId: derived('ela-attach', seed),
        subnetId,
        vpcId: s.vpcId,
        availabilityZone: s.availabilityZone,
        description,
        address,
        dnsName: privateDnsName(address, region),
        groups: lb.securityGroups,
        mac: mac(seed),
        balancer: kind,
        attachTime: lb.createdTime,
        interfaceType: kind === 'network' ? 'network_load_balancer' : 'interface',
        tags: {},
      })
    }
  }
  return out
}

const groupSet = (name: (id: string) => string, ids: readonly string[]): Ec2Result[] => ids.map((groupId) => ({ groupId, groupName: name(groupId) }))
const namesIn = (d: Draft) => (id: string) => d.get('security-group', id)?.name ?? ''

function attachmentOut(call: Call, n: NetworkInterface): Ec2Result {
  const owner = call.deps.control.partition.accountId
  return n.instance
    ? { attachmentId: n.attachmentId, instanceId: n.instance.id, instanceOwnerId: owner, deviceIndex: 0, networkCardIndex: 0, status: 'attached', attachTime: n.attachTime, deleteOnTermination: true }
    : { attachmentId: n.attachmentId, instanceOwnerId: 'amazon-elb', deviceIndex: 1, networkCardIndex: 0, status: 'attached', attachTime: n.attachTime, deleteOnTermination: false }
}

export function interfaceOut(call: Call, d: Draft, n: NetworkInterface): Ec2Result {
  return {
    networkInterfaceId: n.id,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    availabilityZone: n.availabilityZone,
    description: n.description,
    ownerId: call.deps.control.partition.accountId,
    requesterId: n.balancer ? 'amazon-elb' : undefined,
    requesterManaged: n.balancer !== undefined,
    status: 'in-use',
    macAddress: n.mac,
    privateIpAddress: n.address,
    privateDnsName: n.dnsName,
    sourceDestCheck: true,
    groupSet: groupSet(namesIn(d), n.groups),
    attachment: attachmentOut(call, n),
    tagSet: [],
    privateIpAddressesSet: [{ privateIpAddress: n.address, privateDnsName: n.dnsName, primary: true }],
    ipv6AddressesSet: [],
    interfaceType: n.interfaceType,
  }
}

/** The instance's interface inside DescribeInstances (InstanceNetworkInterface). */
export function instanceInterfaceOut(call: Call, i: Instance, groupName: (id: string) => string): Ec2Result {
  const n = instanceInterface(i)
  return {
    networkInterfaceId: n.id,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    description: '',
    ownerId: call.deps.control.partition.accountId,
    status: 'in-use',
    macAddress: n.mac,
    privateIpAddress: n.address,
    privateDnsName: n.dnsName,
    sourceDestCheck: true,
    groupSet: groupSet(groupName, n.groups),
    attachment: { attachmentId: n.attachmentId, deviceIndex: 0, networkCardIndex: 0, status: 'attached', attachTime: n.attachTime, deleteOnTermination: true },
    privateIpAddressesSet: [{ privateIpAddress: n.address, privateDnsName: n.dnsName, primary: true }],
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  }
}

const notFound = (id: string) => new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`)

function find(d: Draft, call: Call, id: string): NetworkInterface {
  const n = networkInterfaces(d, call.region).find((x) => x.id === id)
  if (!n) throw notFound(id)
  return n
}

const DescribeNetworkInterfaces: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  const all = networkInterfaces(d, call.region)
  const ids = call.params.strings('NetworkInterfaceId') ?? []
  for (const id of ids) if (!all.some((n) => n.id === id)) throw notFound(id)
  const chosen = ids.length > 0 ? all.filter((n) => ids.includes(n.id)) : all
  const owner = call.deps.control.partition.accountId
  const matched = applyFilters(chosen, filters(call.params), (n) => ({
    'network-interface-id': n.id,
    'subnet-id': n.subnetId,
    'vpc-id': n.vpcId,
    'availability-zone': n.availabilityZone,
    description: n.description,
    'group-id': n.groups,
    'group-name': n.groups.map((g) => d.get('security-group', g)?.name ?? ''),
    'private-ip-address': n.address,
    'addresses.private-ip-address': n.address,
    'addresses.primary': true,
    'private-dns-name': n.dnsName,
    'mac-address': n.mac,
    'owner-id': owner,
    'requester-id': n.balancer ? 'amazon-elb' : undefined,
    'requester-managed': n.balancer !== undefined,
    status: 'in-use',
    'source-dest-check': true,
    'interface-type': n.interfaceType,
    'attachment.attachment-id': n.attachmentId,
    'attachment.instance-id': n.instance?.id,
    'attachment.instance-owner-id': n.instance ? owner : 'amazon-elb',
    'attachment.device-index': n.instance ? 0 : 1,
    'attachment.status': 'attached',
    'attachment.delete-on-termination': n.instance !== undefined,
    'attachment.attach-time': n.attachTime,
  }))
  const pg = ec2Page(matched, call.params, 5, 1000)
  return { networkInterfaceSet: pg.items.map((n) => interfaceOut(call, d, n)), nextToken: pg.nextToken }
}

/** Every interface is attached to its instance or balancer: EC2 refuses to delete an attached one. */
const DeleteNetworkInterface: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'NetworkInterfaceId')
  const n = find(await call.deps.control.view(), call, id)
  throw invalidValue(`Network interface '${n.id}' is currently in use.`)
}

/** EC2 refuses to detach an instance's primary interface or one ELB manages. */
const DetachNetworkInterface: Ec2Handler = async (call) => {
  const attachment = requiredParam(call.params, 'AttachmentId')
  const n = networkInterfaces(await call.deps.control.view(), call.region).find((x) => x.attachmentId === attachment)
  if (!n) throw new AwsError('InvalidAttachmentID.NotFound', `The attachmentId ID '${attachment}' does not exist`)
  if (n.instance) throw new AwsError('OperationNotPermitted', 'The network interface at device index 0 cannot be detached.')
  throw new AwsError('OperationNotPermitted', `You are not allowed to manage 'ela-attach' attachments.`)
}

/**
 * ModifyNetworkInterfaceAttribute: an instance interface's groups (Terraform's change of
 * vpc_security_group_ids), which are the instance's; SourceDestCheck only true. A balancer's
 * interfaces are ELB's: its groups change with SetSecurityGroups.
 */
const ModifyNetworkInterfaceAttribute: Ec2Handler = async (call) => {
  const p = call.params
  const id = requiredParam(p, 'NetworkInterfaceId')
  const groups = p.strings('SecurityGroupId')
  const given = ['SecurityGroupId', 'SourceDestCheck', 'Description', 'Attachment', 'EnaSrdSpecification', 'EnablePrimaryIpv6', 'ConnectionTrackingSpecification', 'AssociatePublicIpAddress', 'AssociatedSubnetId'].filter((k) => p.has(k))
  if (given.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter attribute')
  if (given.length > 1) throw new AwsError('InvalidParameterCombination', `Fields for multiple attribute types specified: ${given.join(', ')}`)
  await call.deps.control.mutate((d) => {
    const n = find(d, call, id)
    if (!n.instance) throw new AwsError('OperationNotPermitted', `The network interface '${id}' is managed by Elastic Load Balancing: change the balancer's security groups with SetSecurityGroups`)
    if (groups) return modifyInstanceAttribute(d, n.instance.id, { securityGroups: groups })
    if (given[0] === 'SourceDestCheck' && p.obj('SourceDestCheck')?.bool('Value') === true) return undefined
    throw invalidValue(`${given[0] ?? ''} is not supported by openalb for network interfaces`)
  })
  return { return: true }
}

export const NETWORK_INTERFACE_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  DescribeNetworkInterfaces,
  DeleteNetworkInterface,
  DetachNetworkInterface,
  ModifyNetworkInterfaceAttribute,
}
