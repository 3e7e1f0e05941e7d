import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client, TestDNSAnswerCommand, type Change } from '@aws-sdk/client-route-53'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'

test('Route 53 routing policies answered by openalb\'s DNS: failover follows a health check, weights hold, multivalue answers only healthy values', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-r53rp-'))
  const up: Server = createServer((s) => s.end())
  await new Promise<void>((resolve) => up.listen(0, '127.0.0.1', resolve))
  const down: Server = createServer()
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve))
  const downPort = (down.address() as AddressInfo).port
  await new Promise<void>((resolve) => down.close(() => resolve()))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    up.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const r53 = new Route53Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const tcpCheck = async (ref: string, port: number) =>
    (await r53.send(new CreateHealthCheckCommand({ CallerReference: ref, HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port, RequestInterval: 10, FailureThreshold: 1 } }))).HealthCheck?.Id ?? ''
  const healthy = await tcpCheck('up', (up.address() as AddressInfo).port)
  const unhealthy = await tcpCheck('down', downPort)
  const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'rp' }))).HostedZone?.Id ?? ''
  const a = (name: string, value: string, extra: Record<string, unknown>): Change => ({ Action: 'CREATE', ResourceRecordSet: { Name: name, Type: 'A', TTL: 30, ResourceRecords: [{ Value: value }], ...extra } })
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          a('down.example.test', '192.0.2.1', { SetIdentifier: 'primary', Failover: 'PRIMARY', HealthCheckId: unhealthy }),
          a('down.example.test', '192.0.2.2', { SetIdentifier: 'secondary', Failover: 'SECONDARY' }),
          a('up.example.test', '192.0.2.11', { SetIdentifier: 'primary', Failover: 'PRIMARY', HealthCheckId: healthy }),
          a('up.example.test', '192.0.2.12', { SetIdentifier: 'secondary', Failover: 'SECONDARY' }),
          a('w.example.test', '192.0.2.21', { SetIdentifier: 'none', Weight: 0 }),
          a('w.example.test', '192.0.2.22', { SetIdentifier: 'all', Weight: 10 }),
          a('w.example.test', '192.0.2.23', { SetIdentifier: 'all-but-down', Weight: 90, HealthCheckId: unhealthy }),
          a('m.example.test', '192.0.2.31', { SetIdentifier: 'one', MultiValueAnswer: true, HealthCheckId: healthy }),
          a('m.example.test', '192.0.2.32', { SetIdentifier: 'two', MultiValueAnswer: true }),
          a('m.example.test', '192.0.2.33', { SetIdentifier: 'three', MultiValueAnswer: true, HealthCheckId: unhealthy }),
        ],
      },
    }),
  )
  const answer = async (name: string) => [...((await r53.send(new TestDNSAnswerCommand({ HostedZoneId: zone, RecordName: name, RecordType: 'A' }))).RecordData ?? [])].sort()
  // The checks' first probes run at once: the closed port fails, the open one passes.
  await eventually(async () => (await answer('down.example.test'))[0] === '192.0.2.2', { timeoutMs: 5000, message: 'the failed primary hands over to the secondary' })
  assert.deepEqual(await answer('up.example.test'), ['192.0.2.11'], 'a healthy primary answers')
  for (let i = 0; i < 20; i++) assert.deepEqual(await answer('w.example.test'), ['192.0.2.22'], 'weight 0 and an unhealthy set never answer while another is healthy')
  assert.deepEqual(await answer('m.example.test'), ['192.0.2.31', '192.0.2.32'], 'multivalue: the healthy values only')

  const listed = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? []
  const primary = listed.find((r) => r.Name === 'down.example.test.' && r.SetIdentifier === 'primary')
  assert.equal(primary?.Failover, 'PRIMARY')
  assert.equal(primary?.HealthCheckId, unhealthy)

  await assert.rejects(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [a('down.example.test', '192.0.2.9', {})] } })),
    (e: Error) => e.name === 'InvalidChangeBatch' && /non-failover set exists|cannot be created/.test(e.message),
    'a simple set beside failover sets is refused',
  )
  await assert.rejects(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [a('down.example.test', '192.0.2.9', { SetIdentifier: 'again', Failover: 'PRIMARY' })] } })),
    (e: Error) => e.name === 'InvalidChangeBatch' && /PRIMARY failover record set already exists/.test(e.message),
  )
  await assert.rejects(
    r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [a('x.example.test', '192.0.2.9', { SetIdentifier: 'latency', Region: 'eu-west-1' })] } })),
    (e: Error) => e.name === 'InvalidInput' && /Region: latency and geoproximity routing are not supported/.test(e.message),
  )
})
