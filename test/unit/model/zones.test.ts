import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultSubnets } from '../../../src/model/default-vpc.js'
import { findZone, regionCode, zonesOf } from '../../../src/model/zones.js'

test('zone ids follow AWS short region codes: use1-az1, euw1-az2, apse2-az3', () => {
  for (const [region, code] of [['us-east-1', 'use1'], ['eu-west-1', 'euw1'], ['ap-southeast-2', 'apse2'], ['eu-central-1', 'euc1'], ['ap-northeast-1', 'apne1']] as const) {
    assert.equal(regionCode(region), code)
  }
  assert.deepEqual(zonesOf('eu-west-1').map((z) => [z.name, z.id]), [['eu-west-1a', 'euw1-az1'], ['eu-west-1b', 'euw1-az2'], ['eu-west-1c', 'euw1-az3']])
})

test('a zone is found by name or id in its own region only', () => {
  assert.equal(findZone('us-east-1', 'use1-az2')?.name, 'us-east-1b')
  assert.equal(findZone('us-east-1', 'us-east-1c')?.id, 'use1-az3')
  assert.equal(findZone('us-east-1', 'eu-west-1a'), undefined)
  assert.equal(findZone('us-east-1', 'us-east-1z'), undefined)
})

test('the default VPC has one /20 default subnet per zone, named after the zone letter', () => {
  const subnets = defaultSubnets('eu-west-1')
  assert.deepEqual(subnets.map((s) => [s.name, s.availabilityZone, s.cidrBlock]), [
    ['subnet-a', 'eu-west-1a', '172.31.0.0/20'],
    ['subnet-b', 'eu-west-1b', '172.31.16.0/20'],
    ['subnet-c', 'eu-west-1c', '172.31.32.0/20'],
  ])
  assert.ok(subnets.every((s) => s.defaultForAz && /^subnet-[0-9a-f]{17}$/.test(s.id)))
})
