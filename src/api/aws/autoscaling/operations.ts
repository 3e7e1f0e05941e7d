import {
  activitiesOf,
  attachClassicBalancers,
  attachInstances,
  attachTargetGroups,
  createGroup,
  deleteGroup,
  detachClassicBalancers,
  detachInstances,
  detachTargetGroups,
  findGroup,
  resolveGroup,
  resumeProcesses,
  setDesiredCapacity,
  setGroupTags,
  setInstanceHealth,
  suspendProcesses,
  terminateInGroup,
  updateGroup,
  type GroupPatch,
} from '../../../control/auto-scaling-groups.js'
import type { Draft } from '../../../control/draft.js'
import { listSubnets } from '../../../control/network-lookup.js'
import { createLaunchConfiguration, deleteLaunchConfiguration } from '../../../control/launch-templates.js'
import { completeLifecycleAction, deleteLifecycleHook, putLifecycleHook, recordHeartbeat } from '../../../control/lifecycle-hooks.js'
import { classicNamesOf, LAUNCHING, SCALING_PROCESSES, TERMINATING } from '../../../model/autoscaling.js'
import { classicLoadBalancerArn } from '../../../model/classic-load-balancer.js'
import type { Call } from '../deps.js'
import { decodeBase64UserData } from '../ec2/common.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import type { XmlValue } from '../protocol/xml.js'
import { POLICY_OPERATIONS } from './policies.js'
import { SCHEDULED_ACTION_OPERATIONS } from './scheduled-actions.js'
import { activityOut, groupOut, hookOut, launchConfigurationOut, memberOut } from './shapes.js'

export const AUTOSCALING_NAMESPACE = 'http://autoscaling.amazonaws.com/doc/2011-01-01/'
export const AUTOSCALING_VERSION = '2011-01-01'

type Result = Record<string, XmlValue> | undefined
export type AutoScalingHandler = (call: Call) => Promise<Result>

const invalid = (message: string) => new AwsError('ValidationError', message)

/**
 * Every parameter an operation does not act on is refused by name; a few are accepted at Auto
 * Scaling's default value (what SDKs and Terraform send when nothing is asked for).
 */
function only(p: Params, handled: readonly string[], atDefault: Readonly<Record<string, string>> = {}): void {
  for (const [k, v] of Object.entries(p.raw)) {
    if (handled.includes(k)) continue
    if (atDefault[k] !== undefined && (v === atDefault[k] || (Array.isArray(v) && v.length === 1 && v[0] === atDefault[k]))) continue
    throw invalid(`${k} is not supported by openalb`)
  }
}

async function mutate<T>(call: Call, fn: (d: Draft) => T): Promise<T> {
  return (await call.deps.control.mutate(fn)).value
}

function paged<T>(items: readonly T[], p: Params, max = 100, dflt = 50): { items: T[]; NextToken?: string } {
  const r = page(items, p.str('NextToken'), p.int('MaxRecords') ?? Math.min(dflt, max), 'InvalidNextToken', max)
  return r.next !== undefined ? { items: r.items, NextToken: r.next } : { items: r.items }
}

function launchTemplateIn(p: Params): { id?: string; name?: string; version?: string } | undefined {
  const lt = p.obj('LaunchTemplate')
  if (!lt) return undefined
  for (const k of Object.keys(lt.raw)) if (!['LaunchTemplateId', 'LaunchTemplateName', 'Version'].includes(k)) throw invalid(`LaunchTemplate.${k} is not supported by openalb`)
  const out: { id?: string; name?: string; version?: string } = {}
  const id = lt.str('LaunchTemplateId')
  const name = lt.str('LaunchTemplateName')
  const version = lt.str('Version')
  if (id !== undefined) out.id = id
  if (name !== undefined) out.name = name
  if (version !== undefined) out.version = version
  return out
}

function subnetsIn(p: Params): string[] | undefined {
  const v = p.str('VPCZoneIdentifier')
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

function tagsIn(p: Params, groupName?: string): { tags: Record<string, string>; propagate: string[] } {
  const tags: Record<string, string> = {}
  const propagate: string[] = []
  for (const t of p.objs('Tags')) {
    for (const k of Object.keys(t.raw)) if (!['Key', 'Value', 'PropagateAtLaunch', 'ResourceId', 'ResourceType'].includes(k)) throw invalid(`Tags.${k} is not supported by openalb`)
    const type = t.str('ResourceType')
    if (type !== undefined && type !== 'auto-scaling-group') throw invalid(`Tag resource type ${type} is not valid: auto-scaling-group.`)
    const id = t.str('ResourceId')
    if (groupName !== undefined && id !== undefined && id !== groupName) throw invalid(`Tag ResourceId ${id} does not name the group ${groupName}.`)
    const key = t.required('Key')
    tags[key] = t.str('Value') ?? ''
    if (t.bool('PropagateAtLaunch')) propagate.push(key)
  }
  if (Object.keys(tags).length > 50) throw new AwsError('LimitExceeded', 'The number of tags exceeds the limit of 50.')
  return { tags, propagate }
}

const GROUP_COMMON = ['AutoScalingGroupName', 'LaunchConfigurationName', 'LaunchTemplate', 'MinSize', 'MaxSize', 'DesiredCapacity', 'DefaultCooldown', 'VPCZoneIdentifier', 'HealthCheckType', 'HealthCheckGracePeriod', 'NewInstancesProtectedFromScaleIn', 'DefaultInstanceWarmup']
const GROUP_DEFAULTS = { TerminationPolicies: 'Default', CapacityRebalance: 'false', DeletionProtection: 'none' }

const CreateAutoScalingGroup: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, [...GROUP_COMMON, 'TargetGroupARNs', 'LoadBalancerNames', 'TrafficSources', 'Tags', 'LifecycleHookSpecificationList', 'AvailabilityZones'], GROUP_DEFAULTS)
  const name = p.required('AutoScalingGroupName')
  const { tags, propagate } = tagsIn(p, name)
  const trafficSources = trafficSourcesIn(p)
  const hooks = p.objs('LifecycleHookSpecificationList')
  await mutate(call, (d) => {
    const zones = p.strings('AvailabilityZones')
    let subnets = subnetsIn(p)
    // AvailabilityZones without subnets: the default subnet of each zone (EC2-Classic style groups in a default VPC).
    if ((subnets === undefined || subnets.length === 0) && zones && zones.length > 0) {
      subnets = zones.map((z) => {
        const s = listSubnets(d, call.region).find((x) => x.defaultForAz && x.availabilityZone === z)
        if (!s) throw invalid(`The availability zone ${z} is not legal`)
        return s.id
      })
    }
    createGroup(d, {
      name,
      region: call.region,
      minSize: p.int('MinSize') ?? 0,
      maxSize: p.int('MaxSize') ?? 0,
      desiredCapacity: p.int('DesiredCapacity'),
      defaultCooldown: p.int('DefaultCooldown'),
      subnets: subnets ?? [],
      launchTemplate: launchTemplateIn(p),
      launchConfigurationName: p.str('LaunchConfigurationName'),
      targetGroupArns: [...(p.strings('TargetGroupARNs') ?? []), ...trafficSources.elbv2],
      loadBalancerNames: [...(p.strings('LoadBalancerNames') ?? []), ...trafficSources.elb],
      healthCheckType: p.str('HealthCheckType'),
      healthCheckGracePeriod: p.int('HealthCheckGracePeriod'),
      defaultInstanceWarmup: p.int('DefaultInstanceWarmup'),
      newInstancesProtectedFromScaleIn: p.bool('NewInstancesProtectedFromScaleIn'),
      tags,
      propagateAtLaunch: propagate,
    })
    for (const h of hooks) {
      for (const k of Object.keys(h.raw)) if (!['LifecycleHookName', 'LifecycleTransition', 'NotificationMetadata', 'HeartbeatTimeout', 'DefaultResult'].includes(k)) throw invalid(`LifecycleHookSpecificationList.${k} is not supported by openalb`)
      putLifecycleHook(d, name, { name: h.required('LifecycleHookName'), transition: h.required('LifecycleTransition'), heartbeatTimeout: h.int('HeartbeatTimeout'), defaultResult: h.str('DefaultResult'), metadata: h.str('NotificationMetadata') })
    }
  })
  return undefined
}

const UpdateAutoScalingGroup: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, GROUP_COMMON, GROUP_DEFAULTS)
  const patch: GroupPatch = {
    minSize: p.int('MinSize'),
    maxSize: p.int('MaxSize'),
    desiredCapacity: p.int('DesiredCapacity'),
    defaultCooldown: p.int('DefaultCooldown'),
    subnets: subnetsIn(p),
    launchTemplate: launchTemplateIn(p),
    launchConfigurationName: p.str('LaunchConfigurationName'),
    healthCheckType: p.str('HealthCheckType'),
    healthCheckGracePeriod: p.int('HealthCheckGracePeriod'),
    defaultInstanceWarmup: p.int('DefaultInstanceWarmup'),
    newInstancesProtectedFromScaleIn: p.bool('NewInstancesProtectedFromScaleIn'),
  }
  await mutate(call, (d) => updateGroup(d, p.required('AutoScalingGroupName'), patch))
  return undefined
}

const SetDesiredCapacity: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'DesiredCapacity', 'HonorCooldown'])
  const desired = p.int('DesiredCapacity')
  if (desired === undefined) throw invalid('DesiredCapacity is required')
  await mutate(call, (d) => setDesiredCapacity(d, p.required('AutoScalingGroupName'), desired, p.bool('HonorCooldown') ?? false))
  return undefined
}

const DeleteAutoScalingGroup: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'ForceDelete'])
  await mutate(call, (d) => deleteGroup(d, p.required('AutoScalingGroupName'), p.bool('ForceDelete') ?? false))
  return undefined
}

const DescribeAutoScalingGroups: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupNames', 'MaxRecords', 'NextToken', 'Filters'], { IncludeInstances: 'true' })
  const d = await call.deps.control.view()
  const names = p.strings('AutoScalingGroupNames') ?? []
  const filters = p.objs('Filters').map((f) => ({ name: f.required('Name'), values: f.strings('Values') ?? [] }))
  const groups = d
    .list('auto-scaling-group')
    .filter((g) => g.region === call.region && (names.length === 0 || names.includes(g.name)))
    .filter((g) =>
      filters.every((f) => {
        if (f.name.startsWith('tag:')) return f.values.includes(g.tags[f.name.slice(4)] ?? '\u0000')
        if (f.name === 'tag-key') return Object.keys(g.tags).some((k) => f.values.includes(k))
        if (f.name === 'tag-value') return Object.values(g.tags).some((v) => f.values.includes(v))
        throw invalid(`Filter name ${f.name} is not valid: tag:KEY, tag-key or tag-value.`)
      }),
    )
    .sort((a, b) => a.name.localeCompare(b.name))
  const pg = paged(groups, p)
  return { AutoScalingGroups: pg.items.map((g) => groupOut(d, g)), NextToken: pg.NextToken }
}

const DescribeAutoScalingInstances: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['InstanceIds', 'MaxRecords', 'NextToken'])
  const d = await call.deps.control.view()
  const ids = p.strings('InstanceIds') ?? []
  const rows = d
    .list('auto-scaling-group')
    .filter((g) => g.region === call.region)
    .flatMap((g) => g.members.map((m) => ({ g, m })))
    .filter(({ m }) => ids.length === 0 || ids.includes(m.instanceId))
    .sort((a, b) => a.m.instanceId.localeCompare(b.m.instanceId))
  const pg = paged(rows, p)
  return { AutoScalingInstances: pg.items.map(({ g, m }) => memberOut(d, m, g.name)), NextToken: pg.NextToken }
}

const AttachInstances: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'InstanceIds'])
  await mutate(call, (d) => attachInstances(d, p.required('AutoScalingGroupName'), p.strings('InstanceIds') ?? []))
  return undefined
}

const DetachInstances: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'InstanceIds', 'ShouldDecrementDesiredCapacity'])
  const decrement = p.bool('ShouldDecrementDesiredCapacity')
  if (decrement === undefined) throw invalid('ShouldDecrementDesiredCapacity is required')
  const activities = await mutate(call, (d) => detachInstances(d, p.required('AutoScalingGroupName'), p.strings('InstanceIds') ?? [], decrement))
  return { Activities: activities.map((a) => activityOut(a)) }
}

const AttachLoadBalancerTargetGroups: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'TargetGroupARNs'])
  await mutate(call, (d) => attachTargetGroups(d, p.required('AutoScalingGroupName'), p.strings('TargetGroupARNs') ?? []))
  return {}
}

const DetachLoadBalancerTargetGroups: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'TargetGroupARNs'])
  await mutate(call, (d) => detachTargetGroups(d, p.required('AutoScalingGroupName'), p.strings('TargetGroupARNs') ?? []))
  return {}
}

const DescribeLoadBalancerTargetGroups: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'MaxRecords', 'NextToken'])
  const d = await call.deps.control.view()
  const g = resolveGroup(d, p.required('AutoScalingGroupName'))
  const pg = paged(g.targetGroupArns, p)
  return { LoadBalancerTargetGroups: pg.items.map((arn) => ({ LoadBalancerTargetGroupARN: arn, State: 'InService' })), NextToken: pg.NextToken }
}

/** AttachLoadBalancers: Classic balancers by name (up to 10 a call, botocore's model says). */
const AttachLoadBalancers: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LoadBalancerNames'])
  await mutate(call, (d) => attachClassicBalancers(d, p.required('AutoScalingGroupName'), p.strings('LoadBalancerNames') ?? []))
  return {}
}

const DetachLoadBalancers: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LoadBalancerNames'])
  await mutate(call, (d) => detachClassicBalancers(d, p.required('AutoScalingGroupName'), p.strings('LoadBalancerNames') ?? []))
  return {}
}

/**
 * A Classic balancer's state for a group, by Auto Scaling's definitions: Adding while an in-service
 * instance is not yet registered, Added when all are, InService when (with ELB health checks) one
 * of them passed the balancer's check.
 */
async function classicState(call: Call, d: Draft, g: ReturnType<typeof resolveGroup>, name: string): Promise<string> {
  const lb = d.get('classic-load-balancer', classicLoadBalancerArn(d.partition, name))
  const members = g.members.filter((m) => m.lifecycleState === 'InService').map((m) => m.instanceId)
  if (!lb || members.some((id) => !lb.instances.includes(id))) return 'Adding'
  if (g.healthCheckType !== 'ELB') return 'Added'
  const health = await call.deps.targetHealth(lb.arn)
  return health.some((h) => members.includes(h.targetId) && h.state === 'healthy') ? 'InService' : 'Added'
}

const DescribeLoadBalancers: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'MaxRecords', 'NextToken'])
  const d = await call.deps.control.view()
  const g = resolveGroup(d, p.required('AutoScalingGroupName'))
  const pg = paged(classicNamesOf(g), p)
  const out: XmlValue[] = []
  for (const name of pg.items) out.push({ LoadBalancerName: name, State: await classicState(call, d, g, name) })
  return { LoadBalancers: out, NextToken: pg.NextToken }
}

/** TrafficSources: ELBv2 target groups (Type elbv2, the default) and Classic balancers by name (Type elb). */
function trafficSourcesIn(p: Params): { elbv2: string[]; elb: string[] } {
  const out = { elbv2: [] as string[], elb: [] as string[] }
  for (const t of p.objs('TrafficSources')) {
    for (const k of Object.keys(t.raw)) if (k !== 'Identifier' && k !== 'Type') throw invalid(`TrafficSources.${k} is not supported by openalb`)
    const type = t.str('Type') ?? 'elbv2'
    if (type !== 'elbv2' && type !== 'elb') throw invalid(`Traffic source type ${type} is not supported by openalb (elbv2 target groups and elb Classic load balancers).`)
    out[type].push(t.required('Identifier'))
  }
  return out
}

const AttachTrafficSources: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'TrafficSources'], { SkipZonalShiftValidation: 'false' })
  const sources = trafficSourcesIn(p)
  await mutate(call, (d) => {
    if (sources.elbv2.length > 0) attachTargetGroups(d, p.required('AutoScalingGroupName'), sources.elbv2)
    if (sources.elb.length > 0) attachClassicBalancers(d, p.required('AutoScalingGroupName'), sources.elb)
  })
  return {}
}

const DetachTrafficSources: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'TrafficSources'])
  const sources = trafficSourcesIn(p)
  await mutate(call, (d) => {
    if (sources.elbv2.length > 0) detachTargetGroups(d, p.required('AutoScalingGroupName'), sources.elbv2)
    if (sources.elb.length > 0) detachClassicBalancers(d, p.required('AutoScalingGroupName'), sources.elb)
  })
  return {}
}

const DescribeTrafficSources: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'TrafficSourceType', 'MaxRecords', 'NextToken'])
  const type = p.str('TrafficSourceType')
  const d = await call.deps.control.view()
  const g = resolveGroup(d, p.required('AutoScalingGroupName'))
  const sources = [
    ...(type === undefined || type === 'elbv2' ? g.targetGroupArns.map((id) => ({ id, type: 'elbv2' })) : []),
    ...(type === undefined || type === 'elb' ? classicNamesOf(g).map((id) => ({ id, type: 'elb' })) : []),
  ]
  const pg = paged(sources, p)
  const out: XmlValue[] = []
  for (const s of pg.items) out.push({ TrafficSource: s.id, State: s.type === 'elb' ? await classicState(call, d, g, s.id) : 'InService', Type: s.type, Identifier: s.id })
  return { TrafficSources: out, NextToken: pg.NextToken }
}

const SetInstanceHealth: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['InstanceId', 'HealthStatus'], { ShouldRespectGracePeriod: 'false' })
  await mutate(call, (d) => setInstanceHealth(d, p.required('InstanceId'), p.required('HealthStatus')))
  return undefined
}

const TerminateInstanceInAutoScalingGroup: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['InstanceId', 'ShouldDecrementDesiredCapacity'])
  const decrement = p.bool('ShouldDecrementDesiredCapacity')
  if (decrement === undefined) throw invalid('ShouldDecrementDesiredCapacity is required')
  const a = await mutate(call, (d) => terminateInGroup(d, p.required('InstanceId'), decrement))
  return { Activity: activityOut(a) }
}

const DescribeScalingActivities: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['ActivityIds', 'AutoScalingGroupName', 'MaxRecords', 'NextToken'], { IncludeDeletedGroups: 'false' })
  const d = await call.deps.control.view()
  const name = p.str('AutoScalingGroupName')
  if (name !== undefined && !findGroup(d, name)) throw invalid(`Group ${name} not found`)
  const ids = p.strings('ActivityIds') ?? []
  const all = (name !== undefined ? activitiesOf(d, name) : d.list('scaling-activity').sort((a, b) => b.startTime.localeCompare(a.startTime))).filter((a) => ids.length === 0 || ids.includes(a.id))
  const pg = paged(all, p)
  return { Activities: pg.items.map((a) => activityOut(a)), NextToken: pg.NextToken }
}

const SuspendProcesses: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'ScalingProcesses'])
  await mutate(call, (d) => suspendProcesses(d, p.required('AutoScalingGroupName'), p.strings('ScalingProcesses')))
  return undefined
}

const ResumeProcesses: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'ScalingProcesses'])
  await mutate(call, (d) => resumeProcesses(d, p.required('AutoScalingGroupName'), p.strings('ScalingProcesses')))
  return undefined
}

const DescribeScalingProcessTypes: AutoScalingHandler = async (call) => {
  only(call.params, [])
  return { Processes: SCALING_PROCESSES.map((ProcessName) => ({ ProcessName })) }
}

const CreateOrUpdateTags: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['Tags'])
  const byGroup = new Map<string, Params[]>()
  for (const t of p.objs('Tags')) byGroup.set(t.required('ResourceId'), [...(byGroup.get(t.required('ResourceId')) ?? []), t])
  await mutate(call, (d) => {
    for (const [group, list] of byGroup) {
      const tags: Record<string, string> = {}
      const propagate: string[] = []
      for (const t of list) {
        tags[t.required('Key')] = t.str('Value') ?? ''
        if (t.bool('PropagateAtLaunch')) propagate.push(t.required('Key'))
      }
      setGroupTags(d, group, tags, propagate)
    }
  })
  return undefined
}

const DeleteTags: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['Tags'])
  await mutate(call, (d) => {
    for (const t of p.objs('Tags')) setGroupTags(d, t.required('ResourceId'), {}, [], [t.required('Key')])
  })
  return undefined
}

// Launch configurations.

const CreateLaunchConfiguration: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['LaunchConfigurationName', 'ImageId', 'InstanceType', 'SecurityGroups', 'UserData'], { EbsOptimized: 'false' })
  const monitoring = p.obj('InstanceMonitoring')
  if (monitoring) throw invalid('InstanceMonitoring is not supported by openalb')
  const image = p.str('ImageId')
  const type = p.str('InstanceType')
  if (image === undefined || type === undefined) throw invalid('Valid requests must contain either the InstanceID parameter or both the ImageId and InstanceType parameters.')
  const userData = decodeBase64UserData(p.str('UserData'))
  if (userData?.startsWith('#!') && !call.deps.instances?.runsUserData) {
    call.deps.log?.warn({ launchConfiguration: p.str('LaunchConfigurationName') }, 'launch configuration user data is a script: its instances run it only with openalb up --run-user-data')
  }
  await mutate(call, (d) => {
    const groups = (p.strings('SecurityGroups') ?? []).map((ref) => {
      const g = d.get('security-group', ref) ?? d.list('security-group').find((x) => x.name === ref)
      if (!g) throw invalid(`The security group '${ref}' does not exist`)
      return g.id
    })
    createLaunchConfiguration(d, { name: p.required('LaunchConfigurationName'), imageId: image, instanceType: type, securityGroups: groups, userData })
  })
  return undefined
}

const DescribeLaunchConfigurations: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['LaunchConfigurationNames', 'MaxRecords', 'NextToken'])
  const d = await call.deps.control.view()
  const names = p.strings('LaunchConfigurationNames') ?? []
  const all = d
    .list('launch-configuration')
    .filter((c) => names.length === 0 || names.includes(c.name))
    .sort((a, b) => a.name.localeCompare(b.name))
  const pg = paged(all, p)
  return { LaunchConfigurations: pg.items.map(launchConfigurationOut), NextToken: pg.NextToken }
}

const DeleteLaunchConfiguration: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['LaunchConfigurationName'])
  await mutate(call, (d) => deleteLaunchConfiguration(d, p.required('LaunchConfigurationName')))
  return undefined
}

// Lifecycle hooks.

const PutLifecycleHook: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['LifecycleHookName', 'AutoScalingGroupName', 'LifecycleTransition', 'NotificationMetadata', 'HeartbeatTimeout', 'DefaultResult'])
  await mutate(call, (d) =>
    putLifecycleHook(d, p.required('AutoScalingGroupName'), {
      name: p.required('LifecycleHookName'),
      transition: p.str('LifecycleTransition'),
      heartbeatTimeout: p.int('HeartbeatTimeout'),
      defaultResult: p.str('DefaultResult'),
      metadata: p.str('NotificationMetadata'),
    }),
  )
  return {}
}

const DescribeLifecycleHooks: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LifecycleHookNames'])
  const d = await call.deps.control.view()
  const g = resolveGroup(d, p.required('AutoScalingGroupName'))
  const names = p.strings('LifecycleHookNames') ?? []
  return { LifecycleHooks: g.lifecycleHooks.filter((h) => names.length === 0 || names.includes(h.name)).map((h) => hookOut(g, h)) }
}

const DeleteLifecycleHook: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LifecycleHookName'])
  await mutate(call, (d) => deleteLifecycleHook(d, p.required('AutoScalingGroupName'), p.required('LifecycleHookName')))
  return {}
}

const CompleteLifecycleAction: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LifecycleHookName', 'LifecycleActionToken', 'LifecycleActionResult', 'InstanceId'])
  await mutate(call, (d) =>
    completeLifecycleAction(d, p.required('AutoScalingGroupName'), p.required('LifecycleHookName'), p.required('LifecycleActionResult'), { token: p.str('LifecycleActionToken'), instanceId: p.str('InstanceId') }),
  )
  return {}
}

const RecordLifecycleActionHeartbeat: AutoScalingHandler = async (call) => {
  const p = call.params
  only(p, ['AutoScalingGroupName', 'LifecycleHookName', 'LifecycleActionToken', 'InstanceId'])
  await mutate(call, (d) => recordHeartbeat(d, p.required('AutoScalingGroupName'), p.required('LifecycleHookName'), { token: p.str('LifecycleActionToken'), instanceId: p.str('InstanceId') }))
  return {}
}

const DescribeLifecycleHookTypes: AutoScalingHandler = async (call) => {
  only(call.params, [])
  return { LifecycleHookTypes: [LAUNCHING, TERMINATING] }
}

export const AUTOSCALING_OPERATIONS: Readonly<Record<string, AutoScalingHandler>> = {
  CreateAutoScalingGroup,
  UpdateAutoScalingGroup,
  SetDesiredCapacity,
  DeleteAutoScalingGroup,
  DescribeAutoScalingGroups,
  DescribeAutoScalingInstances,
  AttachInstances,
  DetachInstances,
  AttachLoadBalancerTargetGroups,
  DetachLoadBalancerTargetGroups,
  DescribeLoadBalancerTargetGroups,
  AttachLoadBalancers,
  DetachLoadBalancers,
  DescribeLoadBalancers,
  AttachTrafficSources,
  DetachTrafficSources,
  DescribeTrafficSources,
  SetInstanceHealth,
  TerminateInstanceInAutoScalingGroup,
  DescribeScalingActivities,
  SuspendProcesses,
  ResumeProcesses,
  DescribeScalingProcessTypes,
  CreateOrUpdateTags,
  DeleteTags,
  CreateLaunchConfiguration,
  DescribeLaunchConfigurations,
  DeleteLaunchConfiguration,
  PutLifecycleHook,
  DescribeLifecycleHooks,
  DeleteLifecycleHook,
  CompleteLifecycleAction,
  RecordLifecycleActionHeartbeat,
  DescribeLifecycleHookTypes,
  ...POLICY_OPERATIONS,
  ...SCHEDULED_ACTION_OPERATIONS,
}
