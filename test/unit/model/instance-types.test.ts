import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { INSTANCE_TYPES, instanceType } from '../../../src/model/instance-types.js'

test('docs/ec2.md names every instance type openalb accepts, family and size, and no other', () => {
  const page = readFileSync(new URL('../../../../docs/ec2.md', import.meta.url), 'utf8')
  const rows = [...page.matchAll(/^ {2}\| ([a-z0-9, ]+) \| ([a-z0-9, ()']+?[a-z0-9)]) \|/gm)].filter((m) => !m[1]?.startsWith('family'))
  const documented = rows.flatMap((m) => (m[1] ?? '').split(', ').flatMap((family) => (m[2] ?? '').split(', ').map((size) => `${family}.${size.split(' ')[0] ?? ''}`)))
  assert.deepEqual([...documented].sort(), INSTANCE_TYPES.map((t) => t.name).sort())
})

test('EC2\'s sizes: t2 has one thread per core, t3 two vCPUs from nano up; burstable types carry their default credits', () => {
  assert.deepEqual([instanceType('t2.micro')?.vcpus, instanceType('t2.micro')?.threadsPerCore, instanceType('t2.micro')?.memoryMiB], [1, 1, 1024])
  assert.deepEqual([instanceType('t3.nano')?.vcpus, instanceType('t3.nano')?.cores, instanceType('t3.nano')?.memoryMiB], [2, 1, 512])
  assert.deepEqual([instanceType('m5.2xlarge')?.vcpus, instanceType('m5.2xlarge')?.memoryMiB], [8, 32768])
  assert.equal(instanceType('t2.small')?.burstable?.defaultCredits, 'standard')
  assert.equal(instanceType('t3a.large')?.burstable?.defaultCredits, 'unlimited')
  assert.equal(instanceType('c5.large')?.burstable, undefined)
  assert.equal(instanceType('x9.huge'), undefined)
})
