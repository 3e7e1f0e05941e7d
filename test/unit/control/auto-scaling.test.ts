import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GroupController } from '../../../src/autoscaling/controller.js'
import { createGroup, resumeProcesses, setDesiredCapacity, suspendProcesses, updateGroup } from '../../../src/control/auto-scaling-groups.js'
import { chooseVictims } from '../../../src/control/group-reconcile.js'
import { completeTransition } from '../../../src/control/instances.js'
import { createLaunchTemplate, createLaunchTemplateVersion } from '../../../src/control/launch-templates.js'
import { putScheduledAction } from '../../../src/control/scheduled-actions.js'
import { completeLifecycleAction, putLifecycleHook } from '../../../src/control/lifecycle-hooks.js'
import { openControl, refusedUnchanged } from './fixture.js'
import { InvalidValueError } from '../../../src/control/errors.js'

const SUBNETS = ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02']

/** A clock the test moves (members' ages decide the termination policy's last tie). */
function clock() {
  let now = Date.parse('2026-12-07T12:00:00Z')
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) }
}

async function groupOf(t: Parameters<typeof openControl>[0], desired: number) {
  const c = clock()
  const { control, store } = openControl(t, { now: c.now })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { imageId: 'ami-1', securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 0, maxSize: 10, desiredCapacity: desired, subnets: SUBNETS, launchTemplate: { name: 'web', version: '$Latest' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true })
  const pass = async () => {
    await controller.runOnce()
    await control.mutate((d) => {
      for (const i of d.list('instance')) {
        if (i.state === 'pending') completeTransition(d, i.id, 'pending', 'running')
        if (i.state === 'shutting-down') completeTransition(d, i.id, 'shutting-down', 'terminated')
      }
    })
    await controller.runOnce()
  }
  return { control, store, c, pass }
}

test('the default termination policy: the zone with the most instances, then an older launch template version, then the oldest instance', async (t) => {
  const { control, c, pass } = await groupOf(t, 2)
  await pass()
  c.advance(60_000)
  // A new template version, then two more instances: zones a and b hold two each.
  await control.mutate((d) => {
    const lt = d.list('launch-template')[0]
    if (lt) createLaunchTemplateVersion(d, lt, { data: { imageId: 'ami-2' } })
    setDesiredCapacity(d, 'g', 4)
  })
  await pass()
  const g = (await control.view()).list('auto-scaling-group')[0]
  assert.ok(g)
  assert.deepEqual(g.members.map((m) => m.launchTemplate?.version), ['1', '1', '2', '2'])
  const d = await control.view()
  const one = chooseVictims(d, g, 1)
  assert.equal(one[0]?.launchTemplate?.version, '1', 'zones are even, so the older version goes first')
  const three = chooseVictims(d, g, 3)
  assert.deepEqual(three.map((m) => m.launchTemplate?.version).sort(), ['1', '1', '2'])
  const zones = g.members.filter((m) => !three.includes(m)).map((m) => m.availabilityZone)
  assert.equal(zones.length, 1)
  // Scale in to 2: one of each zone stays, both of the newer version.
  await control.mutate((dr) => setDesiredCapacity(dr, 'g', 2))
  await pass()
  const left = (await control.view()).list('auto-scaling-group')[0]?.members ?? []
  assert.deepEqual(left.map((m) => m.launchTemplate?.version), ['2', '2'])
  assert.deepEqual(left.map((m) => m.availabilityZone).sort(), ['us-east-1a', 'us-east-1b'])
})

test('a pass the fleet lock refuses changes nothing; the lock holder launches', async (t) => {
  const c = clock()
  const { control, store } = openControl(t, { now: c.now })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 1, maxSize: 2, subnets: SUBNETS, launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  const before = (await store.load()).revision
  const other = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true, lock: async () => false })
  await other.runOnce()
  assert.equal((await store.load()).revision, before, 'another node holds the lock: no pass')
  const holder = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true, lock: async (pass) => (await pass(), true) })
  await holder.runOnce()
  assert.equal((await control.view()).list('auto-scaling-group')[0]?.members.length, 1)
})

test('sizes out of order are refused and leave the store as it was', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { securityGroupIds: [], instanceTags: {} }, tags: {} }))
  const make = (min: number, max: number, desired?: number) => () =>
    control.mutate((d) => createGroup(d, { name: 'g', region: 'us-east-1', minSize: min, maxSize: max, desiredCapacity: desired, subnets: SUBNETS, launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] }))
  await refusedUnchanged(store, make(3, 2), InvalidValueError, 'invalid-value', /^Max bound, 2, must be greater than or equal to min bound, 3$/)
  await refusedUnchanged(store, make(1, 4, 5), InvalidValueError, 'invalid-value', /^Desired capacity:5 must be between the specified min size:1 and max size:4$/)
})

test('AZRebalance: a zone added to the group gets an instance first, then the heavy zone gives one up; suspended, nothing moves', async (t) => {
  const c = clock()
  const { control } = openControl(t, { now: c.now })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 0, maxSize: 4, desiredCapacity: 2, subnets: [SUBNETS[0] ?? ''], launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true })
  const settle = async (passes: number) => {
    for (let i = 0; i < passes; i++) {
      await controller.runOnce()
      await control.mutate((d) => {
        for (const inst of d.list('instance')) {
          if (inst.state === 'pending') completeTransition(d, inst.id, 'pending', 'running')
          if (inst.state === 'shutting-down') completeTransition(d, inst.id, 'shutting-down', 'terminated')
        }
      })
    }
  }
  const zones = async () => ((await control.view()).list('auto-scaling-group')[0]?.members ?? []).map((m) => `${m.availabilityZone}:${m.lifecycleState}`).sort()
  await settle(3)
  assert.deepEqual(await zones(), ['us-east-1a:InService', 'us-east-1a:InService'])
  await control.mutate((d) => suspendProcesses(d, 'g', ['AZRebalance']))
  await control.mutate((d) => updateGroup(d, 'g', { subnets: SUBNETS }))
  await settle(3)
  assert.deepEqual(await zones(), ['us-east-1a:InService', 'us-east-1a:InService'], 'AZRebalance suspended')
  await control.mutate((d) => resumeProcesses(d, 'g'))
  await settle(6)
  assert.deepEqual(await zones(), ['us-east-1a:InService', 'us-east-1b:InService'])
  const g = (await control.view()).list('auto-scaling-group')[0]
  assert.equal(g?.desiredCapacity, 2)
  const activities = (await control.view()).list('scaling-activity').map((a) => a.cause)
  assert.ok(activities.some((a) => /an instance was launched to aid in balancing the group's zones\.$/.test(a)), activities.join('\n'))
})

test('an openalb that does not run user data fails a script launch as a Failed activity with the reason, and tries again 10 s later', async (t) => {
  const c = clock()
  const { control } = openControl(t, { now: c.now })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { userData: '#!/bin/sh\nexec sleep 60\n', securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 1, maxSize: 1, subnets: SUBNETS, launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: false })
  const failed = async () => (await control.view()).list('scaling-activity').filter((a) => a.statusCode === 'Failed')
  await controller.runOnce()
  await controller.runOnce()
  assert.equal((await failed()).length, 1, 'one failure, then the group waits')
  assert.match((await failed())[0]?.statusMessage ?? '', /openalb up --run-user-data/)
  assert.equal((await control.view()).list('instance').length, 0)
  c.advance(10_001)
  await controller.runOnce()
  assert.equal((await failed()).length, 2)
})

test('scheduled actions: a recurrence runs once in each matching minute (UTC), a one-time action at its start time and is then gone', async (t) => {
  const c = clock() // 2026-12-07T12:00:00Z, a Monday
  const { control } = openControl(t, { now: c.now })
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 0, maxSize: 5, desiredCapacity: 0, subnets: SUBNETS, launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
    putScheduledAction(d, 'g', { name: 'noon', recurrence: '0 12 * * 1-5', desiredCapacity: 2 })
    putScheduledAction(d, 'g', { name: 'later', startTime: '2026-12-07T12:30:00Z', minSize: 1, desiredCapacity: 1 })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true })
  const group = async () => (await control.view()).list('auto-scaling-group')[0]
  await controller.runOnce()
  assert.equal((await group())?.desiredCapacity, 2)
  const cause = (await control.view()).list('scaling-activity')[0]?.cause ?? ''
  assert.match(cause, /^At 2026-12-07T12:00:00Z a scheduled action update of AutoScalingGroup constraints to min: 0, max: 5, desired: 2 changing the desired capacity from 0 to 2\./)
  await control.mutate((d) => setDesiredCapacity(d, 'g', 0))
  c.advance(20_000)
  await controller.runOnce()
  assert.equal((await group())?.desiredCapacity, 0, 'once a minute at most')
  c.advance(30 * 60_000)
  await controller.runOnce()
  const g = await group()
  assert.deepEqual([g?.minSize, g?.desiredCapacity], [1, 1])
  assert.deepEqual((await control.view()).list('scheduled-action').map((a) => a.name), ['noon'], 'the one-time action ran and is gone')
  await assert.rejects(control.mutate((d) => putScheduledAction(d, 'g', { name: 'bad', recurrence: '61 * * * *', desiredCapacity: 1 })), /Given recurrence string is not valid: 61 \* \* \* \*/)
})

test('two launch hooks: the instance waits on each in turn, and comes into service after the second is completed', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'g', region: 'us-east-1', minSize: 1, maxSize: 1, subnets: SUBNETS, launchTemplate: { name: 'web' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
    putLifecycleHook(d, 'g', { name: 'first', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', heartbeatTimeout: 300 })
    putLifecycleHook(d, 'g', { name: 'second', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', heartbeatTimeout: 300 })
  })
  const controller = new GroupController({ control, processExited: () => false, targetState: () => undefined, runsUserData: true })
  const member = async () => (await control.view()).list('auto-scaling-group')[0]?.members[0]
  await controller.runOnce()
  await control.mutate((d) => {
    for (const i of d.list('instance')) completeTransition(d, i.id, 'pending', 'running')
  })
  await controller.runOnce()
  assert.deepEqual([(await member())?.lifecycleState, (await member())?.hook?.name], ['Pending:Wait', 'first'])
  const id = (await member())?.instanceId
  await control.mutate((d) => completeLifecycleAction(d, 'g', 'first', 'CONTINUE', { instanceId: id }))
  await controller.runOnce()
  assert.deepEqual([(await member())?.lifecycleState, (await member())?.hook?.name], ['Pending:Wait', 'second'])
  await control.mutate((d) => completeLifecycleAction(d, 'g', 'second', 'CONTINUE', { instanceId: id }))
  await controller.runOnce()
  assert.equal((await member())?.lifecycleState, 'InService')
})
