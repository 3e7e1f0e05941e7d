import type { Draft } from '../../../control/draft.js'
import { groupZones } from '../../../control/auto-scaling-groups.js'
import type { AutoScalingGroup, GroupMember, LaunchConfiguration, LifecycleHook, ScalingActivity, TemplateRef } from '../../../model/autoscaling.js'
import { classicNamesOf } from '../../../model/autoscaling.js'
import type { XmlValue } from '../protocol/xml.js'

/** Auto Scaling's response shapes (botocore's autoscaling 2011-01-01 names). */

type Out = Record<string, XmlValue>

const templateOut = (t: TemplateRef | undefined): Out | undefined => (t ? { LaunchTemplateId: t.id, LaunchTemplateName: t.name, Version: t.version } : undefined)

export function memberOut(d: Draft, m: GroupMember, groupName?: string): Out {
  const inst = d.get('instance', m.instanceId)
  return {
    InstanceId: m.instanceId,
    InstanceType: inst?.instanceType,
    ...(groupName !== undefined ? { AutoScalingGroupName: groupName } : {}),
    AvailabilityZone: m.availabilityZone,
    LifecycleState: m.lifecycleState,
    HealthStatus: groupName !== undefined ? m.healthStatus.toUpperCase() : m.healthStatus,
    LaunchConfigurationName: m.launchConfigurationName,
    LaunchTemplate: templateOut(m.launchTemplate),
    ProtectedFromScaleIn: m.protectedFromScaleIn,
  }
}

function tagsOut(g: AutoScalingGroup): Out[] {
  return Object.entries(g.tags).map(([Key, Value]) => ({ ResourceId: g.name, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: g.propagateAtLaunch.includes(Key) }))
}

export function groupOut(d: Draft, g: AutoScalingGroup): Out {
  const zones = groupZones(d, g)
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchConfigurationName: g.launchConfigurationName,
    LaunchTemplate: templateOut(g.launchTemplate),
    MinSize: g.minSize,
    MaxSize: g.maxSize,
    DesiredCapacity: g.desiredCapacity,
    DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: zones,
    LoadBalancerNames: [...classicNamesOf(g)],
    TargetGroupARNs: [...g.targetGroupArns],
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.healthCheckGracePeriod,
    Instances: g.members.map((m) => memberOut(d, m)),
    CreatedTime: g.createdAt,
    SuspendedProcesses: g.suspendedProcesses.map((s) => ({ ProcessName: s.name, SuspensionReason: s.reason })),
    VPCZoneIdentifier: g.subnetIds.join(','),
    EnabledMetrics: [],
    Status: g.status,
    Tags: tagsOut(g),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: g.newInstancesProtectedFromScaleIn,
    ServiceLinkedRoleARN: `arn:aws:iam::${d.partition.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    CapacityRebalance: false,
    DefaultInstanceWarmup: g.defaultInstanceWarmup,
    TrafficSources: [...g.targetGroupArns.map((arn) => ({ Identifier: arn, Type: 'elbv2' })), ...classicNamesOf(g).map((name) => ({ Identifier: name, Type: 'elb' }))],
  }
}

export function activityOut(a: ScalingActivity, groupState?: string): Out {
  return {
    ActivityId: a.id,
    AutoScalingGroupName: a.groupName,
    Description: a.description,
    Cause: a.cause,
    StartTime: a.startTime,
    EndTime: a.endTime,
    StatusCode: a.statusCode,
    StatusMessage: a.statusMessage,
    Progress: a.progress,
    Details: a.details,
    AutoScalingGroupState: groupState,
    AutoScalingGroupARN: a.groupArn,
  }
}

export function launchConfigurationOut(c: LaunchConfiguration): Out {
  return {
    LaunchConfigurationName: c.name,
    LaunchConfigurationARN: c.arn,
    ImageId: c.imageId,
    KeyName: '',
    SecurityGroups: [...c.securityGroups],
    ClassicLinkVPCSecurityGroups: [],
    UserData: c.userData === undefined ? '' : Buffer.from(c.userData, 'utf8').toString('base64'),
    InstanceType: c.instanceType,
    KernelId: '',
    RamdiskId: '',
    BlockDeviceMappings: [],
    InstanceMonitoring: { Enabled: false },
    CreatedTime: c.createdAt,
    EbsOptimized: false,
  }
}

export function hookOut(g: AutoScalingGroup, h: LifecycleHook): Out {
  return {
    LifecycleHookName: h.name,
    AutoScalingGroupName: g.name,
    LifecycleTransition: h.transition,
    NotificationMetadata: h.metadata,
    HeartbeatTimeout: h.heartbeatTimeout,
    GlobalTimeout: Math.min(h.heartbeatTimeout * 100, 172800),
    DefaultResult: h.defaultResult,
  }
}
