import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CidrConflictError, InUseError, ValidationFailed, InvalidCidrError, InvalidSubnetsError, InvalidZoneError, NotFoundError, OperationNotPermittedError } from '../../../src/control/errors.js'
import { createLoadBalancer, modifyLoadBalancer } from '../../../src/control/load-balancers.js'
import { listSubnets, listVpcs } from '../../../src/control/network-lookup.js'
import { createSubnet, createVpc, deleteSubnet, deleteVpc, modifyVpcAttributes } from '../../../src/control/networks.js'
import { DEFAULT_VPC_ID } from '../../../src/model/ids.js'
import { openControl, rejectsWith, refusedUnchanged } from './fixture.js'

test('a VPC is a /16 to /28; its range is stored with the host bits cleared', async (t) => {
  const { control } = openControl(t)
  const { value: vpc } = await control.mutate((d) => createVpc(d, { name: 'main', cidrBlock: '10.1.2.3/16' }))
  assert.equal(vpc.cidrBlock, '10.1.0.0/16')
  assert.equal(vpc.tags.Name, 'main')
  assert.match(vpc.id, /^vpc-[0-9a-f]{17}$/)
  await rejectsWith(control.mutate((d) => createVpc(d, { name: 'big', cidrBlock: '10.0.0.0/8' })), InvalidCidrError, 'invalid-cidr', /\/16 and \/28/)
  await rejectsWith(control.mutate((d) => createVpc(d, { name: 'tiny', cidrBlock: '10.0.0.0/29' })), InvalidCidrError, 'invalid-cidr')
})

test('a subnet lies inside its VPC, overlaps no sibling and is in one of the region\'s zones', async (t) => {
  const { control, store } = openControl(t)
  const { value: vpc } = await control.mutate((d) => createVpc(d, { name: 'main', cidrBlock: '10.0.0.0/16' }))
  const { value: a } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a' }))
  const { value: b } = await control.mutate((d) => createSubnet(d, { vpc: 'main', cidrBlock: '10.0.2.0/24', availabilityZoneId: 'use1-az2' }))
  assert.equal(a.availabilityZoneId, 'use1-az1')
  assert.equal(b.availabilityZone, 'us-east-1b')
  for (const [, cidr, cls, code] of [
    ['outside the VPC', '10.1.0.0/24', InvalidCidrError, 'invalid-cidr'],
    ['the same range', '10.0.1.0/24', CidrConflictError, 'cidr-conflict'],
    ['a range holding a sibling', '10.0.0.0/22', CidrConflictError, 'cidr-conflict'],
    ['a range inside a sibling', '10.0.2.128/25', CidrConflictError, 'cidr-conflict'],
  ] as const) {
    await refusedUnchanged(store, () => control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: cidr, availabilityZone: 'us-east-1c' })), cls, code)
  }
  await rejectsWith(control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.3.0/24', availabilityZone: 'us-east-1z' })), InvalidZoneError, 'invalid-zone')
  await rejectsWith(control.mutate((d) => createSubnet(d, { vpc: 'vpc-00000000000000000', cidrBlock: '10.0.3.0/24' })), NotFoundError, 'not-found')
  // No zone given: the VPC's least used one.
  const { value: c } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.3.0/24' }))
  assert.equal(c.availabilityZone, 'us-east-1c')
})

test('a VPC with subnets cannot be deleted, nor a subnet a balancer uses: InUseError', async (t) => {
  const { control, store } = openControl(t)
  const { value: vpc } = await control.mutate((d) => createVpc(d, { name: 'main', cidrBlock: '10.0.0.0/16' }))
  const { value: a } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a' }))
  const { value: b } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.2.0/24', availabilityZone: 'us-east-1b' }))
  await refusedUnchanged(store, () => control.mutate((d) => deleteVpc(d, vpc.id)), InUseError, 'in-use')
  const { value: lb } = await control.mutate((d) => createLoadBalancer(d, { name: 'web', subnets: [a.id, b.id] }))
  assert.equal(lb.vpcId, vpc.id)
  assert.deepEqual(lb.availabilityZones, ['us-east-1a', 'us-east-1b'])
  await refusedUnchanged(store, () => control.mutate((d) => deleteSubnet(d, a.id)), InUseError, 'in-use')
  await control.mutate((d) => modifyLoadBalancer(d, lb.arn, { subnets: ['subnet-a', 'subnet-b'] }))
  await control.mutate((d) => deleteSubnet(d, a.id))
  await control.mutate((d) => deleteSubnet(d, b.id))
  await control.mutate((d) => deleteVpc(d, vpc.id))
  assert.deepEqual(listVpcs(await control.view()).map((v) => v.id), [DEFAULT_VPC_ID])
})

test('a balancer\'s subnets exist, sit in distinct zones of one VPC and span two zones', async (t) => {
  const { control } = openControl(t)
  const { value: vpc } = await control.mutate((d) => createVpc(d, { name: 'main', cidrBlock: '10.0.0.0/16' }))
  const { value: a } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.1.0/24', availabilityZone: 'us-east-1a' }))
  const { value: a2 } = await control.mutate((d) => createSubnet(d, { vpc: vpc.id, cidrBlock: '10.0.2.0/24', availabilityZone: 'us-east-1a' }))
  await rejectsWith(control.mutate((d) => createLoadBalancer(d, { name: 'web', subnets: ['subnet-0123456789abcdef0', 'subnet-a'] })), NotFoundError, 'not-found')
  await rejectsWith(control.mutate((d) => createLoadBalancer(d, { name: 'web', subnets: [a.id, a2.id] })), InvalidSubnetsError, 'invalid-subnets', /same Availability Zone/)
  await rejectsWith(control.mutate((d) => createLoadBalancer(d, { name: 'web', subnets: [a.id, 'subnet-b'] })), InvalidSubnetsError, 'invalid-subnets', /one VPC/)
  await rejectsWith(control.mutate((d) => createLoadBalancer(d, { name: 'web', type: 'application', subnets: [a.id] })), ValidationFailed, 'validation')
  const { value: net } = await control.mutate((d) => createLoadBalancer(d, { name: 'net', type: 'network', subnets: [a.id] }))
  assert.deepEqual(net.availabilityZones, ['us-east-1a'])
})

test('the default VPC and its three subnets are fixed: listed, never deleted or modified', async (t) => {
  const { control } = openControl(t)
  const view = await control.view()
  assert.deepEqual(listSubnets(view, 'eu-west-1').map((s) => s.availabilityZone), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'])
  await rejectsWith(control.mutate((d) => deleteVpc(d, DEFAULT_VPC_ID)), OperationNotPermittedError, 'operation-not-permitted')
  await rejectsWith(control.mutate((d) => deleteSubnet(d, 'subnet-a')), OperationNotPermittedError, 'operation-not-permitted')
  await rejectsWith(control.mutate((d) => modifyVpcAttributes(d, DEFAULT_VPC_ID, { enableDnsHostnames: false })), OperationNotPermittedError, 'operation-not-permitted')
})

test('stored VPCs belong to their region: another region lists only its default VPC', async (t) => {
  const { control } = openControl(t)
  await control.mutate((d) => createVpc(d, { name: 'eu', cidrBlock: '10.0.0.0/16', region: 'eu-west-1' }))
  const view = await control.view()
  assert.deepEqual(listVpcs(view, 'us-east-1').map((v) => v.isDefault), [true])
  assert.deepEqual(listVpcs(view, 'eu-west-1').map((v) => v.name), [DEFAULT_VPC_ID, 'eu'])
})
