import { randomUUID } from 'node:crypto'
import { classicNamesOf, GROUP_NAME_TAG, LAUNCHING, TERMINATING, type AutoScalingGroup, type GroupMember, type LaunchData, type LifecycleHook, type TemplateRef } from '../model/autoscaling.js'
import { MAX_INSTANCES } from '../model/instance.js'
import { classicLoadBalancerArn } from '../model/classic-load-balancer.js'
import { active, beginTermination, causeTime, groupZones, registerMember, removeGroup, resolveGroup, startActivity, suspended, updateActivity } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { runInstances, terminateInstances } from './instances.js'
import { findLaunchConfiguration, launchTemplateTags, resolveLaunch } from './launch-templates.js'
import { listSubnets } from './network-lookup.js'
import { runScheduledActions } from './scheduled-actions.js'

/**
 * One pass of a group's behaviour, as Auto Scaling's documentation describes it, decided on a
 * Draft (so it commits as one revision, or not at all): members move through their lifecycle
 * (Pending -> InService, lifecycle hooks, Terminating -> drained -> terminated), failed health
 * checks mark members Unhealthy, and the group launches or takes out instances until it has its
 * desired capacity, spread evenly over its subnets' zones. autoscaling/'s controller runs it.
 */

/** What the controller observes outside the store: instances' processes and the health checker's view of targets. */
export interface GroupObservations {
  /** false once the instance's process exited (EC2's failed instance status check); undefined when not known. */
  processAlive(instanceId: string): boolean | undefined
  /** The target's state in a target group as this node's health checker sees it (healthy, unhealthy, initial, ...). */
  targetState(targetGroupArn: string, instanceId: string): string | undefined
  /** Whether this openalb runs user data (`--run-user-data`): without it a #! script's launch fails, as RunInstances refuses it. */
  readonly runsUserData: boolean
}

/** After a failed launch, the group tries again this much later (Auto Scaling backs off too). */
export const LAUNCH_RETRY_MS = 10_000

const at = (d: Draft) => causeTime(d.nowIso())

function hookFor(g: AutoScalingGroup, transition: LifecycleHook['transition']): LifecycleHook | undefined {
  return g.lifecycleHooks.find((h) => h.transition === transition)
}

/** The launch data and its source for the group's next instance. */
function launchSource(d: Draft, g: AutoScalingGroup): { data: LaunchData; template?: TemplateRef; config?: string } {
  if (g.launchTemplate) {
    const r = resolveLaunch(d, g.launchTemplate)
    return { data: r.data, template: r.ref }
  }
  const c = findLaunchConfiguration(d, g.launchConfigurationName ?? '')
  if (!c) throw new Error(`The launch configuration ${g.launchConfigurationName ?? ''} does not exist.`)
  return { data: { imageId: c.imageId, instanceType: c.instanceType, securityGroupIds: c.securityGroups, userData: c.userData, instanceTags: {} }, config: c.name }
}

/** The subnet in the zone with the fewest active members (ties: the order of VPCZoneIdentifier). */
function nextSubnet(d: Draft, g: AutoScalingGroup, members: readonly GroupMember[]): { id: string; zone: string } | undefined {
  let best: { id: string; zone: string; n: number } | undefined
  const subnets = listSubnets(d, g.region)
  for (const id of g.subnetIds) {
    const s = subnets.find((x) => x.id === id)
    if (!s) continue
    const n = members.filter((m) => active(m) && m.availabilityZone === s.availabilityZone).length
    if (!best || n < best.n) best = { id, zone: s.availabilityZone, n }
  }
  return best
}

/** Whether a member was launched from what the group launches now (the default termination policy takes the others first). */
function current(g: AutoScalingGroup, m: GroupMember, now: TemplateRef | undefined): boolean {
  if (g.launchTemplate) return m.launchTemplate?.id === g.launchTemplate.id && m.launchTemplate.version === now?.version
  return m.launchConfigurationName === g.launchConfigurationName
}

/**
 * The default termination policy: the zone with the most instances first, then instances from an
 * older launch template version or launch configuration, then the oldest instance (standing in
 * for "closest to the next billing hour"). Instances protected from scale in are never chosen.
 */
export function chooseVictims(d: Draft, g: AutoScalingGroup, count: number): GroupMember[] {
  let nowRef: TemplateRef | undefined
  try {
    nowRef = g.launchTemplate ? resolveLaunch(d, g.launchTemplate).ref : undefined
  } catch {
    nowRef = undefined
  }
  const zones = new Set(groupZones(d, g))
  const chosen: GroupMember[] = []
  for (let i = 0; i < count; i++) {
    const left = g.members.filter((m) => active(m) && !chosen.includes(m))
    const candidates = left.filter((m) => !m.protectedFromScaleIn)
    if (candidates.length === 0) break
    // An instance in a zone the group no longer has goes first.
    const outside = candidates.filter((m) => !zones.has(m.availabilityZone))
    if (outside.length > 0) {
      chosen.push(outside.sort((a, b) => a.joinedAt.localeCompare(b.joinedAt))[0] as GroupMember)
      continue
    }
    const perZone = new Map<string, number>()
    for (const m of left) perZone.set(m.availabilityZone, (perZone.get(m.availabilityZone) ?? 0) + 1)
    const most = Math.max(...candidates.map((m) => perZone.get(m.availabilityZone) ?? 0))
    let pool = candidates.filter((m) => (perZone.get(m.availabilityZone) ?? 0) === most)
    const older = pool.filter((m) => !current(g, m, nowRef))
    if (older.length > 0) pool = older
    pool.sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.instanceId.localeCompare(b.instanceId))
    const victim = pool[0]
    if (victim) chosen.push(victim)
  }
  return chosen
}

function launch(d: Draft, g: AutoScalingGroup, members: GroupMember[], cause: string, obs: GroupObservations): GroupMember | undefined {
  const subnet = nextSubnet(d, g, members)
  if (!subnet) return undefined
  const src = launchSource(d, g)
  if (src.data.userData?.startsWith('#!') && !obs.runsUserData) throw new Error('This openalb does not run user data: start it with `openalb up --run-user-data` (it executes the code sent to the API).')
  const tags: Record<string, string> = { ...src.data.instanceTags, ...(src.template ? launchTemplateTags(src.template) : {}) }
  for (const k of g.propagateAtLaunch) {
    const v = g.tags[k]
    if (v !== undefined) tags[k] = v
  }
  tags[GROUP_NAME_TAG] = g.name
  const live = d.list('instance').filter((i) => i.state !== 'terminated').length
  if (live >= MAX_INSTANCES) throw new Error(`You have requested more instances (${live + 1}) than your current instance limit of ${MAX_INSTANCES} allows for the specified instance type.`)
  const [inst] = runInstances(d, { subnet: subnet.id, imageId: src.data.imageId ?? 'ami-openalb', instanceType: src.data.instanceType ?? 't3.micro', securityGroups: src.data.securityGroupIds, userData: src.data.userData, tags, region: g.region }, 1)
  if (!inst) return undefined
  const activity = startActivity(d, g, `Launching a new EC2 instance: ${inst.id}`, cause, 'PreInService', { 'Subnet ID': subnet.id, 'Availability Zone': subnet.zone })
  const now = d.nowIso()
  return {
    instanceId: inst.id,
    availabilityZone: subnet.zone,
    lifecycleState: 'Pending',
    healthStatus: 'Healthy',
    launchTemplate: src.template,
    launchConfigurationName: src.config,
    protectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    joinedAt: now,
    stateSince: now,
    activityId: activity.id,
  }
}

/** A member whose lifecycle step is done: returns the member as it is now, or undefined when it left the group. */
function step(d: Draft, g: AutoScalingGroup, m: GroupMember, obs: GroupObservations, nowMs: number): GroupMember | undefined {
  const inst = d.get('instance', m.instanceId)
  const now = d.nowIso()
  switch (m.lifecycleState) {
    case 'Pending': {
      if (!inst || inst.state === 'terminated' || inst.state === 'shutting-down') {
        updateActivity(d, m.activityId, 'Failed', 'The instance was terminated before it came into service.')
        return undefined
      }
      if (inst.state !== 'running') return m
      const hook = hookFor(g, LAUNCHING)
      if (hook) {
        updateActivity(d, m.activityId, 'MidLifecycleAction')
        return { ...m, lifecycleState: 'Pending:Wait', stateSince: now, hook: { name: hook.name, token: randomUUID() }, hookDeadline: new Date(nowMs + hook.heartbeatTimeout * 1000).toISOString() }
      }
      return inService(d, g, m)
    }
    case 'Pending:Wait':
    case 'Pending:Proceed': {
      const hook = g.lifecycleHooks.find((h) => h.name === m.hook?.name)
      const result = m.hook?.result ?? (m.hookDeadline !== undefined && nowMs >= Date.parse(m.hookDeadline) ? (hook?.defaultResult ?? 'CONTINUE') : undefined)
      if (!hook && m.hook?.result === undefined) return afterHook(g, m, LAUNCHING, nowMs) ?? inService(d, g, m) // the hook was deleted
      if (result === undefined) return m
      if (result === 'CONTINUE') return afterHook(g, m, LAUNCHING, nowMs) ?? inService(d, g, m)
      updateActivity(d, m.activityId, 'Cancelled', `Instance failed to complete user's Lifecycle Action: Lifecycle Action with token ${m.hook?.token ?? ''} was abandoned: Lifecycle Action Completed with ABANDON Result`)
      if (inst && inst.state !== 'terminated') terminateInstances(d, [inst.id], { ignoreProtection: true })
      return undefined
    }
    case 'InService': {
      if (m.healthStatus === 'Unhealthy' || suspended(g, 'HealthCheck')) return m
      const cause = unhealthy(d, g, m, obs, nowMs)
      return cause ? { ...m, healthStatus: 'Unhealthy', unhealthyCause: `At ${at(d)} ${cause}` } : m
    }
    case 'Terminating': {
      if (m.drainUntil !== undefined && nowMs < Date.parse(m.drainUntil)) return m
      const hook = hookFor(g, TERMINATING)
      if (hook && !m.hook && inst && inst.state === 'running') {
        updateActivity(d, m.activityId, 'MidLifecycleAction')
        return { ...m, lifecycleState: 'Terminating:Wait', stateSince: now, hook: { name: hook.name, token: randomUUID() }, hookDeadline: new Date(nowMs + hook.heartbeatTimeout * 1000).toISOString() }
      }
      return finish(d, m)
    }
    case 'Terminating:Wait':
    case 'Terminating:Proceed': {
      const done = m.hook?.result !== undefined || (m.hookDeadline !== undefined && nowMs >= Date.parse(m.hookDeadline)) || !g.lifecycleHooks.some((h) => h.name === m.hook?.name)
      return done ? (afterHook(g, m, TERMINATING, nowMs) ?? finish(d, m)) : m
    }
    case 'Detaching':
      return undefined
  }
}

/** With several hooks on one transition the member waits on each in turn: the next one after the hook just done, if any. */
function afterHook(g: AutoScalingGroup, m: GroupMember, transition: LifecycleHook['transition'], nowMs: number): GroupMember | undefined {
  const hooks = g.lifecycleHooks.filter((h) => h.transition === transition)
  const at = hooks.findIndex((h) => h.name === m.hook?.name)
  const next = at >= 0 ? hooks[at + 1] : undefined
  if (!next) return undefined
  return { ...m, lifecycleState: transition === LAUNCHING ? 'Pending:Wait' : 'Terminating:Wait', stateSince: new Date(nowMs).toISOString(), hook: { name: next.name, token: randomUUID() }, hookDeadline: new Date(nowMs + next.heartbeatTimeout * 1000).toISOString() }
}

function inService(d: Draft, g: AutoScalingGroup, m: GroupMember): GroupMember {
  if (!suspended(g, 'AddToLoadBalancer')) registerMember(d, g, m.instanceId)
  updateActivity(d, m.activityId, 'Successful')
  return { ...m, lifecycleState: 'InService', stateSince: d.nowIso(), hook: undefined, hookDeadline: undefined }
}

function finish(d: Draft, m: GroupMember): undefined {
  const inst = d.get('instance', m.instanceId)
  if (inst && inst.launched && inst.state !== 'terminated' && inst.state !== 'shutting-down') terminateInstances(d, [inst.id], { ignoreProtection: true })
  updateActivity(d, m.activityId, 'Successful')
  return undefined
}

/** Why an InService member failed its group's health check, in Auto Scaling's words; undefined while healthy. */
function unhealthy(d: Draft, g: AutoScalingGroup, m: GroupMember, obs: GroupObservations, nowMs: number): string | undefined {
  if (obs.processAlive(m.instanceId) === false) return 'an instance was taken out of service in response to an EC2 instance status checks failure.'
  if (g.healthCheckType === 'ELB' && nowMs >= Date.parse(m.joinedAt) + g.healthCheckGracePeriod * 1000) {
    // A Classic balancer's one check is a health group under its ARN: OutOfService after UnhealthyThreshold failures is 'unhealthy' there.
    const checkedBy = [...g.targetGroupArns, ...classicNamesOf(g).map((n) => classicLoadBalancerArn(d.partition, n))]
    if (checkedBy.some((arn) => obs.targetState(arn, m.instanceId) === 'unhealthy')) return 'an instance was taken out of service in response to an ELB system health check failure.'
  }
  return undefined
}

/**
 * Whether the group's zones are out of balance (AZRebalance): every member in service, and the
 * zone with the most of them holds more than one over the zone with the fewest, or a member is in
 * a zone the group no longer has.
 */
function rebalanceNeeded(d: Draft, g: AutoScalingGroup): boolean {
  if (g.rebalancing || suspended(g, 'AZRebalance') || g.members.length === 0 || !g.members.every((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy')) return false
  const zones = groupZones(d, g)
  const per = zones.map((z) => g.members.filter((m) => m.availabilityZone === z).length)
  const outside = g.members.some((m) => !zones.includes(m.availabilityZone))
  return outside || Math.max(...per) - Math.min(...per) > 1
}

/** One pass over a group (the controller runs one per group every interval). */
export function reconcileGroup(d: Draft, name: string, obs: GroupObservations): void {
  runScheduledActions(d, name)
  let g = resolveGroup(d, name)
  const nowMs = d.ctx.now().getTime()
  const members: GroupMember[] = []
  for (const m of g.members) {
    // An instance stopped or terminated outside the group fails EC2's health check.
    const inst = d.get('instance', m.instanceId)
    let member = m
    if (m.lifecycleState === 'InService' && m.healthStatus === 'Healthy' && !suspended(g, 'HealthCheck') && (!inst || (inst.state !== 'running' && inst.state !== 'pending'))) {
      member = { ...m, healthStatus: 'Unhealthy', unhealthyCause: `At ${at(d)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.` }
    }
    const next = step(d, g, member, obs, nowMs)
    if (next) members.push(next)
  }
  g = d.put({ ...(d.get('auto-scaling-group', g.arn) ?? g), members })

  if (g.status === 'Delete in progress') {
    for (const m of g.members) if (!m.lifecycleState.startsWith('Terminating')) g = beginTermination(d, g, m, g.pendingCause ?? `At ${at(d)} a user request deleted the AutoScalingGroup.`)
    g = d.get('auto-scaling-group', g.arn) ?? g
    if (g.members.length === 0) removeGroup(d, g)
    return
  }

  // Replace unhealthy members: launch first (below); take one out once the group has its capacity
  // without it, or at once when it cannot serve (its process or instance is gone).
  const healthyInService = g.members.filter((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy').length
  if (!suspended(g, 'ReplaceUnhealthy')) {
    for (const m of g.members) {
      if (m.healthStatus !== 'Unhealthy' || m.lifecycleState.startsWith('Terminating')) continue
      const inst = d.get('instance', m.instanceId)
      const cannotServe = !inst || inst.state !== 'running' || obs.processAlive(m.instanceId) === false
      if (cannotServe || healthyInService >= g.desiredCapacity) g = beginTermination(d, g, m, m.unhealthyCause ?? `At ${at(d)} an instance was taken out of service in response to a health check failure.`)
    }
  }

  const count = g.members.filter(active).length
  if (count === g.desiredCapacity && !suspended(g, 'Launch') && !suspended(g, 'Terminate') && rebalanceNeeded(d, g)) {
    // AZRebalance: launch in the short zone first (one over the desired capacity); once it is in
    // service the capacity path takes one out of the heaviest zone (the default termination policy).
    try {
      const m = launch(d, g, [...g.members], `At ${at(d)} an instance was launched to aid in balancing the group's zones.`, obs)
      if (m) d.put({ ...(d.get('auto-scaling-group', g.arn) ?? g), members: [...g.members, m], rebalancing: true })
    } catch {
      // a launch that fails is reported by the capacity path; the rebalance waits for a later pass
    }
    return
  }
  if (g.rebalancing && g.members.some((m) => m.lifecycleState.startsWith('Pending'))) return
  if (count < g.desiredCapacity && !suspended(g, 'Launch')) {
    if (g.launchRetryAt !== undefined && nowMs < Date.parse(g.launchRetryAt)) return
    const list = [...g.members]
    const prefix = g.pendingCause ? `${g.pendingCause}  ` : ''
    const cause = `${prefix}At ${at(d)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${count} to ${g.desiredCapacity}.`
    for (let n = count; n < g.desiredCapacity; n++) {
      try {
        const m = launch(d, g, list, cause, obs)
        if (!m) break
        list.push(m)
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e)
        const a = startActivity(d, g, 'Launching a new EC2 instance.  Status Reason: ' + message, cause, 'Failed')
        updateActivity(d, a.id, 'Failed', message)
        g = d.put({ ...(d.get('auto-scaling-group', g.arn) ?? g), members: list, pendingCause: undefined, launchRetryAt: new Date(nowMs + LAUNCH_RETRY_MS).toISOString() })
        return
      }
    }
    g = d.put({ ...(d.get('auto-scaling-group', g.arn) ?? g), members: list, pendingCause: undefined, launchRetryAt: undefined })
  } else if (count > g.desiredCapacity && !suspended(g, 'Terminate')) {
    const prefix = g.pendingCause ? `${g.pendingCause}  ` : ''
    for (const victim of chooseVictims(d, g, count - g.desiredCapacity)) {
      const cause = `${prefix}At ${at(d)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${count} to ${g.desiredCapacity}.  At ${at(d)} instance ${victim.instanceId} was selected for termination.`
      g = beginTermination(d, g, victim, cause)
    }
    g = d.put({ ...(d.get('auto-scaling-group', g.arn) ?? g), pendingCause: undefined, rebalancing: undefined })
  } else if (g.rebalancing) d.put({ ...g, rebalancing: undefined })
}
