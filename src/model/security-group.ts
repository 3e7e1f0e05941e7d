import { z } from 'zod'
import { isCidr } from './cidr-text.js'
import { tags, type Tags } from './schema-util.js'

export const IpProtocol = { TCP: 'tcp', UDP: 'udp', ICMP: 'icmp', ALL: '-1' } as const
export type IpProtocol = (typeof IpProtocol)[keyof typeof IpProtocol]


export const ingressRuleSpec = z
  .strictObject({
    /** tcp, udp, icmp or -1 (all). */
    protocol: z.enum(['tcp', 'udp', 'icmp', '-1']).default('tcp'),
    /** First port of the range, 0-65535 (ignored for -1). */
    fromPort: z.number().int().min(-1).max(65535).default(0),
    /** Last port of the range (default: fromPort). */
    toPort: z.number().int().min(-1).max(65535).optional(),
    /** Source CIDRs; IPv4 and IPv6 may be mixed (`0.0.0.0/0`, `::/0`). */
    cidrs: z.array(z.string()).default([]),
    /** Source security groups, by name or id: members of those groups are allowed. */
    sourceGroups: z.array(z.string()).default([]),
    description: z.string().max(255).optional(),
  })
  .superRefine((rule, ctx) => {
    rule.cidrs.forEach((c, i) => {
      if (!isCidr(c)) ctx.addIssue({ code: 'custom', path: ['cidrs', i], message: 'must be a CIDR: an IPv4 CIDR such as 0.0.0.0/0 or an IPv6 CIDR such as ::/0' })
    })
    if (rule.toPort !== undefined && rule.toPort < rule.fromPort) {
      ctx.addIssue({ code: 'custom', path: ['toPort'], message: 'must not be below fromPort' })
    }
  })

export const securityGroupSpec = z.strictObject({
  /** Group name, 1-255 characters, unique; must not start with sg-. */
  name: z.string().min(1).max(255).refine((n) => !n.startsWith('sg-'), 'must not start with sg-'),
  description: z.string().max(255).default('managed by openalb'),
  /** The VPC, by name or id (default: the default VPC). */
  vpc: z.string().min(1).optional(),
  /** Inbound rules; a connection is accepted when any rule allows its source and port. */
  ingress: z.array(ingressRuleSpec).default([]),
  /** Outbound rules, stored and described (openalb does not filter what leaves); default: all traffic to 0.0.0.0/0, as AWS gives a new group. */
  egress: z.array(ingressRuleSpec).default([{ protocol: '-1', fromPort: 0, cidrs: ['0.0.0.0/0'], sourceGroups: [] }]),
  tags,
})
export type SecurityGroupSpec = z.input<typeof securityGroupSpec>

export interface IngressRule {
  readonly protocol: IpProtocol
  readonly fromPort: number
  readonly toPort: number
  readonly cidrs: readonly string[]
  /** Group ids. */
  readonly sourceGroups: readonly string[]
  readonly description?: string | undefined
}

export interface SecurityGroup {
  readonly kind: 'security-group'
  readonly id: string
  readonly name: string
  readonly description: string
  readonly vpcId: string
  readonly ingress: readonly IngressRule[]
  /** Stored and described; not enforced. */
  readonly egress: readonly IngressRule[]
  /** The id (sgr-...) of each rule entry, one per direction, protocol, ports and source: see ruleKey. */
  readonly ruleIds: Readonly<Record<string, string>>
  /** Tags of rules, by rule id (TagSpecifications of security-group-rule). */
  readonly ruleTags: Readonly<Record<string, Tags>>
  readonly tags: Tags
}

export type RuleDirection = 'ingress' | 'egress'

/** One rule entry as EC2 counts them: a direction, protocol, port range and one source (CIDR or group id). */
export function ruleKey(direction: RuleDirection, r: Pick<IngressRule, 'protocol' | 'fromPort' | 'toPort'>, source: string): string {
  return `${direction}|${r.protocol}|${r.fromPort}|${r.toPort}|${source}`
}

/** Every entry of a group's rules, with its key. */
export function ruleEntries(g: Pick<SecurityGroup, 'ingress' | 'egress'>): { key: string; direction: RuleDirection; rule: IngressRule; source: string }[] {
  const out: { key: string; direction: RuleDirection; rule: IngressRule; source: string }[] = []
  for (const direction of ['ingress', 'egress'] as const) {
    for (const rule of g[direction]) {
      for (const source of [...rule.cidrs, ...rule.sourceGroups]) out.push({ key: ruleKey(direction, rule, source), direction, rule, source })
    }
  }
  return out
}
