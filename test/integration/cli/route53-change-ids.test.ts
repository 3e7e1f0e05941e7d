// Route 53 change ids outlive a restart: Terraform and the waiters poll GetChange on an id they
// got before openalb restarted; an id openalb never issued stays NoSuchChange.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53'
import pino from 'pino'
import { ChangeIds } from '../../../src/api/aws/route53/change-ids.js'
import { startOpenalb } from '../../../src/main.js'

const start = (dataDir: string) => startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
const client = (url: string) => new Route53Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })

test('a change id handed out before a restart is INSYNC after it, with its submission time; one never issued is NoSuchChange', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-changes-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const data = join(dir, 'data')
  const first = await start(data)
  const r53 = client(first.controlUrl)
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'changes.example.test', CallerReference: 'c1' }))
  const change = await r53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: zone.HostedZone?.Id,
    ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'a.changes.example.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '127.0.0.1' }] } }] },
  }))
  const id = change.ChangeInfo?.Id ?? ''
  assert.match(id, /^\/change\/C[0-9A-Z]{25}$/)
  await first.close()

  const second = await start(data)
  t.after(() => second.close())
  const again = client(second.controlUrl)
  const got = await again.send(new GetChangeCommand({ Id: id }))
  assert.equal(got.ChangeInfo?.Status, 'INSYNC')
  assert.equal(got.ChangeInfo?.SubmittedAt?.toISOString(), change.ChangeInfo?.SubmittedAt?.toISOString())
  const zoneChange = await again.send(new GetChangeCommand({ Id: zone.ChangeInfo?.Id }))
  assert.equal(zoneChange.ChangeInfo?.Status, 'INSYNC')
  // Same shape, another MAC: not openalb's.
  const forged = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`
  await assert.rejects(again.send(new GetChangeCommand({ Id: forged })), (e: Error) => e.name === 'NoSuchChange')
  await assert.rejects(again.send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE0000000' })), (e: Error) => e.name === 'NoSuchChange')
})

test('change ids: the time comes back to the millisecond; another key does not know them', () => {
  const key = Buffer.alloc(32, 7)
  const ids = new ChangeIds(key)
  const at = new Date('2026-12-08T03:20:00.123Z')
  const id = ids.issue(at)
  assert.equal(ids.submittedAt(id), at.toISOString())
  assert.equal(new ChangeIds(key).submittedAt(id), at.toISOString(), 'the same key (the store key after a restart)')
  assert.equal(new ChangeIds(Buffer.alloc(32, 8)).submittedAt(id), undefined)
  assert.notEqual(ids.issue(at), id, 'two changes in the same millisecond get two ids')
})
