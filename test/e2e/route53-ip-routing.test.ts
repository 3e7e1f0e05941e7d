import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import {
  ChangeCidrCollectionCommand,
  ChangeResourceRecordSetsCommand,
  CreateCidrCollectionCommand,
  CreateHostedZoneCommand,
  DeleteCidrCollectionCommand,
  GetChangeCommand,
  GetCheckerIpRangesCommand,
  ListCidrBlocksCommand,
  ListCidrCollectionsCommand,
  ListCidrLocationsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  TestDNSAnswerCommand,
  type Change,
} from '@aws-sdk/client-route-53'
import { needs } from '../helpers/shared.js'
import { awsCliV2, route53Node } from '../helpers/route53-node.js'
import { rejectsWith } from '../aws/assert-aws-error.js'
import { assertWireMatchesModels } from '../aws/assert-wire.js'

const noDig = needs('dig', 'dnsutils')

async function node(t: TestContext) {
  const { lb, proxy, config, dig: ask } = await route53Node(t, 'r53ip')
  /** The A records dig gets for a name from a source address, optionally with an EDNS client subnet. */
  const dig = async (name: string, from: string, ...extra: string[]) => (await ask(from, '+short', name, 'A', ...extra)).trim().split('\n').filter(Boolean).sort()
  return { lb, proxy, r53: new Route53Client(config), dig, ask }
}

const cidrRecord = (name: string, value: string, location: string, collectionId: string, extra: Record<string, unknown> = {}): Change => ({
  Action: 'CREATE',
  ResourceRecordSet: { Name: name, Type: 'A', TTL: 30, ResourceRecords: [{ Value: value }], SetIdentifier: `at-${location === '*' ? 'default' : location}`, CidrRoutingConfig: { CollectionId: collectionId, LocationName: location }, ...extra },
})

test('Route 53 IP-based routing with the SDK: CIDR collections, and openalb\'s DNS answers by the query\'s source address or its EDNS client subnet', { skip: noDig }, async (t) => {
  const { r53, dig, proxy, ask } = await node(t)

  const created = await r53.send(new CreateCidrCollectionCommand({ Name: 'offices', CallerReference: 'ref-1' }))
  const id = created.Collection?.Id ?? ''
  assert.match(id, /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/)
  assert.equal(created.Collection?.Arn, `arn:aws:route53:::cidrcollection/${id}`)
  assert.equal(created.Collection?.Version, 1)
  assert.match(created.Location ?? '', new RegExp(`/2013-04-01/cidrcollection/${id}$`))
  const again = await r53.send(new CreateCidrCollectionCommand({ Name: 'offices', CallerReference: 'ref-1' }))
  assert.equal(again.Collection?.Id, id, 'a retry with the same caller reference is the same collection')
  await rejectsWith(r53.send(new CreateCidrCollectionCommand({ Name: 'offices', CallerReference: 'ref-2' })), 'CidrCollectionAlreadyExistsException', /different caller reference/)

  const change = await r53.send(
    new ChangeCidrCollectionCommand({
      Id: id,
      CollectionVersion: 1,
      Changes: [
        { LocationName: 'berlin', Action: 'PUT', CidrList: ['127.1.0.0/16'] },
        { LocationName: 'paris', Action: 'PUT', CidrList: ['127.1.2.0/24', '127.3.0.0/16'] },
      ],
    }),
  )
  assert.equal((await r53.send(new GetChangeCommand({ Id: change.Id ?? '' }))).ChangeInfo?.Status, 'INSYNC')
  await rejectsWith(r53.send(new ChangeCidrCollectionCommand({ Id: id, CollectionVersion: 1, Changes: [{ LocationName: 'x', Action: 'PUT', CidrList: ['127.9.0.0/16'] }] })), 'CidrCollectionVersionMismatchException')
  await rejectsWith(r53.send(new ChangeCidrCollectionCommand({ Id: id, Changes: [{ LocationName: 'rome', Action: 'PUT', CidrList: ['127.3.0.0/16'] }] })), 'CidrBlockInUseException', /127\.3\.0\.0\/16/)
  await rejectsWith(r53.send(new ChangeCidrCollectionCommand({ Id: id, Changes: [{ LocationName: 'rome', Action: 'PUT', CidrList: ['127.4.0.0/25'] }] })), 'InvalidInput', /\/1 to \/24/)
  await rejectsWith(r53.send(new ChangeCidrCollectionCommand({ Id: id, Changes: [{ LocationName: 'rome', Action: 'PUT', CidrList: ['127.4.0.1/16'] }] })), 'InvalidInput', /network address/)
  await rejectsWith(r53.send(new ChangeCidrCollectionCommand({ Id: '00000000-0000-4000-8000-000000000000', Changes: [{ LocationName: 'x', Action: 'PUT', CidrList: ['127.9.0.0/16'] }] })), 'NoSuchCidrCollectionException')

  const listed = await r53.send(new ListCidrCollectionsCommand({}))
  assert.deepEqual(listed.CidrCollections?.map((c) => [c.Name, c.Version]), [['offices', 2]])
  assert.deepEqual((await r53.send(new ListCidrLocationsCommand({ CollectionId: id }))).CidrLocations?.map((l) => l.LocationName), ['berlin', 'paris'])
  const blocks = await r53.send(new ListCidrBlocksCommand({ CollectionId: id, MaxResults: 2 }))
  assert.deepEqual(blocks.CidrBlocks?.map((b) => `${b.LocationName} ${b.CidrBlock}`), ['berlin 127.1.0.0/16', 'paris 127.1.2.0/24'])
  const rest = await r53.send(new ListCidrBlocksCommand({ CollectionId: id, MaxResults: 2, NextToken: blocks.NextToken }))
  assert.deepEqual(rest.CidrBlocks?.map((b) => b.CidrBlock), ['127.3.0.0/16'])
  assert.equal(rest.NextToken, undefined)
  assert.deepEqual((await r53.send(new ListCidrBlocksCommand({ CollectionId: id, LocationName: 'paris' }))).CidrBlocks?.length, 2)
  await rejectsWith(r53.send(new ListCidrBlocksCommand({ CollectionId: id, LocationName: 'tokyo' })), 'NoSuchCidrLocationException')

  const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'ip' }))).HostedZone?.Id ?? ''
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          cidrRecord('www.example.test', '192.0.2.1', 'berlin', id),
          cidrRecord('www.example.test', '192.0.2.2', 'paris', id),
          cidrRecord('www.example.test', '192.0.2.9', '*', id),
          cidrRecord('nodefault.example.test', '192.0.2.1', 'berlin', id),
        ],
      },
    }),
  )
  const rrs = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone, StartRecordName: 'www.example.test' }))).ResourceRecordSets ?? []
  assert.deepEqual(rrs.filter((r) => r.Name === 'www.example.test.').map((r) => r.CidrRoutingConfig?.LocationName).sort(), ['*', 'berlin', 'paris'])

  assert.deepEqual(await dig('www.example.test', '127.1.0.5'), ['192.0.2.1'], 'a /16 of berlin')
  assert.deepEqual(await dig('www.example.test', '127.1.2.5'), ['192.0.2.2'], 'the longest block wins: paris\'s /24 inside berlin\'s /16')
  assert.deepEqual(await dig('www.example.test', '127.3.9.9'), ['192.0.2.2'])
  assert.deepEqual(await dig('www.example.test', '127.0.0.1'), ['192.0.2.9'], 'no block: the default location "*"')
  assert.deepEqual(await dig('nodefault.example.test', '127.0.0.1'), [], 'no block and no default: no answer')
  assert.deepEqual(await dig('nodefault.example.test', '127.1.0.5'), ['192.0.2.1'])
  // An EDNS client subnet names the client; it wins over the source address.
  assert.deepEqual(await dig('www.example.test', '127.0.0.1', '+subnet=127.1.2.0/24'), ['192.0.2.2'], 'ECS /24 inside paris')
  assert.deepEqual(await dig('www.example.test', '127.1.2.5', '+subnet=127.1.0.0/16'), ['192.0.2.1'], 'ECS /16: paris\'s /24 is longer than what the subnet tells, berlin\'s /16 matches')
  assert.deepEqual(await dig('www.example.test', '127.1.2.5', '+subnet=127.0.0.0/8'), ['192.0.2.9'], 'ECS /8 is shorter than every block: the default')
  const ecs = await ask('127.0.0.1', 'www.example.test', 'A', '+subnet=127.1.2.0/24')
  assert.match(ecs, /CLIENT-SUBNET: 127\.1\.2\.0\/24\/24/, 'the answer carries the subnet back, scoped to it')

  const test = async (extra: Record<string, string>) =>
    (await r53.send(new TestDNSAnswerCommand({ HostedZoneId: zone, RecordName: 'www.example.test', RecordType: 'A', ...extra }))).RecordData
  assert.deepEqual(await test({}), ['192.0.2.9'], 'TestDNSAnswer without a resolver: the default')
  assert.deepEqual(await test({ ResolverIP: '127.1.0.1' }), ['192.0.2.1'])
  assert.deepEqual(await test({ ResolverIP: '127.0.0.1', EDNS0ClientSubnetIP: '127.3.4.5' }), ['192.0.2.2'], 'ECS defaults to a /24 of the address')
  assert.deepEqual(await test({ EDNS0ClientSubnetIP: '127.1.2.3', EDNS0ClientSubnetMask: '16' }), ['192.0.2.1'])

  await rejectsWith(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [cidrRecord('www.example.test', '192.0.2.3', 'tokyo', id)] } })),
    'InvalidChangeBatch',
    /CIDR location tokyo .* is not in CIDR collection offices/,
  )
  await rejectsWith(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [cidrRecord('www.example.test', '192.0.2.3', 'paris', id, { SetIdentifier: 'paris-2' })] } })),
    'InvalidChangeBatch',
    /location paris already exists/,
  )
  await rejectsWith(
    r53.send(new ChangeCidrCollectionCommand({ Id: id, Changes: [{ LocationName: 'berlin', Action: 'DELETE_IF_EXISTS', CidrList: ['127.1.0.0/16'] }] })),
    'CidrBlockInUseException',
    /berlin/,
  )
  await rejectsWith(r53.send(new DeleteCidrCollectionCommand({ Id: id })), 'CidrCollectionInUseException')

  // Moving a block between locations is one change: the answers follow.
  await r53.send(
    new ChangeCidrCollectionCommand({
      Id: id,
      Changes: [
        { LocationName: 'paris', Action: 'DELETE_IF_EXISTS', CidrList: ['127.1.2.0/24'] },
        { LocationName: 'berlin', Action: 'PUT', CidrList: ['127.1.2.0/24'] },
      ],
    }),
  )
  assert.deepEqual(await dig('www.example.test', '127.1.2.5'), ['192.0.2.1'], 'the /24 now belongs to berlin')
  assert.deepEqual(await dig('www.example.test', '127.3.0.1'), ['192.0.2.2'])

  // Route 53's checks come from the node: its loopback address is one of the ranges a firewall would allow.
  const ranges = (await r53.send(new GetCheckerIpRangesCommand({}))).CheckerIpRanges ?? []
  assert.ok(ranges.includes('127.0.0.1/32'), ranges.join(' '))
  assert.ok(ranges.every((r) => /^[0-9a-f.:]+\/(32|128)$/.test(r)), ranges.join(' '))

  assertWireMatchesModels(proxy)
})

test('Route 53 IP-based routing with the AWS CLI v2: create, change, list and delete a CIDR collection; dig follows', { skip: noDig }, async (t) => {
  const { dig, proxy } = await node(t)
  const aws = await awsCliV2(t, proxy.endpoint, 'r53ip')
  if (!aws) return
  const json = async (...args: string[]) => JSON.parse(await aws(...args, '--output', 'json')) as Record<string, unknown>

  const made = (await json('route53', 'create-cidr-collection', '--name', 'isps', '--caller-reference', 'cli-1')) as { Collection: { Id: string; Version: number } }
  const id = made.Collection.Id
  await json('route53', 'change-cidr-collection', '--id', id, '--collection-version', '1', '--changes', JSON.stringify([{ LocationName: 'isp-a', Action: 'PUT', CidrList: ['127.5.0.0/16'] }]))
  assert.deepEqual(await json('route53', 'list-cidr-locations', '--collection-id', id), { CidrLocations: [{ LocationName: 'isp-a' }] })
  assert.deepEqual(await json('route53', 'list-cidr-blocks', '--collection-id', id), { CidrBlocks: [{ CidrBlock: '127.5.0.0/16', LocationName: 'isp-a' }] })
  const zone = ((await json('route53', 'create-hosted-zone', '--name', 'cli.test', '--caller-reference', 'cli-zone')) as { HostedZone: { Id: string } }).HostedZone.Id
  const batch = {
    Changes: [
      { Action: 'CREATE', ResourceRecordSet: { Name: 'app.cli.test', Type: 'A', TTL: 60, SetIdentifier: 'a', CidrRoutingConfig: { CollectionId: id, LocationName: 'isp-a' }, ResourceRecords: [{ Value: '198.51.100.1' }] } },
      { Action: 'CREATE', ResourceRecordSet: { Name: 'app.cli.test', Type: 'A', TTL: 60, SetIdentifier: 'rest', CidrRoutingConfig: { CollectionId: id, LocationName: '*' }, ResourceRecords: [{ Value: '198.51.100.2' }] } },
    ],
  }
  await json('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify(batch))
  assert.deepEqual(await dig('app.cli.test', '127.5.6.7'), ['198.51.100.1'])
  assert.deepEqual(await dig('app.cli.test', '127.0.0.1'), ['198.51.100.2'])
  await assert.rejects(aws('route53', 'delete-cidr-collection', '--id', id), /CidrCollectionInUseException/)
  await json('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify({ Changes: batch.Changes.map((c) => ({ ...c, Action: 'DELETE' })) }))
  await json('route53', 'change-cidr-collection', '--id', id, '--changes', JSON.stringify([{ LocationName: 'isp-a', Action: 'DELETE_IF_EXISTS', CidrList: ['127.5.0.0/16'] }]))
  await aws('route53', 'delete-cidr-collection', '--id', id)
  assert.deepEqual(await json('route53', 'list-cidr-collections'), { CidrCollections: [] })
  assertWireMatchesModels(proxy)
})
