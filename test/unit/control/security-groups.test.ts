import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DuplicateError, InUseError, NotFoundError, ValidationFailed } from '../../../src/control/errors.js'
import { createInstance, updateInstance } from '../../../src/control/instances.js'
import { authorizeIngress, createSecurityGroup, deleteSecurityGroup, revokeIngress, updateSecurityGroup } from '../../../src/control/security-groups.js'
import { openControl, refusedUnchanged } from './fixture.js'

test('a security group is created with an sg- id, and rules name source groups (itself included) by name', async (t) => {
  const { control } = openControl(t)
  const { value: sg } = await control.mutate((d) =>
    createSecurityGroup(d, {
      name: 'web-sg',
      ingress: [
        { fromPort: 443, cidrs: ['0.0.0.0/0', '::/0'] },
        { protocol: '-1', sourceGroups: ['web-sg'] },
      ],
    }),
  )
  assert.match(sg.id, /^sg-[0-9a-f]{17}$/)
  const stored = (await control.view()).find('security-group', 'web-sg')
  assert.equal(stored?.id, sg.id)
  assert.deepEqual(stored?.ingress, [
    { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['0.0.0.0/0', '::/0'], sourceGroups: [] },
    { protocol: '-1', fromPort: 0, toPort: 65535, cidrs: [], sourceGroups: [sg.id] },
  ])
})

test('a duplicate group name is refused: DuplicateError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createSecurityGroup(d, { name: 'web-sg' }))
  await refusedUnchanged(store, () => control.mutate((d) => createSecurityGroup(d, { name: 'web-sg' })), DuplicateError, 'duplicate')
})

test('an unknown source group is NotFoundError; a bad CIDR is ValidationFailed with its path', async (t) => {
  const { control, store } = openControl(t)
  await refusedUnchanged(store, () => control.mutate((d) => createSecurityGroup(d, { name: 'web-sg', ingress: [{ sourceGroups: ['nope'] }] })), NotFoundError, 'not-found')
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createSecurityGroup(d, { name: 'web-sg', ingress: [{ cidrs: ['anywhere'] }] })),
    ValidationFailed,
    'validation',
    /securityGroup\.ingress\[0\]\.cidrs\[0\]/,
  )
})

test('authorizing merges CIDRs into a rule with the same ports; the same CIDR twice is DuplicateError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createSecurityGroup(d, { name: 'web-sg', ingress: [{ fromPort: 80, cidrs: ['10.0.0.0/8'] }] }))
  const { value } = await control.mutate((d) => authorizeIngress(d, 'web-sg', [{ fromPort: 80, cidrs: ['192.168.0.0/16'] }, { fromPort: 443, cidrs: ['0.0.0.0/0'] }]))
  assert.deepEqual(
    value.ingress.map((r) => [r.fromPort, r.cidrs]),
    [
      [80, ['10.0.0.0/8', '192.168.0.0/16']],
      [443, ['0.0.0.0/0']],
    ],
  )
  await refusedUnchanged(store, () => control.mutate((d) => authorizeIngress(d, 'web-sg', [{ fromPort: 80, cidrs: ['10.0.0.0/8'] }])), DuplicateError, 'duplicate')
})

test('revoking removes the CIDR, and a rule left with no source disappears', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => createSecurityGroup(d, { name: 'web-sg', ingress: [{ fromPort: 80, cidrs: ['10.0.0.0/8', '192.168.0.0/16'] }] }))
  const { value: one } = await control.mutate((d) => revokeIngress(d, 'web-sg', [{ fromPort: 80, cidrs: ['10.0.0.0/8'] }]))
  assert.deepEqual(one.ingress.map((r) => r.cidrs), [['192.168.0.0/16']])
  const { value: none } = await control.mutate((d) => revokeIngress(d, 'web-sg', [{ fromPort: 80, cidrs: ['192.168.0.0/16'] }]))
  assert.deepEqual(none.ingress, [])
})

test('a full update replaces description and rules but keeps id and name', async (t) => {
  const { control } = openControl(t)
  const { value: before } = await control.mutate((d) => createSecurityGroup(d, { name: 'web-sg', ingress: [{ fromPort: 80, cidrs: ['10.0.0.0/8'] }] }))
  const { value: after } = await control.mutate((d) => updateSecurityGroup(d, 'web-sg', { name: 'web-sg', description: 'web tier' }))
  assert.equal(after.id, before.id)
  assert.equal(after.description, 'web tier')
  assert.deepEqual(after.ingress, [])
})

test('a group in use by an instance or by another group\'s rule cannot be deleted: InUseError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createSecurityGroup(d, { name: 'app-sg', ingress: [{ sourceGroups: ['app-sg'] }] })
    createSecurityGroup(d, { name: 'db-sg', ingress: [{ fromPort: 5432, sourceGroups: ['app-sg'] }] })
    createInstance(d, { name: 'web-1', address: '10.0.0.1', securityGroups: ['app-sg'] })
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteSecurityGroup(d, 'app-sg')), InUseError, 'in-use', /instance 'web-1'/)
  await control.mutate((d) => updateInstance(d, 'web-1', { name: 'web-1', address: '10.0.0.1' }))
  await refusedUnchanged(store, () => control.mutate((d) => deleteSecurityGroup(d, 'app-sg')), InUseError, 'in-use', /security group 'db-sg'/)
  // A rule naming its own group does not hold it.
  await control.mutate((d) => deleteSecurityGroup(d, 'db-sg'))
  await control.mutate((d) => deleteSecurityGroup(d, 'app-sg'))
  assert.deepEqual((await control.read()).list('security-group'), [])
})

test('instances: a duplicate name is DuplicateError, an unknown security group is NotFoundError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createInstance(d, { name: 'web-1', address: '10.0.0.1' }))
  await refusedUnchanged(store, () => control.mutate((d) => createInstance(d, { name: 'web-1', address: '10.0.0.2' })), DuplicateError, 'duplicate')
  await refusedUnchanged(store, () => control.mutate((d) => createInstance(d, { name: 'web-2', address: '10.0.0.2', securityGroups: ['nope'] })), NotFoundError, 'not-found')
})
