import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  DuplicateError,
  InUseError,
  InvalidTargetError,
  LimitExceededError,
  NotFoundError,
  ValidationFailed,
} from '../../../src/control/errors.js'
import { createListener, createLoadBalancer, deleteListener } from '../../../src/control/load-balancers.js'
import { createInstance, deleteInstance } from '../../../src/control/instances.js'
import {
  createTargetGroup,
  deleteTargetGroup,
  deregisterTargets,
  MAX_TARGETS_PER_GROUP,
  modifyHealthCheck,
  modifyTargetGroupAttributes,
  registerTargets,
  updateTargetGroup,
} from '../../../src/control/target-groups.js'
import { forwardTo, openControl, refusedUnchanged } from './fixture.js'

const ips = (n: number, third = 0) => Array.from({ length: n }, (_, i) => ({ id: `10.${third}.${Math.floor(i / 250)}.${(i % 250) + 1}` }))

test('a created target group is stored with its ARN, defaults and the default VPC', async (t) => {
  const { control } = openControl(t)
  const { value: tg } = await control.mutate((d) => createTargetGroup(d, { name: 'web-tg', port: 4000 }))
  assert.match(tg.arn, /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/web-tg\/[0-9a-f]{16}$/)
  const stored = (await control.view()).find('target-group', 'web-tg')
  assert.deepEqual(stored, tg)
  assert.equal(stored?.healthCheck.intervalSeconds, 30)
  assert.equal(stored?.attributes.deregistrationDelaySeconds, 300)
  assert.match(stored?.vpcId ?? '', /^vpc-/)
})

test('a second target group with the same name is refused: DuplicateError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  await refusedUnchanged(store, () => control.mutate((d) => createTargetGroup(d, { name: 'web-tg', port: 81 })), DuplicateError, 'duplicate', /web-tg/)
})

test('ip targets register with the group port unless they give their own, and duplicates collapse', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'ip-tg', targetType: 'ip', port: 4000 }))
  const { value } = await control.mutate((d) =>
    registerTargets(d, 'ip-tg', [{ id: '127.0.0.1' }, { id: '127.0.0.1', port: 4001 }, { id: '127.0.0.1' }, { id: '::1' }]),
  )
  assert.deepEqual(value.targets, [
    { id: '127.0.0.1', port: 4000 },
    { id: '127.0.0.1', port: 4001 },
    { id: '::1', port: 4000 },
  ])
})

test('registering a name into an ip target group is refused: InvalidTargetError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'ip-tg', targetType: 'ip' }))
  for (const id of ['web-1', 'i-0123456789abcdef0', '10.0.0.300']) {
    await refusedUnchanged(store, () => control.mutate((d) => registerTargets(d, 'ip-tg', [{ id: '10.0.0.1' }, { id }])), InvalidTargetError, 'invalid-target', /not a valid IP/)
  }
})

test('instance targets resolve by name to the instance id', async (t) => {
  const { control } = openControl(t)
  const { value: inst } = await control.mutate((d) => createInstance(d, { name: 'web-1', address: '127.0.0.1' }))
  assert.match(inst.id, /^i-[0-9a-f]{17}$/)
  const { value } = await control.mutate((d) => {
    createTargetGroup(d, { name: 'web-tg', port: 4000 })
    return registerTargets(d, 'web-tg', [{ id: 'web-1' }, { id: inst.id, port: 4001 }])
  })
  assert.deepEqual(value.targets, [
    { id: inst.id, port: 4000 },
    { id: inst.id, port: 4001 },
  ])
})

test('an unknown instance is refused as a target: InvalidTargetError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  await refusedUnchanged(store, () => control.mutate((d) => registerTargets(d, 'web-tg', [{ id: 'nope' }])), InvalidTargetError, 'invalid-target', /not valid instances: 'nope'/)
})

test('an instance that is a target cannot be deleted until it is deregistered', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    createInstance(d, { name: 'web-1', address: '127.0.0.1' })
    createTargetGroup(d, { name: 'web-tg', targets: [{ id: 'web-1' }] })
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteInstance(d, 'web-1')), InUseError, 'in-use', /web-tg/)
  await control.mutate((d) => deregisterTargets(d, 'web-tg', [{ id: 'web-1' }]))
  await control.mutate((d) => deleteInstance(d, 'web-1'))
  assert.equal((await control.view()).find('instance', 'web-1'), undefined)
})

test(`a target group holds at most ${MAX_TARGETS_PER_GROUP} targets: LimitExceededError`, async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'ip-tg', targetType: 'ip' }))
  await control.mutate((d) => registerTargets(d, 'ip-tg', ips(999)))
  await control.mutate((d) => registerTargets(d, 'ip-tg', [{ id: '10.9.9.9' }]))
  assert.equal((await control.view()).find('target-group', 'ip-tg')?.targets.length, 1000)
  // Registering one that is already there is not a new target.
  await control.mutate((d) => registerTargets(d, 'ip-tg', [{ id: '10.9.9.9' }]))
  await refusedUnchanged(
    store,
    () => control.mutate((d) => registerTargets(d, 'ip-tg', [{ id: '10.9.9.10' }])),
    LimitExceededError,
    'limit-exceeded',
    /targets-per-target-group/,
  )
  // A file's group is held to the quota too, at creation.
  await refusedUnchanged(
    store,
    () => control.mutate((d) => createTargetGroup(d, { name: 'big', targetType: 'ip', targets: ips(MAX_TARGETS_PER_GROUP + 1) })),
    LimitExceededError,
    'limit-exceeded',
    /targets-per-target-group/,
  )
})

test('deregistering a target that is not registered is refused: InvalidTargetError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'ip-tg', targetType: 'ip', targets: [{ id: '10.0.0.1', port: 80 }] }))
  await refusedUnchanged(store, () => control.mutate((d) => deregisterTargets(d, 'ip-tg', [{ id: '10.0.0.2' }])), InvalidTargetError, 'invalid-target', /not registered/)
  await refusedUnchanged(store, () => control.mutate((d) => deregisterTargets(d, 'ip-tg', [{ id: '10.0.0.1', port: 81 }])), InvalidTargetError, 'invalid-target')
  const { value } = await control.mutate((d) => deregisterTargets(d, 'ip-tg', [{ id: '10.0.0.1', port: 80 }]))
  assert.deepEqual(value.targets, [])
})

test('a target without a port deregisters from every port it is registered on', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'ip-tg', targetType: 'ip', targets: [{ id: '10.0.0.1', port: 80 }, { id: '10.0.0.1', port: 81 }, { id: '10.0.0.2' }] }))
  const { value } = await control.mutate((d) => deregisterTargets(d, 'ip-tg', [{ id: '10.0.0.1' }]))
  assert.deepEqual(value.targets, [{ id: '10.0.0.2', port: 80 }])
})

test('modifying the health check merges over the current one and keeps timeout below interval', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  const { value } = await control.mutate((d) => modifyHealthCheck(d, 'web-tg', { path: '/healthz', matcher: '200-299' }))
  assert.equal(value.healthCheck.path, '/healthz')
  assert.equal(value.healthCheck.matcher, '200-299')
  assert.equal(value.healthCheck.intervalSeconds, 30)
  await refusedUnchanged(store, () => control.mutate((d) => modifyHealthCheck(d, 'web-tg', { intervalSeconds: 5 })), ValidationFailed, 'validation')
  await assert.rejects(control.mutate((d) => modifyHealthCheck(d, 'web-tg', { intervalSeconds: 5 })), (e: unknown) => {
    assert.ok(e instanceof ValidationFailed)
    assert.deepEqual(e.failures.map((f) => f.path), ['healthCheck.timeoutSeconds'])
    return true
  })
  await refusedUnchanged(store, () => control.mutate((d) => modifyHealthCheck(d, 'web-tg', { healthyThreshold: 11 })), ValidationFailed, 'validation', /healthyThreshold/)
  await refusedUnchanged(store, () => control.mutate((d) => modifyHealthCheck(d, 'web-tg', { pathx: '/' })), ValidationFailed, 'validation', /unknown key pathx/)
})

test('modifying attributes merges stickiness and refuses slow start with least_outstanding_requests', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg' }))
  const { value } = await control.mutate((d) => modifyTargetGroupAttributes(d, 'web-tg', { stickiness: { enabled: true }, slowStartSeconds: 30 }))
  assert.deepEqual(value.attributes.stickiness, { enabled: true, type: 'lb_cookie', durationSeconds: 86400 })
  assert.equal(value.attributes.deregistrationDelaySeconds, 300)
  await refusedUnchanged(
    store,
    () => control.mutate((d) => modifyTargetGroupAttributes(d, 'web-tg', { algorithm: 'least_outstanding_requests' })),
    ValidationFailed,
    'validation',
    /slowStartSeconds: slow start cannot be combined with least_outstanding_requests/,
  )
  await refusedUnchanged(
    store,
    () => control.mutate((d) => modifyTargetGroupAttributes(d, 'web-tg', { stickiness: { type: 'app_cookie' } })),
    ValidationFailed,
    'validation',
    /cookieName: is required for app_cookie/,
  )
  await refusedUnchanged(store, () => control.mutate((d) => modifyTargetGroupAttributes(d, 'web-tg', { deregistrationDelaySeconds: 3601 })), ValidationFailed, 'validation')
})

test('a full update cannot change protocol, port or target type: delete and recreate instead', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createTargetGroup(d, { name: 'web-tg', port: 4000 }))
  for (const change of [{ port: 4001 }, { protocol: 'HTTPS' as const, port: 4000 }, { targetType: 'ip' as const, port: 4000 }]) {
    await refusedUnchanged(store, () => control.mutate((d) => updateTargetGroup(d, 'web-tg', { name: 'web-tg', ...change })), InvalidTargetError, 'invalid-target', /cannot be changed/)
  }
  const { value } = await control.mutate((d) => updateTargetGroup(d, 'web-tg', { name: 'web-tg', port: 4000, healthCheck: { path: '/up' } }))
  assert.equal(value.healthCheck.path, '/up')
})

test('a target group in use by a listener cannot be deleted, and can once the listener is gone', async (t) => {
  const { control, store } = openControl(t)
  const { value: listener } = await control.mutate((d) => {
    createTargetGroup(d, { name: 'web-tg' })
    createLoadBalancer(d, { name: 'web-alb' })
    return createListener(d, 'web-alb', { port: 8080, defaultActions: forwardTo('web-tg') })
  })
  await refusedUnchanged(store, () => control.mutate((d) => deleteTargetGroup(d, 'web-tg')), InUseError, 'in-use', new RegExp(`listener ${listener.arn}`))
  await control.mutate((d) => deleteListener(d, listener.arn))
  await control.mutate((d) => deleteTargetGroup(d, 'web-tg'))
  assert.equal((await control.view()).find('target-group', 'web-tg'), undefined)
})

test('operations on a missing target group fail with NotFoundError', async (t) => {
  const { control, store } = openControl(t)
  await refusedUnchanged(store, () => control.mutate((d) => registerTargets(d, 'nope', [])), NotFoundError, 'not-found', /target-group 'nope' not found/)
  await refusedUnchanged(store, () => control.mutate((d) => deleteTargetGroup(d, 'nope')), NotFoundError, 'not-found')
})
