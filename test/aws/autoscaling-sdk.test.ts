import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DeleteScheduledActionCommand,
  DescribeScheduledActionsCommand,
  PutScheduledUpdateGroupActionCommand,
  DeletePolicyCommand,
  DescribePoliciesCommand,
  ExecutePolicyCommand,
  PutScalingPolicyCommand,
  DeleteLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeLaunchConfigurationsCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  PutLifecycleHookCommand,
  SetDesiredCapacityCommand,
  SuspendProcessesCommand,
  ResumeProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling'
import {
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { GroupController } from '../../src/autoscaling/controller.js'
import { completeTransition } from '../../src/control/instances.js'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

const SCRIPT = '#!/bin/sh\nexec sleep 1000\n'
const SUBNET_A = 'subnet-0a1b2c3d4e5f60a01'
const SUBNET_B = 'subnet-0a1b2c3d4e5f60b02'

test('EC2 launch templates: versions, the default version, refusals by name, RunInstances from a template', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))

  const created = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web',
      VersionDescription: 'first',
      LaunchTemplateData: { ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(SCRIPT).toString('base64'), TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'web' }] }] },
    }),
  )
  const id = created.LaunchTemplate?.LaunchTemplateId ?? ''
  assert.match(id, /^lt-[0-9a-f]{17}$/)
  assert.equal(created.LaunchTemplate?.DefaultVersionNumber, 1)
  await rejectsWith(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-x' } })), 'InvalidLaunchTemplateName.AlreadyExistsException')
  await rejectsWith(ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'keyed', LaunchTemplateData: { ImageId: 'ami-x', KeyName: 'mine' } })), 'InvalidParameterValue', /LaunchTemplateData\.KeyName is not supported/)

  const v2 = await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, SourceVersion: '1', VersionDescription: 'bigger', LaunchTemplateData: { InstanceType: 't3.small' } }))
  assert.equal(v2.LaunchTemplateVersion?.VersionNumber, 2)
  assert.equal(v2.LaunchTemplateVersion?.LaunchTemplateData?.ImageId, 'ami-web', 'SourceVersion fills what the new version leaves out')
  assert.equal(v2.LaunchTemplateVersion?.LaunchTemplateData?.InstanceType, 't3.small')
  assert.equal(Buffer.from(v2.LaunchTemplateVersion?.LaunchTemplateData?.UserData ?? '', 'base64').toString(), SCRIPT)

  const modified = await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web', DefaultVersion: '2' }))
  assert.equal(modified.LaunchTemplate?.DefaultVersionNumber, 2)
  assert.equal(modified.LaunchTemplate?.LatestVersionNumber, 2)
  const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web' }))
  assert.deepEqual(versions.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion]), [[1, false], [2, true]])
  const only = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Default'] }))
  assert.equal(only.LaunchTemplateVersions?.[0]?.VersionNumber, 2)
  await rejectsWith(ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['7'] })), 'InvalidLaunchTemplateId.VersionNotFound')
  await rejectsWith(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: ['lt-0123456789abcdef0'] })), 'InvalidLaunchTemplateId.NotFound')

  // RunInstances from a template without a script (this API runs no user data): the template's type, image and tags.
  const plain = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'plain', LaunchTemplateData: { ImageId: 'ami-plain', InstanceType: 'c5.large', TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'role', Value: 'batch' }] }] } }))
  const run = await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'plain' } }))
  const inst = run.Instances?.[0]
  assert.equal(inst?.InstanceType, 'c5.large')
  assert.equal(inst?.ImageId, 'ami-plain')
  // As EC2: the instance is tagged with the template and version it came from (Terraform's aws_instance reads them).
  assert.deepEqual(inst?.Tags, [{ Key: 'role', Value: 'batch' }, { Key: 'aws:ec2launchtemplate:id', Value: plain.LaunchTemplate?.LaunchTemplateId }, { Key: 'aws:ec2launchtemplate:version', Value: '1' }])
  // aws: keys are EC2's: not the user's to set, and DeleteTags without tags leaves them.
  await rejectsWith(ec2.send(new CreateTagsCommand({ Resources: [inst?.InstanceId ?? ''], Tags: [{ Key: 'aws:ec2launchtemplate:id', Value: 'lt-0' }] })), 'InvalidParameterValue', /reserved/)
  await ec2.send(new DeleteTagsCommand({ Resources: [inst?.InstanceId ?? ''] }))
  const kept = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [inst?.InstanceId ?? ''] }] }))
  assert.deepEqual(kept.Tags?.map((x) => x.Key), ['aws:ec2launchtemplate:id', 'aws:ec2launchtemplate:version'])
  await rejectsWith(ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: 'web' } })), 'UnsupportedOperation')

  const listed = await ec2.send(new DescribeLaunchTemplatesCommand({}))
  assert.deepEqual(listed.LaunchTemplates?.map((x) => x.LaunchTemplateName), ['web', 'plain'])
  await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'plain' }))
  await rejectsWith(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['plain'] })), 'InvalidLaunchTemplateName.NotFoundException')
  assertWireMatchesModels(api)
})

test('Auto Scaling: a group launches its desired capacity over two zones, registers in its target group, waits on a launch hook, scales in by zone and age, and refuses as AWS does', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))
  const asg = new AutoScalingClient(clientConfig(api))
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  // The controller as main wires it, stepped by the test; no supervisor runs here, so the test completes each launch.
  const controller = new GroupController({ control: api.control, processExited: () => false, targetState: () => undefined, runsUserData: true, log: { info: () => {}, error: (o, m) => console.error(m, o) } })
  const pass = () => controller.runOnce()
  const markRunning = async () => {
    await api.control.mutate((d) => {
      for (const i of d.list('instance')) if (i.state === 'pending') completeTransition(d, i.id, 'pending', 'running')
      for (const i of d.list('instance')) if (i.state === 'shutting-down') completeTransition(d, i.id, 'shutting-down', 'terminated')
    })
  }

  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: 'ami-web', InstanceType: 't3.micro', UserData: Buffer.from(SCRIPT).toString('base64') } }))
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 4000, VpcId: 'vpc-0a1b2c3d4e5f60718' }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '0' }] }))

  const base = { AutoScalingGroupName: 'web-asg', LaunchTemplate: { LaunchTemplateName: 'web', Version: '$Latest' }, MinSize: 1, MaxSize: 4, VPCZoneIdentifier: `${SUBNET_A},${SUBNET_B}` }
  await rejectsWith(asg.send(new CreateAutoScalingGroupCommand({ ...base, DesiredCapacity: 5 })), 'ValidationError', /Desired capacity:5 must be between the specified min size:1 and max size:4/)
  await rejectsWith(asg.send(new CreateAutoScalingGroupCommand({ ...base, MaxInstanceLifetime: 86400 })), 'ValidationError', /MaxInstanceLifetime is not supported by openalb/)
  await rejectsWith(asg.send(new CreateAutoScalingGroupCommand({ ...base, LaunchTemplate: undefined })), 'ValidationError', /Valid requests must contain either LaunchTemplate, LaunchConfigurationName/)
  await rejectsWith(asg.send(new CreateAutoScalingGroupCommand({ ...base, TargetGroupARNs: [`${tg}0`] })), 'ValidationError', /Provided Target Groups may not be valid/)
  await asg.send(new CreateAutoScalingGroupCommand({ ...base, DesiredCapacity: 2, TargetGroupARNs: [tg], HealthCheckType: 'ELB', HealthCheckGracePeriod: 30, DefaultInstanceWarmup: 10, Tags: [{ Key: 'team', Value: 'web', PropagateAtLaunch: true }] }))
  await rejectsWith(asg.send(new CreateAutoScalingGroupCommand({ ...base })), 'AlreadyExistsFault', /AutoScalingGroup by this name already exists - A group with the name web-asg already exists/)

  await pass()
  let group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]
  assert.equal(group?.Instances?.length, 2)
  assert.deepEqual(group?.Instances?.map((i) => i.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b'], 'spread evenly over the zones')
  assert.ok(group?.Instances?.every((i) => i.LifecycleState === 'Pending' && i.LaunchTemplate?.Version === '1'))
  assert.deepEqual(group?.AvailabilityZones?.sort(), ['us-east-1a', 'us-east-1b'])
  const activities = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg' }))).Activities ?? []
  assert.equal(activities.length, 2)
  assert.match(activities[0]?.Description ?? '', /^Launching a new EC2 instance: i-[0-9a-f]{17}$/)
  assert.match(
    activities[0]?.Cause ?? '',
    /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ a user request created an AutoScalingGroup changing the desired capacity from 0 to 2\. {2}At \S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 2\.$/,
  )
  assert.equal(activities[0]?.StatusCode, 'PreInService')
  const view = await api.control.read()
  const launched = view.list('instance').filter((i) => i.tags['aws:autoscaling:groupName'] === 'web-asg')
  assert.equal(launched.length, 2)
  assert.ok(launched.every((i) => i.tags.team === 'web' && i.userData === SCRIPT && i.instanceType === 't3.micro'))

  await markRunning()
  await pass()
  group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]
  assert.ok(group?.Instances?.every((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy'))
  const registered = (await api.control.read()).get('target-group', tg)?.targets.map((x) => x.id).sort()
  assert.deepEqual(registered, group?.Instances?.map((i) => i.InstanceId).sort(), 'in service means registered in the target group')
  assert.ok((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg' }))).Activities?.every((a) => a.StatusCode === 'Successful'))

  await rejectsWith(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web-asg', DesiredCapacity: 5 })), 'ValidationError', /New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup\./)
  await rejectsWith(asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web-asg' })), 'ResourceInUseFault', /while there are instances/)
  await rejectsWith(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 1 })), 'ValidationError', /AutoScalingGroup name not found/)

  // A launch hook holds the third instance in Pending:Wait until it is completed.
  await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'web-asg', LifecycleHookName: 'warm-up', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300, DefaultResult: 'ABANDON' }))
  const hooks = (await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'web-asg' }))).LifecycleHooks
  assert.deepEqual(hooks?.map((h) => [h.LifecycleHookName, h.HeartbeatTimeout, h.DefaultResult]), [['warm-up', 300, 'ABANDON']])
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web-asg', DesiredCapacity: 3 }))
  await pass()
  await markRunning()
  await pass()
  const waiting = (await asg.send(new DescribeAutoScalingInstancesCommand({}))).AutoScalingInstances?.find((i) => i.LifecycleState === 'Pending:Wait')
  assert.ok(waiting, 'the new instance waits on the hook')
  assert.equal(waiting.HealthStatus, 'HEALTHY')
  await pass()
  assert.equal((await asg.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [waiting.InstanceId ?? ''] }))).AutoScalingInstances?.[0]?.LifecycleState, 'Pending:Wait', 'still waiting: nothing completed it')
  await rejectsWith(
    asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'web-asg', LifecycleHookName: 'warm-up', LifecycleActionResult: 'CONTINUE', InstanceId: 'i-00000000000000000' })),
    'ValidationError',
    /No active Lifecycle Action found with instance ID i-00000000000000000/,
  )
  await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'web-asg', LifecycleHookName: 'warm-up', LifecycleActionResult: 'CONTINUE', InstanceId: waiting.InstanceId }))
  await pass()
  group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]
  assert.equal(group?.Instances?.filter((i) => i.LifecycleState === 'InService').length, 3)

  // Scale in to 1: the zone with two instances loses one first, then the older of the two left.
  const byZone = new Map(group?.Instances?.map((i) => [i.InstanceId, i.AvailabilityZone]))
  await asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'web-asg', ScalingProcesses: ['Terminate'] }))
  await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web-asg', DesiredCapacity: 1 }))
  await pass()
  assert.equal((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]?.Instances?.length, 3, 'Terminate suspended: nothing is taken out')
  await asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'web-asg' }))
  await pass()
  const after = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]?.Instances ?? []
  const leaving = after.filter((i) => i.LifecycleState?.startsWith('Terminating'))
  assert.equal(leaving.length, 2)
  const zonesLeft = after.filter((i) => i.LifecycleState === 'InService').map((i) => byZone.get(i.InstanceId))
  assert.equal(zonesLeft.length, 1)
  const scaleIn = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg', MaxRecords: 2 }))).Activities ?? []
  assert.match(
    scaleIn[0]?.Cause ?? '',
    /a user request explicitly set group desired capacity changing the desired capacity from 3 to 1\. {2}At \S+Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 1\. {2}At \S+Z instance i-[0-9a-f]+ was selected for termination\.$/,
  )
  assert.equal((await api.control.read()).get('target-group', tg)?.targets.length, 1, 'the leaving instances are deregistered first')
  await pass()
  await markRunning()
  await pass()
  assert.equal((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]?.Instances?.length, 1)

  const last = after.find((i) => i.LifecycleState === 'InService')?.InstanceId ?? ''
  await rejectsWith(asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: last, ShouldDecrementDesiredCapacity: true })), 'ValidationError', /Currently, desiredSize equals minSize \(1\)/)
  await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web-asg', MinSize: 0 }))
  const term = await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: last, ShouldDecrementDesiredCapacity: true }))
  assert.match(term.Activity?.Cause ?? '', new RegExp(`instance ${last} was taken out of service in response to a user request, shrinking the capacity from 1 to 0\\.$`))

  // Simple and step policies run through ExecutePolicy (openalb has no CloudWatch alarms).
  await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web-asg', MinSize: 1, DesiredCapacity: 1 }))
  await rejectsWith(asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'add', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity' })), 'ValidationError', /ScalingAdjustment is required/)
  await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'add', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 2, Cooldown: 600 }))
  await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'add' }))
  assert.equal((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]?.DesiredCapacity, 3)
  await rejectsWith(asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'add', HonorCooldown: true })), 'ScalingActivityInProgressFault', /cooldown/)
  await asg.send(
    new PutScalingPolicyCommand({
      AutoScalingGroupName: 'web-asg',
      PolicyName: 'steps',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ExactCapacity',
      StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 2 }, { MetricIntervalLowerBound: 50, ScalingAdjustment: 4 }],
    }),
  )
  await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'steps', MetricValue: 60, BreachThreshold: 50 }))
  assert.equal((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-asg'] }))).AutoScalingGroups?.[0]?.DesiredCapacity, 2)
  await pass()
  assert.match((await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-asg', MaxRecords: 1 }))).Activities?.[0]?.Cause ?? '', /^At \S+Z a user request executed policy steps changing the desired capacity from 3 to 2\./)
  assert.deepEqual((await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'web-asg' }))).ScalingPolicies?.map((x) => [x.PolicyName, x.PolicyType]), [['add', 'SimpleScaling'], ['steps', 'StepScaling']])
  await asg.send(new DeletePolicyCommand({ AutoScalingGroupName: 'web-asg', PolicyName: 'add' }))
  assert.equal((await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'web-asg' }))).ScalingPolicies?.length, 1)

  // Scheduled actions (UTC recurrences).
  await rejectsWith(asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'web-asg', ScheduledActionName: 'bad', Recurrence: '0 25 * * *', DesiredCapacity: 2 })), 'ValidationError', /Given recurrence string is not valid/)
  await rejectsWith(asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'web-asg', ScheduledActionName: 'tz', Recurrence: '0 9 * * *', TimeZone: 'Europe/Paris', DesiredCapacity: 2 })), 'ValidationError', /TimeZone Europe\/Paris is not supported/)
  await asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'web-asg', ScheduledActionName: 'mornings', Recurrence: '0 9 * * 1-5', MinSize: 1, DesiredCapacity: 3 }))
  const scheduled = (await asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'web-asg' }))).ScheduledUpdateGroupActions ?? []
  assert.deepEqual(scheduled.map((a) => [a.ScheduledActionName, a.Recurrence, a.DesiredCapacity, a.TimeZone]), [['mornings', '0 9 * * 1-5', 3, 'UTC']])
  await asg.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: 'web-asg', ScheduledActionName: 'mornings' }))

  // Launch configurations, and ForceDelete.
  await asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc', ImageId: 'ami-lc', InstanceType: 't3.nano' }))
  await rejectsWith(asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc', ImageId: 'ami-lc', InstanceType: 't3.nano' })), 'AlreadyExistsFault')
  await rejectsWith(asg.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc2', ImageId: 'ami-lc', InstanceType: 't3.nano', KeyName: 'k' })), 'ValidationError', /KeyName is not supported by openalb/)
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'lc-asg', LaunchConfigurationName: 'lc', MinSize: 1, MaxSize: 1, VPCZoneIdentifier: SUBNET_A }))
  await rejectsWith(asg.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'lc' })), 'ResourceInUseFault', /Cannot delete launch configuration lc because it is attached to AutoScalingGroup lc-asg/)
  assert.equal((await asg.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations?.[0]?.ImageId, 'ami-lc')
  await pass()
  await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'lc-asg', ForceDelete: true }))
  assert.equal((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['lc-asg'] }))).AutoScalingGroups?.[0]?.Status, 'Delete in progress')
  for (let i = 0; i < 4; i++) {
    await pass()
    await markRunning()
  }
  assert.deepEqual((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['lc-asg'] }))).AutoScalingGroups, [])
  await asg.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'lc' }))
  assertWireMatchesModels(api)
})
