import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { CreateSubnetCommand, CreateVpcCommand, DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('ELBv2 and ACM follow the caller\'s region: ARNs, DNS names, zones and subnets of eu-west-1; each region lists and finds only its own', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const west = { ...clientConfig(api), region: 'eu-west-1' }
  const elbv2 = new ElasticLoadBalancingV2Client(west)
  const ec2 = new EC2Client(west)

  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'west', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))).LoadBalancers?.[0]
  assert.match(lb?.LoadBalancerArn ?? '', /^arn:aws:elasticloadbalancing:eu-west-1:000000000000:loadbalancer\/app\/west\/[0-9a-f]{16}$/)
  assert.match(lb?.DNSName ?? '', /^west-\d+\.eu-west-1\.elb\./)
  assert.equal(lb?.CanonicalHostedZoneId, 'Z32O12XQLNTSW2', "eu-west-1's zone id for Application balancers, as AWS publishes it")
  assert.deepEqual(lb?.AvailabilityZones?.map((z) => [z.ZoneName, z.SubnetId]), [['eu-west-1a', 'subnet-0a1b2c3d4e5f60a01'], ['eu-west-1b', 'subnet-0a1b2c3d4e5f60b02']])
  const tg = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'west-tg', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0a1b2c3d4e5f60718' }))).TargetGroups?.[0]
  assert.match(tg?.TargetGroupArn ?? '', /^arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup\/west-tg\//)
  const listener = (await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTP', Port: 0 + 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] }))).Listeners?.[0]
  assert.match(listener?.ListenerArn ?? '', /^arn:aws:elasticloadbalancing:eu-west-1:/)
  // Its zones stay the region's when its subnets change; its interfaces are listed in eu-west-1.
  const moved = await elbv2.send(new SetSubnetsCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Subnets: ['subnet-0a1b2c3d4e5f60b02', 'subnet-0a1b2c3d4e5f60c03'] }))
  assert.deepEqual(moved.AvailabilityZones?.map((z) => z.ZoneName), ['eu-west-1b', 'eu-west-1c'])
  assert.deepEqual((await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces?.map((n) => n.AvailabilityZone).sort(), ['eu-west-1b', 'eu-west-1c'])

  // A subnet of another region is not there for eu-west-1.
  const east = new EC2Client(clientConfig(api))
  const vpc = (await east.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }))).Vpc?.VpcId ?? ''
  const a = (await east.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.8.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet?.SubnetId ?? ''
  const b = (await east.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.8.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet?.SubnetId ?? ''
  await rejectsWith(elbv2.send(new CreateLoadBalancerCommand({ Name: 'west-2', Subnets: [a, b] })), 'SubnetNotFoundException')
  await rejectsWith(elbv2.send(new CreateTargetGroupCommand({ Name: 'west-tg-2', Protocol: 'HTTP', Port: 80, VpcId: vpc })), 'ValidationError')

  // us-east-1 (openalb's own region, and every YAML balancer's) as before.
  const eastElb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const here = (await eastElb.send(new CreateLoadBalancerCommand({ Name: 'east', Subnets: [a, b] }))).LoadBalancers?.[0]
  assert.match(here?.LoadBalancerArn ?? '', /^arn:aws:elasticloadbalancing:us-east-1:/)
  assert.equal(here?.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K')
  assert.deepEqual(here?.AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1a', 'us-east-1b'])
  assert.equal((await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['west'] }))).LoadBalancers?.[0]?.AvailabilityZones?.[0]?.ZoneName, 'eu-west-1b')

  const nlb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'west-net', Type: 'network', Subnets: ['subnet-0a1b2c3d4e5f60a01'] }))).LoadBalancers?.[0]
  assert.equal(nlb?.CanonicalHostedZoneId, 'Z2IFOLAFXWLO4F', "eu-west-1's zone id for Network balancers")

  // Resources are regional: each endpoint lists and finds only its own region's.
  assert.deepEqual((await eastElb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((l) => l.LoadBalancerName), ['east'])
  assert.deepEqual((await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.map((l) => l.LoadBalancerName), ['west', 'west-net'])
  await rejectsWith(eastElb.send(new DescribeLoadBalancersCommand({ Names: ['west'] })), 'LoadBalancerNotFoundException', /^One or more load balancers not found$/)
  await rejectsWith(eastElb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb?.LoadBalancerArn ?? ''] })), 'LoadBalancerNotFoundException', /^One or more load balancers not found$/)
  await rejectsWith(eastElb.send(new DescribeListenersCommand({ ListenerArns: [listener?.ListenerArn ?? ''] })), 'ListenerNotFoundException', /^One or more listeners not found$/)
  await rejectsWith(eastElb.send(new ModifyTargetGroupCommand({ TargetGroupArn: tg?.TargetGroupArn, HealthCheckPath: '/x' })), 'TargetGroupNotFoundException', /^One or more target groups not found$/)
  assert.deepEqual((await eastElb.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.map((g) => g.TargetGroupName), [])
  assert.deepEqual((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.map((g) => g.TargetGroupName), ['west-tg'])

  // ACM too: a certificate requested in eu-west-1 is eu-west-1's, and an eu-west-1 listener cannot use us-east-1's.
  const westAcm = new ACMClient(west)
  const eastAcm = new ACMClient(clientConfig(api))
  const westCert = (await westAcm.send(new RequestCertificateCommand({ DomainName: 'west.example.test' }))).CertificateArn ?? ''
  assert.match(westCert, /^arn:aws:acm:eu-west-1:000000000000:certificate\//)
  const eastCert = (await eastAcm.send(new RequestCertificateCommand({ DomainName: 'east.example.test' }))).CertificateArn ?? ''
  assert.match(eastCert, /^arn:aws:acm:us-east-1:/)
  assert.deepEqual((await westAcm.send(new ListCertificatesCommand({}))).CertificateSummaryList?.map((c) => c.CertificateArn), [westCert])
  assert.deepEqual((await eastAcm.send(new ListCertificatesCommand({}))).CertificateSummaryList?.map((c) => c.CertificateArn), [eastCert])
  await rejectsWith(eastAcm.send(new DescribeCertificateCommand({ CertificateArn: westCert })), 'ResourceNotFoundException')
  await rejectsWith(
    elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTPS', Port: 8443, Certificates: [{ CertificateArn: eastCert }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] })),
    'CertificateNotFoundException',
    /^Certificate 'arn:aws:acm:us-east-1:[^']+' not found$/,
  )
  assertWireMatchesModels(api)
})
