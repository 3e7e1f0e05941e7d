import type { Draft } from '../../../control/draft.js'
import { listVpcs } from '../../../control/network-lookup.js'
import { authorizeRules, createSecurityGroup, DEFAULT_GROUP_NAME, deleteSecurityGroup, modifyRules, revokeRuleIds, revokeRules } from '../../../control/security-groups.js'
import { DEFAULT_VPC_ID } from '../../../model/ids.js'
import { ruleEntries, type IngressRule, type RuleDirection, type SecurityGroup } from '../../../model/security-group.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { applyFilters, arn, ec2Page, filters, globMatch, tagSet, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'

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
    const description = [...perm.objs('IpRanges'), ...perm.objs('Ipv6Ranges'), ...perm.objs('Groups')].map((r) => r.str('Description')).find((x) => x !== undefined)
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
  const { accountId } = call.deps.control.partition
  return {
    ownerId: accountId,
    groupId: g.id,
    groupName: g.name,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: arn(call, 'security-group', g.id),
    ipPermissions: g.ingress.map((r) => permissionOut(r, accountId)),
    ipPermissionsEgress: g.egress.map((r) => permissionOut(r, accountId)),
    tagSet: tagSet(g.tags),
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

/** One rule entry as DescribeSecurityGroupRules and Authorize* answer it. */
function ruleOut(call: Call, g: SecurityGroup, key: string): Ec2Result | undefined {
  const entry = ruleEntries(g).find((e) => e.key === key)
  const id = g.ruleIds[key]
  if (!entry || id === undefined) return undefined
  const { rule, source } = entry
  const all = rule.protocol === '-1'
  const owner = call.deps.control.partition.accountId
  return {
    securityGroupRuleId: id,
    groupId: g.id,
    groupOwnerId: owner,
    isEgress: entry.direction === 'egress',
    ipProtocol: rule.protocol,
    fromPort: all ? -1 : rule.fromPort,
    toPort: all ? -1 : rule.toPort,
    ...(source.startsWith('sg-') ? { referencedGroupInfo: { groupId: source, userId: owner } } : source.includes(':') ? { cidrIpv6: source } : { cidrIpv4: source }),
    description: rule.description,
    tagSet: tagSet(g.ruleTags[id] ?? {}),
    securityGroupRuleArn: arn(call, 'security-group-rule', id),
  }
}

const authorize = (direction: RuleDirection): Ec2Handler => async (call) => {
  const ruleTags = tagSpecifications(call.params, 'security-group-rule')
  const { group, ruleIds } = (
    await call.deps.control.mutate((d) => {
      const g = findGroup(d, call.params)
      return authorizeRules(d, g.id, direction, permissionsIn(d, call.params), ruleTags)
    })
  ).value
  const keys = Object.entries(group.ruleIds).filter(([, id]) => ruleIds.includes(id)).map(([key]) => key)
  return { return: true, securityGroupRuleSet: keys.map((k) => ruleOut(call, group, k)).filter((r) => r !== undefined) }
}

const revoke = (direction: RuleDirection): Ec2Handler => async (call) => {
  const ids = call.params.strings('SecurityGroupRuleId') ?? []
  await call.deps.control.mutate((d) => {
    const g = findGroup(d, call.params)
    return ids.length > 0 ? revokeRuleIds(d, g.id, direction, ids) : revokeRules(d, g.id, direction, permissionsIn(d, call.params))
  })
  return { return: true }
}

const DescribeSecurityGroupRules: Ec2Handler = async (call) => {
  const p = call.params
  const d = await call.deps.control.view()
  const all = d
    .list('security-group')
    .flatMap((g) => ruleEntries(g).map((e) => ({ group: g, key: e.key, id: g.ruleIds[e.key] ?? '', tags: g.ruleTags[g.ruleIds[e.key] ?? ''] ?? {} })))
  const ids = p.strings('SecurityGroupRuleId') ?? []
  for (const id of ids) if (!all.some((r) => r.id === id)) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`)
  const chosen = ids.length > 0 ? all.filter((r) => ids.includes(r.id)) : all
  const matched = applyFilters(chosen, filters(p), (r) => ({ 'group-id': r.group.id, 'security-group-rule-id': r.id }))
  const pg = ec2Page(matched, p)
  return { securityGroupRuleSet: pg.items.map((r) => ruleOut(call, r.group, r.key)).filter((r) => r !== undefined), nextToken: pg.nextToken }
}

/** ModifySecurityGroupRules: SecurityGroupRule.N.{SecurityGroupRuleId, SecurityGroupRule.{IpProtocol, FromPort, ToPort, CidrIpv4|CidrIpv6|ReferencedGroupId, Description}}. */
const ModifySecurityGroupRules: Ec2Handler = async (call) => {
  const p = call.params
  const groupId = p.str('GroupId')
  if (groupId === undefined || groupId === '') throw new AwsError('MissingParameter', 'The request must contain the parameter GroupId')
  const entries = p.objs('SecurityGroupRule')
  if (entries.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRules')
  await call.deps.control.mutate((d) => {
    if (!d.get('security-group', groupId)) throw notFound(groupId)
    const updates = entries.map((e) => {
      const ruleId = e.str('SecurityGroupRuleId')
      if (ruleId === undefined || ruleId === '') throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRuleId')
      const r = e.obj('SecurityGroupRule')
      if (!r) throw new AwsError('MissingParameter', 'The request must contain the parameter SecurityGroupRule')
      if (r.str('PrefixListId') !== undefined) throw invalid('prefix lists are not supported by openalb')
      const sources = [r.str('CidrIpv4'), r.str('CidrIpv6'), r.str('ReferencedGroupId')].filter((x): x is string => x !== undefined && x !== '')
      if (sources.length !== 1) throw invalid('Exactly one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId must be specified.')
      const source = sources[0] ?? ''
      if (source.startsWith('sg-') && !d.get('security-group', source)) throw notFound(source)
      const proto = protocol(r.str('IpProtocol'))
      const base = ruleIn(proto, r.int('FromPort'), r.int('ToPort'), source.startsWith('sg-') ? [] : [source], source.startsWith('sg-') ? [source] : [])
      const description = r.str('Description')
      return { ruleId, rule: { ...base, ...(description !== undefined && description !== '' ? { description } : {}) } }
    })
    return modifyRules(d, groupId, updates)
  })
  return { return: true }
}

const DeleteSecurityGroup: Ec2Handler = async (call) => {
  const g = (
    await call.deps.control.mutate((d) => {
      const group = findGroup(d, call.params)
      // EC2's words for a VPC's own group.
      if (group.name === DEFAULT_GROUP_NAME) throw new AwsError('CannotDelete', `the specified group: "${group.id}" name: "default" cannot be deleted by a user`)
      deleteSecurityGroup(d, group.id)
      return group
    })
  ).value
  return { return: true, groupId: g.id }
}

/** Security groups and their rules; egress rules are kept and described, not enforced. */
export const SECURITY_GROUP_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateSecurityGroup,
  DescribeSecurityGroups,
  DescribeSecurityGroupRules,
  ModifySecurityGroupRules,
  AuthorizeSecurityGroupIngress: authorize('ingress'),
  RevokeSecurityGroupIngress: revoke('ingress'),
  AuthorizeSecurityGroupEgress: authorize('egress'),
  RevokeSecurityGroupEgress: revoke('egress'),
  DeleteSecurityGroup,
}
