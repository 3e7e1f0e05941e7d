import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Draft } from '../../../src/control/draft.js'
import { LimitExceededError, NotFoundError, PriorityInUseError, ValidationFailed } from '../../../src/control/errors.js'
import {
  createListener,
  createLoadBalancer,
  createRule,
  deleteRule,
  findRule,
  MAX_RULES_PER_LB,
  modifyRule,
  setRulePriorities,
} from '../../../src/control/load-balancers.js'
import { createTargetGroup } from '../../../src/control/target-groups.js'
import { forwardTo, ok200, openControl, refusedUnchanged } from './fixture.js'

const onPath = (priority: number, p = `/r${priority}`) => ({ priority, conditions: [{ field: 'path-pattern' as const, values: [p] }], actions: ok200 })

function setup(d: Draft): void {
  createTargetGroup(d, { name: 'web-tg' })
  createLoadBalancer(d, { name: 'web-alb' })
  createListener(d, 'web-alb', { port: 80, defaultActions: ok200 })
  createListener(d, 'web-alb', { port: 81, defaultActions: ok200 })
}

test('a rule is created on a listener, found by BALANCER:PORT:PRIORITY, modified and deleted', async (t) => {
  const { control } = openControl(t)
  await control.mutate(setup)
  const { value: rule } = await control.mutate((d) =>
    createRule(d, 'web-alb:80', { priority: 10, conditions: [{ field: 'host-header', values: ['api.example.test'] }], actions: forwardTo('web-tg') }),
  )
  assert.match(rule.arn, /:listener-rule\/app\/web-alb\//)
  assert.equal(findRule(await control.view(), 'web-alb:80:10').arn, rule.arn)
  const { value: modified } = await control.mutate((d) => modifyRule(d, 'web-alb:80:10', { conditions: [{ field: 'path-pattern', values: ['/v2/*'] }] }))
  assert.deepEqual(modified.conditions, [{ field: 'path-pattern', values: ['/v2/*'] }])
  assert.deepEqual(modified.actions, rule.actions)
  assert.equal(modified.priority, 10)
  await control.mutate((d) => deleteRule(d, rule.arn))
  const after = await control.view()
  assert.throws(() => findRule(after, 'web-alb:80:10'), NotFoundError)
  assert.equal((await control.read()).list('rule').length, 0)
})

test('a duplicate priority on one listener is refused: PriorityInUseError; another listener may use it', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    setup(d)
    createRule(d, 'web-alb:80', onPath(10))
  })
  await refusedUnchanged(store, () => control.mutate((d) => createRule(d, 'web-alb:80', onPath(10, '/other'))), PriorityInUseError, 'priority-in-use', /'10'/)
  await control.mutate((d) => createRule(d, 'web-alb:81', onPath(10)))
})

test('a rule that breaks a condition limit is refused with the failure path', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate(setup)
  await refusedUnchanged(
    store,
    () =>
      control.mutate((d) =>
        createRule(d, 'web-alb:80', {
          priority: 1,
          conditions: [
            { field: 'host-header', values: ['a.test'] },
            { field: 'host-header', values: ['b.test'] },
          ],
          actions: ok200,
        }),
      ),
    ValidationFailed,
    'validation',
    /rule\.conditions\[1\]\.field: a rule may have only one host-header condition/,
  )
  await refusedUnchanged(store, () => control.mutate((d) => modifyRule(d, 'web-alb:80:1', {})), NotFoundError, 'not-found')
})

test('SetRulePriorities swaps two rules in one change', async (t) => {
  const { control } = openControl(t)
  const { value } = await control.mutate((d) => {
    setup(d)
    return [createRule(d, 'web-alb:80', onPath(1, '/a')), createRule(d, 'web-alb:80', onPath(2, '/b'))]
  })
  const [a, b] = value
  assert.ok(a && b)
  await control.mutate((d) => setRulePriorities(d, [{ rule: a.arn, priority: 2 }, { rule: b.arn, priority: 1 }]))
  const view = await control.read()
  assert.equal(view.get('rule', a.arn)?.priority, 2)
  assert.equal(view.get('rule', b.arn)?.priority, 1)
})

test('SetRulePriorities refuses a move onto a priority another rule keeps: PriorityInUseError', async (t) => {
  const { control, store } = openControl(t)
  const { value } = await control.mutate((d) => {
    setup(d)
    return [createRule(d, 'web-alb:80', onPath(1)), createRule(d, 'web-alb:80', onPath(2)), createRule(d, 'web-alb:81', onPath(3))]
  })
  const [a, , c] = value
  assert.ok(a && c)
  await refusedUnchanged(store, () => control.mutate((d) => setRulePriorities(d, [{ rule: a.arn, priority: 2 }])), PriorityInUseError, 'priority-in-use', /'2'/)
  // Two moves onto the same priority collide with each other too.
  await refusedUnchanged(store, () => control.mutate((d) => setRulePriorities(d, [{ rule: a.arn, priority: 7 }, { rule: 'web-alb:80:2', priority: 7 }])), PriorityInUseError, 'priority-in-use')
  // Priorities are per listener: rule 3 on the other listener may take 1's place.
  await control.mutate((d) => setRulePriorities(d, [{ rule: c.arn, priority: 1 }]))
})

test('SetRulePriorities refuses priorities outside 1-50000', async (t) => {
  const { control, store } = openControl(t)
  const { value: r } = await control.mutate((d) => {
    setup(d)
    return createRule(d, 'web-alb:80', onPath(1))
  })
  for (const priority of [0, 50001, 1.5]) {
    await refusedUnchanged(store, () => control.mutate((d) => setRulePriorities(d, [{ rule: r.arn, priority }])), ValidationFailed, 'validation', /between 1 and 50000/)
  }
  await control.mutate((d) => setRulePriorities(d, [{ rule: r.arn, priority: 50000 }]))
})

test(`a balancer holds at most ${MAX_RULES_PER_LB} rules across its listeners: LimitExceededError`, async (t) => {
  const { control, store } = openControl(t)
  await control.mutate((d) => {
    setup(d)
    for (let i = 1; i <= 50; i++) createRule(d, 'web-alb:80', onPath(i))
    for (let i = 1; i <= 50; i++) createRule(d, 'web-alb:81', onPath(i))
  })
  await refusedUnchanged(store, () => control.mutate((d) => createRule(d, 'web-alb:80', onPath(51))), LimitExceededError, 'limit-exceeded', /rules-per-application-load-balancer/)
})

test('a rule on a missing listener is NotFoundError', async (t) => {
  const { control, store } = openControl(t)
  await control.mutate(setup)
  await refusedUnchanged(store, () => control.mutate((d) => createRule(d, 'web-alb:9999', onPath(1))), NotFoundError, 'not-found', /listener 'web-alb:9999'/)
})
