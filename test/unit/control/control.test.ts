import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ValidationFailed, DuplicateError } from '../../../src/control/errors.js'
import { createTargetGroup } from '../../../src/control/target-groups.js'
import { createSecurityGroup } from '../../../src/control/security-groups.js'
import { openControl, refusedUnchanged, snapshot } from './fixture.js'

test('a mutation commits its changes as one new revision and returns its value', async (t) => {
  const { control, store } = openControl(t)
  const before = (await store.load()).revision
  const m = await control.mutate((d) => {
    createSecurityGroup(d, { name: 'web-sg' })
    return createTargetGroup(d, { name: 'web-tg' })
  })
  assert.equal(m.revision, before + 1)
  assert.equal(m.value.name, 'web-tg')
  assert.deepEqual(m.changes.map((c) => (c.op === 'put' ? c.resource.kind : c.kind)), ['security-group', 'target-group'])
  const view = await control.view()
  assert.equal(view.find('target-group', 'web-tg')?.arn, m.value.arn)
})

test('a mutation that changes nothing does not move the revision', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  const before = await snapshot(store)
  const m = await control.mutate((d) => d.find('target-group', 'web-tg'))
  assert.equal(m.revision, before.revision)
  assert.deepEqual(m.changes, [])
  assert.deepEqual(await snapshot(store), before)
})

test('a mutation that throws half-way leaves the store exactly as it was', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  await refusedUnchanged(
    store,
    () =>
      control.mutate((d) => {
        createSecurityGroup(d, { name: 'new-sg' })
        createTargetGroup(d, { name: 'api-tg' })
        createTargetGroup(d, { name: 'web-tg' })
      }),
    DuplicateError,
    'duplicate',
  )
  const view = await control.view()
  assert.equal(view.find('security-group', 'new-sg'), undefined)
  assert.equal(view.find('target-group', 'api-tg'), undefined)
})

test('a validation failure carries every failure with its path and the subject in the message', async (t) => {
  const { control } = openControl(t)
  await assert.rejects(
    control.mutate((d) => createTargetGroup(d, { name: '-bad', healthCheck: { intervalSeconds: 4 } })),
    (e: unknown) => {
      assert.ok(e instanceof ValidationFailed)
      assert.equal(e.code, 'validation')
      assert.deepEqual(e.failures.map((f) => f.path).sort(), ['healthCheck.intervalSeconds', 'healthCheck.timeoutSeconds', 'name'])
      assert.match(e.message, /targetGroup\.name: /)
      return true
    },
  )
})
