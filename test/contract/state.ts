import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { SecurityGroup } from '../../src/model/security-group.js'
import { RevisionConflict, type Store } from '../../src/store/state.js'
import { eventually } from '../helpers/eventually.js'

export const sg = (id: string, name = id): SecurityGroup => ({
  kind: 'security-group',
  id,
  name,
  description: 'd',
  vpcId: 'vpc-1',
  ingress: [],
  egress: [],
  ruleIds: {},
  ruleTags: {},
  tags: {},
})

/** The suite every Store backend must pass (STYLE habit 9); etcd runs the same one. */
export function stateContract(
  name: string,
  open: () => Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>,
  options: { skip?: string | false } = {},
): void {
  const withStore = (desc: string, body: (s: Store, reopen: () => Promise<Store>) => Promise<void>) =>
    test(`${name}: ${desc}`, { skip: options.skip }, async (t) => {
      const { store, reopen, cleanup } = await open()
      t.after(cleanup)
      await body(store, reopen)
    })

  withStore('a new store is empty at revision 0', async (s) => {
    const v = await s.load()
    assert.equal(v.revision, 0)
    assert.deepEqual(v.list('security-group'), [])
  })

  withStore('a commit lands all its changes at the next revision', async (s) => {
    const rev = await s.commit(0, [{ op: 'put', resource: sg('sg-1') }, { op: 'put', resource: sg('sg-2') }])
    assert.equal(rev, 1)
    const v = await s.load()
    assert.equal(v.revision, 1)
    assert.deepEqual(v.get('security-group', 'sg-1'), sg('sg-1'))
    assert.equal(v.list('security-group').length, 2)
  })

  withStore('puts replace and deletes remove', async (s) => {
    await s.commit(0, [{ op: 'put', resource: sg('sg-1') }])
    await s.commit(1, [{ op: 'put', resource: sg('sg-1', 'renamed') }, { op: 'delete', kind: 'security-group', key: 'nope' }])
    assert.equal((await s.load()).get('security-group', 'sg-1')?.name, 'renamed')
    await s.commit(2, [{ op: 'delete', kind: 'security-group', key: 'sg-1' }])
    assert.equal((await s.load()).get('security-group', 'sg-1'), undefined)
  })

  withStore('a commit on a stale revision is refused and changes nothing', async (s) => {
    await s.commit(0, [{ op: 'put', resource: sg('sg-1') }])
    await assert.rejects(s.commit(0, [{ op: 'put', resource: sg('sg-2') }]), RevisionConflict)
    const v = await s.load()
    assert.equal(v.revision, 1)
    assert.equal(v.get('security-group', 'sg-2'), undefined)
  })

  withStore('a view taken earlier does not change after later commits', async (s) => {
    await s.commit(0, [{ op: 'put', resource: sg('sg-1') }])
    const before = await s.load()
    await s.commit(1, [{ op: 'delete', kind: 'security-group', key: 'sg-1' }])
    assert.equal(before.get('security-group', 'sg-1')?.id, 'sg-1')
    assert.equal(before.revision, 1)
  })

  withStore('one commit of many resources is one revision', async (s) => {
    const changes = Array.from({ length: MANY_CHANGES }, (_, i) => ({ op: 'put' as const, resource: sg(`sg-${i}`) }))
    assert.equal(await s.commit(0, changes), 1)
    const v = await s.load()
    assert.equal(v.revision, 1)
    assert.equal(v.list('security-group').length, MANY_CHANGES)
  })

  withStore('keys with slashes and colons survive (ARNs)', async (s) => {
    const arn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/abc'
    await s.commit(0, [{ op: 'put', resource: { ...sg('x'), id: arn } }])
    assert.equal((await s.load()).get('security-group', arn)?.id, arn)
  })

  withStore('watchers hear every new revision', async (s) => {
    const seen: number[] = []
    const stop = s.watch((r) => seen.push(r))
    await s.commit(0, [{ op: 'put', resource: sg('sg-1') }])
    await eventually(() => seen.includes(1), { message: 'revision 1 seen' })
    stop()
  })

  withStore('state survives closing and reopening', async (s, reopen) => {
    await s.commit(0, [{ op: 'put', resource: sg('sg-1') }])
    await s.close()
    const again = await reopen()
    const v = await again.load()
    assert.equal(v.revision, 1)
    assert.equal(v.get('security-group', 'sg-1')?.name, 'sg-1')
    await again.close()
  })

  withStore('a commit made through another handle is seen by watchers', async (s, reopen) => {
    const other = await reopen()
    const seen: number[] = []
    const stop = s.watch((r) => seen.push(r))
    await other.commit(0, [{ op: 'put', resource: sg('sg-9') }])
    await eventually(() => seen.includes(1), { message: 'cross-handle revision seen' })
    assert.equal((await s.load()).get('security-group', 'sg-9')?.id, 'sg-9')
    stop()
    await other.close()
  })
}

/** More than etcd's default 128 operations per transaction still lands as one revision. */
export const MANY_CHANGES = 300
