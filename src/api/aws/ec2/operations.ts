import { authorizeIngress, createSecurityGroup, deleteSecurityGroup, revokeIngress } from '../../../control/security-groups.js'
import type { Draft } from '../../../control/draft.js'
import { setTags } from '../../../control/tags.js'
import type { IngressRule, SecurityGroup } from '../../../model/security-group.js'
import { listSubnets, listVpcs, tagNetwork } from '../../../control/networks.js'
import { DEFAULT_VPC_ID } from '../../../model/ids.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { filters, globMatch, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'
import { NETWORK_OPERATIONS } from './networks.js'

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
export const EC2_VERSION = '2016-11-15'

const invalid = (message: string) => new AwsError('InvalidParameterValue', message)
const notFound = (ref: string) => new AwsError('InvalidGroup.NotFound', `The security group '${ref}' does not exist`)

function findGroup(d: Draft, p: Params): SecurityGroup {
  const id = p.str('GroupId')
  const name = p.str('GroupName')
  if (id === undefined && name === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter groupName or groupId')
  const g = id !== undefined ? d.get('security-group', id) : d.list('security-group').find((x) => x.name === name)
  if (!g) throw notFound(id ?? name ?? '')
  return g
}

/** EC2 names protocols by name or number; -1 (or "all") is every protocol. */
function protocol(raw: string | undefined): string {
  const p = (raw ?? '').toLowerCase()
  const byNumber: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' }
  const name = byNumber[p] ?? p
  if (!['tcp', 'udp', 'icmp', '-1'].includes(name)) throw invalid(`Invalid value '${raw ?? ''}' for IP protocol. Unknown protocol.`)
  return name
}

/** IpPermissions.N (or the older flat IpProtocol/FromPort/ToPort/CidrIp form) -> the model's ingress rules. */
function permissionsIn(d: Draft, p: Params): Record<string, unknown>[] {
  const perms = p.objs('IpPermissions')
  if (perms.length === 0 && p.has('IpProtocol')) {
    const cidr = p.str('CidrIp')
    const source = p.str('SourceSecurityGroupName')
    return [ruleIn(protocol(p.str('IpProtocol')), p.int('FromPort'), p.int('ToPort'), cidr ? [cidr] : [], source ? [source] : [])]
  }
  if (perms.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter ipPermissions')
  return perms.map((perm) => {
    const cidrs = [...perm.objs('IpRanges').map((r) => r.required('CidrIp')), ...perm.objs('Ipv6Ranges').map((r) => r.required('CidrIpv6'))]
    const groups = perm.objs('Groups').map((g) => {
      const ref = g.str('GroupId') ?? g.required('GroupName')
      if (!d.find('security-group', ref)) throw notFound(ref)
      return ref
    })
    if (perm.objs('PrefixListIds').length > 0) throw invalid('prefix lists are not supported by openalb')
    const description = perm.objs('IpRanges')[0]?.str('Description')
    return { ...ruleIn(protocol(perm.str('IpProtocol')), perm.int('FromPort'), perm.int('ToPort'), cidrs, groups), ...(description ? { description } : {}) }
  })
}

function ruleIn(proto: string, from: number | undefined, to: number | undefined, cidrs: string[], sourceGroups: string[]): Record<string, unknown> {
  if (proto !== '-1' && proto !== 'icmp' && from === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter fromPort')
  const fromPort = proto === '-1' ? 0 : proto === 'icmp' ? Math.max(0, from ?? 0) : (from ?? 0)
  const toPort = proto === '-1' ? 65535 : proto === 'icmp' ? Math.max(fromPort, to ?? fromPort) : (to ?? fromPort)
  return { protocol: proto, fromPort, toPort, cidrs, sourceGroups }
}

function permissionOut(r: IngressRule, owner: string): Ec2Result {
  const all = r.protocol === '-1'
  return {
    ipProtocol: r.protocol,
    fromPort: all ? undefined : r.fromPort,
    toPort: all ? undefined : r.toPort,
    groups: r.sourceGroups.map((groupId) => ({ groupId, userId: owner })),
    ipRanges: r.cidrs.filter((c) => !c.includes(':')).map((cidrIp) => ({ cidrIp, description: r.description })),
    ipv6Ranges: r.cidrs.filter((c) => c.includes(':')).map((cidrIpv6) => ({ cidrIpv6, description: r.description })),
    prefixListIds: [],
  }
}

function groupOut(call: Call, g: SecurityGroup): Ec2Result {
  const { accountId, region } = call.deps.control.partition
  return {
    ownerId: accountId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: `arn:aws:ec2:${region}:${accountId}:security-group/${g.id}`,
    ipPermissions: g.ingress.map((r) => permissionOut(r, accountId)),
    ipPermissionsEgress: [{ ipProtocol: '-1', groups: [], ipRanges: [{ cidrIp: '0.0.0.0/0' }], ipv6Ranges: [], prefixListIds: [] }],
    tagSet: Object.entries(g.tags).map(([key, value]) => ({ key, value })),
  }
}

const CreateSecurityGroup: Ec2Handler = async (call) => {
  const p = call.params
  const name = p.required('GroupName')
  const description = p.str('GroupDescription')
  if (description === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter GroupDescription')
  const vpc = p.str('VpcId')
  const tags = tagSpecifications(p, 'security-group')
  const g = (
    await call.deps.control.mutate((d) => {
      if (vpc !== undefined && !listVpcs(d, call.region).some((v) => v.id === vpc)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${vpc}' does not exist`)
      return createSecurityGroup(d, { name, description, tags, ...(vpc !== undefined ? { vpc } : {}) })
    })
  ).value
  const shape = groupOut(call, g)
  return { groupId: g.id, tagSet: shape.tagSet, securityGroupArn: shape.securityGroupArn }
}

const DescribeSecurityGroups: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  let groups = [...d.list('security-group')].sort((a, b) => a.name.localeCompare(b.name))
  const ids = p.strings('GroupId') ?? []
  const names = p.strings('GroupName') ?? []
  for (const id of ids) if (!groups.some((g) => g.id === id)) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`)
  for (const n of names) if (!groups.some((g) => g.name === n)) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC '${DEFAULT_VPC_ID}'`)
  if (ids.length > 0) groups = groups.filter((g) => ids.includes(g.id))
  if (names.length > 0) groups = groups.filter((g) => names.includes(g.name))
  for (const f of filters(p)) {
    const value = (g: SecurityGroup): string | undefined => {
      if (f.name === 'group-id') return g.id
      if (f.name === 'group-name') return g.name
      if (f.name === 'vpc-id') return g.vpcId
      if (f.name === 'description') return g.description
      if (f.name.startsWith('tag:')) return g.tags[f.name.slice(4)]
      if (f.name === 'tag-key') return Object.keys(g.tags).find((k) => f.values.includes(k))
      throw new AwsError('InvalidParameterValue', `The filter '${f.name}' is invalid`)
    }
    groups = groups.filter((g) => {
      const v = value(g)
      return v !== undefined && f.values.some((want) => globMatch(want, v))
    })
  }
  const pg = page(groups, p.str('NextToken'), p.int('MaxResults'), 'InvalidParameterValue', 1000)
  return { securityGroupInfo: pg.items.map((g) => groupOut(call, g)), nextToken: pg.next }
}

const AuthorizeSecurityGroupIngress: Ec2Handler = async (call) => {
  const result = await call.deps.control.mutate((d) => {
    const g = findGroup(d, call.params)
    const rules = permissionsIn(d, call.params)
    return { group: authorizeIngress(d, g.id, rules), rules }
  })
  const { group, rules } = result.value
  const ruleSet = rules.flatMap((r, i) =>
    (r.cidrs as string[]).map((cidr, j) => ({
      securityGroupRuleId: `sgr-${group.id.slice(3, 11)}${String(result.revision).padStart(5, '0')}${i}${j}`,
      groupId: group.id,
      groupOwnerId: call.deps.control.partition.accountId,
      isEgress: false,
      ipProtocol: String(r.protocol),
      fromPort: Number(r.fromPort),
      toPort: Number(r.toPort),
      ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
    })),
  )
  return { return: true, securityGroupRuleSet: ruleSet }
}

const RevokeSecurityGroupIngress: Ec2Handler = async (call) => {
  await call.deps.control.mutate((d) => {
    const g = findGroup(d, call.params)
    return revokeIngress(d, g.id, permissionsIn(d, call.params))
  })
  return { return: true }
}

const DeleteSecurityGroup: Ec2Handler = async (call) => {
  const g = (
    await call.deps.control.mutate((d) => {
      const group = findGroup(d, call.params)
      deleteSecurityGroup(d, group.id)
      return group
    })
  ).value
  return { return: true, groupId: g.id }
}

/**
 * openalb does not filter what leaves a balancer, so egress stays allow-all: these calls are
 * accepted (Terraform revokes the default egress rule and puts its own back) and not kept.
 */
const acceptEgress: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  findGroup(d, call.params)
  permissionsIn(d, call.params)
  return { return: true }
}

const CreateTags: Ec2Handler = async (call) => tagResources(call, 'add')
const DeleteTags: Ec2Handler = async (call) => tagResources(call, 'remove')

/** Tags on security groups, VPCs and subnets. */
async function tagResources(call: Call, mode: 'add' | 'remove'): Promise<Ec2Result> {
  const ids = call.params.strings('ResourceId') ?? []
  const tags = call.params.objs('Tag').map((t) => ({ key: t.required('Key'), value: t.str('Value') }))
  const edit = (current: Readonly<Record<string, string>>): Record<string, string> => {
    const next: Record<string, string> = { ...current }
    for (const t of tags) {
      if (mode === 'add') next[t.key] = t.value ?? ''
      else if (t.value === undefined || next[t.key] === t.value) delete next[t.key]
    }
    return next
  }
  await call.deps.control.mutate((d) => {
    for (const id of ids) {
      const g = d.get('security-group', id)
      if (g) {
        setTags(d, 'security-group', g.id, edit(g.tags))
        continue
      }
      const net = listVpcs(d, call.region).find((v) => v.id === id) ?? listSubnets(d, call.region).find((s) => s.id === id)
      if (net) {
        tagNetwork(d, net, edit(net.tags))
        continue
      }
      const code = id.startsWith('sg-') ? 'InvalidGroup.NotFound' : id.startsWith('vpc-') ? 'InvalidVpcID.NotFound' : id.startsWith('subnet-') ? 'InvalidSubnetID.NotFound' : 'InvalidID'
      throw new AwsError(code, `The ID '${id}' does not exist`)
    }
  })
  return { return: true }
}

/** The EC2 operations openalb answers: security groups, VPCs, subnets, zones and regions. */
export const EC2_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateSecurityGroup,
  DescribeSecurityGroups,
  AuthorizeSecurityGroupIngress,
  RevokeSecurityGroupIngress,
  DeleteSecurityGroup,
  AuthorizeSecurityGroupEgress: acceptEgress,
  RevokeSecurityGroupEgress: acceptEgress,
  CreateTags,
  DeleteTags,
  ...NETWORK_OPERATIONS,
}
