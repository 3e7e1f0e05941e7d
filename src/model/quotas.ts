/**
 * ELBv2's account quotas: AWS's defaults under the names DescribeAccountLimits gives them, which
 * control enforces. `openalb up --quotas FILE` (or $OPENALB_QUOTAS) sets others, as a raised or
 * lowered quota would on AWS.
 */
export const ELBV2_QUOTAS = {
  'application-load-balancers': 50,
  'listeners-per-application-load-balancer': 50,
  'listeners-per-network-load-balancer': 50,
  'network-load-balancers': 50,
  'rules-per-application-load-balancer': 100,
  'target-groups': 3000,
  'target-groups-per-action-on-application-load-balancer': 5,
  'target-groups-per-application-load-balancer': 100,
  'targets-per-application-load-balancer': 1000,
  'targets-per-target-group': 1000,
  'certificates-per-application-load-balancer': 25,
  'condition-values-per-alb-rule': 5,
  'condition-wildcards-per-alb-rule': 5,
  'trust-stores-per-account': 20,
  'ca-certificates-per-trust-store': 25,
  'revocation-entries-per-trust-store': 500_000,
} as const

export type QuotaName = keyof typeof ELBV2_QUOTAS

/** The quotas a file may set: those control enforces with Draft.quota(). The rest are reported at AWS's default and fixed. */
export const SETTABLE_QUOTAS: ReadonlySet<QuotaName> = new Set<QuotaName>([
  'application-load-balancers',
  'network-load-balancers',
  'listeners-per-application-load-balancer',
  'listeners-per-network-load-balancer',
  'rules-per-application-load-balancer',
  'target-groups',
  'targets-per-target-group',
  'certificates-per-application-load-balancer',
  'trust-stores-per-account',
])
export type Quotas = Readonly<Record<QuotaName, number>>

export const isQuotaName = (name: string): name is QuotaName => Object.hasOwn(ELBV2_QUOTAS, name)

/** AWS's defaults with the given ones over them; the problems of a map that names an unknown quota or a value that is not a whole number from 1. */
export function quotasFrom(overrides: Record<string, unknown>): { quotas: Quotas; problems: string[] } {
  const problems: string[] = []
  const quotas: Record<string, number> = { ...ELBV2_QUOTAS }
  for (const [name, value] of Object.entries(overrides)) {
    if (!isQuotaName(name)) problems.push(`unknown quota '${name}' (the names DescribeAccountLimits gives: ${Object.keys(ELBV2_QUOTAS).join(', ')})`)
    else if (!SETTABLE_QUOTAS.has(name)) problems.push(`${name}: openalb keeps this quota at AWS's default, ${ELBV2_QUOTAS[name]} (settable: ${[...SETTABLE_QUOTAS].join(', ')})`)
    else if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) problems.push(`${name}: must be a whole number from 1, got ${JSON.stringify(value)}`)
    else quotas[name] = value
  }
  return { quotas: quotas as Quotas, problems }
}
