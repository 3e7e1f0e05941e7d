import { randomUUID } from 'node:crypto'
import {
  ACTIVITIES_KEPT,
  classicNamesOf,
  groupArn,
  SCALING_PROCESSES,
  type ActivityStatus,
  type AutoScalingGroup,
  type GroupMember,
  type ScalingActivity,
  type ScalingProcess,
  type TemplateRef,
} from '../model/autoscaling.js'
import type { Tags } from '../model/schema-util.js'
import { forgetPolicyActions } from './metric-alarms.js'
import type { Draft } from './draft.js'
import { ActivityInProgressError, DuplicateError, InUseError, InvalidValueError, NotFoundError } from './errors.js'
import { findLaunchConfiguration, findTemplate, templateVersion } from './launch-templates.js'
import { listSubnets, resolveSubnet } from './network-lookup.js'
import { deregisterTargets, registerTargets } from './target-groups.js'
import { classicLoadBalancerArn } from '../model/classic-load-balancer.js'
import { deregisterClassicInstances, registerClassicInstances } from './classic-load-balancers.js'

/**
 * Auto Scaling groups as the API changes them: sizes, subnets, what they launch from, target
 * groups, members' health and processes. What the group then does (launch, replace, scale in)
 * is group-reconcile.ts's, which autoscaling/'s controller runs.
 */

/** AWS's time format in activity causes: 2026-12-07T18:00:00Z. */
export const causeTime = (iso: string): string => `${iso.slice(0, 19)}Z`

/** The zones of a group's subnets, in the order of its subnets. */
export function groupZones(d: Draft, g: AutoScalingGroup): string[] {
  const subnets = listSubnets(d, g.region)
  return [...new Set(g.subnetIds.flatMap((id) => subnets.filter((s) => s.id === id).map((s) => s.availabilityZone)))]
}

export function findGroup(d: Draft, name: string): AutoScalingGroup | undefined {
  return d.list('auto-scaling-group').find((g) => g.name === name || g.arn === name)
}

export function resolveGroup(d: Draft, name: string): AutoScalingGroup {
  const g = findGroup(d, name)
  if (!g) throw new NotFoundError('auto-scaling-group', name)
  return g
}

/** Members that count toward capacity: not leaving and not marked for replacement. */
export const active = (m: GroupMember): boolean => !m.lifecycleState.startsWith('Terminating') && m.lifecycleState !== 'Detaching' && m.healthStatus === 'Healthy'

export const suspended = (g: AutoScalingGroup, p: ScalingProcess): boolean => g.suspendedProcesses.some((s) => s.name === p)

export interface GroupInput {
  readonly name: string
  readonly region: string
  readonly minSize: number
  readonly maxSize: number
  readonly desiredCapacity?: number | undefined
  readonly defaultCooldown?: number | undefined
  readonly subnets: readonly string[]
  readonly launchTemplate?: { id?: string | undefined; name?: string | undefined; version?: string | undefined } | undefined
  readonly launchConfigurationName?: string | undefined
  readonly targetGroupArns: readonly string[]
  /** Classic Load Balancers by name (LoadBalancerNames). */
  readonly loadBalancerNames?: readonly string[] | undefined
  readonly healthCheckType?: string | undefined
  readonly healthCheckGracePeriod?: number | undefined
  readonly defaultInstanceWarmup?: number | undefined
  readonly newInstancesProtectedFromScaleIn?: boolean | undefined
  readonly tags: Tags
  readonly propagateAtLaunch: readonly string[]
}

function checkSizes(min: number, max: number, desired: number): void {
  if (min < 0) throw new InvalidValueError(`Min bound, ${min}, must be greater than or equal to 0`)
  if (max < min) throw new InvalidValueError(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`)
  if (desired < min || desired > max) throw new InvalidValueError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`)
}

function launchSource(d: Draft, input: Pick<GroupInput, 'launchTemplate' | 'launchConfigurationName'>): { launchTemplate?: TemplateRef; launchConfigurationName?: string } {
  if ((input.launchTemplate === undefined) === (input.launchConfigurationName === undefined)) {
    throw new InvalidValueError('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.')
  }
  if (input.launchTemplate) {
    const lt = input.launchTemplate
    if ((lt.id === undefined) === (lt.name === undefined)) throw new InvalidValueError('You must specify either a launch template ID or a launch template name in the request, but not both.')
    const t = findTemplate(d, lt)
    const version = lt.version ?? '$Default'
    templateVersion(t, version)
    return { launchTemplate: { id: t.id, name: t.name, version } }
  }
  const name = input.launchConfigurationName ?? ''
  if (!findLaunchConfiguration(d, name)) throw new InvalidValueError(`Launch configuration name not found - Launch configuration ${name} not found`)
  return { launchConfigurationName: name }
}

function subnetIds(d: Draft, refs: readonly string[], region: string): string[] {
  if (refs.length === 0) throw new InvalidValueError('At least one Availability Zone or VPC Subnet is required.')
  const subnets = refs.map((ref) => {
    try {
      return resolveSubnet(d, ref, region)
    } catch {
      throw new InvalidValueError(`The subnet ID '${ref}' does not exist`)
    }
  })
  const vpcs = new Set(subnets.map((s) => s.vpcId))
  if (vpcs.size > 1) throw new InvalidValueError('The subnets must all be in the same VPC.')
  return [...new Set(subnets.map((s) => s.id))]
}

function checkTargetGroups(d: Draft, arns: readonly string[]): void {
  for (const arn of arns) {
    const tg = d.get('target-group', arn)
    if (!tg) throw new InvalidValueError('Provided Target Groups may not be valid. Please ensure they exist and try again.')
    if (tg.targetType !== 'instance') throw new InvalidValueError(`Target group ${arn} has target type ${tg.targetType}: Auto Scaling registers instances, so its target type must be instance.`)
  }
}

/** Auto Scaling's quota: Classic Load Balancers per group. */
export const MAX_CLASSIC_PER_GROUP = 50

/** Classic balancers a group may name: existing ones, in the group's VPC. */
function checkClassicBalancers(d: Draft, names: readonly string[], subnetIds: readonly string[], already: readonly string[] = []): void {
  const vpc = subnetIds.length > 0 ? resolveSubnet(d, subnetIds[0] ?? '').vpcId : undefined
  for (const name of names) {
    const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
    if (!lb) throw new InvalidValueError('Provided Load Balancers may not be valid. Please ensure they exist and try again.')
    if (vpc !== undefined && lb.vpcId !== vpc) throw new InvalidValueError(`The load balancer ${name} is in ${lb.vpcId}, not in the group's VPC ${vpc}.`)
  }
  if (new Set([...already, ...names]).size > MAX_CLASSIC_PER_GROUP) throw new InvalidValueError(`An Auto Scaling group can have at most ${MAX_CLASSIC_PER_GROUP} Classic load balancers.`)
}

function healthType(t: string | undefined): 'EC2' | 'ELB' {
  if (t === undefined || t === 'EC2') return 'EC2'
  if (t === 'ELB') return 'ELB'
  throw new InvalidValueError(`Health check type ${t} is not supported by openalb (EC2 or ELB).`)
}

/** The most groups a region holds (Auto Scaling's default quota). */
export const MAX_GROUPS = 500

export function createGroup(d: Draft, input: GroupInput): AutoScalingGroup {
  if (findGroup(d, input.name)) throw new DuplicateError('auto-scaling-group', input.name)
  if (d.list('auto-scaling-group').length >= MAX_GROUPS) throw new InvalidValueError(`You have ${MAX_GROUPS} Auto Scaling groups, the limit.`)
  const desired = input.desiredCapacity ?? input.minSize
  checkSizes(input.minSize, input.maxSize, desired)
  const source = launchSource(d, input)
  const subnets = subnetIds(d, input.subnets, input.region)
  checkTargetGroups(d, input.targetGroupArns)
  checkClassicBalancers(d, input.loadBalancerNames ?? [], subnets)
  const p = d.partition
  const now = d.nowIso()
  const group = d.put({
    kind: 'auto-scaling-group',
    arn: groupArn(input.region, p.accountId, randomUUID(), input.name),
    name: input.name,
    region: input.region,
    createdAt: now,
    minSize: input.minSize,
    maxSize: input.maxSize,
    desiredCapacity: desired,
    defaultCooldown: input.defaultCooldown ?? 300,
    subnetIds: subnets,
    ...source,
    targetGroupArns: [...new Set(input.targetGroupArns)],
    loadBalancerNames: [...new Set(input.loadBalancerNames ?? [])],
    healthCheckType: healthType(input.healthCheckType),
    healthCheckGracePeriod: input.healthCheckGracePeriod ?? 0,
    defaultInstanceWarmup: input.defaultInstanceWarmup,
    newInstancesProtectedFromScaleIn: input.newInstancesProtectedFromScaleIn ?? false,
    tags: input.tags,
    propagateAtLaunch: input.propagateAtLaunch,
    suspendedProcesses: [],
    lifecycleHooks: [],
    members: [],
    pendingCause: desired > 0 ? `At ${causeTime(now)} a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}.` : undefined,
  })
  return group
}

export interface GroupPatch {
  readonly minSize?: number | undefined
  readonly maxSize?: number | undefined
  readonly desiredCapacity?: number | undefined
  readonly defaultCooldown?: number | undefined
  readonly subnets?: readonly string[] | undefined
  readonly launchTemplate?: GroupInput['launchTemplate']
  readonly launchConfigurationName?: string | undefined
  readonly healthCheckType?: string | undefined
  readonly healthCheckGracePeriod?: number | undefined
  readonly defaultInstanceWarmup?: number | undefined
  readonly newInstancesProtectedFromScaleIn?: boolean | undefined
}

export function updateGroup(d: Draft, name: string, patch: GroupPatch): AutoScalingGroup {
  const g = resolveGroup(d, name)
  if (g.status) throw new ActivityInProgressError('AutoScalingGroup is pending deletion.')
  const min = patch.minSize ?? g.minSize
  const max = patch.maxSize ?? g.maxSize
  // As Auto Scaling: a new min above the desired capacity raises it, a new max below lowers it.
  let desired = patch.desiredCapacity ?? g.desiredCapacity
  if (patch.desiredCapacity === undefined) desired = Math.min(max, Math.max(min, desired))
  checkSizes(min, max, desired)
  const source =
    patch.launchTemplate !== undefined || patch.launchConfigurationName !== undefined
      ? launchSource(d, patch)
      : { launchTemplate: g.launchTemplate, launchConfigurationName: g.launchConfigurationName }
  const subnets = patch.subnets !== undefined ? subnetIds(d, patch.subnets, g.region) : g.subnetIds
  const now = d.nowIso()
  const cause =
    desired !== g.desiredCapacity
      ? `At ${causeTime(now)} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${g.desiredCapacity} to ${desired}.`
      : g.pendingCause
  return d.put({
    ...g,
    minSize: min,
    maxSize: max,
    desiredCapacity: desired,
    defaultCooldown: patch.defaultCooldown ?? g.defaultCooldown,
    subnetIds: subnets,
    launchTemplate: source.launchTemplate,
    launchConfigurationName: source.launchConfigurationName,
    healthCheckType: patch.healthCheckType !== undefined ? healthType(patch.healthCheckType) : g.healthCheckType,
    healthCheckGracePeriod: patch.healthCheckGracePeriod ?? g.healthCheckGracePeriod,
    defaultInstanceWarmup: patch.defaultInstanceWarmup ?? g.defaultInstanceWarmup,
    newInstancesProtectedFromScaleIn: patch.newInstancesProtectedFromScaleIn ?? g.newInstancesProtectedFromScaleIn,
    pendingCause: cause,
  })
}

/** SetDesiredCapacity: within min and max; HonorCooldown refuses during the group's cooldown. */
export function setDesiredCapacity(d: Draft, name: string, desired: number, honorCooldown = false): AutoScalingGroup {
  const g = resolveGroup(d, name)
  if (g.status) throw new ActivityInProgressError('AutoScalingGroup is pending deletion.')
  if (desired > g.maxSize) throw new InvalidValueError(`New SetDesiredCapacity value ${desired} is above max value ${g.maxSize} for the AutoScalingGroup.`)
  if (desired < g.minSize) throw new InvalidValueError(`New SetDesiredCapacity value ${desired} is below min value ${g.minSize} for the AutoScalingGroup.`)
  if (honorCooldown && g.lastScalingAt !== undefined && Date.parse(g.lastScalingAt) + g.defaultCooldown * 1000 > d.ctx.now().getTime()) {
    throw new ActivityInProgressError('Scaling activity in progress: the group is in its cooldown period.')
  }
  if (desired === g.desiredCapacity) return g
  const now = d.nowIso()
  return d.put({
    ...g,
    desiredCapacity: desired,
    lastScalingAt: now,
    pendingCause: `At ${causeTime(now)} a user request explicitly set group desired capacity changing the desired capacity from ${g.desiredCapacity} to ${desired}.`,
  })
}

/**
 * DeleteAutoScalingGroup: a group with instances needs ForceDelete, which terminates them (the
 * controller does, and removes the group once they are gone); without it, instances or an
 * activity in progress refuse as Auto Scaling does.
 */
export function deleteGroup(d: Draft, name: string, force: boolean): void {
  const g = resolveGroup(d, name)
  if (!force) {
    if (g.members.length > 0) throw new InUseError('auto-scaling-group', g.name, 'instances')
    if (activitiesOf(d, g.name).some((a) => a.statusCode !== 'Successful' && a.statusCode !== 'Failed' && a.statusCode !== 'Cancelled')) {
      throw new ActivityInProgressError('You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.')
    }
    removeGroup(d, g)
    return
  }
  if (g.members.length === 0) {
    removeGroup(d, g)
    return
  }
  const now = d.nowIso()
  d.put({ ...g, status: 'Delete in progress', minSize: 0, maxSize: 0, desiredCapacity: 0, pendingCause: `At ${causeTime(now)} a user request deleted the AutoScalingGroup changing the desired capacity from ${g.desiredCapacity} to 0.` })
}

/** The group and its activities leave the store (its instances are gone). */
export function removeGroup(d: Draft, g: AutoScalingGroup): void {
  for (const a of activitiesOf(d, g.name)) d.remove('scaling-activity', a.id)
  const policies = d.list('scaling-policy').filter((p) => p.groupName === g.name)
  for (const p of policies) d.remove('scaling-policy', p.arn)
  forgetPolicyActions(d, policies.map((p) => p.arn))
  for (const a of d.list('scheduled-action')) if (a.groupName === g.name) d.remove('scheduled-action', a.arn)
  d.remove('auto-scaling-group', g.arn)
}

// Activities.

export function activitiesOf(d: Draft, groupName: string): ScalingActivity[] {
  return d
    .list('scaling-activity')
    .filter((a) => a.groupName === groupName)
    .sort((a, b) => b.startTime.localeCompare(a.startTime) || b.id.localeCompare(a.id))
}

/** An activity leaves the listing (openalb delete scaling-activity ID). */
export function deleteActivity(d: Draft, id: string): void {
  if (!d.get('scaling-activity', id)) throw new NotFoundError('scaling-activity', id)
  d.remove('scaling-activity', id)
}

export function startActivity(d: Draft, g: AutoScalingGroup, description: string, cause: string, status: ActivityStatus = 'InProgress', details: Record<string, string> = {}): ScalingActivity {
  const activity = d.put({
    kind: 'scaling-activity',
    id: randomUUID(),
    groupName: g.name,
    groupArn: g.arn,
    description,
    cause,
    startTime: d.nowIso(),
    statusCode: status,
    progress: status === 'Successful' ? 100 : 0,
    details: JSON.stringify(details),
  })
  // The newest ACTIVITIES_KEPT stay listed.
  const all = activitiesOf(d, g.name)
  for (const old of all.slice(ACTIVITIES_KEPT)) d.remove('scaling-activity', old.id)
  return activity
}

export function updateActivity(d: Draft, id: string | undefined, status: ActivityStatus, message?: string): void {
  if (id === undefined) return
  const a = d.get('scaling-activity', id)
  if (!a) return
  const done = status === 'Successful' || status === 'Failed' || status === 'Cancelled'
  d.put({ ...a, statusCode: status, statusMessage: message ?? a.statusMessage, progress: done ? 100 : status === 'InProgress' ? 30 : 50, endTime: done ? d.nowIso() : a.endTime })
}

// Members.

export function memberOf(d: Draft, instanceId: string): { group: AutoScalingGroup; member: GroupMember } | undefined {
  for (const group of d.list('auto-scaling-group')) {
    const member = group.members.find((m) => m.instanceId === instanceId)
    if (member) return { group, member }
  }
  return undefined
}

export function putMember(d: Draft, g: AutoScalingGroup, member: GroupMember): AutoScalingGroup {
  return d.put({ ...g, members: g.members.map((m) => (m.instanceId === member.instanceId ? member : m)) })
}

/** Registers a member in the group's target groups (at each group's port) and with its Classic balancers, once. */
export function registerMember(d: Draft, g: AutoScalingGroup, instanceId: string, arns: readonly string[] = g.targetGroupArns, classic: readonly string[] = classicNamesOf(g)): void {
  for (const arn of arns) {
    const tg = d.get('target-group', arn)
    if (!tg || tg.targets.some((t) => t.id === instanceId)) continue
    registerTargets(d, arn, [{ id: instanceId }])
  }
  for (const name of classic) {
    // A Classic balancer deleted since stays named by the group (as on AWS) and is passed over.
    const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
    if (!lb || lb.instances.includes(instanceId) || d.get('instance', instanceId)?.vpcId !== lb.vpcId) continue
    registerClassicInstances(d, name, [instanceId])
  }
}

/**
 * Deregisters a member; returns the longest time it may drain (seconds): the target groups'
 * deregistration delays, the Classic balancers' connection draining timeouts (when on).
 */
export function deregisterMember(d: Draft, g: AutoScalingGroup, instanceId: string, arns: readonly string[] = g.targetGroupArns, classic: readonly string[] = classicNamesOf(g)): number {
  let delay = 0
  for (const arn of arns) {
    const tg = d.get('target-group', arn)
    if (!tg || !tg.targets.some((t) => t.id === instanceId)) continue
    deregisterTargets(d, arn, [{ id: instanceId }])
    delay = Math.max(delay, tg.attributes.deregistrationDelaySeconds)
  }
  for (const name of classic) {
    const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
    if (!lb || !lb.instances.includes(instanceId)) continue
    deregisterClassicInstances(d, name, [instanceId])
    if (lb.attributes.connectionDraining.enabled) delay = Math.max(delay, lb.attributes.connectionDraining.timeout)
  }
  return delay
}

/** Starts taking a member out: deregistered (its draining counts), then terminated by the controller. */
export function beginTermination(d: Draft, g: AutoScalingGroup, member: GroupMember, cause: string): AutoScalingGroup {
  const now = d.nowIso()
  const delay = deregisterMember(d, g, member.instanceId)
  const activity = startActivity(d, g, `Terminating EC2 instance: ${member.instanceId}`, cause, delay > 0 ? 'WaitingForELBConnectionDraining' : 'InProgress')
  const drainUntil = new Date(d.ctx.now().getTime() + delay * 1000).toISOString()
  const current = d.get('auto-scaling-group', g.arn) ?? g
  return putMember(d, current, { ...member, lifecycleState: 'Terminating', stateSince: now, drainUntil, activityId: activity.id, hook: undefined, hookDeadline: undefined })
}

export function terminateInGroup(d: Draft, instanceId: string, decrement: boolean): ScalingActivity {
  const found = memberOf(d, instanceId)
  if (!found) throw new InvalidValueError(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`)
  const { group, member } = found
  if (member.lifecycleState.startsWith('Terminating')) {
    const a = member.activityId ? d.get('scaling-activity', member.activityId) : undefined
    if (a) return a
  }
  if (decrement && group.desiredCapacity <= group.minSize) {
    throw new InvalidValueError(
      `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    )
  }
  const now = causeTime(d.nowIso())
  const g = decrement ? d.put({ ...group, desiredCapacity: group.desiredCapacity - 1 }) : group
  const cause = decrement
    ? `At ${now} instance ${instanceId} was taken out of service in response to a user request, shrinking the capacity from ${group.desiredCapacity} to ${group.desiredCapacity - 1}.`
    : `At ${now} instance ${instanceId} was taken out of service in response to a user request.`
  const after = beginTermination(d, g, member, cause)
  const m = after.members.find((x) => x.instanceId === instanceId)
  return d.get('scaling-activity', m?.activityId ?? '') as ScalingActivity
}

/** AttachInstances: running instances in the group's zones join it InService; the desired capacity grows by as many. */
export function attachInstances(d: Draft, name: string, ids: readonly string[]): void {
  const g = resolveGroup(d, name)
  const zones = new Set(groupZones(d, g))
  const desired = g.desiredCapacity + ids.length
  if (desired > g.maxSize) throw new InvalidValueError(`Desired capacity:${desired} must be between the specified min size:${g.minSize} and max size:${g.maxSize}`)
  const now = d.nowIso()
  const members = [...g.members]
  for (const id of ids) {
    const inst = d.get('instance', id)
    if (!inst || inst.state !== 'running') throw new InvalidValueError(`Instance ${id} is not in correct state (it must be running).`)
    if (memberOf(d, id)) throw new InvalidValueError(`The instance ${id} is already part of an Auto Scaling group.`)
    if (!zones.has(inst.availabilityZone)) throw new InvalidValueError(`The instance ${id} is not in one of the group's Availability Zones.`)
    const activity = startActivity(d, g, `Attaching an existing EC2 instance: ${id}`, `At ${causeTime(now)} an instance was added in response to user request. Keeping the capacity at the new desired capacity of ${desired}.`, 'Successful')
    members.push({ instanceId: id, availabilityZone: inst.availabilityZone, lifecycleState: 'InService', healthStatus: 'Healthy', protectedFromScaleIn: g.newInstancesProtectedFromScaleIn, joinedAt: now, stateSince: now, activityId: activity.id })
    d.put({ ...inst, tags: { ...inst.tags, 'aws:autoscaling:groupName': g.name } })
  }
  const next = d.put({ ...g, desiredCapacity: desired, members })
  if (!suspended(next, 'AddToLoadBalancer')) for (const id of ids) registerMember(d, next, id)
}

/** DetachInstances: members leave (deregistered first), their instances keep running. */
export function detachInstances(d: Draft, name: string, ids: readonly string[], decrement: boolean): ScalingActivity[] {
  let g = resolveGroup(d, name)
  for (const id of ids) if (!g.members.some((m) => m.instanceId === id)) throw new InvalidValueError(`The instance ${id} is not part of Auto Scaling group ${g.name}.`)
  const desired = decrement ? g.desiredCapacity - ids.length : g.desiredCapacity
  if (desired < g.minSize) throw new InvalidValueError(`Desired capacity:${desired} must be between the specified min size:${g.minSize} and max size:${g.maxSize}`)
  const out: ScalingActivity[] = []
  const now = causeTime(d.nowIso())
  for (const id of ids) {
    deregisterMember(d, g, id)
    out.push(
      startActivity(
        d,
        g,
        `Detaching EC2 instance: ${id}`,
        decrement
          ? `At ${now} instance ${id} was detached in response to a user request, shrinking the capacity from ${g.desiredCapacity} to ${g.desiredCapacity - 1}.`
          : `At ${now} instance ${id} was detached in response to a user request.`,
        'Successful',
      ),
    )
    if (decrement) g = { ...g, desiredCapacity: g.desiredCapacity - 1 }
    g = { ...g, members: g.members.filter((m) => m.instanceId !== id) }
    const inst = d.get('instance', id)
    if (inst) {
      const tags = { ...inst.tags }
      delete tags['aws:autoscaling:groupName']
      d.put({ ...inst, tags })
    }
  }
  d.put(g)
  return out
}

export function attachTargetGroups(d: Draft, name: string, arns: readonly string[]): void {
  const g = resolveGroup(d, name)
  checkTargetGroups(d, arns)
  const added = arns.filter((a) => !g.targetGroupArns.includes(a))
  const next = d.put({ ...g, targetGroupArns: [...g.targetGroupArns, ...added] })
  if (suspended(next, 'AddToLoadBalancer')) return
  for (const m of next.members) if (m.lifecycleState === 'InService') registerMember(d, next, m.instanceId, added, [])
}

export function detachTargetGroups(d: Draft, name: string, arns: readonly string[]): void {
  const g = resolveGroup(d, name)
  for (const arn of arns) if (!g.targetGroupArns.includes(arn)) throw new InvalidValueError(`Trying to remove Target Groups that are not part of the group {${arn}}`)
  for (const m of g.members) deregisterMember(d, g, m.instanceId, arns, [])
  d.put({ ...g, targetGroupArns: g.targetGroupArns.filter((a) => !arns.includes(a)) })
}

/** AttachLoadBalancers: Classic balancers by name; the group's in-service instances are registered with them. */
export function attachClassicBalancers(d: Draft, name: string, names: readonly string[]): void {
  const g = resolveGroup(d, name)
  checkClassicBalancers(d, names, g.subnetIds, classicNamesOf(g))
  const added = [...new Set(names)].filter((n) => !classicNamesOf(g).includes(n))
  const next = d.put({ ...g, loadBalancerNames: [...classicNamesOf(g), ...added] })
  if (suspended(next, 'AddToLoadBalancer')) return
  for (const m of next.members) if (m.lifecycleState === 'InService') registerMember(d, next, m.instanceId, [], added)
}

/** DetachLoadBalancers: the group's instances are deregistered (draining if the balancer drains). */
export function detachClassicBalancers(d: Draft, name: string, names: readonly string[]): void {
  const g = resolveGroup(d, name)
  for (const n of names) if (!classicNamesOf(g).includes(n)) throw new InvalidValueError(`Trying to remove Load Balancers that are not part of the group {${n}}`)
  const gone = [...new Set(names)]
  for (const m of g.members) deregisterMember(d, g, m.instanceId, [], gone)
  d.put({ ...g, loadBalancerNames: classicNamesOf(g).filter((n) => !gone.includes(n)) })
}

export function setInstanceHealth(d: Draft, instanceId: string, status: string): void {
  if (status !== 'Healthy' && status !== 'Unhealthy') throw new InvalidValueError(`Health status ${status} is not valid: Healthy or Unhealthy.`)
  const found = memberOf(d, instanceId)
  if (!found) throw new InvalidValueError(`Instance Id not found - No managed instance found for instance ID: ${instanceId}`)
  const { group, member } = found
  if (member.healthStatus === status) return
  putMember(d, group, {
    ...member,
    healthStatus: status,
    unhealthyCause: status === 'Unhealthy' ? `At ${causeTime(d.nowIso())} an instance was taken out of service in response to a user health-check.` : undefined,
  })
}

/** Processes named, or every one: a name Auto Scaling does not know is ValidationError. */
function processes(names: readonly string[] | undefined): ScalingProcess[] {
  if (names === undefined || names.length === 0) return [...SCALING_PROCESSES]
  return names.map((n) => {
    if (!(SCALING_PROCESSES as readonly string[]).includes(n)) throw new InvalidValueError(`Process ${n} is not a valid scaling process: ${SCALING_PROCESSES.join(', ')}`)
    return n as ScalingProcess
  })
}

export function suspendProcesses(d: Draft, name: string, names?: readonly string[]): void {
  const g = resolveGroup(d, name)
  const add = processes(names).filter((p) => !suspended(g, p))
  d.put({ ...g, suspendedProcesses: [...g.suspendedProcesses, ...add.map((p) => ({ name: p, reason: `User suspended at ${causeTime(d.nowIso())}` }))] })
}

export function resumeProcesses(d: Draft, name: string, names?: readonly string[]): void {
  const g = resolveGroup(d, name)
  const drop = new Set(processes(names))
  d.put({ ...g, suspendedProcesses: g.suspendedProcesses.filter((s) => !drop.has(s.name)) })
}

export function setGroupTags(d: Draft, name: string, tags: Tags, propagate: readonly string[], remove: readonly string[] = []): void {
  const g = resolveGroup(d, name)
  const next: Record<string, string> = { ...g.tags, ...tags }
  for (const k of remove) delete next[k]
  const keys = new Set([...g.propagateAtLaunch.filter((k) => !Object.hasOwn(tags, k) && !remove.includes(k)), ...propagate])
  d.put({ ...g, tags: next, propagateAtLaunch: [...keys] })
}
