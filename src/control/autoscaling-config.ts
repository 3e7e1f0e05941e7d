import { dimension } from '../model/dimension.js'
import { classicNamesOf } from '../model/autoscaling.js'
import { classicLoadBalancerArn } from '../model/classic-load-balancer.js'
import { autoScalingGroupSpec, launchTemplateSpec, type AutoScalingGroup, type LaunchData, type LaunchTemplate, type LaunchTemplateSpec } from '../model/autoscaling.js'
import { attachClassicBalancers, attachTargetGroups, createGroup, detachClassicBalancers, detachTargetGroups, findGroup, setGroupTags, updateGroup } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { validate } from './draft.js'
import { createLaunchTemplate, createLaunchTemplateVersion, setDefaultTemplateVersion, templateVersion } from './launch-templates.js'
import { deletePolicy, putScalingPolicy } from './scaling-policies.js'

/**
 * The YAML kinds launchTemplates and autoScalingGroups, applied as the file says: a template
 * whose data changed gets a new version that becomes its default; a group takes the file's
 * sizes, subnets, target groups, tags and target tracking policies (its members are its own).
 */

function dataOf(d: Draft, spec: ReturnType<typeof launchTemplateSpec.parse>): LaunchData {
  return {
    imageId: spec.imageId,
    instanceType: spec.instanceType,
    securityGroupIds: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    userData: spec.userData,
    instanceTags: spec.instanceTags,
  }
}

export function applyLaunchTemplate(d: Draft, input: LaunchTemplateSpec): LaunchTemplate {
  const spec = validate(launchTemplateSpec, input, 'launchTemplate')
  const data = dataOf(d, spec)
  const existing = d.list('launch-template').find((t) => t.name === spec.name && t.region === d.partition.region)
  if (!existing) return createLaunchTemplate(d, { name: spec.name, region: d.partition.region, data, tags: spec.tags })
  const current = templateVersion(existing, '$Default').data
  if (JSON.stringify(current) === JSON.stringify(data)) return JSON.stringify(existing.tags) === JSON.stringify(spec.tags) ? existing : d.put({ ...existing, tags: spec.tags })
  const { template, version } = createLaunchTemplateVersion(d, { ...existing, tags: spec.tags }, { data })
  return setDefaultTemplateVersion(d, template, String(version.number))
}

export function applyGroup(d: Draft, input: unknown): AutoScalingGroup {
  const spec = validate(autoScalingGroupSpec, input, 'autoScalingGroup')
  const lt = typeof spec.launchTemplate === 'string' ? { name: spec.launchTemplate, version: '$Default' } : spec.launchTemplate
  const targetGroupArns = spec.targetGroups.map((ref) => d.resolve('target-group', ref).arn)
  const subnets = spec.subnets
  let g = findGroup(d, spec.name)
  if (!g) {
    g = createGroup(d, {
      name: spec.name,
      region: d.partition.region,
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desiredCapacity: spec.desiredCapacity,
      defaultCooldown: spec.defaultCooldown,
      subnets,
      launchTemplate: lt,
      targetGroupArns,
      loadBalancerNames: spec.loadBalancerNames,
      healthCheckType: spec.healthCheckType,
      healthCheckGracePeriod: spec.healthCheckGracePeriod,
      defaultInstanceWarmup: spec.defaultInstanceWarmup,
      tags: spec.tags,
      propagateAtLaunch: Object.keys(spec.tags),
    })
  } else {
    g = updateGroup(d, g.name, {
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desiredCapacity: spec.desiredCapacity,
      defaultCooldown: spec.defaultCooldown,
      subnets,
      launchTemplate: lt,
      healthCheckType: spec.healthCheckType,
      healthCheckGracePeriod: spec.healthCheckGracePeriod,
      defaultInstanceWarmup: spec.defaultInstanceWarmup,
    })
    const gone = g.targetGroupArns.filter((a) => !targetGroupArns.includes(a))
    if (gone.length > 0) detachTargetGroups(d, g.name, gone)
    const added = targetGroupArns.filter((a) => !g?.targetGroupArns.includes(a))
    if (added.length > 0) attachTargetGroups(d, g.name, added)
    const had = classicNamesOf(g)
    const left = had.filter((n) => !spec.loadBalancerNames.includes(n))
    if (left.length > 0) detachClassicBalancers(d, g.name, left)
    const joined = spec.loadBalancerNames.filter((n) => !had.includes(n))
    if (joined.length > 0) attachClassicBalancers(d, g.name, joined)
    const current = findGroup(d, spec.name) ?? g
    const removed = Object.keys(current.tags).filter((k) => !Object.hasOwn(spec.tags, k))
    setGroupTags(d, g.name, spec.tags, Object.keys(spec.tags), removed)
  }
  // Policies: exactly the file's.
  const names = new Set([...spec.targetTracking, ...spec.scalingPolicies].map((p) => p.name))
  for (const p of d.list('scaling-policy')) if (p.groupName === spec.name && !names.has(p.name)) deletePolicy(d, spec.name, p.arn)
  for (const p of spec.targetTracking) {
    const label =
      p.metric === 'ALBRequestCountPerTarget' ? `${dimension(d.resolve('load-balancer', p.loadBalancer ?? '').arn)}/${dimension(d.resolve('target-group', p.targetGroup ?? '').arn)}` : undefined
    putScalingPolicy(d, spec.name, {
      name: p.name,
      policyType: 'TargetTrackingScaling',
      stepAdjustments: [],
      estimatedInstanceWarmup: p.estimatedInstanceWarmup,
      targetTracking: { metric: p.metric, resourceLabel: label, targetValue: p.targetValue, disableScaleIn: p.disableScaleIn },
    })
  }
  for (const p of spec.scalingPolicies) {
    putScalingPolicy(d, spec.name, {
      name: p.name,
      policyType: p.type,
      adjustmentType: p.adjustmentType,
      scalingAdjustment: p.scalingAdjustment,
      cooldown: p.cooldown,
      minAdjustmentMagnitude: p.minAdjustmentMagnitude,
      stepAdjustments: p.steps.map((x) => ({ lower: x.lower, upper: x.upper, adjustment: x.adjustment })),
      metricAggregationType: p.type === 'StepScaling' ? p.metricAggregationType : undefined,
      estimatedInstanceWarmup: p.estimatedInstanceWarmup,
    })
  }
  return findGroup(d, spec.name) ?? g
}

/** The targets a group's members hold in a target group: config keeps them when it rewrites the group's targets. */
export function memberTargets(d: Draft, targetGroupArn: string): { id: string; port: number }[] {
  const tg = d.get('target-group', targetGroupArn)
  if (!tg) return []
  const members = new Set(d.list('auto-scaling-group').filter((g) => g.targetGroupArns.includes(targetGroupArn)).flatMap((g) => g.members.map((m) => m.instanceId)))
  return tg.targets.filter((t) => members.has(t.id)).map((t) => ({ id: t.id, port: t.port }))
}

/** The instances groups' members hold in a Classic balancer: config keeps them when it rewrites the balancer's instances. */
export function classicMemberInstances(d: Draft, name: string): string[] {
  const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
  if (!lb) return []
  const members = new Set(d.list('auto-scaling-group').filter((g) => classicNamesOf(g).includes(name)).flatMap((g) => g.members.map((m) => m.instanceId)))
  return lb.instances.filter((id) => members.has(id))
}
