import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  GetAccountLimitCommand,
  GetDNSSECCommand,
  GetHostedZoneCommand,
  GetHostedZoneLimitCommand,
  ListTagsForResourcesCommand,
  Route53Client,
  TestDNSAnswerCommand,
  UpdateHostedZoneCommentCommand,
} from '@aws-sdk/client-route-53'
import { startOpenalb } from '../../src/main.js'

test('Route 53 zone operations: comment, limits, DNSSEC status, tags of several zones, and TestDNSAnswer answered by openalb\'s DNS', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-r53-'))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const r53 = new Route53Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'z1' }))).HostedZone
  const other = (await r53.send(new CreateHostedZoneCommand({ Name: 'other.test', CallerReference: 'z2' }))).HostedZone
  const id = zone?.Id ?? ''
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: id,
      ChangeBatch: {
        Changes: [
          { Action: 'CREATE', ResourceRecordSet: { Name: 'www.example.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.10' }, { Value: '192.0.2.11' }] } },
          { Action: 'CREATE', ResourceRecordSet: { Name: 'txt.example.test', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"hello world"' }] } },
        ],
      },
    }),
  )

  const updated = await r53.send(new UpdateHostedZoneCommentCommand({ Id: id, Comment: 'the test zone' }))
  assert.equal(updated.HostedZone?.Config?.Comment, 'the test zone')
  assert.equal((await r53.send(new GetHostedZoneCommand({ Id: id }))).HostedZone?.Config?.Comment, 'the test zone')

  const zoneLimit = await r53.send(new GetHostedZoneLimitCommand({ HostedZoneId: id, Type: 'MAX_RRSETS_BY_ZONE' }))
  assert.deepEqual(zoneLimit.Limit, { Type: 'MAX_RRSETS_BY_ZONE', Value: 10000 })
  assert.equal(zoneLimit.Count, 4, 'SOA, NS and the two record sets')
  await assert.rejects(r53.send(new GetHostedZoneLimitCommand({ HostedZoneId: id, Type: 'MAX_VPCS_ASSOCIATED_BY_ZONE' })), (e: Error) => e.name === 'HostedZoneNotPrivate')
  const accountLimit = await r53.send(new GetAccountLimitCommand({ Type: 'MAX_HOSTED_ZONES_BY_OWNER' }))
  assert.deepEqual(accountLimit.Limit, { Type: 'MAX_HOSTED_ZONES_BY_OWNER', Value: 500 })
  assert.equal(accountLimit.Count, 2)

  assert.equal((await r53.send(new GetDNSSECCommand({ HostedZoneId: id }))).Status?.ServeSignature, 'NOT_SIGNING')

  await r53.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id.replace('/hostedzone/', ''), AddTags: [{ Key: 'team', Value: 'web' }] }))
  const tags = await r53.send(new ListTagsForResourcesCommand({ ResourceType: 'hostedzone', ResourceIds: [id.replace('/hostedzone/', ''), (other?.Id ?? '').replace('/hostedzone/', '')] }))
  assert.deepEqual(tags.ResourceTagSets?.map((s) => [s.ResourceId, s.Tags]), [
    [id.replace('/hostedzone/', ''), [{ Key: 'team', Value: 'web' }]],
    [(other?.Id ?? '').replace('/hostedzone/', ''), []],
  ])

  const a = await r53.send(new TestDNSAnswerCommand({ HostedZoneId: id, RecordName: 'www.example.test', RecordType: 'A' }))
  assert.equal(a.ResponseCode, 'NOERROR')
  assert.deepEqual([...(a.RecordData ?? [])].sort(), ['192.0.2.10', '192.0.2.11'])
  assert.equal(a.Protocol, 'UDP')
  const txt = await r53.send(new TestDNSAnswerCommand({ HostedZoneId: id, RecordName: 'txt.example.test', RecordType: 'TXT' }))
  assert.deepEqual(txt.RecordData, ['"hello world"'])
  const missing = await r53.send(new TestDNSAnswerCommand({ HostedZoneId: id, RecordName: 'nothing.example.test', RecordType: 'A' }))
  assert.equal(missing.ResponseCode, 'NXDOMAIN')
  assert.deepEqual(missing.RecordData, [])
})
