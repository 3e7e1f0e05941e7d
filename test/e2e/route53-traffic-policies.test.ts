import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { test, type TestContext } from 'node:test'
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  CreateHostedZoneCommand,
  CreateTrafficPolicyCommand,
  CreateTrafficPolicyInstanceCommand,
  CreateTrafficPolicyVersionCommand,
  DeleteHostedZoneCommand,
  DeleteTrafficPolicyCommand,
  DeleteTrafficPolicyInstanceCommand,
  GetAccountLimitCommand,
  GetTrafficPolicyCommand,
  GetTrafficPolicyInstanceCommand,
  GetTrafficPolicyInstanceCountCommand,
  ListResourceRecordSetsCommand,
  ListTrafficPoliciesCommand,
  ListTrafficPolicyInstancesByHostedZoneCommand,
  ListTrafficPolicyInstancesByPolicyCommand,
  ListTrafficPolicyInstancesCommand,
  ListTrafficPolicyVersionsCommand,
  Route53Client,
  UpdateTrafficPolicyCommentCommand,
  UpdateTrafficPolicyInstanceCommand,
} from '@aws-sdk/client-route-53'
import { needs } from '../helpers/shared.js'
import { eventually } from '../helpers/eventually.js'
import { awsCliV2, route53Node } from '../helpers/route53-node.js'
import { rejectsWith } from '../aws/assert-aws-error.js'
import { assertWireMatchesModels } from '../aws/assert-wire.js'

const noDig = needs('dig', 'dnsutils')

async function node(t: TestContext) {
  const { proxy, config, digA } = await route53Node(t, 'r53tp')
  return { proxy, config, r53: new Route53Client(config), dig: (name: string) => digA(name, '127.0.0.1') }
}

const document = (body: Record<string, unknown>, type = 'A') => JSON.stringify({ AWSPolicyFormatVersion: '2015-10-01', RecordType: type, ...body })

test('Route 53 traffic policies with the SDK: a failover rule over a health check and a weighted rule, versions, instances answered by openalb\'s DNS', { skip: noDig }, async (t) => {
  const { proxy, config, r53, dig } = await node(t)
  const open: Server = createServer((s) => s.end())
  await new Promise<void>((resolve) => open.listen(0, '127.0.0.1', resolve))
  t.after(() => open.close())
  const closed: Server = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const check = async (ref: string, port: number) =>
    (await r53.send(new CreateHealthCheckCommand({ CallerReference: ref, HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port, RequestInterval: 10, FailureThreshold: 1 } }))).HealthCheck?.Id ?? ''
  const down = await check('down', closedPort)
  const up = await check('up', (open.address() as AddressInfo).port)

  const v1 = document({
    Endpoints: { primary: { Type: 'value', Value: '192.0.2.1' }, a: { Type: 'value', Value: '192.0.2.2' }, b: { Type: 'value', Value: '192.0.2.3' } },
    StartRule: 'site',
    Rules: {
      site: { RuleType: 'failover', Primary: { EndpointReference: 'primary', HealthCheck: down }, Secondary: { RuleReference: 'spread' } },
      spread: { RuleType: 'weighted', Items: [{ EndpointReference: 'a', Weight: '10', HealthCheck: up }, { EndpointReference: 'b', Weight: '0' }] },
    },
  })
  const created = await r53.send(new CreateTrafficPolicyCommand({ Name: 'site', Document: v1, Comment: 'first' }))
  const id = created.TrafficPolicy?.Id ?? ''
  assert.equal(created.TrafficPolicy?.Version, 1)
  assert.equal(created.TrafficPolicy?.Type, 'A')
  assert.match(created.Location ?? '', new RegExp(`/trafficpolicy/${id}/1$`))
  await rejectsWith(r53.send(new CreateTrafficPolicyCommand({ Name: 'site', Document: v1 })), 'TrafficPolicyAlreadyExists')
  await rejectsWith(
    r53.send(new CreateTrafficPolicyCommand({ Name: 'geo', Document: document({ StartRule: 'g', Rules: { g: { RuleType: 'geo', Locations: [] } } }) })),
    'InvalidTrafficPolicyDocument',
    /geolocation rules are not answered/,
  )
  await rejectsWith(r53.send(new CreateTrafficPolicyCommand({ Name: 'loop', Document: document({ StartRule: 'x', Rules: { x: { RuleType: 'failover', Primary: { RuleReference: 'x' }, Secondary: { RuleReference: 'x' } } } }) })), 'InvalidTrafficPolicyDocument', /refers to itself/)
  await rejectsWith(r53.send(new CreateTrafficPolicyCommand({ Name: 'bad', Document: document({ StartEndpoint: 'e', Endpoints: { e: { Type: 'value', Value: 'not-an-address' } } }) })), 'InvalidTrafficPolicyDocument', /not an IPv4 address/)

  const elbv2 = new ElasticLoadBalancingV2Client(config)
  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'tp', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))).LoadBalancers?.[0]
  const v2 = await r53.send(new CreateTrafficPolicyVersionCommand({ Id: id, Document: document({ StartEndpoint: 'alb', Endpoints: { alb: { Type: 'application-load-balancer', Value: `dualstack.${lb?.DNSName ?? ''}` } } }), Comment: 'to the balancer' }))
  assert.equal(v2.TrafficPolicy?.Version, 2)
  await rejectsWith(r53.send(new CreateTrafficPolicyVersionCommand({ Id: id, Document: document({ StartEndpoint: 'e', Endpoints: { e: { Type: 'value', Value: '2001:db8::1' } } }, 'AAAA') })), 'InvalidTrafficPolicyDocument', /differs/)
  await r53.send(new UpdateTrafficPolicyCommentCommand({ Id: id, Version: 1, Comment: 'renamed' }))
  assert.equal((await r53.send(new GetTrafficPolicyCommand({ Id: id, Version: 1 }))).TrafficPolicy?.Comment, 'renamed')
  assert.deepEqual((await r53.send(new ListTrafficPolicyVersionsCommand({ Id: id }))).TrafficPolicies?.map((p) => p.Version), [1, 2])
  assert.deepEqual((await r53.send(new ListTrafficPoliciesCommand({}))).TrafficPolicySummaries?.map((p) => [p.Name, p.LatestVersion, p.TrafficPolicyCount]), [['site', 2, 2]])

  const zone = ((await r53.send(new CreateHostedZoneCommand({ Name: 'tp.test', CallerReference: 'tp' }))).HostedZone?.Id ?? '').replace('/hostedzone/', '')
  const instance = (await r53.send(new CreateTrafficPolicyInstanceCommand({ HostedZoneId: zone, Name: 'www.tp.test', TTL: 30, TrafficPolicyId: id, TrafficPolicyVersion: 1 }))).TrafficPolicyInstance
  assert.equal(instance?.State, 'Applied')
  assert.equal(instance?.TrafficPolicyType, 'A')
  const iid = instance?.Id ?? ''
  await eventually(async () => (await dig('www.tp.test')) === '192.0.2.2', { timeoutMs: 5000, message: 'the failed primary gives way to the weighted rule, whose weight-0 item never answers' })
  for (let i = 0; i < 10; i++) assert.equal(await dig('www.tp.test'), '192.0.2.2')

  const listed = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? []
  assert.equal(listed.find((r) => r.Name === 'www.tp.test.')?.TrafficPolicyInstanceId, iid)
  await rejectsWith(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'www.tp.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.9' }] } }] } })),
    'InvalidChangeBatch',
    /traffic policy instance/,
  )
  await rejectsWith(r53.send(new CreateTrafficPolicyInstanceCommand({ HostedZoneId: zone, Name: 'www.tp.test', TTL: 30, TrafficPolicyId: id, TrafficPolicyVersion: 2 })), 'TrafficPolicyInstanceAlreadyExists')
  await rejectsWith(r53.send(new DeleteTrafficPolicyCommand({ Id: id, Version: 1 })), 'TrafficPolicyInUse')
  await rejectsWith(r53.send(new DeleteHostedZoneCommand({ Id: zone })), 'HostedZoneNotEmpty')

  await r53.send(new UpdateTrafficPolicyInstanceCommand({ Id: iid, TTL: 60, TrafficPolicyId: id, TrafficPolicyVersion: 2 }))
  assert.equal((await r53.send(new GetTrafficPolicyInstanceCommand({ Id: iid }))).TrafficPolicyInstance?.TrafficPolicyVersion, 2)
  await eventually(async () => (await dig('www.tp.test')) === '127.0.0.1', { timeoutMs: 5000, message: 'version 2 answers the balancer\'s address' })
  const aaaa = await r53.send(new CreateTrafficPolicyCommand({ Name: 'v6', Document: document({ StartEndpoint: 'e', Endpoints: { e: { Type: 'value', Value: '2001:db8::1' } } }, 'AAAA') }))
  await rejectsWith(r53.send(new UpdateTrafficPolicyInstanceCommand({ Id: iid, TTL: 60, TrafficPolicyId: aaaa.TrafficPolicy?.Id ?? '', TrafficPolicyVersion: 1 })), 'ConflictingTypes')

  assert.equal((await r53.send(new GetTrafficPolicyInstanceCountCommand({}))).TrafficPolicyInstanceCount, 1)
  assert.deepEqual((await r53.send(new ListTrafficPolicyInstancesCommand({}))).TrafficPolicyInstances?.map((i) => i.Id), [iid])
  assert.deepEqual((await r53.send(new ListTrafficPolicyInstancesByHostedZoneCommand({ HostedZoneId: zone }))).TrafficPolicyInstances?.map((i) => i.Name), ['www.tp.test.'])
  assert.deepEqual((await r53.send(new ListTrafficPolicyInstancesByPolicyCommand({ TrafficPolicyId: id, TrafficPolicyVersion: 2 }))).TrafficPolicyInstances?.length, 1)
  assert.deepEqual((await r53.send(new ListTrafficPolicyInstancesByPolicyCommand({ TrafficPolicyId: id, TrafficPolicyVersion: 1 }))).TrafficPolicyInstances?.length, 0)
  const limit = await r53.send(new GetAccountLimitCommand({ Type: 'MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER' }))
  assert.deepEqual([limit.Limit?.Value, limit.Count], [5, 1])

  await r53.send(new DeleteTrafficPolicyInstanceCommand({ Id: iid }))
  await eventually(async () => (await dig('www.tp.test')) === 'NXDOMAIN', { timeoutMs: 5000, message: 'the instance\'s name is gone' })
  await rejectsWith(r53.send(new GetTrafficPolicyInstanceCommand({ Id: iid })), 'NoSuchTrafficPolicyInstance')
  await r53.send(new DeleteTrafficPolicyCommand({ Id: id, Version: 1 }))
  await r53.send(new DeleteTrafficPolicyCommand({ Id: id, Version: 2 }))
  await rejectsWith(r53.send(new GetTrafficPolicyCommand({ Id: id, Version: 2 })), 'NoSuchTrafficPolicy')
  await r53.send(new DeleteHostedZoneCommand({ Id: zone }))
  assertWireMatchesModels(proxy)
})

test('Route 53 traffic policies with the AWS CLI v2: create-traffic-policy, create-traffic-policy-instance, list and delete; dig follows', { skip: noDig }, async (t) => {
  const { proxy, dig } = await node(t)
  const aws = await awsCliV2(t, proxy.endpoint, 'r53tp')
  if (!aws) return
  const text = (...args: string[]) => aws(...args, '--output', 'text')
  const doc = document({ StartRule: 'all', Endpoints: { a: { Type: 'value', Value: '198.51.100.1' }, b: { Type: 'value', Value: '198.51.100.2' } }, Rules: { all: { RuleType: 'multivalue', Items: [{ EndpointReference: 'a' }, { EndpointReference: 'b' }] } } })
  const id = await text('route53', 'create-traffic-policy', '--name', 'both', '--document', doc, '--query', 'TrafficPolicy.Id')
  const zone = await text('route53', 'create-hosted-zone', '--name', 'tpcli.test', '--caller-reference', 'tpcli', '--query', 'HostedZone.Id')
  const iid = await text('route53', 'create-traffic-policy-instance', '--hosted-zone-id', zone, '--name', 'app.tpcli.test', '--ttl', '60', '--traffic-policy-id', id, '--traffic-policy-version', '1', '--query', 'TrafficPolicyInstance.Id')
  await eventually(async () => (await dig('app.tpcli.test')) === '198.51.100.1,198.51.100.2', { timeoutMs: 5000, message: 'multivalue answers both values' })
  assert.equal(await text('route53', 'get-traffic-policy-instance-count', '--query', 'TrafficPolicyInstanceCount'), '1')
  assert.equal(await text('route53', 'list-traffic-policy-instances-by-hosted-zone', '--hosted-zone-id', zone, '--query', 'TrafficPolicyInstances[0].Id'), iid)
  await aws('route53', 'delete-traffic-policy-instance', '--id', iid)
  await aws('route53', 'delete-traffic-policy', '--id', id, '--traffic-policy-version', '1')
  assert.equal(await text('route53', 'list-traffic-policies', '--query', 'length(TrafficPolicySummaries)'), '0')
  assertWireMatchesModels(proxy)
})
