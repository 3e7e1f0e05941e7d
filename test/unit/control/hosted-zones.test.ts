import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DuplicateError, InvalidChangeBatchError, NotEmptyError, ValidationFailed } from '../../../src/control/errors.js'
import { changeRecordSets, createHostedZone, deleteHostedZone, findZone, recordsOfZone, type RecordChange } from '../../../src/control/hosted-zones.js'
import { createLoadBalancer, deleteLoadBalancer } from '../../../src/control/load-balancers.js'
import { openControl, putZone, refusedUnchanged } from './fixture.js'

const ZONE = 'ZEXAMPLE0000000000001'
const create = (record: Record<string, unknown>): RecordChange => ({ action: 'CREATE', record })
const upsert = (record: Record<string, unknown>): RecordChange => ({ action: 'UPSERT', record })
const remove = (record: Record<string, unknown>): RecordChange => ({ action: 'DELETE', record })
const a = (name: string, ip = '192.0.2.1') => ({ name, type: 'A', values: [ip] })
const cname = (name: string, target = 'web.example.test.') => ({ name, type: 'CNAME', values: [target] })

test('a hosted zone is created with serial 1, the fqdn name and openalb\'s name servers', async (t) => {
  const { control } = openControl(t)
  const { value } = await control.mutate((d) => createHostedZone(d, { name: 'Example.test' }))
  assert.match(value.id, /^Z[A-Z0-9]{20}$/)
  assert.equal(value.name, 'example.test.')
  assert.equal(value.serial, 1)
  assert.deepEqual(value.nameServers, ['ns1.openalb.test.', 'ns2.openalb.test.', 'ns3.openalb.test.', 'ns4.openalb.test.'])
  assert.deepEqual((await control.view()).get('hosted-zone', value.id), value)
})

test('a second zone of the same name, or with a used caller reference, is DuplicateError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createHostedZone(d, { name: 'example.test', callerReference: 'ref-1' }))
  await refusedUnchanged(store, () => control.mutate((d) => createHostedZone(d, { name: 'EXAMPLE.test.' })), DuplicateError, 'duplicate', /example\.test\./)
  await refusedUnchanged(store, () => control.mutate((d) => createHostedZone(d, { name: 'other.test', callerReference: 'ref-1' })), DuplicateError, 'duplicate', /caller reference/)
  await refusedUnchanged(store, () => control.mutate((d) => createHostedZone(d, { name: 'bad name' })), ValidationFailed, 'validation', /hostedZone\.name/)
})

test('a zone is found by id, by /hostedzone/id and by name', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => putZone(d, 'example.test'))
  const view = await control.view()
  for (const ref of [ZONE, `/hostedzone/${ZONE}`, 'example.test', 'Example.Test.']) assert.equal(findZone(view, ref).id, ZONE, ref)
})

test('each change batch raises the zone serial by one', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => putZone(d, 'example.test'))
  const { value: z1 } = await control.mutate((d) => changeRecordSets(d, ZONE, [create(a('api')), create(a('www'))]))
  assert.equal(z1.serial, 2)
  const { value: z2 } = await control.mutate((d) => changeRecordSets(d, ZONE, [upsert(a('api', '192.0.2.2'))]))
  assert.equal(z2.serial, 3)
  const api = (await control.view()).get('record-set', `${ZONE}/api.example.test./A`)
  assert.deepEqual(api?.values, ['192.0.2.2'])
  assert.equal(api?.ttl, 300)
})

test('a batch with one bad change changes nothing: the revision does not move', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    putZone(d, 'example.test')
    changeRecordSets(d, ZONE, [create(a('api'))])
  })
  await refusedUnchanged(
    store,
    () => control.mutate((d) => changeRecordSets(d, ZONE, [create(a('new')), upsert(a('www')), create(a('api'))])),
    InvalidChangeBatchError,
    'invalid-change-batch',
    /Tried to create resource record set \[name='api\.example\.test\.', type='A'\] but it already exists/,
  )
  await refusedUnchanged(store, () => control.mutate((d) => changeRecordSets(d, ZONE, [create(a('new')), create({ name: 'bad', type: 'A', values: [] })])), ValidationFailed, 'validation', /changes\[1\]\.record\.values/)
  const names = recordsOfZone(await control.view(), ZONE).map((r) => r.name)
  assert.deepEqual(names, ['api.example.test.'])
})

test('deleting a record that does not exist is refused, and a record outside the zone is refused', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => putZone(d, 'example.test'))
  await refusedUnchanged(store, () => control.mutate((d) => changeRecordSets(d, ZONE, [remove(a('api'))])), InvalidChangeBatchError, 'invalid-change-batch', /but it was not found/)
  await refusedUnchanged(store, () => control.mutate((d) => changeRecordSets(d, ZONE, [create(a('api.other.org.'))])), InvalidChangeBatchError, 'invalid-change-batch', /not permitted in zone example\.test\./)
})

test(
  'deleting a record with values that do not match the current ones is refused (Route 53)',
  {},
  async (t) => {
    const { control, store } = openControl(t)
    await control.mutate((d) => {
      putZone(d, 'example.test')
      changeRecordSets(d, ZONE, [create(a('api', '192.0.2.1'))])
    })
    await refusedUnchanged(store, () => control.mutate((d) => changeRecordSets(d, ZONE, [remove(a('api', '192.0.2.99'))])), InvalidChangeBatchError, 'invalid-change-batch', /do not match/)
  },
)

test('a CNAME cannot sit beside another record of the same name, nor at the apex', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    putZone(d, 'example.test')
    changeRecordSets(d, ZONE, [create(a('api')), create(cname('www'))])
  })
  const cases = [
    { desc: 'a CNAME beside an A', change: create(cname('api')), message: /RRSet of type CNAME with DNS name api\.example\.test\. is not permitted because a conflicting RRSet of type A/ },
    { desc: 'an A beside a CNAME', change: create(a('www')), message: /RRSet of type A with DNS name www\.example\.test\. is not permitted because a conflicting RRSet of type CNAME/ },
    { desc: 'a TXT beside a CNAME', change: upsert({ name: 'www', type: 'TXT', values: ['"x"'] }), message: /conflicting RRSet of type CNAME/ },
    { desc: 'a CNAME at the apex', change: create(cname('@')), message: /not permitted at apex/ },
    { desc: 'a CNAME and an A made in one batch', change: create(cname('both')), extra: create(a('both')), message: /conflicting RRSet of type CNAME/ },
  ]
  for (const c of cases) {
    const changes = c.extra ? [c.change, c.extra] : [c.change]
    await refusedUnchanged(store, () => control.mutate((d) => changeRecordSets(d, ZONE, changes)), InvalidChangeBatchError, 'invalid-change-batch', c.message)
  }
  // Replacing a CNAME with a CNAME is fine.
  await control.mutate((d) => changeRecordSets(d, ZONE, [upsert(cname('www', 'other.example.test.'))]))
})

test('an alias names a balancer by name, by ARN or by DNS name (with dualstack. and the trailing dot)', async (t) => {
  const { control, store } = openControl(t)
  const { value: lb } = await control.mutate((d) => {
    putZone(d, 'example.test')
    return createLoadBalancer(d, { name: 'web-alb' })
  })
  const refs = [
    { desc: 'by name', name: 'n1', ref: 'web-alb' },
    { desc: 'by ARN', name: 'n2', ref: lb.arn },
    { desc: 'by DNS name', name: 'n3', ref: lb.dnsName },
    { desc: 'by DNS name as Route 53 gives it', name: 'n4', ref: `dualstack.${lb.dnsName.toUpperCase()}.` },
  ]
  await control.mutate((d) => changeRecordSets(d, ZONE, refs.map((r) => create({ name: r.name, type: 'A', alias: { loadBalancer: r.ref } }))))
  const view = await control.view()
  for (const r of refs) {
    const rs = view.get('record-set', `${ZONE}/${r.name}.example.test./A`)
    assert.deepEqual(rs?.alias, { loadBalancerArn: lb.arn, dnsName: `${lb.dnsName}.`, hostedZoneId: 'Z35SXDOTRQ7X7K', evaluateTargetHealth: false }, r.desc)
  }
  await refusedUnchanged(
    store,
    () => control.mutate((d) => changeRecordSets(d, ZONE, [create({ name: 'api', type: 'A', alias: { loadBalancer: 'nope' } })])),
    InvalidChangeBatchError,
    'invalid-change-batch',
    /alias that targets nope, but the load balancer does not exist/,
  )
})

test('a balancer that an alias points at is deleted as on AWS; the alias stays, then deletes as listed', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => {
    putZone(d, 'example.test')
    createLoadBalancer(d, { name: 'web-alb' })
    changeRecordSets(d, ZONE, [create({ name: 'api', type: 'A', alias: { loadBalancer: 'web-alb', evaluateTargetHealth: true } })])
  })
  const stored = (await control.view()).get('record-set', `${ZONE}/api.example.test./A`)?.alias
  await control.mutate((d) => deleteLoadBalancer(d, 'web-alb'))
  const view = await control.view()
  assert.equal(view.list('load-balancer').length, 0)
  assert.deepEqual(view.get('record-set', `${ZONE}/api.example.test./A`)?.alias, stored)
  // A client deletes the record as ListResourceRecordSets shows it: by the balancer's DNS name.
  await control.mutate((d) => changeRecordSets(d, ZONE, [remove({ name: 'api', type: 'A', alias: { loadBalancer: `dualstack.${stored?.dnsName ?? ''}`, evaluateTargetHealth: true } })]))
  assert.equal((await control.view()).get('record-set', `${ZONE}/api.example.test./A`), undefined)
})

test('a zone with records cannot be deleted: NotEmptyError; once empty it can', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    putZone(d, 'example.test')
    changeRecordSets(d, ZONE, [create(a('api'))])
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteHostedZone(d, 'example.test')), NotEmptyError, 'not-empty', /other than the default SOA and NS/)
  await control.mutate((d) => changeRecordSets(d, ZONE, [remove(a('api'))]))
  await control.mutate((d) => deleteHostedZone(d, ZONE))
  assert.deepEqual((await control.read()).list('hosted-zone'), [])
})
