import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2'
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetHostedZoneCommand,
  GetHostedZoneLimitCommand,
  ListHostedZonesByVPCCommand,
  ListHostedZonesCommand,
  Route53Client,
  TestDNSAnswerCommand,
} from '@aws-sdk/client-route-53'
import { needs } from '../helpers/shared.js'
import { eventually } from '../helpers/eventually.js'
import { awsCliV2, route53Node } from '../helpers/route53-node.js'
import { rejectsWith } from '../aws/assert-aws-error.js'
import { assertWireMatchesModels } from '../aws/assert-wire.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.121.0.0/16'

const noDig = needs('dig', 'dnsutils')
const DEFAULT_VPC = 'vpc-0a1b2c3d4e5f60718'

async function node(t: TestContext) {
  const { proxy, config, digA: dig } = await route53Node(t, 'r53pz')
  return { proxy, r53: new Route53Client(config), ec2: new EC2Client(config), dig }
}

test('Route 53 private hosted zones with the SDK: openalb\'s DNS answers a private zone only to its VPCs\' instances; associate, disassociate, list by VPC', { skip: noDig }, async (t) => {
  const { proxy, r53, ec2, dig } = await node(t)
  const vpcA = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId ?? ''
  const vpcB = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc?.VpcId ?? ''
  const launch = async (vpc: string, cidr: string) => {
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? ''
    const i = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-web', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnet }))).Instances?.[0]
    return { id: i?.InstanceId ?? '', address: i?.PrivateIpAddress ?? '' }
  }
  const inA = await launch(vpcA, '10.1.1.0/24')
  const inB = await launch(vpcB, '10.2.1.0/24')
  assert.match(inA.address, /^127\.121\./)

  const publicZone = (await r53.send(new CreateHostedZoneCommand({ Name: 'corp.test', CallerReference: 'pub' }))).HostedZone?.Id ?? ''
  const created = await r53.send(new CreateHostedZoneCommand({ Name: 'corp.test', CallerReference: 'priv', VPC: { VPCId: vpcA, VPCRegion: 'us-east-1' }, HostedZoneConfig: { PrivateZone: true, Comment: 'inside' } }))
  const privateZone = created.HostedZone?.Id ?? ''
  assert.equal(created.HostedZone?.Config?.PrivateZone, true)
  assert.deepEqual(created.VPC, { VPCId: vpcA, VPCRegion: 'us-east-1' })
  const a = (value: string) => ({ Action: 'CREATE' as const, ResourceRecordSet: { Name: 'db.corp.test', Type: 'A' as const, TTL: 60, ResourceRecords: [{ Value: value }] } })
  await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: publicZone, ChangeBatch: { Changes: [a('203.0.113.1')] } }))
  await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: privateZone, ChangeBatch: { Changes: [a('10.1.0.9')] } }))

  assert.equal(await dig('db.corp.test', inA.address), '10.1.0.9', 'an instance of the VPC gets the private zone')
  assert.equal(await dig('db.corp.test', inB.address), '203.0.113.1', 'an instance of another VPC gets the public zone')
  assert.equal(await dig('db.corp.test', '127.0.0.1'), '203.0.113.1', 'a host outside every VPC gets the public zone')
  assert.equal(await dig('www.corp.test', inA.address), 'NXDOMAIN', 'a name the private zone lacks is NXDOMAIN for the VPC: no fall-through to the public zone')

  const got = await r53.send(new GetHostedZoneCommand({ Id: privateZone }))
  assert.deepEqual(got.VPCs, [{ VPCId: vpcA, VPCRegion: 'us-east-1' }])
  assert.equal(got.DelegationSet, undefined)
  assert.deepEqual((await r53.send(new ListHostedZonesCommand({ HostedZoneType: 'PrivateHostedZone' }))).HostedZones?.map((z) => z.Id), [privateZone])

  await r53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: privateZone, VPC: { VPCId: vpcB, VPCRegion: 'us-east-1' }, Comment: 'b too' }))
  assert.equal(await dig('db.corp.test', inB.address), '10.1.0.9', 'associated: VPC B gets the private zone')
  const byVpc = await r53.send(new ListHostedZonesByVPCCommand({ VPCId: vpcB, VPCRegion: 'us-east-1' }))
  assert.deepEqual(byVpc.HostedZoneSummaries?.map((z) => [z.HostedZoneId, z.Name, z.Owner?.OwningAccount]), [[privateZone.replace('/hostedzone/', ''), 'corp.test.', '000000000000']])
  assert.deepEqual((await r53.send(new GetHostedZoneLimitCommand({ HostedZoneId: privateZone, Type: 'MAX_VPCS_ASSOCIATED_BY_ZONE' }))).Count, 2)

  await rejectsWith(r53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: publicZone, VPC: { VPCId: vpcA, VPCRegion: 'us-east-1' } })), 'PublicZoneVPCAssociation')
  await rejectsWith(r53.send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: privateZone, VPC: { VPCId: 'vpc-0000000000000dead', VPCRegion: 'us-east-1' } })), 'InvalidVPCId')
  await rejectsWith(r53.send(new CreateHostedZoneCommand({ Name: 'corp.test', CallerReference: 'priv-2', VPC: { VPCId: vpcB, VPCRegion: 'us-east-1' } })), 'ConflictingDomainExists')
  await rejectsWith(r53.send(new CreateHostedZoneCommand({ Name: 'corp.test', CallerReference: 'pub-2' })), 'HostedZoneAlreadyExists')
  await rejectsWith(r53.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: privateZone, VPC: { VPCId: DEFAULT_VPC, VPCRegion: 'us-east-1' } })), 'VPCAssociationNotFound')
  await rejectsWith(r53.send(new GetHostedZoneLimitCommand({ HostedZoneId: publicZone, Type: 'MAX_VPCS_ASSOCIATED_BY_ZONE' })), 'HostedZoneNotPrivate')

  await r53.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: privateZone, VPC: { VPCId: vpcA, VPCRegion: 'us-east-1' } }))
  assert.equal(await dig('db.corp.test', inA.address), '203.0.113.1', 'disassociated: VPC A is back on the public zone')
  await rejectsWith(r53.send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: privateZone, VPC: { VPCId: vpcB, VPCRegion: 'us-east-1' } })), 'LastVPCAssociation')

  // A VPC's CIDR block counts too (a host given by address inside it), and TestDNSAnswer asks from ResolverIP.
  const answer = async (resolver?: string) => (await r53.send(new TestDNSAnswerCommand({ HostedZoneId: privateZone, RecordName: 'db.corp.test', RecordType: 'A', ...(resolver ? { ResolverIP: resolver } : {}) }))).RecordData
  assert.deepEqual(await answer(inB.address), ['10.1.0.9'])
  assert.deepEqual(await answer('10.2.3.4'), ['10.1.0.9'], 'an address in VPC B\'s block')
  assert.deepEqual(await answer(), ['203.0.113.1'], 'no resolver: asked from outside every VPC')

  // A terminated instance's address is no longer the VPC's.
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [inB.id] }))
  await eventually(async () => (await dig('db.corp.test', inB.address)) === '203.0.113.1', { timeoutMs: 5000, message: 'the terminated instance gets the public answer' })
  assertWireMatchesModels(proxy)
})

test('Route 53 private hosted zones with the AWS CLI v2: create-hosted-zone --vpc, associate, list-hosted-zones-by-vpc; dig from an instance', { skip: noDig }, async (t) => {
  const { proxy, dig } = await node(t)
  const aws = await awsCliV2(t, proxy.endpoint, 'r53pz')
  if (!aws) return
  const text = (...args: string[]) => aws(...args, '--output', 'text')
  // The default VPC: an instance launched without a subnet is in it.
  const address = await text('ec2', 'run-instances', '--image-id', 'ami-web', '--instance-type', 't3.micro', '--query', 'Instances[0].PrivateIpAddress')
  const zone = await text('route53', 'create-hosted-zone', '--name', 'internal.test', '--caller-reference', 'cli-priv', '--vpc', `VPCRegion=us-east-1,VPCId=${DEFAULT_VPC}`, '--query', 'HostedZone.Id')
  await aws('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify({ Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'api.internal.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.7' }] } }] }))
  assert.equal(await dig('api.internal.test', address), '10.0.0.7')
  assert.equal(await dig('api.internal.test', '127.0.0.1'), 'REFUSED', 'outside the VPC the private zone does not exist (no public zone either)')
  const vpc = await text('ec2', 'create-vpc', '--cidr-block', '10.9.0.0/16', '--query', 'Vpc.VpcId')
  await aws('route53', 'associate-vpc-with-hosted-zone', '--hosted-zone-id', zone, '--vpc', `VPCRegion=us-east-1,VPCId=${vpc}`)
  assert.equal(await text('route53', 'list-hosted-zones-by-vpc', '--vpc-id', vpc, '--vpc-region', 'us-east-1', '--query', 'HostedZoneSummaries[0].Name'), 'internal.test.')
  await aws('route53', 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', zone, '--vpc', `VPCRegion=us-east-1,VPCId=${vpc}`)
  assert.equal(await text('route53', 'list-hosted-zones-by-vpc', '--vpc-id', vpc, '--vpc-region', 'us-east-1', '--query', 'length(HostedZoneSummaries)'), '0')
  assertWireMatchesModels(proxy)
})
