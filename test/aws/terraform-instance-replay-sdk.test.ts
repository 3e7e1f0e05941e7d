import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  CreateSecurityGroupCommand,
  DeleteNetworkInterfaceCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstanceCreditSpecificationsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeTagsCommand,
  DescribeNetworkInterfacesCommand,
  DetachNetworkInterfaceCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { recordingProxy } from './recording-proxy.js'
import { credentials } from './start-aws-api.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.110.0.0/16'

const server = (text: string) =>
  `#!/bin/sh\nexec node -e "require('http').createServer((q, s) => s.end('${text} ' + process.env.OPENALB_INSTANCE_ID)).listen(4000, process.env.OPENALB_PRIVATE_IP)"\n`
const b64 = (s: string) => Buffer.from(s).toString('base64')

/**
 * aws_instance as the Terraform aws provider (v5, internal/service/ec2/ec2_instance.go) drives it,
 * replayed with the SDK against a whole openalb whose instances are real processes: data "aws_ami",
 * create with the RunInstances shape the provider builds (primary network interface with the
 * subnet and groups, CreditSpecification unlimited for t3, Placement with an empty zone), the
 * reads of a refresh, the updates that stop, modify and start, protection, and destroy.
 */
test('Terraform: aws_instance create, read, update and destroy, and data "aws_ami"', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-tf-instance-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  const proxy = await recordingProxy(lb.controlUrl)
  t.after(async () => {
    await proxy.close()
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: proxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }
  const ec2 = new EC2Client(config)
  assert.equal((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account, '000000000000')

  // data "aws_ami": most_recent, owners ["amazon"], filter name.
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }, { Name: 'architecture', Values: ['x86_64'] }] }))
  assert.equal(images.Images?.length, 1)
  const ami = images.Images?.[0]?.ImageId ?? ''
  assert.equal(images.Images?.[0]?.RootDeviceName, '/dev/xvda')
  await rejectsWith(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-00000000000000000'] })), 'InvalidAMIID.NotFound')

  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-web', Description: 'web' }))).GroupId ?? ''
  const other = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-other', Description: 'other' }))).GroupId ?? ''

  // resourceInstanceCreate: buildInstanceOpts with subnet_id and vpc_security_group_ids.
  const input: RunInstancesCommandInput = {
    ClientToken: 'terraform-20261207000000000000000001',
    DisableApiTermination: false,
    EbsOptimized: false,
    HibernationOptions: { Configured: false },
    ImageId: ami,
    InstanceType: 't3.micro',
    CreditSpecification: { CpuCredits: 'unlimited' },
    MaxCount: 1,
    MinCount: 1,
    Monitoring: { Enabled: false },
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-0a1b2c3d4e5f60b02', Groups: [sg] }],
    Placement: { AvailabilityZone: '' },
    TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'tf-web' }] }],
    UserData: b64(server('v1')),
  }
  const made = await ec2.send(new RunInstancesCommand(input))
  const id = made.Instances?.[0]?.InstanceId ?? ''
  // The provider retries with the same ClientToken: the same instance.
  assert.equal((await ec2.send(new RunInstancesCommand(input))).Instances?.[0]?.InstanceId, id)
  const describe = async () => (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]
  const waitState = (state: string) => eventually(async () => (await describe())?.State?.Name === state, { timeoutMs: 15000, intervalMs: 100, message: `instance ${state}` })
  await waitState('running')

  // resourceInstanceRead.
  const read = async () => {
    const inst = await describe()
    const type = (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: inst?.InstanceType ? [inst.InstanceType] : [] }))).InstanceTypes?.[0]
    const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [inst?.VpcId ?? ''] }))).Vpcs?.[0]
    const attr = async (Attribute: 'instanceInitiatedShutdownBehavior' | 'disableApiStop' | 'disableApiTermination' | 'userData') => ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute }))
    const shutdown = (await attr('instanceInitiatedShutdownBehavior')).InstanceInitiatedShutdownBehavior?.Value
    const stop = (await attr('disableApiStop')).DisableApiStop?.Value
    const termination = (await attr('disableApiTermination')).DisableApiTermination?.Value
    const userData = (await attr('userData')).UserData?.Value
    // flattenInstanceLaunchTemplate: the launch template tag, none for an instance launched without one.
    const template = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }, { Name: 'key', Values: ['aws:ec2launchtemplate:id'] }] }))).Tags ?? []
    assert.deepEqual(template, [])
    const credits = type?.BurstablePerformanceSupported ? (await ec2.send(new DescribeInstanceCreditSpecificationsCommand({ InstanceIds: [id] }))).InstanceCreditSpecifications?.[0]?.CpuCredits : undefined
    return { inst, type, vpc, shutdown, stop, termination, userData, credits }
  }
  const first = await read()
  assert.equal(first.inst?.SubnetId, 'subnet-0a1b2c3d4e5f60b02')
  assert.equal(first.inst?.Placement?.AvailabilityZone, 'us-east-1b')
  assert.deepEqual(first.inst?.SecurityGroups?.map((g) => g.GroupId), [sg])
  assert.deepEqual(first.inst?.CpuOptions, { CoreCount: 1, ThreadsPerCore: 2 })
  assert.deepEqual([first.type?.VCpuInfo?.DefaultVCpus, first.type?.MemoryInfo?.SizeInMiB, first.type?.BurstablePerformanceSupported], [2, 1024, true])
  assert.equal(first.vpc?.IsDefault, true)
  assert.deepEqual([first.shutdown, first.stop, first.termination, first.credits], ['stop', false, false, 'unlimited'])
  assert.equal(Buffer.from(first.userData ?? '', 'base64').toString('utf8'), server('v1'))
  const ip = first.inst?.PrivateIpAddress ?? ''
  const page = () => eventually(async () => {
    try {
      return await (await fetch(`http://${ip}:4000/`)).text()
    } catch {
      return ''
    }
  }, { timeoutMs: 10000, intervalMs: 100, message: 'the instance serves' })
  assert.equal(await page(), `v1 ${id}`)

  // Update disable_api_termination = true: TerminateInstances is refused.
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }))
  assert.equal((await read()).termination, true)
  await rejectsWith(ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] })), 'OperationNotPermitted', /may not be terminated/)
  assert.equal((await describe())?.State?.Name, 'running')

  // Update instance_type: not while running (EC2's IncorrectInstanceState), so the provider stops, modifies, starts.
  await rejectsWith(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.small' } })), 'IncorrectInstanceState')
  await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }))
  await waitState('stopped')
  await rejectsWith(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 'x9.huge' } })), 'InvalidParameterValue', /Invalid value 'x9.huge' for InstanceType/)
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceType: { Value: 't3.small' } }))
  // Update user_data (the provider sends the decoded bytes; the SDK encodes them).
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, UserData: { Value: new TextEncoder().encode(server('v2')) } }))
  await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }))
  await waitState('running')
  const second = await read()
  assert.equal(second.inst?.InstanceType, 't3.small')
  assert.equal(Buffer.from(second.userData ?? '', 'base64').toString('utf8'), server('v2'))
  assert.equal(await eventually(async () => ((await page()) === `v2 ${id}` ? 'v2' : ''), { timeoutMs: 10000, intervalMs: 100, message: 'the new user data runs' }), 'v2')

  // The instance's primary interface: what DescribeInstances and DescribeNetworkInterfaces show is one interface.
  const eni = (await describe())?.NetworkInterfaces?.[0]
  assert.deepEqual([eni?.Attachment?.DeviceIndex, eni?.SubnetId, eni?.PrivateIpAddress, eni?.Groups?.map((g) => g.GroupId)], [0, 'subnet-0a1b2c3d4e5f60b02', ip, [sg]])
  const listed = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))
  assert.deepEqual(listed.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Status, n.Attachment?.Status, n.PrivateIpAddress, n.Description, n.RequesterManaged]), [[eni?.NetworkInterfaceId, 'in-use', 'attached', ip, '', false]])
  assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }, { Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60718'] }] }))).NetworkInterfaces?.length, 1)
  await rejectsWith(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId })), 'InvalidParameterValue', /is currently in use/)
  await rejectsWith(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: eni?.Attachment?.AttachmentId })), 'OperationNotPermitted')
  // Update vpc_security_group_ids: the provider modifies the primary interface's groups; they act at once.
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId, Groups: [sg, other] }))
  assert.deepEqual((await describe())?.SecurityGroups?.map((g) => g.GroupId), [sg, other])
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, Groups: [sg] }))
  assert.deepEqual((await describe())?.NetworkInterfaces?.[0]?.Groups?.map((g) => g.GroupId), [sg])
  // Stop protection refuses StopInstances.
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true } }))
  await rejectsWith(ec2.send(new StopInstancesCommand({ InstanceIds: [id] })), 'OperationNotPermitted', /may not be stopped/)
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: false } }))

  // What openalb cannot do is refused with EC2's codes, and changes nothing.
  await rejectsWith(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, InstanceInitiatedShutdownBehavior: { Value: 'terminate' } })), 'InvalidParameterValue')
  await rejectsWith(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, SourceDestCheck: { Value: false } })), 'InvalidParameterValue')
  await rejectsWith(ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiStop: { Value: true }, DisableApiTermination: { Value: false } })), 'InvalidParameterCombination')
  await rejectsWith(ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: 'i-00000000000000000', Attribute: 'userData' })), 'InvalidInstanceID.NotFound')
  await rejectsWith(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['x9.huge' as 't3.micro'] })), 'InvalidInstanceType')
  await rejectsWith(ec2.send(new RunInstancesCommand({ ...input, ClientToken: 'other', InstanceType: 'x9.huge' as 't3.micro', CreditSpecification: undefined })), 'InvalidParameterValue')
  await rejectsWith(ec2.send(new RunInstancesCommand({ ...input, ClientToken: 'other', CreditSpecification: { CpuCredits: 'standard' } })), 'InvalidParameterValue')
  await rejectsWith(ec2.send(new RunInstancesCommand({ ...input, ClientToken: 'other', SubnetId: 'subnet-0a1b2c3d4e5f60a01' })), 'InvalidParameterCombination')
  const third = await read()
  assert.deepEqual([third.termination, third.stop, third.shutdown, third.inst?.State?.Name], [true, false, 'stop', 'running'])
  assert.equal((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }] }))).Reservations?.length, 1)

  // resourceInstanceDelete: protection off, terminate, wait for terminated.
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: false } }))
  assert.equal((await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }))).TerminatingInstances?.[0]?.CurrentState?.Name, 'shutting-down')
  await waitState('terminated')
  // The interface went with the instance.
  await rejectsWith(ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni?.NetworkInterfaceId ?? ''] })), 'InvalidNetworkInterfaceID.NotFound')
  assertWireMatchesModels(proxy)
})
