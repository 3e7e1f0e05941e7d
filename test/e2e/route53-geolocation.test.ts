import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import pino from 'pino'
import { ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, GetGeoLocationCommand, ListGeoLocationsCommand, ListResourceRecordSetsCommand, Route53Client, type Change } from '@aws-sdk/client-route-53'
import { startOpenalb } from '../../src/main.js'
import { needs } from '../helpers/shared.js'
import { eventually } from '../helpers/eventually.js'
import { awsCliV2, route53Node } from '../helpers/route53-node.js'
import { rejectsWith } from '../aws/assert-aws-error.js'
import { assertWireMatchesModels } from '../aws/assert-wire.js'

const noDig = needs('dig', 'dnsutils')

const TABLE = `# where the test's loopback clients are
127.10.0.0/16, EU, DE
127.11.0.0/16, NA, US, WA
127.12.0.0/16, NA, US, OR
127.13.0.0/16, NA, CA
127.14.0.0/16, AS, JP
`

async function node(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-r53geo-table-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const geoTableFile = join(dir, 'geo.csv')
  writeFileSync(geoTableFile, TABLE)
  const { proxy, config, dig, digA } = await route53Node(t, 'r53geo', { geoTableFile })
  return { proxy, r53: new Route53Client(config), dig, digA }
}

const geo = (value: string, id: string, location: Record<string, string>, extra: Record<string, unknown> = {}): Change => ({
  Action: 'CREATE',
  ResourceRecordSet: { Name: 'www.geo.test', Type: 'A', TTL: 60, SetIdentifier: id, GeoLocation: location, ResourceRecords: [{ Value: value }], ...extra },
})

test('Route 53 geolocation routing with the SDK: openalb\'s DNS places clients by --geo-table (state, country, continent, then "*"); ListGeoLocations and GetGeoLocation', { skip: noDig }, async (t) => {
  const { proxy, r53, dig, digA } = await node(t)
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as { port: number }).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const down = (await r53.send(new CreateHealthCheckCommand({ CallerReference: 'down', HealthCheckConfig: { Type: 'TCP', IPAddress: '127.0.0.1', Port: port, RequestInterval: 10, FailureThreshold: 1 } }))).HealthCheck?.Id ?? ''
  const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'geo.test', CallerReference: 'geo' }))).HostedZone?.Id ?? ''
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: {
        Changes: [
          geo('192.0.2.1', 'germany', { CountryCode: 'DE' }),
          geo('192.0.2.2', 'washington', { CountryCode: 'US', SubdivisionCode: 'WA' }),
          geo('192.0.2.3', 'us', { CountryCode: 'US' }),
          geo('192.0.2.4', 'north-america', { ContinentCode: 'NA' }),
          geo('192.0.2.9', 'default', { CountryCode: '*' }),
        ],
      },
    }),
  )
  assert.equal(await digA('www.geo.test', '127.10.0.1'), '192.0.2.1', 'a country')
  assert.equal(await digA('www.geo.test', '127.11.0.1'), '192.0.2.2', 'a US state')
  assert.equal(await digA('www.geo.test', '127.12.0.1'), '192.0.2.3', 'a state without a record: its country')
  assert.equal(await digA('www.geo.test', '127.13.0.1'), '192.0.2.4', 'a country without a record: its continent')
  assert.equal(await digA('www.geo.test', '127.14.0.1'), '192.0.2.9', 'a place no record covers: the default')
  assert.equal(await digA('www.geo.test', '127.0.0.1'), '192.0.2.9', 'a client the table does not place: the default')
  assert.match(await dig('127.0.0.1', '+short', 'www.geo.test', 'A', '+subnet=127.10.0.0/24'), /^192\.0\.2\.1$/m, 'the EDNS client subnet places the client')

  // An unhealthy state record gives way to the country's.
  await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [{ ...geo('192.0.2.2', 'washington', { CountryCode: 'US', SubdivisionCode: 'WA' }, { HealthCheckId: down }), Action: 'UPSERT' }] } }))
  await eventually(async () => (await digA('www.geo.test', '127.11.0.1')) === '192.0.2.3', { timeoutMs: 5000, message: 'the failed WA record hands over to US' })
  const listed = (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).ResourceRecordSets ?? []
  assert.deepEqual(listed.find((r) => r.SetIdentifier === 'washington')?.GeoLocation, { CountryCode: 'US', SubdivisionCode: 'WA' })

  await rejectsWith(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [geo('192.0.2.5', 'nowhere', { CountryCode: 'XX' })] } })), 'InvalidInput', /CountryCode XX/)
  await rejectsWith(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [geo('192.0.2.5', 'bavaria', { CountryCode: 'DE', SubdivisionCode: 'BY' })] } })), 'InvalidInput', /only for CountryCode US/)
  await rejectsWith(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone, ChangeBatch: { Changes: [geo('192.0.2.5', 'germany-2', { CountryCode: 'DE' })] } })), 'InvalidChangeBatch', /geolocation already exists/)

  const first = await r53.send(new ListGeoLocationsCommand({ MaxItems: 8 }))
  assert.deepEqual(first.GeoLocationDetailsList?.map((g) => g.ContinentCode ?? g.CountryCode), ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA', '*'])
  assert.equal(first.IsTruncated, true)
  const next = await r53.send(new ListGeoLocationsCommand({ StartCountryCode: first.NextCountryCode, MaxItems: 1 }))
  assert.equal(next.GeoLocationDetailsList?.[0]?.CountryCode, first.NextCountryCode)
  const states = await r53.send(new ListGeoLocationsCommand({ StartCountryCode: 'US', StartSubdivisionCode: 'WA', MaxItems: 2 }))
  assert.deepEqual(states.GeoLocationDetailsList?.map((g) => g.SubdivisionName), ['Washington', 'Wisconsin'], 'by code: WA, WI, WV')
  assert.deepEqual((await r53.send(new GetGeoLocationCommand({ CountryCode: 'US', SubdivisionCode: 'WA' }))).GeoLocationDetails, { CountryCode: 'US', CountryName: 'United States', SubdivisionCode: 'WA', SubdivisionName: 'Washington' })
  assert.equal((await r53.send(new GetGeoLocationCommand({ ContinentCode: 'EU' }))).GeoLocationDetails?.ContinentName, 'Europe')
  await rejectsWith(r53.send(new GetGeoLocationCommand({ CountryCode: 'XX' })), 'NoSuchGeoLocation')
  assertWireMatchesModels(proxy)
})

test('Route 53 geolocation with the AWS CLI v2: get-geo-location, list-geo-locations, a country record dig answers', { skip: noDig }, async (t) => {
  const { proxy, digA } = await node(t)
  const aws = await awsCliV2(t, proxy.endpoint, 'r53geo')
  if (!aws) return
  const text = (...args: string[]) => aws(...args, '--output', 'text')
  assert.equal(await text('route53', 'get-geo-location', '--country-code', 'JP', '--query', 'GeoLocationDetails.CountryName'), 'Japan')
  assert.equal(await text('route53', 'list-geo-locations', '--max-items', '1', '--query', 'GeoLocationDetailsList[0].ContinentCode'), 'AF')
  const zone = await text('route53', 'create-hosted-zone', '--name', 'geocli.test', '--caller-reference', 'geocli', '--query', 'HostedZone.Id')
  const change = (value: string, id: string, location: Record<string, string>) => ({ Action: 'CREATE', ResourceRecordSet: { Name: 'app.geocli.test', Type: 'A', TTL: 60, SetIdentifier: id, GeoLocation: location, ResourceRecords: [{ Value: value }] } })
  await aws('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify({ Changes: [change('198.51.100.1', 'jp', { CountryCode: 'JP' }), change('198.51.100.9', 'rest', { CountryCode: '*' })] }))
  assert.equal(await digA('app.geocli.test', '127.14.9.9'), '198.51.100.1')
  assert.equal(await digA('app.geocli.test', '127.10.9.9'), '198.51.100.9')
  assertWireMatchesModels(proxy)
})

test('--geo-table: a bad line stops the start with FILE:LINE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-r53geo-bad-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'geo.csv')
  writeFileSync(file, '127.10.0.0/16,EU,DE\n127.11.0.0/16,NA,ZZ\n')
  await assert.rejects(startOpenalb({ dataDir: join(dir, 'data'), control: '127.0.0.1:0', dns: '127.0.0.1:0', geoTableFile: file, log: pino({ level: 'silent' }) }), new RegExp(`${file}:2: ZZ is not an ISO 3166-1 country code`))
})
