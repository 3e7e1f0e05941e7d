import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  Route53Client,
} from '@aws-sdk/client-route-53'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('Route 53: a hosted zone with an alias A record to the balancer, changed in atomic batches', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const r53 = new Route53Client(clientConfig(api))
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb' }))).LoadBalancers?.[0]

  const created = await r53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'ref-1', HostedZoneConfig: { Comment: 'tutorial' } }))
  assert.equal(created.$metadata.httpStatusCode, 201)
  const zoneId = created.HostedZone?.Id ?? ''
  assert.match(zoneId, /^\/hostedzone\/Z[A-Z0-9]{20}$/)
  assert.equal(created.HostedZone?.Name, 'example.test.')
  assert.equal(created.ChangeInfo?.Status, 'INSYNC')
  assert.deepEqual(created.DelegationSet?.NameServers, ['ns1.openalb.test', 'ns2.openalb.test', 'ns3.openalb.test', 'ns4.openalb.test'], 'four name servers, as Route 53 gives')
  assert.match(created.Location ?? '', /\/2013-04-01\/hostedzone\/Z/)
  await rejectsWith(r53.send(new CreateHostedZoneCommand({ Name: 'other.test', CallerReference: 'ref-1' })), 'HostedZoneAlreadyExists')

  const change = await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'CREATE',
            ResourceRecordSet: { Name: 'api.example.test', Type: 'A', AliasTarget: { DNSName: `dualstack.${lb?.DNSName ?? ''}`, HostedZoneId: lb?.CanonicalHostedZoneId, EvaluateTargetHealth: true } },
          },
          { Action: 'CREATE', ResourceRecordSet: { Name: 'www.example.test', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'api.example.test' }] } },
          { Action: 'UPSERT', ResourceRecordSet: { Name: 'txt.example.test', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"hello"' }, { Value: '"world"' }] } },
          { Action: 'CREATE', ResourceRecordSet: { Name: '*.example.test', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '127.0.0.1' }] } },
        ],
      },
    }),
  )
  const got = await r53.send(new GetChangeCommand({ Id: change.ChangeInfo?.Id }))
  assert.equal(got.ChangeInfo?.Status, 'INSYNC')
  await rejectsWith(r53.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE0000000' })), 'NoSuchChange')

  const list = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))
  assert.deepEqual(
    list.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`),
    ['example.test. NS', 'example.test. SOA', '\\052.example.test. A', 'api.example.test. A', 'txt.example.test. TXT', 'www.example.test. CNAME'],
  )
  const alias = list.ResourceRecordSets?.find((r) => r.Name === 'api.example.test.')
  assert.equal(alias?.AliasTarget?.HostedZoneId, lb?.CanonicalHostedZoneId)
  assert.equal(alias?.AliasTarget?.EvaluateTargetHealth, true)
  assert.equal(alias?.TTL, undefined)
  assert.deepEqual(list.ResourceRecordSets?.find((r) => r.Type === 'TXT')?.ResourceRecords, [{ Value: '"hello"' }, { Value: '"world"' }])

  const page1 = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 2 }))
  assert.equal(page1.IsTruncated, true)
  assert.equal(page1.NextRecordName, '\\052.example.test.')
  const page2 = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: page1.NextRecordName, StartRecordType: page1.NextRecordType, MaxItems: 2 }))
  assert.deepEqual(page2.ResourceRecordSets?.map((r) => r.Name), ['\\052.example.test.', 'api.example.test.'])

  await rejectsWith(
    r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            { Action: 'CREATE', ResourceRecordSet: { Name: 'new.example.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } },
            { Action: 'CREATE', ResourceRecordSet: { Name: 'www.example.test', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x.example.test' }] } },
          ],
        },
      }),
    ),
    'InvalidChangeBatch',
    /already exists/,
  )
  const after = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'new.example.test', StartRecordType: 'A', MaxItems: 1 }))
  assert.notEqual(after.ResourceRecordSets?.[0]?.Name, 'new.example.test.', 'a failed batch changes nothing')
  await rejectsWith(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: { Name: 'gone.example.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] } })),
    'InvalidChangeBatch',
    /not found/,
  )

  const zone = await r53.send(new GetHostedZoneCommand({ Id: zoneId }))
  assert.equal(zone.HostedZone?.ResourceRecordSetCount, 6)
  assert.equal(zone.HostedZone?.Config?.Comment, 'tutorial')
  await rejectsWith(r53.send(new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE000000000' })), 'NoSuchHostedZone')

  await r53.send(new CreateHostedZoneCommand({ Name: 'another.test', CallerReference: 'ref-2' }))
  const zones = await r53.send(new ListHostedZonesCommand({}))
  assert.equal(zones.HostedZones?.length, 2)
  const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.test' }))
  assert.equal(byName.HostedZones?.[0]?.Name, 'example.test.')
  const firstByName = await r53.send(new ListHostedZonesByNameCommand({ MaxItems: 1 }))
  assert.equal(firstByName.HostedZones?.[0]?.Name, 'another.test.')
  assert.equal(firstByName.NextDNSName, 'example.test.')

  const bareId = zoneId.replace('/hostedzone/', '')
  await r53.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: bareId, AddTags: [{ Key: 'env', Value: 'test' }] }))
  const tags = await r53.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: bareId }))
  assert.deepEqual(tags.ResourceTagSet?.Tags, [{ Key: 'env', Value: 'test' }])

  await rejectsWith(r53.send(new DeleteHostedZoneCommand({ Id: zoneId })), 'HostedZoneNotEmpty')
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: (list.ResourceRecordSets ?? [])
          .filter((r) => r.Type !== 'NS' && r.Type !== 'SOA')
          .map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: r })),
      },
    }),
  )
  const deleted = await r53.send(new DeleteHostedZoneCommand({ Id: zoneId }))
  assert.equal(deleted.ChangeInfo?.Status, 'INSYNC')
  await rejectsWith(r53.send(new DeleteHostedZoneCommand({ Id: zoneId })), 'NoSuchHostedZone')
  assertWireMatchesModels(api)
})
