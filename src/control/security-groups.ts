import { DEFAULT_VPC_ID, newIds } from '../model/ids.js'
import type { Instance } from '../model/instance.js'
import { instanceSpec, type InstanceSpec } from '../model/instance.js'
import { securityGroupSpec, type IngressRule, type SecurityGroup, type SecurityGroupSpec } from '../model/security-group.js'
import { ingressRuleSpec } from '../model/security-group.js'
import type { z } from 'zod'
import { DuplicateError, InUseError } from './errors.js'
import { validate, type Draft } from './draft.js'
import { resolveVpc } from './networks.js'

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

export function createSecurityGroup(d: Draft, input: SecurityGroupSpec, id?: string): SecurityGroup {
  const spec = validate(securityGroupSpec, input, 'securityGroup')
  if (d.list('security-group').some((g) => g.name === spec.name)) throw new DuplicateError('security-group', spec.name)
  const sg: SecurityGroup = {
    kind: 'security-group',
    id: id ?? newIds.securityGroupId(),
    name: spec.name,
    description: spec.description,
    vpcId: spec.vpc !== undefined ? resolveVpc(d, spec.vpc).id : DEFAULT_VPC_ID,
    ingress: [],
    tags: spec.tags,
  }
  d.put(sg)
  // Rules may name the group itself, so they resolve after it exists.
  return d.put({ ...sg, ingress: toIngress(d, spec.ingress) })
}

export function updateSecurityGroup(d: Draft, ref: string, input: SecurityGroupSpec): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const spec = validate(securityGroupSpec, input, 'securityGroup')
  return d.put({ ...current, description: spec.description, ingress: toIngress(d, spec.ingress), tags: spec.tags })
}

const sameRule = (a: IngressRule, b: IngressRule) =>
  a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort

/** Adds rules; CIDRs and groups merge into an existing rule with the same protocol and ports. */
export function authorizeIngress(d: Draft, ref: string, rules: readonly unknown[]): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const added = toIngress(d, rules.map((r, i) => validate(ingressRuleSpec, r, `ingress[${i}]`)))
  const ingress = [...current.ingress]
  for (const rule of added) {
    const i = ingress.findIndex((r) => sameRule(r, rule))
    const existing = ingress[i]
    if (existing) {
      const dup = rule.cidrs.find((c) => existing.cidrs.includes(c))
      if (dup) throw new DuplicateError('security-group-rule', `${rule.protocol} ${rule.fromPort}-${rule.toPort} ${dup}`, ' in this group')
      ingress[i] = { ...existing, cidrs: [...existing.cidrs, ...rule.cidrs], sourceGroups: [...new Set([...existing.sourceGroups, ...rule.sourceGroups])] }
    } else ingress.push(rule)
  }
  return d.put({ ...current, ingress })
}

export function revokeIngress(d: Draft, ref: string, rules: readonly unknown[]): SecurityGroup {
  const current = d.resolve('security-group', ref)
  const removed = toIngress(d, rules.map((r, i) => validate(ingressRuleSpec, r, `ingress[${i}]`)))
  let ingress = [...current.ingress]
  for (const rule of removed) {
    ingress = ingress
      .map((r) =>
        sameRule(r, rule)
          ? { ...r, cidrs: r.cidrs.filter((c) => !rule.cidrs.includes(c)), sourceGroups: r.sourceGroups.filter((g) => !rule.sourceGroups.includes(g)) }
          : r,
      )
      .filter((r) => r.cidrs.length > 0 || r.sourceGroups.length > 0)
  }
  return d.put({ ...current, ingress })
}

export function deleteSecurityGroup(d: Draft, ref: string): void {
  const sg = d.resolve('security-group', ref)
  const lb = d.list('load-balancer').find((l) => l.securityGroups.includes(sg.id))
  if (lb) throw new InUseError('security-group', sg.name, `load balancer '${lb.name}'`)
  const inst = d.list('instance').find((i) => i.securityGroups.includes(sg.id))
  if (inst) throw new InUseError('security-group', sg.name, `instance '${inst.name}'`)
  const other = d.list('security-group').find((g) => g.id !== sg.id && g.ingress.some((r) => r.sourceGroups.includes(sg.id)))
  if (other) throw new InUseError('security-group', sg.name, `a rule of security group '${other.name}'`)
  d.remove('security-group', sg.id)
}

export function createInstance(d: Draft, input: InstanceSpec): Instance {
  const spec = validate(instanceSpec, input, 'instance')
  if (d.list('instance').some((i) => i.name === spec.name)) throw new DuplicateError('instance', spec.name)
  return d.put({
    kind: 'instance',
    id: newIds.instanceId(),
    name: spec.name,
    address: spec.address,
    availabilityZone: spec.availabilityZone,
    securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    tags: spec.tags,
  })
}

export function updateInstance(d: Draft, ref: string, input: InstanceSpec): Instance {
  const current = d.resolve('instance', ref)
  const spec = validate(instanceSpec, input, 'instance')
  return d.put({
    ...current,
    address: spec.address,
    availabilityZone: spec.availabilityZone,
    securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    tags: spec.tags,
  })
}

export function deleteInstance(d: Draft, ref: string): void {
  const inst = d.resolve('instance', ref)
  const tg = d.list('target-group').find((g) => g.targetType === 'instance' && g.targets.some((t) => t.id === inst.id))
  if (tg) throw new InUseError('instance', inst.name, `target group '${tg.name}'`)
  d.remove('instance', inst.id)
}
