import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createGroup } from '../../../src/control/auto-scaling-groups.js'
import { createLaunchTemplate } from '../../../src/control/launch-templates.js'
import { createListener, createLoadBalancer } from '../../../src/control/load-balancers.js'
import { createTargetGroup } from '../../../src/control/target-groups.js'
import { dimension } from '../../../src/model/dimension.js'
import { MetricStore } from '../../../src/monitoring/metric-store.js'
import { openControl } from '../control/fixture.js'

const T0 = Date.parse('2026-12-07T12:00:00Z')
const SUBNETS = ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02']

test('the metric store: one datapoint a period of what the counters grew by, none for a period without requests (as ALB), host counts every period, CPU per instance and per group', async (t) => {
  const { control } = openControl(t)
  const { lb, tg } = (
    await control.mutate((d) => {
      const tg = createTargetGroup(d, { name: 'web', protocol: 'HTTP', port: 4000 })
      const lb = createLoadBalancer(d, { name: 'web', subnets: SUBNETS })
      createListener(d, lb.arn, { port: 8080, protocol: 'HTTP', defaultActions: [{ type: 'forward', targetGroup: tg.arn }] })
      createLaunchTemplate(d, { name: 'web', region: 'us-east-1', data: { imageId: 'ami-1', securityGroupIds: [], instanceTags: {} }, tags: {} })
      createGroup(d, { name: 'g', region: 'us-east-1', minSize: 0, maxSize: 4, desiredCapacity: 0, subnets: SUBNETS, launchTemplate: { name: 'web', version: '$Latest' }, targetGroupArns: [tg.arn], tags: {}, propagateAtLaunch: [] })
      return { lb: lb.arn, tg: tg.arn }
    })
  ).value
  const counts = { lb: 0, pair: 0, c5: 0, rtSum: 0, rtCount: 0, healthy: 2, unhealthy: 1 }
  const cpu = new Map<string, number>()
  const store = new MetricStore(
    {
      balancerRequestCount: () => counts.lb,
      requestCount: () => counts.pair,
      targetStatusCount: (_tg, c) => (c === '5XX' ? counts.c5 : 0),
      responseTime: () => ({ sum: counts.rtSum, count: counts.rtCount }),
      hostCounts: () => ({ healthy: counts.healthy, unhealthy: counts.unhealthy }),
      cpuSeconds: (ids) => new Map([...cpu].filter(([id]) => ids.includes(id))),
    },
    60000,
  )
  // Two running members of the group, as its passes would leave them.
  await control.mutate((d) => {
    const g = d.list('auto-scaling-group')[0]!
    const members = ['i-0000000000000000a', 'i-0000000000000000b'].map((instanceId) => ({ instanceId, availabilityZone: 'us-east-1a', lifecycleState: 'InService' as const, healthStatus: 'Healthy' as const, protectedFromScaleIn: false, joinedAt: '', stateSince: '' }))
    d.put({ ...g, members })
    for (const m of members) d.put({ kind: 'instance', id: m.instanceId, name: m.instanceId, state: 'running', privateIpAddress: '127.0.0.9', imageId: 'ami-1', instanceType: 't3.micro', subnetId: SUBNETS[0], securityGroupIds: [], tags: {}, launchedAt: '' } as never)
  })
  const view = await control.read()
  const LB = { name: 'LoadBalancer', value: dimension(lb) }
  const TG = { name: 'TargetGroup', value: dimension(tg) }
  const series = (metricName: string, dimensions: { name: string; value: string }[], namespace = 'AWS/ApplicationELB') => store.datapoints({ namespace, metricName, dimensions }, 0, Infinity)

  cpu.set('i-0000000000000000a', 0).set('i-0000000000000000b', 0)
  store.sample(view, T0) // baselines only
  assert.deepEqual(store.metrics(), [])
  counts.lb = 130
  counts.pair = 120
  counts.c5 = 3
  counts.rtSum = 6
  counts.rtCount = 120
  cpu.set('i-0000000000000000a', 30).set('i-0000000000000000b', 0)
  store.sample(view, T0 + 60000)
  cpu.set('i-0000000000000000a', 60).set('i-0000000000000000b', 6)
  store.sample(view, T0 + 120000) // no requests in this period
  assert.deepEqual(series('RequestCount', [LB]).map((p) => p.sum), [130])
  assert.deepEqual(series('RequestCount', [TG, LB]).map((p) => [p.atMs, p.sum]), [[T0 + 60000, 120]], 'dimension order does not matter; no datapoint for the quiet period')
  assert.deepEqual(series('RequestCountPerTarget', [TG]).map((p) => p.sum), [60], '120 requests over 2 healthy targets')
  assert.deepEqual(series('HTTPCode_Target_5XX_Count', [LB, TG]).map((p) => p.sum), [3])
  assert.deepEqual(series('HTTPCode_Target_2XX_Count', [LB, TG]), [])
  assert.deepEqual(series('TargetResponseTime', [LB, TG]).map((p) => [p.sum, p.sampleCount]), [[6, 120]])
  assert.deepEqual(series('HealthyHostCount', [LB, TG]).map((p) => p.sum), [2, 2], 'every period')
  assert.deepEqual(series('UnHealthyHostCount', [LB, TG]).map((p) => p.sum), [1, 1])
  assert.deepEqual(series('CPUUtilization', [{ name: 'InstanceId', value: 'i-0000000000000000a' }], 'AWS/EC2').map((p) => p.sum), [50, 50], '30 CPU seconds in 60 s: 50 %')
  const group = series('CPUUtilization', [{ name: 'AutoScalingGroupName', value: 'g' }], 'AWS/EC2')
  assert.deepEqual(group.map((p) => [p.sum, p.sampleCount, p.minimum, p.maximum]), [[50, 2, 0, 50], [60, 2, 10, 50]], 'one sample per instance')
  assert.equal(store.datapoints({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [LB] }, T0 + 60000, Infinity).length, 0, 'a range is (from, to]')
})
