import { z } from 'zod'
import { instanceType } from './instance-types.js'
import { tags, type Tags } from './schema-util.js'

/**
 * Launch templates (EC2), launch configurations and Auto Scaling groups: what a group launches
 * from, and the group itself with its members, as Auto Scaling's API describes them.
 */

/** What an instance is launched with: labels, groups and the program (user data as text, the API's base64 decoded). */
export interface LaunchData {
  readonly imageId?: string | undefined
  readonly instanceType?: string | undefined
  /** Security group ids. */
  readonly securityGroupIds: readonly string[]
  readonly userData?: string | undefined
  /** Tags the template puts on instances it launches (TagSpecifications of resource type instance). */
  readonly instanceTags: Tags
}

export interface LaunchTemplateVersion {
  readonly number: number
  readonly description?: string | undefined
  /** ISO 8601. */
  readonly createdAt: string
  readonly data: LaunchData
}

export interface LaunchTemplate {
  readonly kind: 'launch-template'
  /** lt-... */
  readonly id: string
  readonly name: string
  readonly region: string
  readonly createdAt: string
  readonly defaultVersion: number
  readonly latestVersion: number
  /** Every version, oldest first (a deleted template takes them all). */
  readonly versions: readonly LaunchTemplateVersion[]
  readonly tags: Tags
}

export interface LaunchConfiguration {
  readonly kind: 'launch-configuration'
  readonly arn: string
  readonly name: string
  readonly createdAt: string
  readonly imageId: string
  readonly instanceType: string
  readonly securityGroups: readonly string[]
  readonly userData?: string | undefined
}

/** A group's reference to its template: by id (and the name it had), the version as given ($Default, $Latest or a number). */
export interface TemplateRef {
  readonly id: string
  readonly name: string
  readonly version: string
}

/** Auto Scaling's lifecycle states of an instance in a group. */
export type LifecycleState = 'Pending' | 'Pending:Wait' | 'Pending:Proceed' | 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminating:Proceed' | 'Detaching'

export interface GroupMember {
  readonly instanceId: string
  readonly availabilityZone: string
  readonly lifecycleState: LifecycleState
  readonly healthStatus: 'Healthy' | 'Unhealthy'
  /** The template (with the version number it resolved to) or the configuration it was launched from. */
  readonly launchTemplate?: TemplateRef | undefined
  readonly launchConfigurationName?: string | undefined
  readonly protectedFromScaleIn: boolean
  /** ISO 8601: when it joined the group (launch or attach); the grace period counts from here. */
  readonly joinedAt: string
  /** ISO 8601: when its lifecycle state began. */
  readonly stateSince: string
  /** ISO 8601: a terminating member is stopped once its target groups' deregistration delay has passed. */
  readonly drainUntil?: string | undefined
  /** ISO 8601: a lifecycle hook's wait ends here (heartbeat timeout), then its default result applies. */
  readonly hookDeadline?: string | undefined
  /** The hook a member waits on, its action token and the result once completed. */
  readonly hook?: { readonly name: string; readonly token: string; readonly result?: 'CONTINUE' | 'ABANDON' | undefined } | undefined
  /** The activity that launched or is terminating it (its status follows the member). */
  readonly activityId?: string | undefined
  /** Why it was taken out of service (the activity's cause). */
  readonly unhealthyCause?: string | undefined
  /** Whether the group's desired capacity goes down when it leaves (detach, terminate with decrement). */
  readonly decrement?: boolean | undefined
}

/** Processes of a group that SuspendProcesses can stop (Auto Scaling's names). */
export const SCALING_PROCESSES = ['Launch', 'Terminate', 'AddToLoadBalancer', 'AlarmNotification', 'AZRebalance', 'HealthCheck', 'InstanceRefresh', 'ReplaceUnhealthy', 'ScheduledActions'] as const
export type ScalingProcess = (typeof SCALING_PROCESSES)[number]

export interface AutoScalingGroup {
  readonly kind: 'auto-scaling-group'
  readonly arn: string
  readonly name: string
  readonly region: string
  readonly createdAt: string
  readonly minSize: number
  readonly maxSize: number
  readonly desiredCapacity: number
  readonly defaultCooldown: number
  /** Subnet ids (VPCZoneIdentifier), in the order given. */
  readonly subnetIds: readonly string[]
  readonly launchTemplate?: TemplateRef | undefined
  readonly launchConfigurationName?: string | undefined
  readonly targetGroupArns: readonly string[]
  /** Classic Load Balancers its instances are registered with, by name (LoadBalancerNames); absent in groups stored before they existed. */
  readonly loadBalancerNames?: readonly string[] | undefined
  readonly healthCheckType: 'EC2' | 'ELB'
  readonly healthCheckGracePeriod: number
  readonly defaultInstanceWarmup?: number | undefined
  readonly newInstancesProtectedFromScaleIn: boolean
  readonly tags: Tags
  /** The tag keys put on the instances it launches (PropagateAtLaunch). */
  readonly propagateAtLaunch: readonly string[]
  readonly suspendedProcesses: readonly { readonly name: ScalingProcess; readonly reason: string }[]
  readonly members: readonly GroupMember[]
  readonly lifecycleHooks: readonly LifecycleHook[]
  /** 'Delete in progress' while a forced delete terminates its instances. */
  readonly status?: string | undefined
  /** The change of desired capacity not yet acted on: the first sentence of the next activity's cause. */
  readonly pendingCause?: string | undefined
  /** AZRebalance: one instance was launched over the desired capacity to even the zones; once it is in service one of the heaviest zone is taken out. */
  readonly rebalancing?: boolean | undefined
  /** ISO 8601: after a failed launch, the next one is tried no sooner. */
  readonly launchRetryAt?: string | undefined
  /** ISO 8601: the last scaling activity a simple policy started (its cooldown counts from its end). */
  readonly lastScalingAt?: string | undefined
}

export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING'
export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING'

/** A lifecycle hook: members wait in Pending:Wait or Terminating:Wait until completed, or the heartbeat timeout's default result. */
export interface LifecycleHook {
  readonly name: string
  readonly transition: typeof LAUNCHING | typeof TERMINATING
  readonly heartbeatTimeout: number
  readonly defaultResult: 'CONTINUE' | 'ABANDON'
  readonly metadata?: string | undefined
}

export type ActivityStatus = 'PreInService' | 'InProgress' | 'WaitingForELBConnectionDraining' | 'MidLifecycleAction' | 'Successful' | 'Failed' | 'Cancelled'

/** One scaling activity, as DescribeScalingActivities lists it (kept per group, newest 100). */
export interface ScalingActivity {
  readonly kind: 'scaling-activity'
  readonly id: string
  readonly groupName: string
  readonly groupArn: string
  readonly description: string
  readonly cause: string
  readonly startTime: string
  readonly endTime?: string | undefined
  readonly statusCode: ActivityStatus
  readonly statusMessage?: string | undefined
  readonly progress: number
  readonly details: string
}

/** How many activities a group keeps (older ones leave the listing). */
export const ACTIVITIES_KEPT = 100

export const groupArn = (region: string, accountId: string, uuid: string, name: string): string =>
  `arn:aws:autoscaling:${region}:${accountId}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`

export const launchConfigurationArn = (region: string, accountId: string, uuid: string, name: string): string =>
  `arn:aws:autoscaling:${region}:${accountId}:launchConfiguration:${uuid}:launchConfigurationName/${name}`

/** The tag Auto Scaling puts on every instance it launches. */
export const GROUP_NAME_TAG = 'aws:autoscaling:groupName'

/** The predefined metrics target tracking follows (openalb measures both itself). */
export type PredefinedMetric = 'ALBRequestCountPerTarget' | 'ASGAverageCPUUtilization'

export interface StepAdjustment {
  readonly lower?: number | undefined
  readonly upper?: number | undefined
  readonly adjustment: number
}

/** A scaling policy: target tracking (openalb evaluates it), or simple and step scaling (run by CloudWatch alarms or ExecutePolicy). */
export interface ScalingPolicy {
  readonly kind: 'scaling-policy'
  readonly arn: string
  readonly name: string
  readonly groupName: string
  readonly policyType: 'TargetTrackingScaling' | 'SimpleScaling' | 'StepScaling'
  readonly adjustmentType?: 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity' | undefined
  readonly scalingAdjustment?: number | undefined
  readonly minAdjustmentMagnitude?: number | undefined
  readonly cooldown?: number | undefined
  readonly stepAdjustments: readonly StepAdjustment[]
  readonly metricAggregationType?: string | undefined
  readonly estimatedInstanceWarmup?: number | undefined
  readonly targetTracking?: {
    readonly metric: PredefinedMetric
    readonly resourceLabel?: string | undefined
    readonly targetValue: number
    readonly disableScaleIn: boolean
  } | undefined
  /** Target tracking's two alarms, as AWS names them. */
  readonly alarms: readonly string[]
  readonly enabled: boolean
}

export const policyArn = (region: string, accountId: string, uuid: string, group: string, name: string): string =>
  `arn:aws:autoscaling:${region}:${accountId}:scalingPolicy:${uuid}:autoScalingGroupName/${group}:policyName/${name}`

// The YAML kinds (config/'s launchTemplates and autoScalingGroups).

export const launchTemplateSpec = z.strictObject({
  /** 3-128 of letters, digits and ( ) . - / _, unique. */
  name: z.string().regex(/^[a-zA-Z0-9().\-/_]{3,128}$/, 'must be 3-128 of letters, digits and ( ) . - / _'),
  /** A label (ami-openalb by default); no image is booted. */
  imageId: z.string().min(1).default('ami-openalb'),
  /** One of the types of docs/ec2.md's table (t3.micro by default), a label. */
  instanceType: z.string().min(1).refine((t) => instanceType(t) !== undefined, 'must be an instance type openalb knows (docs/ec2.md): t3.micro, m5.large, ...').default('t3.micro'),
  /** Security groups, by name or id. */
  securityGroups: z.array(z.string()).default([]),
  /** A script (#!...) each instance runs as its process (openalb up --run-user-data). */
  userData: z.string().max(16384).refine((u) => u.startsWith('#!'), 'must be a script beginning with #! (openalb runs no cloud-init)').optional(),
  /** Tags put on the instances launched from it. */
  instanceTags: tags,
  tags,
})
export type LaunchTemplateSpec = z.input<typeof launchTemplateSpec>

export const targetTrackingSpec = z.strictObject({
  /** The policy's name, unique in its group. */
  name: z.string().min(1).max(255),
  metric: z.enum(['ALBRequestCountPerTarget', 'ASGAverageCPUUtilization']),
  /** Requests per minute per instance, or CPU percent. */
  targetValue: z.number().positive(),
  /** ALBRequestCountPerTarget: the balancer (name) and target group (name, one of the group's) whose requests count. */
  loadBalancer: z.string().min(1).optional(),
  targetGroup: z.string().min(1).optional(),
  disableScaleIn: z.boolean().default(false),
  /** Seconds a new instance warms up before its metrics count (default: the group's defaultInstanceWarmup, else 300). */
  estimatedInstanceWarmup: z.number().int().min(0).optional(),
})

export const scalingPolicySpec = z
  .strictObject({
    /** The policy's name, unique in its group. */
    name: z.string().min(1).max(255),
    /** SimpleScaling (one adjustment, then a cooldown) or StepScaling (a step per distance from the alarm's threshold). */
    type: z.enum(['SimpleScaling', 'StepScaling']),
    adjustmentType: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']).default('ChangeInCapacity'),
    /** SimpleScaling: instances to add (negative: remove), the capacity, or a percent. */
    scalingAdjustment: z.number().int().optional(),
    /** SimpleScaling: seconds after a scaling before it acts again (default: the group's defaultCooldown). */
    cooldown: z.number().int().min(0).optional(),
    /** PercentChangeInCapacity: the least number of instances a change adds or removes. */
    minAdjustmentMagnitude: z.number().int().min(1).optional(),
    /** StepScaling: bounds relative to the alarm's threshold (one step open above or below), and the adjustment of each. */
    steps: z.array(z.strictObject({ lower: z.number().optional(), upper: z.number().optional(), adjustment: z.number().int() })).default([]),
    /** StepScaling: how the alarm's breaching datapoints make the value a step is chosen by. */
    metricAggregationType: z.enum(['Average', 'Minimum', 'Maximum']).optional(),
    /** StepScaling: seconds an instance it launched counts as still being added. */
    estimatedInstanceWarmup: z.number().int().min(0).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === 'SimpleScaling' && p.scalingAdjustment === undefined) ctx.addIssue({ code: 'custom', path: ['scalingAdjustment'], message: 'a SimpleScaling policy needs scalingAdjustment' })
    if (p.type === 'StepScaling' && p.steps.length === 0) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'a StepScaling policy needs steps' })
    if (p.type === 'SimpleScaling' && p.steps.length > 0) ctx.addIssue({ code: 'custom', path: ['steps'], message: 'steps are for StepScaling policies' })
    if (p.type === 'StepScaling' && (p.scalingAdjustment !== undefined || p.cooldown !== undefined)) ctx.addIssue({ code: 'custom', path: [p.cooldown !== undefined ? 'cooldown' : 'scalingAdjustment'], message: 'scalingAdjustment and cooldown are for SimpleScaling policies' })
  })

export const autoScalingGroupSpec = z
  .strictObject({
    /** 1-255 characters, unique. */
    name: z.string().min(1).max(255),
    /** The launch template, by name (its $Default version), or { name, version } with $Default, $Latest or a number. */
    launchTemplate: z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), version: z.string().default('$Default') })]),
    minSize: z.number().int().min(0),
    maxSize: z.number().int().min(0),
    /** Instances it keeps now (default minSize when created). Leave it out when scaling policies own it: a re-apply would set it back. */
    desiredCapacity: z.number().int().min(0).optional(),
    /** Subnets by name or id; instances spread over their zones. */
    subnets: z.array(z.string().min(1)).min(1),
    /** Target groups (name or ARN) its instances are registered in. */
    targetGroups: z.array(z.string().min(1)).default([]),
    /** Classic Load Balancers (`type: classic`, by name) its instances are registered with, at most 50. */
    loadBalancerNames: z.array(z.string().min(1)).max(50, 'at most 50 Classic load balancers per group').default([]),
    healthCheckType: z.enum(['EC2', 'ELB']).default('EC2'),
    /** Seconds after launch before a failed ELB health check counts. */
    healthCheckGracePeriod: z.number().int().min(0).default(0),
    defaultInstanceWarmup: z.number().int().min(0).optional(),
    defaultCooldown: z.number().int().min(0).default(300),
    /** Tags of the group; all are put on its instances (PropagateAtLaunch). */
    tags,
    /** Target tracking policies. */
    targetTracking: z.array(targetTrackingSpec).default([]),
    /** Simple and step policies, run by the alarms (alarms[].alarmActions / okActions) that name them. */
    scalingPolicies: z.array(scalingPolicySpec).default([]),
  })
  .superRefine((g, ctx) => {
    if (g.maxSize < g.minSize) ctx.addIssue({ code: 'custom', path: ['maxSize'], message: `must be at least minSize (${g.minSize})` })
    if (g.desiredCapacity !== undefined && (g.desiredCapacity < g.minSize || g.desiredCapacity > g.maxSize)) {
      ctx.addIssue({ code: 'custom', path: ['desiredCapacity'], message: `must be between minSize (${g.minSize}) and maxSize (${g.maxSize})` })
    }
    const names = [...g.targetTracking, ...g.scalingPolicies].map((p) => p.name)
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: i < g.targetTracking.length ? ['targetTracking', i, 'name'] : ['scalingPolicies', i - g.targetTracking.length, 'name'], message: `the group has another policy named ${n}` })
    })
    g.targetTracking.forEach((p, i) => {
      if (p.metric === 'ALBRequestCountPerTarget' && (p.loadBalancer === undefined || p.targetGroup === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['targetTracking', i], message: 'ALBRequestCountPerTarget needs loadBalancer and targetGroup' })
      }
    })
  })
export type AutoScalingGroupSpec = z.output<typeof autoScalingGroupSpec>

/** A scheduled action: at StartTime (once), or at each minute its Recurrence (cron, UTC) matches, the group takes these sizes. */
export interface ScheduledAction {
  readonly kind: 'scheduled-action'
  readonly arn: string
  readonly name: string
  readonly groupName: string
  readonly startTime?: string | undefined
  readonly endTime?: string | undefined
  readonly recurrence?: string | undefined
  readonly minSize?: number | undefined
  readonly maxSize?: number | undefined
  readonly desiredCapacity?: number | undefined
  /** ISO 8601 of the minute it last ran (a recurrence runs once a minute at most). */
  readonly lastRun?: string | undefined
}

export const scheduledActionArn = (region: string, accountId: string, uuid: string, group: string, name: string): string =>
  `arn:aws:autoscaling:${region}:${accountId}:scheduledUpdateGroupAction:${uuid}:autoScalingGroupName/${group}:scheduledActionName/${name}`

/** A group's Classic balancers (none for a group stored before LoadBalancerNames existed). */
export const classicNamesOf = (g: Pick<AutoScalingGroup, 'loadBalancerNames'>): readonly string[] => g.loadBalancerNames ?? []
