import { z } from 'zod'
import { autoScalingGroupSpec, launchTemplateSpec } from '../model/autoscaling.js'
import { certificateSpec } from '../model/certificate.js'
import { classicLoadBalancerSpec } from '../model/classic-load-balancer.js'
import { alarmSpec } from '../model/metric-alarm.js'
import { hostedZoneSpec } from '../model/hosted-zone.js'
import { instanceSpec } from '../model/instance.js'
import { functionSpec } from '../model/function.js'
import { listenerSpec } from '../model/listener.js'
import { loadBalancerSpecBase } from '../model/load-balancer.js'
import { securityGroupSpec } from '../model/security-group.js'
import { targetGroupSpec } from '../model/target-group.js'
import { trustStoreSpec } from '../model/trust-store.js'
import { subnetSpec, vpcSpec } from '../model/vpc.js'

export const loadBalancerDocSpec = loadBalancerSpecBase
  .extend({
    /** The balancer's listeners, each with its rules. */
    listeners: z.array(listenerSpec).max(50, 'at most 50 listeners per load balancer').default([]),
  })
  .superRefine((lb, ctx) => {
    if (lb.type === 'application' && new Set(lb.subnets).size < 2) {
      ctx.addIssue({ code: 'custom', path: ['subnets'], message: 'an application load balancer needs subnets in at least two availability zones' })
    }
  })

/** The whole declarative document: every kind, each a list. */
export const configDocument = z.strictObject({
  /** Editor hint (JSON Schema location); ignored by openalb. */
  $schema: z.string().optional(),
  vpcs: z.array(vpcSpec).default([]),
  subnets: z.array(subnetSpec).default([]),
  securityGroups: z.array(securityGroupSpec).default([]),
  instances: z.array(instanceSpec).default([]),
  /** Lambda functions run from a code directory; a target group of target type lambda names one. */
  functions: z.array(functionSpec).default([]),
  certificates: z.array(certificateSpec).default([]),
  /** Trust stores for mutual TLS: the CA certificates (and CRLs) a verify listener's clients must chain to. */
  trustStores: z.array(trustStoreSpec).default([]),
  targetGroups: z.array(targetGroupSpec).default([]),
  /** Application and network balancers (ELBv2), and Classic ones (`type: classic`, the elb API's). */
  loadBalancers: z.array(z.discriminatedUnion('type', [loadBalancerDocSpec, classicLoadBalancerSpec])).default([]),
  /** EC2 launch templates: what Auto Scaling groups launch (each change of its data is a new default version). */
  launchTemplates: z.array(launchTemplateSpec).default([]),
  /** Auto Scaling groups of instances launched from a template, registered in target groups, with target tracking. */
  autoScalingGroups: z.array(autoScalingGroupSpec).default([]),
  /** CloudWatch alarms on the metrics openalb publishes, running the groups' simple and step policies. */
  alarms: z.array(alarmSpec).default([]),
  hostedZones: z.array(hostedZoneSpec).default([]),
})
export type ConfigDocument = z.output<typeof configDocument>
export type BalancerDoc = ConfigDocument['loadBalancers'][number]
/** An application or network balancer of the file (not `type: classic`). */
export type Elbv2BalancerDoc = Exclude<BalancerDoc, { type: 'classic' }>

/**
 * Every key an object of the document may hold, with the places it may stand, written as paths
 * with [] for list items (`hostedZones[].records[].alias`): the vocabulary for "did you mean" and
 * for "that key belongs elsewhere".
 */
export function keyPlaces(): Map<string, string[]> {
  const places = new Map<string, string[]>()
  const visit = (s: unknown, at: string, ancestors: Set<unknown>): void => {
    if (!s || typeof s !== 'object' || ancestors.has(s)) return
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def
    if (!def) return
    const inside = new Set(ancestors).add(s)
    const shape = def.shape as Record<string, unknown> | undefined
    if (shape) {
      for (const [k, v] of Object.entries(shape)) {
        const list = places.get(k) ?? []
        if (!list.includes(at)) list.push(at)
        places.set(k, list)
        visit(v, at === '' ? k : `${at}.${k}`, inside)
      }
    }
    if (def.type === 'array') visit(def.element, `${at}[]`, inside)
    for (const k of ['innerType', 'in', 'out', 'schema', 'valueType']) visit(def[k], at, inside)
    if (Array.isArray(def.options)) for (const o of def.options as unknown[]) visit(o, at, inside)
  }
  visit(configDocument, '', new Set())
  return places
}

/** A path with list indices as [] (`targetGroups[0].healthCheck` -> `targetGroups[].healthCheck`). */
export function placeOf(path: readonly (string | number)[]): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? '[]' : out === '' ? p : `.${p}`
  return out
}
