import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2'
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('EC2: security groups with ingress rules, and a default VPC with a subnet in each of three zones', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))

  const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))
  const vpcId = vpcs.Vpcs?.[0]?.VpcId
  assert.equal(vpcs.Vpcs?.[0]?.IsDefault, true)
  const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId ?? ''] }] }))
  assert.deepEqual(subnets.Subnets?.map((s) => s.AvailabilityZone), ['us-east-1a', 'us-east-1b', 'us-east-1c'])
  const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}))
  assert.equal(zones.AvailabilityZones?.length, 3)

  const sg = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'web-alb-sg', Description: 'HTTPS from anywhere', VpcId: vpcId, TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'app', Value: 'web' }] }] }),
  )
  const groupId = sg.GroupId ?? ''
  assert.match(groupId, /^sg-[0-9a-f]+$/)
  await rejectsWith(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web-alb-sg', Description: 'again' })), 'InvalidGroup.Duplicate')

  const auth = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    }),
  )
  assert.equal(auth.Return, true)
  assert.equal(auth.SecurityGroupRules?.length, 3)
  await rejectsWith(
    ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] })),
    'InvalidPermission.Duplicate',
  )
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupName: 'web-alb-sg', IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, CidrIp: '127.0.0.1/32' }))
  await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }))
  await ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: 'env', Value: 'test' }] }))

  const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))
  const group = described.SecurityGroups?.[0]
  assert.equal(group?.GroupName, 'web-alb-sg')
  assert.equal(group?.Description, 'HTTPS from anywhere')
  assert.deepEqual(
    group?.IpPermissions?.map((p) => [p.IpProtocol, p.FromPort, p.IpRanges?.map((r) => r.CidrIp), p.Ipv6Ranges?.map((r) => r.CidrIpv6)]),
    [
      ['tcp', 443, ['0.0.0.0/0'], ['::/0']],
      ['tcp', 8080, ['127.0.0.1/32'], []],
    ],
  )
  assert.deepEqual(group?.Tags, [{ Key: 'app', Value: 'web' }, { Key: 'env', Value: 'test' }])
  const byFilter = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['web-*'] }] }))
  assert.equal(byFilter.SecurityGroups?.length, 1)
  await rejectsWith(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0000000000000000f'] })), 'InvalidGroup.NotFound')

  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', SecurityGroups: [groupId] }))
  await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), 'DependencyViolation')
  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn }))
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))
  await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })), 'InvalidGroup.NotFound')
  assertWireMatchesModels(api)
})
