import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateInternetGatewayCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeAccountAttributesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DetachNetworkInterfaceCommand,
  DeleteNetworkInterfaceCommand,
  ModifyNetworkInterfaceAttributeCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2'
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

const tag = (type: 'vpc' | 'subnet' | 'internet-gateway' | 'route-table' | 'security-group' | 'security-group-rule', name: string) => [{ ResourceType: type, Tags: [{ Key: 'Name', Value: name }] }]

/**
 * The calls the Terraform aws provider (v5) makes for aws_vpc, aws_subnet, aws_internet_gateway,
 * aws_route_table (+ aws_route_table_association), aws_security_group and
 * aws_vpc_security_group_ingress_rule / egress_rule, in its order, replayed with the SDK:
 * create (with the reads it waits on), a refresh, then destroy in reverse dependency order.
 */
test('Terraform: the provider\'s create, read and destroy calls for a VPC, subnets, gateway, route table and security group rules', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))

  // Provider configure.
  const account = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['supported-platforms'] }))
  assert.deepEqual(account.AccountAttributes?.[0]?.AttributeValues?.map((v) => v.AttributeValue), ['VPC'])

  // aws_vpc: create, wait available, attributes, then read as a refresh does.
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default', TagSpecifications: tag('vpc', 'tf-main') }))
  const vpcId = vpc.Vpc?.VpcId ?? ''
  assert.equal((await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs?.[0]?.State, 'available')
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
  const readVpc = async () => {
    const [described, hostnames, support, metrics, main, acl, group] = await Promise.all([
      ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
      ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
      ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
      ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableNetworkAddressUsageMetrics' })),
      ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }, { Name: 'vpc-id', Values: [vpcId] }] })),
      ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }, { Name: 'vpc-id', Values: [vpcId] }] })),
      ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }, { Name: 'vpc-id', Values: [vpcId] }] })),
    ])
    return { vpc: described.Vpcs?.[0], hostnames: hostnames.EnableDnsHostnames?.Value, support: support.EnableDnsSupport?.Value, metrics: metrics.EnableNetworkAddressUsageMetrics?.Value, main: main.RouteTables ?? [], acl: acl.NetworkAcls ?? [], group: group.SecurityGroups ?? [] }
  }
  const vpcState = await readVpc()
  assert.deepEqual([vpcState.hostnames, vpcState.support, vpcState.metrics], [true, true, false])
  assert.equal(vpcState.main.length, 1, 'one main route table')
  assert.equal(vpcState.acl.length, 1, 'one default network ACL')
  assert.equal(vpcState.group.length, 1, 'one default security group')
  assert.deepEqual(vpcState.vpc?.Tags, [{ Key: 'Name', Value: 'tf-main' }])
  const mainTableId = vpcState.main[0]?.RouteTableId ?? ''

  // aws_subnet x2: create, wait available, map_public_ip_on_launch, read.
  const subnets: string[] = []
  for (const [cidr, zone, name] of [['10.0.1.0/24', 'us-east-1a', 'tf-a'], ['10.0.2.0/24', 'us-east-1b', 'tf-b']] as const) {
    const s = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone, TagSpecifications: tag('subnet', name) }))
    const id = s.Subnet?.SubnetId ?? ''
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }))).Subnets?.[0]?.State, 'available')
    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }))
    subnets.push(id)
  }

  // aws_internet_gateway: create, attach, wait for the attachment.
  const igw = await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tag('internet-gateway', 'tf-igw') }))
  const igwId = igw.InternetGateway?.InternetGatewayId ?? ''
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }))
  const attached = await ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igwId] }))
  assert.deepEqual(attached.InternetGateways?.[0]?.Attachments, [{ State: 'available', VpcId: vpcId }])
  await rejectsWith(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'Resource.AlreadyAssociated')

  // aws_route_table with an inline route to the gateway, and two aws_route_table_association.
  const rtb = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tag('route-table', 'tf-public') }))
  const rtbId = rtb.RouteTable?.RouteTableId ?? ''
  assert.deepEqual(rtb.RouteTable?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId]), [['10.0.0.0/16', 'local']])
  await ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }))
  await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })), 'RouteAlreadyExists')
  await rejectsWith(ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '10.9.0.0/16', GatewayId: 'igw-00000000000000000' })), 'InvalidGatewayID.NotFound')
  const associations: string[] = []
  for (const subnet of subnets) {
    const a = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnet }))
    associations.push(a.AssociationId ?? '')
    const found = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.route-table-association-id', Values: [a.AssociationId ?? ''] }] }))
    assert.equal(found.RouteTables?.[0]?.RouteTableId, rtbId)
  }
  await rejectsWith(ec2.send(new AssociateRouteTableCommand({ RouteTableId: mainTableId, SubnetId: subnets[0] })), 'Resource.AlreadyAssociated')
  const table = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbId] }))).RouteTables?.[0]
  assert.deepEqual(table?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State]), [['10.0.0.0/16', 'local', 'active'], ['0.0.0.0/0', igwId, 'active']])
  assert.deepEqual(table?.Associations?.map((a) => a.SubnetId), subnets)

  // aws_security_group: create, wait, revoke the default egress rule, put the configured rules.
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-web', Description: 'web', VpcId: vpcId, TagSpecifications: tag('security-group', 'tf-web') }))
  const sgId = sg.GroupId ?? ''
  const fresh = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }))).SecurityGroups?.[0]
  assert.deepEqual(fresh?.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges?.map((r) => r.CidrIp)]), [['-1', ['0.0.0.0/0']]])
  await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sgId, IpPermissions: [{ IpProtocol: '-1', FromPort: 0, ToPort: 0, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }))
  assert.deepEqual((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }))).SecurityGroups?.[0]?.IpPermissionsEgress, [])

  // aws_vpc_security_group_ingress_rule and _egress_rule: one rule each, read back by id.
  const ingress = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sgId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 4000, ToPort: 4000, IpRanges: [{ CidrIp: '10.0.0.0/16', Description: 'app' }] }],
      TagSpecifications: tag('security-group-rule', 'tf-app'),
    }),
  )
  const ingressId = ingress.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? ''
  assert.match(ingressId, /^sgr-[0-9a-f]{17}$/)
  const egress = await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sgId, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }))
  const egressId = egress.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? ''
  const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ingressId, egressId] }))
  assert.deepEqual(
    rules.SecurityGroupRules?.map((r) => [r.SecurityGroupRuleId, r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4, r.Description, r.Tags?.[0]?.Value]),
    [
      [ingressId, false, 'tcp', 4000, 4000, '10.0.0.0/16', 'app', 'tf-app'],
      [egressId, true, '-1', -1, -1, '0.0.0.0/0', undefined, undefined],
    ],
  )
  const byGroup = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [sgId] }] }))
  assert.equal(byGroup.SecurityGroupRules?.length, 2)
  // A refresh sees the same rule ids.
  const again = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ingressId] }))
  assert.equal(again.SecurityGroupRules?.[0]?.GroupId, sgId)

  // Tags: update in place, as Terraform's tags diff does.
  await ec2.send(new CreateTagsCommand({ Resources: [vpcId, subnets[0] ?? '', igwId, rtbId, sgId], Tags: [{ Key: 'env', Value: 'test' }] }))
  await ec2.send(new DeleteTagsCommand({ Resources: [rtbId], Tags: [{ Key: 'env' }] }))
  const tagged = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env'] }] }))
  assert.deepEqual(tagged.Tags?.map((x) => x.ResourceType).sort(), ['internet-gateway', 'security-group', 'subnet', 'vpc'])

  // A refresh of everything.
  assert.equal((await readVpc()).vpc?.VpcId, vpcId)
  assert.equal((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnets }))).Subnets?.length, 2)

  // Destroy, in reverse dependency order, with the lookups the provider makes first.
  await rejectsWith(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation')
  await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sgId, SecurityGroupRuleIds: [ingressId] }))
  await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sgId, SecurityGroupRuleIds: [egressId] }))
  await rejectsWith(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: sgId, SecurityGroupRuleIds: [ingressId] })), 'InvalidSecurityGroupRuleId.NotFound')
  assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [sgId] }] }))).NetworkInterfaces, [])
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sgId }))
  for (const a of associations) await ec2.send(new DisassociateRouteTableCommand({ AssociationId: a }))
  await rejectsWith(ec2.send(new DisassociateRouteTableCommand({ AssociationId: associations[0] })), 'InvalidAssociationID.NotFound')
  await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'DependencyViolation')
  await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtbId }))
  await rejectsWith(ec2.send(new DeleteRouteTableCommand({ RouteTableId: mainTableId })), 'DependencyViolation')
  await rejectsWith(ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })), 'DependencyViolation')
  await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }))
  await rejectsWith(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'Gateway.NotAttached')
  await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }))
  for (const s of subnets) {
    await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [s] }] }))
    await ec2.send(new DeleteSubnetCommand({ SubnetId: s }))
  }
  await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }))
  // Gone with the VPC: its main route table and default group.
  await rejectsWith(ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [mainTableId] })), 'InvalidRouteTableID.NotFound')
  assert.deepEqual((await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).SecurityGroups, [])
  assert.deepEqual((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).Vpcs, [])
  assertWireMatchesModels(api)
})

test('Terraform: data "aws_vpc" and "aws_subnets" read the default VPC, its attributes and main route table', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))
  const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))).Vpcs?.[0]
  const vpcId = vpc?.VpcId ?? ''
  const hostnames = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }))
  assert.equal(hostnames.EnableDnsHostnames?.Value, true)
  const main = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }, { Name: 'vpc-id', Values: [vpcId] }] }))
  assert.deepEqual(main.RouteTables?.[0]?.Routes?.map((r) => r.DestinationCidrBlock), ['172.31.0.0/16', '0.0.0.0/0'])
  const gateway = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))
  assert.equal(gateway.InternetGateways?.length, 1)
  const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))
  assert.equal(subnets.Subnets?.length, 3)
  await rejectsWith(ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: gateway.InternetGateways?.[0]?.InternetGatewayId })), 'OperationNotPermitted')
  assertWireMatchesModels(api)
})

test('Terraform: the provider asks STS who it is first; aws_default_security_group and an aws_vpc_security_group_ingress_rule update (ModifySecurityGroupRules)', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))
  // Provider configure: GetCallerIdentity gives the account every ARN carries.
  const sts = new STSClient(clientConfig(api))
  const me = await sts.send(new GetCallerIdentityCommand({}))
  assert.deepEqual([me.Account, me.UserId, me.Arn], ['000000000000', '000000000000', 'arn:aws:iam::000000000000:root'])

  // aws_default_security_group (default VPC): the group exists, as in every VPC.
  const found = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60718'] }, { Name: 'group-name', Values: ['default'] }] }))
  const group = found.SecurityGroups?.[0]
  assert.equal(found.SecurityGroups?.length, 1)
  assert.equal(group?.GroupId, 'sg-0a1b2c3d4e5f60718')
  assert.deepEqual(group?.IpPermissions?.map((p) => [p.IpProtocol, p.UserIdGroupPairs?.map((g) => g.GroupId)]), [['-1', ['sg-0a1b2c3d4e5f60718']]])
  assert.deepEqual(group?.IpPermissionsEgress?.map((p) => [p.IpProtocol, p.IpRanges?.map((r) => r.CidrIp)]), [['-1', ['0.0.0.0/0']]])
  await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: group?.GroupId })), 'CannotDelete')

  // aws_vpc_security_group_ingress_rule: create, then an in-place update of its port and CIDR.
  const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-web', Description: 'web' }))
  const sgId = sg.GroupId ?? ''
  const other = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-other', Description: 'other' }))
  const made = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'old' }] }], TagSpecifications: tag('security-group-rule', 'tf-rule') }))
  const ruleId = made.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? ''
  const second = await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sgId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }))
  const secondId = second.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? ''
  const modified = await ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sgId, SecurityGroupRules: [{ SecurityGroupRuleId: ruleId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8081, CidrIpv4: '127.0.0.0/8', Description: 'new' } }] }))
  assert.equal(modified.Return, true)
  const read = (await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ruleId] }))).SecurityGroupRules?.[0]
  assert.deepEqual([read?.SecurityGroupRuleId, read?.IsEgress, read?.FromPort, read?.ToPort, read?.CidrIpv4, read?.Description, read?.Tags?.[0]?.Value], [ruleId, false, 8080, 8081, '127.0.0.0/8', 'new', 'tf-rule'])
  // The group's ingress is what the data plane enforces at accept: the old entry is gone.
  const perms = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sgId] }))).SecurityGroups?.[0]?.IpPermissions
  assert.deepEqual(perms?.map((p) => [p.FromPort, p.ToPort, p.IpRanges?.map((r) => r.CidrIp)]), [[443, 443, ['10.0.0.0/8']], [8080, 8081, ['127.0.0.0/8']]])
  // A source group instead of a CIDR; then the errors EC2 gives.
  await ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sgId, SecurityGroupRules: [{ SecurityGroupRuleId: ruleId, SecurityGroupRule: { IpProtocol: '-1', ReferencedGroupId: other.GroupId } }] }))
  const byGroup = (await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ruleId] }))).SecurityGroupRules?.[0]
  assert.deepEqual([byGroup?.IpProtocol, byGroup?.FromPort, byGroup?.ReferencedGroupInfo?.GroupId], ['-1', -1, other.GroupId])
  await rejectsWith(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sgId, SecurityGroupRules: [{ SecurityGroupRuleId: secondId, SecurityGroupRule: { IpProtocol: '-1', ReferencedGroupId: other.GroupId } }] })), 'InvalidPermission.Duplicate')
  await rejectsWith(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sgId, SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-00000000000000000', SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' } }] })), 'InvalidSecurityGroupRuleId.NotFound')
  await rejectsWith(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: other.GroupId, SecurityGroupRules: [{ SecurityGroupRuleId: ruleId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' } }] })), 'InvalidSecurityGroupRuleId.NotFound')
  await rejectsWith(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: sgId, SecurityGroupRules: [{ SecurityGroupRuleId: secondId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8', CidrIpv6: '::/0' } }] })), 'InvalidParameterValue')
  await rejectsWith(ec2.send(new ModifySecurityGroupRulesCommand({ GroupId: 'sg-00000000000000000', SecurityGroupRules: [{ SecurityGroupRuleId: secondId, SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' } }] })), 'InvalidGroup.NotFound')
  // A refused change left the rule as it was.
  assert.equal((await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [secondId] }))).SecurityGroupRules?.[0]?.FromPort, 443)
  assertWireMatchesModels(api)
})

test('Terraform: a balancer\'s network interfaces, one per subnet, as aws_security_group and aws_subnet destroy look them up', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const ec2 = new EC2Client(clientConfig(api))
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(api))
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tf-lb', Description: 'lb' }))).GroupId ?? ''
  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'tf-web', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'], SecurityGroups: [sg] }))).LoadBalancers?.[0]
  const suffix = (lb?.LoadBalancerArn ?? '').split('/').slice(-2).join('/')
  const found = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB app/${suffix}`] }] }))
  assert.deepEqual(
    found.NetworkInterfaces?.map((n) => [n.SubnetId, n.AvailabilityZone, n.RequesterId, n.RequesterManaged, n.InterfaceType, n.Groups?.map((g) => g.GroupId), n.Attachment?.InstanceOwnerId, n.Status]).sort(),
    [
      ['subnet-0a1b2c3d4e5f60a01', 'us-east-1a', 'amazon-elb', true, 'interface', [sg], 'amazon-elb', 'in-use'],
      ['subnet-0a1b2c3d4e5f60b02', 'us-east-1b', 'amazon-elb', true, 'interface', [sg], 'amazon-elb', 'in-use'],
    ],
  )
  assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: ['ELB app/tf-web/*'] }, { Name: 'group-id', Values: [sg] }] }))).NetworkInterfaces?.length, 2)
  assert.equal((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: ['subnet-0a1b2c3d4e5f60c03'] }] }))).NetworkInterfaces?.length, 0)
  // The same ids on every read; ELB's, so not the user's to delete, detach or change.
  const again = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'requester-id', Values: ['amazon-elb'] }] }))
  assert.deepEqual(again.NetworkInterfaces?.map((n) => n.NetworkInterfaceId).sort(), found.NetworkInterfaces?.map((n) => n.NetworkInterfaceId).sort())
  const eni = found.NetworkInterfaces?.[0]
  await rejectsWith(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId })), 'InvalidParameterValue', /is currently in use/)
  await rejectsWith(ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: eni?.Attachment?.AttachmentId })), 'OperationNotPermitted')
  await rejectsWith(ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId, Groups: [sg] })), 'OperationNotPermitted')
  await rejectsWith(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-00000000000000000' })), 'InvalidNetworkInterfaceID.NotFound')
  // Other regions see none of this region's balancer.
  const west = new EC2Client({ ...clientConfig(api), region: 'eu-west-1' })
  assert.deepEqual((await west.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces, [])
  // Destroy: the security group is in use by the balancer's interfaces until the balancer goes; then they are gone.
  await rejectsWith(ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg })), 'DependencyViolation')
  await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
  assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }] }))).NetworkInterfaces, [])
  await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }))
  assertWireMatchesModels(api)
})
