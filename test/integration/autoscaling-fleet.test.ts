import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GroupController } from '../../src/autoscaling/controller.js'
import { createGroup } from '../../src/control/auto-scaling-groups.js'
import { Control } from '../../src/control/control.js'
import { createLaunchTemplate } from '../../src/control/launch-templates.js'
import { openEtcdStore } from '../../src/store/etcd/etcd-store.js'
import { eventually } from '../helpers/eventually.js'
import { needsEtcd, startEtcd } from '../helpers/etcd.js'

const skip = needsEtcd()

test('two openalb nodes on one etcd: only the autoscaling leader runs group passes, never both at once; when it leaves, the other node takes over', { skip }, async (t) => {
  const etcd = await startEtcd(1)
  t.after(() => etcd.stop())
  const url = `${etcd.url}/asg-fleet`
  // Two nodes as main.ts wires them: each its own store client, its controller's passes under fleet.lead('autoscaling').
  const nodes = ['a', 'b'].map((name) => {
    const store = openEtcdStore(url, { leaseTtlSeconds: 2 })
    const control = new Control(store)
    const stats = { name, passes: 0 }
    return { name, store, control, stats }
  })
  let active = 0
  let overlap = 0
  const controllers = nodes.map(
    (n) =>
      new GroupController({
        control: n.control,
        processExited: () => false,
        targetState: () => undefined,
        runsUserData: true,
        intervalMs: 50,
        lock: (pass) =>
          n.store.fleet!.lead('autoscaling', async () => {
            active++
            if (active > 1) overlap++
            n.stats.passes++
            try {
              // Long enough that two nodes' passes would overlap if both ran them.
              await new Promise((r) => setTimeout(r, 20))
              await pass()
            } finally {
              active--
            }
          }),
      }),
  )
  t.after(async () => {
    for (const c of controllers) await c.stop()
    for (const n of nodes) await n.store.close().catch(() => undefined)
  })
  const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]]
  await a.control.mutate((d) => {
    createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { imageId: 'ami-1', securityGroupIds: [], instanceTags: {} }, tags: {} })
    createGroup(d, { name: 'web', region: 'us-east-1', minSize: 0, maxSize: 4, desiredCapacity: 2, subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'], launchTemplate: { name: 'web', version: '$Latest' }, targetGroupArns: [], tags: {}, propagateAtLaunch: [] })
  })
  for (const c of controllers) c.start()

  await eventually(async () => a.stats.passes + b.stats.passes >= 30, { timeoutMs: 20000, intervalMs: 50, message: 'thirty passes' })
  const leader = a.stats.passes > 0 ? a : b
  const other = leader === a ? b : a
  assert.equal(other.stats.passes, 0, `one leader keeps the role from pass to pass (a: ${a.stats.passes}, b: ${b.stats.passes})`)
  assert.equal(overlap, 0, 'never two passes at once')
  const group = (await a.control.read()).list('auto-scaling-group')[0]
  assert.equal(group?.members.length, 2, 'the leader\'s passes launched the group\'s two instances, once')
  assert.equal((await a.control.read()).list('instance').length, 2)

  // The leader stops (its lease is revoked): the other node leads from its next pass.
  const index = nodes.indexOf(leader)
  await controllers[index]!.stop()
  await leader.store.close()
  const before = other.stats.passes
  await eventually(() => other.stats.passes > before + 5, { timeoutMs: 10000, intervalMs: 50, message: `${other.name} took over` })
  assert.equal(overlap, 0)
  assert.equal((await other.control.read()).list('instance').length, 2, 'the new leader found the group as it was: nothing launched twice')
})
