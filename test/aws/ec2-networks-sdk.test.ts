import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CreateDefaultVpcCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DeleteSecurityGroupCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2'
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand, ElasticLoadBalancingV2Client, SetSubnetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('EC2: a VPC with subnets in two zones, its attributes, tags and filters, and a balancer in those subnets', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))

  const created = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'main' }] }] }))
  const vpcId = created.Vpc?.VpcId ?? ''
  assert.match(vpcId, /^vpc-[0-9a-f]{17}$/)
  assert.equal(created.Vpc?.IsDefault, false)
  const byTag = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['ma*'] }] }))
  assert.deepEqual(byTag.Vpcs?.map((v) => [v.VpcId, v.CidrBlock, v.State]), [[vpcId, '10.0.0.0/16', 'available']])
  const all = await ec2.send(new DescribeVpcsCommand({}))
  assert.deepEqual(all.Vpcs?.map((v) => v.IsDefault), [true, false])
  await rejectsWith(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-00000000000000000'] })), 'InvalidVpcID.NotFound', /The vpc ID 'vpc-00000000000000000' does not exist/)
  await rejectsWith(ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })), 'InvalidParameterValue', /The filter 'colour' is invalid/)
  await rejectsWith(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', /The CIDR '10.0.0.0\/8' is invalid/)
  await rejectsWith(ec2.send(new CreateDefaultVpcCommand({})), 'DefaultVpcAlreadyExists')

  const hostnames = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }))
  assert.equal(hostnames.EnableDnsHostnames?.Value, false)
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
  const after = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }))
  assert.equal(after.EnableDnsHostnames?.Value, true)
  const support = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }))
  assert.equal(support.EnableDnsSupport?.Value, true)

  const a = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))
  const b = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZoneId: 'use1-az2', TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'tier', Value: 'web' }] }] }))
  const subnetA = a.Subnet?.SubnetId ?? ''
  const subnetB = b.Subnet?.SubnetId ?? ''
  assert.equal(a.Subnet?.AvailableIpAddressCount, 251)
  assert.equal(b.Subnet?.AvailabilityZone, 'us-east-1b')
  assert.match(a.Subnet?.SubnetArn ?? '', new RegExp(`^arn:aws:ec2:us-east-1:\\d{12}:subnet/${subnetA}$`))
  await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.128/25', AvailabilityZone: 'us-east-1c' })), 'InvalidSubnet.Conflict', /The CIDR '10.0.1.128\/25' conflicts with another subnet/)
  await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '192.168.0.0/24' })), 'InvalidSubnet.Range', /The CIDR '192.168.0.0\/24' is invalid/)
  await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.3.0/24', AvailabilityZone: 'us-east-1z' })), 'InvalidParameterValue', /us-east-1a, us-east-1b, us-east-1c/)
  await rejectsWith(ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-00000000000000000', CidrBlock: '10.0.3.0/24' })), 'InvalidVpcID.NotFound')

  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetA, MapPublicIpOnLaunch: { Value: true } }))
  await ec2.send(new CreateTagsCommand({ Resources: [subnetA], Tags: [{ Key: 'Name', Value: 'web-a' }] }))
  const mine = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
  assert.deepEqual(mine.Subnets?.map((s) => [s.SubnetId, s.CidrBlock, s.MapPublicIpOnLaunch]), [[subnetA, '10.0.1.0/24', true], [subnetB, '10.0.2.0/24', false]])
  const tagged = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-a'] }, { Name: 'availability-zone', Values: ['us-east-1a'] }] }))
  assert.deepEqual(tagged.Subnets?.map((s) => s.SubnetId), [subnetA])

  // A security group in the VPC keeps the VPC from being deleted.
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))

  // ELB: subnets must exist, be in distinct zones, in one VPC; the balancer's zones come from them.
  await rejectsWith(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [subnetA, 'subnet-00000000000000000'] })), 'SubnetNotFoundException')
  await rejectsWith(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [subnetA, 'subnet-0a1b2c3d4e5f60b02'] })), 'InvalidSubnetException')
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [subnetA, subnetB] }))
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  assert.equal(lb.LoadBalancers?.[0]?.VpcId, vpcId)
  assert.deepEqual(lb.LoadBalancers?.[0]?.AvailabilityZones?.map((z) => [z.ZoneName, z.SubnetId]), [['us-east-1a', subnetA], ['us-east-1b', subnetB]])
  const sameZone = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.4.0/24', AvailabilityZone: 'us-east-1a' }))
  await rejectsWith(elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: [subnetA, sameZone.Subnet?.SubnetId ?? ''] })), 'InvalidConfigurationRequestException', /same Availability Zone/)
  await rejectsWith(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetA })), 'DependencyViolation', new RegExp(`The subnet '${subnetA}' has dependencies and cannot be deleted`))
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }))

  await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', new RegExp(`The vpc '${vpcId}' has dependencies and cannot be deleted`))
  for (const id of [subnetA, subnetB, sameZone.Subnet?.SubnetId ?? '']) await ec2.send(new DeleteSubnetCommand({ SubnetId: id }))
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId }))
  await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }))
  await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'InvalidVpcID.NotFound')
  assertWireMatchesModels(api)
})

test('EC2: zones, regions and ARNs follow the region the caller signs for', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const eu = new EC2Client({ ...clientConfig(api), region: 'eu-west-1' })
  const zones = await eu.send(new DescribeAvailabilityZonesCommand({}))
  assert.deepEqual(zones.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId, z.RegionName]), [
    ['eu-west-1a', 'euw1-az1', 'eu-west-1'],
    ['eu-west-1b', 'euw1-az2', 'eu-west-1'],
    ['eu-west-1c', 'euw1-az3', 'eu-west-1'],
  ])
  await rejectsWith(eu.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1a'] })), 'InvalidParameterValue')
  const regions = await eu.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1', 'us-east-1'] }))
  assert.deepEqual(regions.Regions?.map((r) => [r.RegionName, r.Endpoint]), [['eu-west-1', 'ec2.eu-west-1.amazonaws.com'], ['us-east-1', 'ec2.us-east-1.amazonaws.com']])
  const defaults = await eu.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))
  assert.deepEqual(defaults.Subnets?.map((s) => s.AvailabilityZone), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'])
  assert.ok(defaults.Subnets?.every((s) => s.SubnetArn?.startsWith('arn:aws:ec2:eu-west-1:')))

  const vpc = await eu.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))
  const us = new EC2Client(clientConfig(api))
  const usVpcs = await us.send(new DescribeVpcsCommand({}))
  assert.ok(!usVpcs.Vpcs?.some((v) => v.VpcId === vpc.Vpc?.VpcId), 'a VPC of eu-west-1 is not listed in us-east-1')
  const subnet = await eu.send(new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: '10.9.0.0/24', AvailabilityZoneId: 'euw1-az3' }))
  assert.equal(subnet.Subnet?.AvailabilityZone, 'eu-west-1c')
  assertWireMatchesModels(api)
})
