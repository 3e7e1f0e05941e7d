import { z } from 'zod'
import { certificateSpec } from '../model/certificate.js'
import { hostedZoneSpec } from '../model/hosted-zone.js'
import { instanceSpec } from '../model/instance.js'
import { functionSpec } from '../model/function.js'
import { listenerSpec } from '../model/listener.js'
import { loadBalancerSpecBase } from '../model/load-balancer.js'
import { securityGroupSpec } from '../model/security-group.js'
import { targetGroupSpec } from '../model/target-group.js'
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
  targetGroups: z.array(targetGroupSpec).default([]),
  loadBalancers: z.array(loadBalancerDocSpec).default([]),
  hostedZones: z.array(hostedZoneSpec).default([]),
})
export type ConfigDocument = z.output<typeof configDocument>

/** Every key any object of the document may hold: the vocabulary for "did you mean". */
export function knownKeys(): Set<string> {
  const keys = new Set<string>()
  const seen = new Set<unknown>()
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object' || seen.has(s)) return
    seen.add(s)
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def
    if (!def) return
    const shape = def.shape as Record<string, unknown> | undefined
    if (shape) for (const [k, v] of Object.entries(shape)) (keys.add(k), visit(v))
    for (const k of ['element', 'innerType', 'in', 'out', 'schema', 'valueType']) visit(def[k])
    for (const k of ['options']) if (Array.isArray(def[k])) for (const o of def[k] as unknown[]) visit(o)
  }
  visit(configDocument)
  return keys
}
