// ELBv2's quotas bite as on AWS (TooMany* with the quota's name), at AWS's defaults or at what
// `openalb up --quotas FILE` sets; DescribeAccountLimits reports the ones in force.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeAccountLimitsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ELBV2_QUOTAS, quotasFrom } from '../../src/model/quotas.js'
import { quotasFromFile } from '../../src/open-control.js'
import { rejectsWith } from './assert-aws-error.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

test('quotas set lower bite: TooManyLoadBalancers, TooManyTargetGroups, TooManyListeners; DescribeAccountLimits reports them', async (t) => {
  const { quotas } = quotasFrom({ 'application-load-balancers': 1, 'target-groups': 1, 'listeners-per-application-load-balancer': 1 })
  const api = await startAwsApi({ quotas })
  t.after(() => api.close())
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(api))
  const limits = (await elbv2.send(new DescribeAccountLimitsCommand({}))).Limits ?? []
  assert.equal(limits.find((l) => l.Name === 'application-load-balancers')?.Max, '1')
  assert.equal(limits.find((l) => l.Name === 'network-load-balancers')?.Max, String(ELBV2_QUOTAS['network-load-balancers']))

  const lb = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'one' }))).LoadBalancers?.[0]
  await rejectsWith(elbv2.send(new CreateLoadBalancerCommand({ Name: 'two' })), 'TooManyLoadBalancersException', /application-load-balancers/)
  // Network balancers have a quota of their own.
  await elbv2.send(new CreateLoadBalancerCommand({ Name: 'net', Type: 'network' }))
  const tg = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'g1', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0a1b2c3d4e5f60718' }))).TargetGroups?.[0]
  await rejectsWith(elbv2.send(new CreateTargetGroupCommand({ Name: 'g2', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0a1b2c3d4e5f60718' })), 'TooManyTargetGroupsException', /target-groups/)
  const forward = [{ Type: 'forward' as const, TargetGroupArn: tg?.TargetGroupArn }]
  await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTP', Port: 18080, DefaultActions: forward }))
  await rejectsWith(elbv2.send(new CreateListenerCommand({ LoadBalancerArn: lb?.LoadBalancerArn, Protocol: 'HTTP', Port: 18081, DefaultActions: forward })), 'TooManyListenersException', /listeners-per-application-load-balancer/)
})

test('AWS\'s default quotas bite too: the 51st application load balancer of a region is TooManyLoadBalancers', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elbv2 = new ElasticLoadBalancingV2Client(clientConfig(api))
  for (let i = 0; i < ELBV2_QUOTAS['application-load-balancers']; i++) await elbv2.send(new CreateLoadBalancerCommand({ Name: `lb-${i}` }))
  await rejectsWith(elbv2.send(new CreateLoadBalancerCommand({ Name: 'one-too-many' })), 'TooManyLoadBalancersException')
  // The quota is per region: another region starts from none.
  const west = new ElasticLoadBalancingV2Client({ ...clientConfig(api), region: 'eu-west-1' })
  assert.ok((await west.send(new CreateLoadBalancerCommand({ Name: 'west-lb' }))).LoadBalancers?.[0])
})

test('a quotas file: YAML names and numbers, refused with FILE:LINE for an unknown name, a fixed quota or a bad number', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-quotas-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const good = join(dir, 'good.yaml')
  writeFileSync(good, 'application-load-balancers: 200\ntargets-per-target-group: 5000\n')
  const q = quotasFromFile(good)
  assert.equal(q['application-load-balancers'], 200)
  assert.equal(q['targets-per-target-group'], 5000)
  assert.equal(q['target-groups'], ELBV2_QUOTAS['target-groups'])
  assert.equal(quotasFromFile(undefined), ELBV2_QUOTAS)
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'target-groups: 10\nrules-per-alb: 3\ncondition-values-per-alb-rule: 9\ntarget-groups-per-application-load-balancer: 2\nnetwork-load-balancers: -1\n')
  assert.throws(() => quotasFromFile(bad), (e: Error) => {
    assert.match(e.message, new RegExp(`${bad}:2: unknown quota 'rules-per-alb'`))
    assert.match(e.message, new RegExp(`${bad}:3: condition-values-per-alb-rule: openalb keeps this quota at AWS's default, 5`))
    assert.match(e.message, new RegExp(`${bad}:5: network-load-balancers: must be a whole number from 1, got -1`))
    assert.doesNotMatch(e.message, /:1:/)
    return true
  })
  assert.throws(() => quotasFromFile(join(dir, 'none.yaml')), /quotas file .*none\.yaml: ENOENT/)
})
