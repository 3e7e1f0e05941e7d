import { DEFAULT_VPC_ID, DEFAULT_VPC_SECURITY_GROUP_ID, newIds } from '../model/ids.js'
import { ruleEntries, ruleKey, securityGroupSpec, type IngressRule, type RuleDirection, type SecurityGroup, type SecurityGroupSpec } from '../model/security-group.js'
import type { Tags } from '../model/schema-util.js'
import { ingressRuleSpec } from '../model/security-group.js'
import type { z } from 'zod'
import { DuplicateError, InUseError, InvalidValueError, NotFoundError, OperationNotPermittedError, ReservedNameError } from './errors.js'
import { validate, type Draft } from './draft.js'
import { resolveVpc } from './network-lookup.js'

function toIngress(d: Draft, rules: readonly z.output<typeof ingressRuleSpec>[]): IngressRule[] {
  return rules.map((r) => ({
    protocol: r.protocol,
    fromPort: r.protocol === '-1' ? 0 : r.fromPort,
    toPort: r.protocol === '-1' ? 65535 : (r.toPort ?? r.fromPort),
    cidrs: r.cidrs,
    sourceGroups: r.sourceGroups.map((g) => d.resolve('security-group', g).id),
    description: r.description,
  }))
}

/** Keeps the id of every rule entry that stays, gives new entries new ids, forgets removed ones. */
function withRuleIds(g: Omit<SecurityGroup, 'ruleIds' | 'ruleTags'> & Partial<Pick<SecurityGroup, 'ruleIds' | 'ruleTags'>>, before?: SecurityGroup): SecurityGroup {
  const ruleIds: Record<string, string> = {}
  const ruleTags: Record<string, Tags> = {}
  for (const { key } of ruleEntries(g)) {
    const id = g.ruleIds?.[key] ?? before?.ruleIds[key] ?? newIds.securityGroupRuleId()
    ruleIds[key] = id
    const tags = g.ruleTags?.[id] ?? before?.ruleTags[id]
    if (tags) ruleTags[id] = tags
  }
  return { ...g, ruleIds, ruleTags }
}

function checkUniqueName(d: Draft, name: string, vpcId: string, except?: string): void {
  // EC2: group names are unique within a VPC.
  if (d.list('security-group').some((g) => g.name === name && g.vpcId === vpcId && g.id !== except)) throw new DuplicateError('security-group', name)
}

/** Every VPC's own group: made with the VPC, deleted with it; no one else may take the name. */
export const DEFAULT_GROUP_NAME = 'default'

export function createSecurityGroup(d: Draft, input: SecurityGroupSpec, id?: string): SecurityGroup {
  const spec = validate(securityGroupSpec, input, 'securityGroup')
  if (spec.name === DEFAULT_GROUP_NAME) throw new ReservedNameError(`the security group name '${DEFAULT_GROUP_NAME}' is reserved for each VPC's own group`)
  return putGroup(d, spec, id)
}

/** A VPC's default group, as EC2 makes it: members reach each other, everything may leave. */
export function createDefaultSecurityGroup(d: Draft, vpcId: string, id?: string): SecurityGroup {
  const spec = validate(securityGroupSpec, { name: DEFAULT_GROUP_NAME, description: 'default VPC security group', vpc: vpcId, ingress: [{ protocol: '-1', sourceGroups: [DEFAULT_GROUP_NAME] }] }, 'securityGroup')
  return putGroup(d, { ...spec, ingress: [] }, id, spec.ingress)
}

/**
 * The default VPC's `default` group, as every VPC has one. The default VPC itself is fixed (not
 * stored), but its group is stored with a fixed id so that its rules can change as on EC2; made
 * once, when a node starts (Control.ensureDefaults), and never deleted.
 */
export function ensureDefaultVpcSecurityGroup(d: Draft): SecurityGroup | undefined {
  if (d.get('security-group', DEFAULT_VPC_SECURITY_GROUP_ID)) return undefined
  if (d.list('security-group').some((g) => g.vpcId === DEFAULT_VPC_ID && g.name === DEFAULT_GROUP_NAME)) return undefined
  return createDefaultSecurityGroup(d, DEFAULT_VPC_ID, DEFAULT_VPC_SECURITY_GROUP_ID)
}

function putGroup(d: Draft, spec: z.output<typeof securityGroupSpec>, id?: string, selfIngress?: z.output<typeof securityGroupSpec>['ingress']): SecurityGroup {
  const vpcId = spec.vpc !== undefined ? resolveVpc(d, spec.vpc).id : DEFAULT_VPC_ID
  checkUniqueName(d, spec.name, vpcId)
  const sg = withRuleIds({
    kind: 'security-group',
    id: id ?? newIds.securityGroupId(),
    name: spec.name,
    description: spec.description,
    vpcId,
    ingress: [],
    egress: [],
    tags: spec.tags,
  })
  d.put(sg)
  // Rules may name the group itself, so they resolve after it exists.
  const ingress = selfIngress ? selfIngress.map((r) => ({ ...r, sourceGroups: [sg.id] })) : spec.ingress
  return d.put(withRuleIds({ ...sg, ingress: toIngress(d, ingress), egress: toIngress(d, spec.egress) }))
}

export function updateSecurityGroup(d: Draft, ref: string, input: SecurityGroupSpec): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const spec = validate(securityGroupSpec, input, 'securityGroup')
  // Config apply writes a group twice in one draft (rules last): ids come from the stored group.
  return d.put(withRuleIds({ ...current, description: spec.description, ingress: toIngress(d, spec.ingress), egress: toIngress(d, spec.egress), tags: spec.tags }, d.base.get('security-group', current.id)))
}

const sameRule = (a: IngressRule, b: IngressRule) =>
  a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort

export interface AuthorizedRules {
  readonly group: SecurityGroup
  /** The ids of the entries added, in the order given. */
  readonly ruleIds: readonly string[]
}

/** Adds rules; CIDRs and groups merge into an existing rule with the same protocol and ports. */
export function authorizeRules(d: Draft, ref: string, direction: RuleDirection, rules: readonly unknown[], ruleTags: Tags = {}): AuthorizedRules {
  const current = d.resolve('security-group', ref)
  const added = toIngress(d, rules.map((r, i) => validate(ingressRuleSpec, r, `${direction}[${i}]`)))
  const list = [...current[direction]]
  for (const rule of added) {
    const i = list.findIndex((r) => sameRule(r, rule))
    const existing = list[i]
    if (existing) {
      const dup = [...rule.cidrs, ...rule.sourceGroups].find((c) => existing.cidrs.includes(c) || existing.sourceGroups.includes(c))
      if (dup) throw new DuplicateError('security-group-rule', `${rule.protocol} ${rule.fromPort}-${rule.toPort} ${dup}`, ' in this group')
      list[i] = { ...existing, cidrs: [...existing.cidrs, ...rule.cidrs], sourceGroups: [...new Set([...existing.sourceGroups, ...rule.sourceGroups])] }
    } else list.push(rule)
  }
  const next = withRuleIds({ ...current, [direction]: list })
  const ids = added.flatMap((rule) => [...rule.cidrs, ...rule.sourceGroups].map((source) => next.ruleIds[ruleKey(direction, rule, source)] ?? ''))
  const tagged = Object.keys(ruleTags).length > 0 ? { ...next, ruleTags: { ...next.ruleTags, ...Object.fromEntries(ids.map((id) => [id, ruleTags])) } } : next
  return { group: d.put(tagged), ruleIds: ids }
}

export function authorizeIngress(d: Draft, ref: string, rules: readonly unknown[]): SecurityGroup {
  return authorizeRules(d, ref, 'ingress', rules).group
}

export function revokeRules(d: Draft, ref: string, direction: RuleDirection, rules: readonly unknown[]): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const removed = toIngress(d, rules.map((r, i) => validate(ingressRuleSpec, r, `${direction}[${i}]`)))
  let list = [...current[direction]]
  for (const rule of removed) {
    list = list
      .map((r) =>
        sameRule(r, rule)
          ? { ...r, cidrs: r.cidrs.filter((c) => !rule.cidrs.includes(c)), sourceGroups: r.sourceGroups.filter((g) => !rule.sourceGroups.includes(g)) }
          : r,
      )
      .filter((r) => r.cidrs.length > 0 || r.sourceGroups.length > 0)
  }
  return d.put(withRuleIds({ ...current, [direction]: list }))
}

export function revokeIngress(d: Draft, ref: string, rules: readonly unknown[]): SecurityGroup {
  return revokeRules(d, ref, 'ingress', rules)
}

/** RevokeSecurityGroupIngress/Egress with SecurityGroupRuleIds: each id must be a rule of the group in that direction. */
export function revokeRuleIds(d: Draft, ref: string, direction: RuleDirection, ids: readonly string[]): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const entries = ruleEntries(current)
  const gone = ids.map((id) => {
    const e = entries.find((x) => current.ruleIds[x.key] === id && x.direction === direction)
    if (!e) throw new NotFoundError('security-group-rule', id)
    return e
  })
  const list = current[direction]
    .map((r) => {
      const drop = gone.filter((g) => sameRule(g.rule, r)).map((g) => g.source)
      return drop.length === 0 ? r : { ...r, cidrs: r.cidrs.filter((c) => !drop.includes(c)), sourceGroups: r.sourceGroups.filter((g) => !drop.includes(g)) }
    })
    .filter((r) => r.cidrs.length > 0 || r.sourceGroups.length > 0)
  return d.put(withRuleIds({ ...current, [direction]: list }))
}

/** The tags of one rule (CreateTags/DeleteTags on sgr- ids). */
export function setRuleTags(d: Draft, ruleId: string, tags: Tags): SecurityGroup {
  const g = d.list('security-group').find((x) => Object.values(x.ruleIds).includes(ruleId))
  if (!g) throw new NotFoundError('security-group-rule', ruleId)
  return d.put({ ...g, ruleTags: { ...g.ruleTags, [ruleId]: tags } })
}

export function deleteSecurityGroup(d: Draft, ref: string): void {
  const sg = d.resolve('security-group', ref)
  const lb = d.list('load-balancer').find((l) => l.securityGroups.includes(sg.id))
  if (lb) throw new InUseError('security-group', sg.name, `load balancer '${lb.name}'`)
  const classic = d.list('classic-load-balancer').find((l) => l.securityGroups.includes(sg.id))
  if (classic) throw new InUseError('security-group', sg.name, `Classic load balancer '${classic.name}'`)
  const inst = d.list('instance').find((i) => i.securityGroups.includes(sg.id))
  if (inst) throw new InUseError('security-group', sg.name, `instance '${inst.name}'`)
  if (sg.name === DEFAULT_GROUP_NAME) throw new OperationNotPermittedError(`the default security group of ${sg.vpcId} is deleted with its VPC`)
  const other = d.list('security-group').find((g) => g.id !== sg.id && [...g.ingress, ...g.egress].some((r) => r.sourceGroups.includes(sg.id)))
  if (other) throw new InUseError('security-group', sg.name, `a rule of security group '${other.name}'`)
  d.remove('security-group', sg.id)
}

/** One ModifySecurityGroupRules entry: the rule (by id) and what it becomes, with one source. */
export interface RuleUpdate {
  readonly ruleId: string
  readonly rule: unknown
}

/**
 * ModifySecurityGroupRules: each rule entry becomes the one given (protocol, ports, one source,
 * description) and keeps its id and tags, as on EC2. The direction stays; a result that another
 * entry of the group already has is InvalidPermission.Duplicate. Ingress changes act at once
 * (the data plane checks them at accept).
 */
export function modifyRules(d: Draft, ref: string, updates: readonly RuleUpdate[]): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const lists: Record<RuleDirection, IngressRule[]> = { ingress: [...current.ingress], egress: [...current.egress] }
  const ids: Record<string, string> = { ...current.ruleIds }
  updates.forEach(({ ruleId, rule }, i) => {
    const key = Object.keys(ids).find((k) => ids[k] === ruleId)
    const entry = key === undefined ? undefined : ruleEntries(lists).find((e) => e.key === key)
    if (!entry || key === undefined) throw new NotFoundError('security-group-rule', ruleId)
    const [next] = toIngress(d, [validate(ingressRuleSpec, rule, `securityGroupRule[${i}]`)])
    if (!next) return
    const sources = [...next.cidrs, ...next.sourceGroups]
    if (sources.length !== 1) throw new InvalidValueError('a security group rule has exactly one source: a CIDR or a security group')
    const source = sources[0] ?? ''
    // Take the entry's source out of its rule, then put the new entry in.
    const list = lists[entry.direction]
      .map((r) => (r === entry.rule ? { ...r, cidrs: r.cidrs.filter((c) => c !== entry.source), sourceGroups: r.sourceGroups.filter((g) => g !== entry.source) } : r))
      .filter((r) => r.cidrs.length > 0 || r.sourceGroups.length > 0)
    delete ids[key]
    const newKey = ruleKey(entry.direction, next, source)
    if (ruleEntries({ ingress: entry.direction === 'ingress' ? list : [], egress: entry.direction === 'egress' ? list : [] }).some((e) => e.key === newKey)) {
      throw new DuplicateError('security-group-rule', `${next.protocol} ${next.fromPort}-${next.toPort} ${source}`, ' in this group')
    }
    const j = list.findIndex((r) => sameRule(r, next) && r.description === next.description)
    const same = list[j]
    if (same) list[j] = { ...same, cidrs: [...same.cidrs, ...next.cidrs], sourceGroups: [...same.sourceGroups, ...next.sourceGroups] }
    else list.push(next)
    lists[entry.direction] = list
    ids[newKey] = ruleId
  })
  return d.put(withRuleIds({ ...current, ingress: lists.ingress, egress: lists.egress, ruleIds: ids }))
}
