import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  CreateHostedZoneCommand,
  CreateReusableDelegationSetCommand,
  DeleteHostedZoneCommand,
  DeleteReusableDelegationSetCommand,
  GetAccountLimitCommand,
  GetHostedZoneCommand,
  GetReusableDelegationSetCommand,
  GetReusableDelegationSetLimitCommand,
  ListReusableDelegationSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('Route 53 reusable delegation sets: zones made in a set share its name servers; a set in use is not deleted', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const r53 = new Route53Client(clientConfig(api))
  const created = await r53.send(new CreateReusableDelegationSetCommand({ CallerReference: 'set-1' }))
  const set = created.DelegationSet
  assert.match(set?.Id ?? '', /^\/delegationset\/N[A-Z0-9]{13}$/)
  assert.equal(set?.NameServers?.length, 4)
  assert.match(created.Location ?? '', /\/2013-04-01\/delegationset\/N[A-Z0-9]{13}$/)
  await rejectsWith(r53.send(new CreateReusableDelegationSetCommand({ CallerReference: 'set-1' })), 'DelegationSetAlreadyCreated')

  const id = (set?.Id ?? '').replace('/delegationset/', '')
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'shared.test', CallerReference: 'z-shared', DelegationSetId: id }))
  assert.equal(zone.DelegationSet?.Id, set?.Id)
  assert.deepEqual(zone.DelegationSet?.NameServers, set?.NameServers)
  assert.equal((await r53.send(new GetHostedZoneCommand({ Id: zone.HostedZone?.Id }))).DelegationSet?.Id, set?.Id)
  await rejectsWith(r53.send(new CreateHostedZoneCommand({ Name: 'other.test', CallerReference: 'z-other', DelegationSetId: 'NNOSUCHSET0000' })), 'NoSuchDelegationSet')

  assert.deepEqual((await r53.send(new GetReusableDelegationSetCommand({ Id: id }))).DelegationSet?.CallerReference, 'set-1')
  const listed = await r53.send(new ListReusableDelegationSetsCommand({}))
  assert.deepEqual(listed.DelegationSets?.map((s) => s.Id), [set?.Id])
  const limit = await r53.send(new GetReusableDelegationSetLimitCommand({ DelegationSetId: id, Type: 'MAX_ZONES_BY_REUSABLE_DELEGATION_SET' }))
  assert.deepEqual([limit.Limit?.Value, limit.Count], [100, 1])
  assert.equal((await r53.send(new GetAccountLimitCommand({ Type: 'MAX_REUSABLE_DELEGATION_SETS_BY_OWNER' }))).Count, 1)

  await rejectsWith(r53.send(new DeleteReusableDelegationSetCommand({ Id: id })), 'DelegationSetInUse')
  await r53.send(new DeleteHostedZoneCommand({ Id: zone.HostedZone?.Id }))
  await r53.send(new DeleteReusableDelegationSetCommand({ Id: id }))
  await rejectsWith(r53.send(new GetReusableDelegationSetCommand({ Id: id })), 'NoSuchDelegationSet')
  assertWireMatchesModels(api)
})
