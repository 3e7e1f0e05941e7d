import { ZONE_LETTERS } from '../model/zones.js'
import type { ConfigDocument, Elbv2BalancerDoc } from './schema.js'
import { closest } from './suggest.js'

export interface ReferenceProblem {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/**
 * The referential rules ALB enforces, checked on the file before anything is applied, so they
 * come with a line number: names that must exist, and what must be unique.
 */
export function checkReferences(doc: ConfigDocument): ReferenceProblem[] {
  const problems: ReferenceProblem[] = []
  const names = {
    // The default VPC's subnets are there without being declared (subnet-a, subnet-b, subnet-c).
    vpc: new Set(doc.vpcs.map((v) => v.name)),
    subnet: new Set([...ZONE_LETTERS.map((l) => `subnet-${l}`), ...doc.subnets.map((s) => s.name)]),
    'security group': new Set(doc.securityGroups.map((g) => g.name)),
    instance: new Set(doc.instances.map((i) => i.name)),
    function: new Set(doc.functions.map((f) => f.name)),
    certificate: new Set(doc.certificates.map((c) => c.name)),
    'target group': new Set(doc.targetGroups.map((g) => g.name)),
    'load balancer': new Set(doc.loadBalancers.map((l) => l.name)),
  }
  const mustExist = (kind: keyof typeof names, ref: string, path: (string | number)[]) => {
    // ARNs and ids refer to resources made by other doors (API, CLI); control checks those.
    if (ref.startsWith('arn:') || /^(sg|i|vpc|subnet)-[0-9a-f]{8,17}$/.test(ref)) return
    if (names[kind].has(ref)) return
    const hint = closest(ref, names[kind])
    problems.push({ path, message: `unknown ${kind} '${ref}'${hint ? `; did you mean '${hint}'?` : ''}` })
  }
  const unique = <T>(items: readonly T[], key: (t: T) => string, what: string, pathOf: (i: number) => (string | number)[]) => {
    const seen = new Map<string, number>()
    items.forEach((item, i) => {
      const k = key(item)
      if (seen.has(k)) problems.push({ path: pathOf(i), message: `duplicate ${what} '${k}' (also at index ${seen.get(k)})` })
      else seen.set(k, i)
    })
  }

  unique(doc.vpcs, (v) => v.name, 'vpc name', (i) => ['vpcs', i, 'name'])
  unique(doc.subnets, (v) => v.name, 'subnet name', (i) => ['subnets', i, 'name'])
  doc.subnets.forEach((sn, i) => mustExist('vpc', sn.vpc, ['subnets', i, 'vpc']))
  doc.securityGroups.forEach((g, i) => {
    if (g.vpc !== undefined) mustExist('vpc', g.vpc, ['securityGroups', i, 'vpc'])
  })
  unique(doc.securityGroups, (g) => g.name, 'security group name', (i) => ['securityGroups', i, 'name'])
  unique(doc.instances, (g) => g.name, 'instance name', (i) => ['instances', i, 'name'])
  unique(doc.functions, (g) => g.name, 'function name', (i) => ['functions', i, 'name'])
  unique(doc.certificates, (g) => g.name, 'certificate name', (i) => ['certificates', i, 'name'])
  unique(doc.targetGroups, (g) => g.name, 'target group name', (i) => ['targetGroups', i, 'name'])
  unique(doc.loadBalancers, (g) => g.name, 'load balancer name', (i) => ['loadBalancers', i, 'name'])
  unique(doc.hostedZones, (g) => g.name.toLowerCase().replace(/\.$/, ''), 'hosted zone', (i) => ['hostedZones', i, 'name'])

  doc.securityGroups.forEach((g, i) =>
    g.ingress.forEach((r, j) => r.sourceGroups.forEach((s, k) => mustExist('security group', s, ['securityGroups', i, 'ingress', j, 'sourceGroups', k]))),
  )
  doc.instances.forEach((inst, i) => inst.securityGroups.forEach((s, k) => mustExist('security group', s, ['instances', i, 'securityGroups', k])))
  doc.targetGroups.forEach((tg, i) => {
    if (tg.targetType === 'instance') tg.targets.forEach((t, j) => mustExist('instance', t.id, ['targetGroups', i, 'targets', j, 'id']))
    if (tg.targetType === 'lambda') tg.targets.forEach((t, j) => mustExist('function', t.id, ['targetGroups', i, 'targets', j, 'id']))
  })

  const actionRefs = (actions: Elbv2BalancerDoc['listeners'][number]['defaultActions'], path: (string | number)[]) =>
    actions.forEach((a, k) => {
      if (a.type !== 'forward') return
      if (a.targetGroup !== undefined) mustExist('target group', a.targetGroup, [...path, k, 'targetGroup'])
      a.targetGroups?.forEach((g, m) => mustExist('target group', g.targetGroup, [...path, k, 'targetGroups', m, 'targetGroup']))
    })

  doc.loadBalancers.forEach((lb, i) => {
    lb.securityGroups.forEach((s, k) => mustExist('security group', s, ['loadBalancers', i, 'securityGroups', k]))
    lb.subnets?.forEach((s, k) => mustExist('subnet', s, ['loadBalancers', i, 'subnets', k]))
    if (lb.type === 'classic') {
      unique(lb.listeners, (l) => String(l.loadBalancerPort), 'listener port', (j) => ['loadBalancers', i, 'listeners', j, 'loadBalancerPort'])
      lb.instances.forEach((ref, k) => mustExist('instance', ref, ['loadBalancers', i, 'instances', k]))
      unique(lb.policies, (p) => p.name, 'policy name', (k) => ['loadBalancers', i, 'policies', k, 'name'])
      const policies = new Set(lb.policies.map((p) => p.name))
      lb.listeners.forEach((l, j) => {
        const base = ['loadBalancers', i, 'listeners', j]
        const secure = l.protocol === 'HTTPS' || l.protocol === 'SSL'
        if (secure && l.certificate === undefined) problems.push({ path: [...base, 'certificate'], message: `a certificate must be specified for ${l.protocol} listeners` })
        if (!secure && l.certificate !== undefined) problems.push({ path: [...base, 'certificate'], message: `only HTTPS and SSL listeners have a certificate, not ${l.protocol}` })
        if (l.certificate !== undefined) mustExist('certificate', l.certificate, [...base, 'certificate'])
        l.policies.forEach((p, k) => {
          if (policies.has(p)) return
          const hint = closest(p, policies)
          problems.push({ path: [...base, 'policies', k], message: `unknown policy '${p}'${hint ? `; did you mean '${hint}'?` : policies.size === 0 ? ' (the balancer has no policies)' : ''}` })
        })
      })
      return
    }
    unique(lb.listeners, (l) => String(l.port), 'listener port', (j) => ['loadBalancers', i, 'listeners', j, 'port'])
    lb.listeners.forEach((l, j) => {
      const base = ['loadBalancers', i, 'listeners', j]
      if ((l.protocol === 'HTTPS' || l.protocol === 'TLS') && l.certificates.length === 0) {
        problems.push({ path: [...base, 'certificates'], message: `a certificate must be specified for ${l.protocol} listeners` })
      }
      l.certificates.forEach((c, k) => mustExist('certificate', c, [...base, 'certificates', k]))
      actionRefs(l.defaultActions, [...base, 'defaultActions'])
      unique(l.rules, (r) => String(r.priority), 'rule priority', (k) => [...base, 'rules', k, 'priority'])
      l.rules.forEach((r, k) => actionRefs(r.actions, [...base, 'rules', k, 'actions']))
    })
  })

  const classic = new Set(doc.loadBalancers.filter((lb) => lb.type === 'classic').map((lb) => lb.name))
  doc.autoScalingGroups.forEach((g, i) =>
    g.loadBalancerNames.forEach((n, k) => {
      if (classic.has(n)) return
      const hint = closest(n, classic)
      problems.push({ path: ['autoScalingGroups', i, 'loadBalancerNames', k], message: `unknown Classic load balancer '${n}' (a loadBalancers item of type: classic)${hint ? `; did you mean '${hint}'?` : ''}` })
    }),
  )

  doc.hostedZones.forEach((z, i) =>
    z.records.forEach((r, j) => {
      if (r.alias?.loadBalancer !== undefined) mustExist('load balancer', r.alias.loadBalancer, ['hostedZones', i, 'records', j, 'alias', 'loadBalancer'])
    }),
  )
  return problems
}
