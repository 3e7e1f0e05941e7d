import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  DeleteHealthCheckCommand,
  GetAccountLimitCommand,
  GetHealthCheckCommand,
  GetHealthCheckCountCommand,
  GetHealthCheckLastFailureReasonCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  ListTagsForResourceCommand,
  Route53Client,
  UpdateHealthCheckCommand,
} from '@aws-sdk/client-route-53'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'

test('Route 53 health checks are performed by openalb: status and last failure from a real endpoint, versions, tags, calculated checks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-r53hc-'))
  let body = 'all good here'
  const server = createServer((_req, res) => res.end(body))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    server.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const r53 = new Route53Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  const created = await r53.send(
    new CreateHealthCheckCommand({
      CallerReference: 'hc-1',
      HealthCheckConfig: { Type: 'HTTP_STR_MATCH', IPAddress: '127.0.0.1', Port: port, ResourcePath: '/health', SearchString: 'good', RequestInterval: 10, FailureThreshold: 1 },
    }),
  )
  const id = created.HealthCheck?.Id ?? ''
  assert.match(id, /^[0-9a-f-]{36}$/)
  assert.equal(created.HealthCheck?.HealthCheckVersion, 1)
  assert.equal(created.HealthCheck?.HealthCheckConfig?.FailureThreshold, 1)
  const again = await r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-1', HealthCheckConfig: { Type: 'HTTP_STR_MATCH', IPAddress: '127.0.0.1', Port: port, ResourcePath: '/health', SearchString: 'good', RequestInterval: 10, FailureThreshold: 1 } }))
  assert.equal(again.HealthCheck?.Id, id, 'the same caller reference and configuration is the same check')
  await assert.rejects(r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-1', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port } })), (e: Error) => e.name === 'HealthCheckAlreadyExists')
  await assert.rejects(r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-bad', HealthCheckConfig: { Type: 'HTTP_STR_MATCH', IPAddress: '127.0.0.1', Port: port } })), (e: Error) => e.name === 'InvalidInput' && /SearchString/.test(e.message))
  // What openalb's checker does not do is refused, not stored and ignored.
  await assert.rejects(r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-latency', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port, MeasureLatency: true } })), (e: Error) => e.name === 'InvalidInput' && /MeasureLatency/.test(e.message))
  await assert.rejects(r53.send(new CreateHealthCheckCommand({ CallerReference: 'hc-regions', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port, Regions: ['us-east-1', 'us-west-1', 'eu-west-1'] } })), (e: Error) => e.name === 'InvalidInput' && /Regions/.test(e.message))

  const status = async () => (await r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }))).HealthCheckObservations?.[0]?.StatusReport?.Status ?? ''
  await eventually(async () => /^Success: HTTP Status Code 200, OK/.test(await status()), { timeoutMs: 5000, message: 'the first probe ran' })

  // The body loses the string: the next probe (an update restarts the check at once) fails.
  body = 'nothing to see'
  await assert.rejects(r53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 7, FailureThreshold: 2 })), (e: Error) => e.name === 'HealthCheckVersionMismatch')
  const updated = await r53.send(new UpdateHealthCheckCommand({ HealthCheckId: id, HealthCheckVersion: 1, FailureThreshold: 2 }))
  assert.equal(updated.HealthCheck?.HealthCheckVersion, 2)
  assert.equal(updated.HealthCheck?.HealthCheckConfig?.SearchString, 'good', 'what the update leaves out stays')
  await eventually(async () => /^Failure: Search string not found/.test(await status()), { timeoutMs: 5000, message: 'the failed probe' })
  const reason = await r53.send(new GetHealthCheckLastFailureReasonCommand({ HealthCheckId: id }))
  assert.match(reason.HealthCheckObservations?.[0]?.StatusReport?.Status ?? '', /Search string not found/)
  assert.ok(reason.HealthCheckObservations?.[0]?.StatusReport?.CheckedTime instanceof Date)

  const calc = await r53.send(new CreateHealthCheckCommand({ CallerReference: 'calc', HealthCheckConfig: { Type: 'CALCULATED', ChildHealthChecks: [id], HealthThreshold: 1 } }))
  await assert.rejects(r53.send(new DeleteHealthCheckCommand({ HealthCheckId: id })), (e: Error) => e.name === 'HealthCheckInUse')
  await r53.send(new ChangeTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: id, AddTags: [{ Key: 'team', Value: 'web' }] }))
  assert.deepEqual((await r53.send(new ListTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: id }))).ResourceTagSet?.Tags, [{ Key: 'team', Value: 'web' }])
  assert.equal((await r53.send(new GetHealthCheckCountCommand({}))).HealthCheckCount, 2)
  assert.equal((await r53.send(new ListHealthChecksCommand({}))).HealthChecks?.length, 2)
  assert.equal((await r53.send(new GetAccountLimitCommand({ Type: 'MAX_HEALTH_CHECKS_BY_OWNER' }))).Count, 2)
  assert.equal((await r53.send(new GetHealthCheckCommand({ HealthCheckId: calc.HealthCheck?.Id }))).HealthCheck?.HealthCheckConfig?.ChildHealthChecks?.[0], id)

  await r53.send(new DeleteHealthCheckCommand({ HealthCheckId: calc.HealthCheck?.Id }))
  await r53.send(new DeleteHealthCheckCommand({ HealthCheckId: id }))
  await assert.rejects(r53.send(new GetHealthCheckCommand({ HealthCheckId: id })), (e: Error) => e.name === 'NoSuchHealthCheck')
})
