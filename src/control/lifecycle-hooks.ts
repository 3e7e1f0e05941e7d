import { LAUNCHING, TERMINATING, type AutoScalingGroup, type GroupMember, type LifecycleHook } from '../model/autoscaling.js'
import { putMember, resolveGroup } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { InvalidValueError, LimitExceededError } from './errors.js'

/**
 * Lifecycle hooks: a launching member waits in Pending:Wait, a terminating one in
 * Terminating:Wait, until CompleteLifecycleAction or the heartbeat timeout (its default result);
 * group-reconcile.ts moves them on.
 */

/** Auto Scaling's limit of lifecycle hooks per group. */
export const MAX_HOOKS = 50

export interface HookInput {
  readonly name: string
  readonly transition?: string | undefined
  readonly heartbeatTimeout?: number | undefined
  readonly defaultResult?: string | undefined
  readonly metadata?: string | undefined
}

export function putLifecycleHook(d: Draft, groupName: string, input: HookInput): AutoScalingGroup {
  const g = resolveGroup(d, groupName)
  const existing = g.lifecycleHooks.find((h) => h.name === input.name)
  const transition = input.transition ?? existing?.transition
  if (transition !== LAUNCHING && transition !== TERMINATING) {
    throw new InvalidValueError(transition === undefined ? 'LifecycleTransition is required for a new lifecycle hook.' : `Lifecycle transition ${transition} is not valid: ${LAUNCHING} or ${TERMINATING}.`)
  }
  const timeout = input.heartbeatTimeout ?? existing?.heartbeatTimeout ?? 3600
  if (timeout < 30 || timeout > 7200) throw new InvalidValueError(`Heartbeat timeout ${timeout} is not valid: it must be between 30 and 7200 seconds.`)
  const result = input.defaultResult ?? existing?.defaultResult ?? 'ABANDON'
  if (result !== 'CONTINUE' && result !== 'ABANDON') throw new InvalidValueError(`Default result ${result} is not valid: CONTINUE or ABANDON.`)
  if (!existing && g.lifecycleHooks.length >= MAX_HOOKS) throw new LimitExceededError('lifecycle-hooks', MAX_HOOKS, `Auto Scaling group '${g.name}'`)
  const hook: LifecycleHook = { name: input.name, transition, heartbeatTimeout: timeout, defaultResult: result, metadata: input.metadata ?? existing?.metadata }
  return d.put({ ...g, lifecycleHooks: existing ? g.lifecycleHooks.map((h) => (h.name === hook.name ? hook : h)) : [...g.lifecycleHooks, hook] })
}

export function deleteLifecycleHook(d: Draft, groupName: string, name: string): AutoScalingGroup {
  const g = resolveGroup(d, groupName)
  if (!g.lifecycleHooks.some((h) => h.name === name)) throw new InvalidValueError(`No Lifecycle Hook found with name ${name} for group ${g.name}`)
  return d.put({ ...g, lifecycleHooks: g.lifecycleHooks.filter((h) => h.name !== name) })
}

function waiting(d: Draft, groupName: string, hookName: string, by: { token?: string | undefined; instanceId?: string | undefined }): { g: AutoScalingGroup; m: GroupMember; hook: LifecycleHook } {
  const g = resolveGroup(d, groupName)
  const hook = g.lifecycleHooks.find((h) => h.name === hookName)
  if (!hook) throw new InvalidValueError(`No Lifecycle Hook found with name ${hookName} for group ${g.name}`)
  const m = g.members.find((x) => x.lifecycleState.endsWith(':Wait') && x.hook?.name === hookName && x.hook.result === undefined && (by.token !== undefined ? x.hook.token === by.token : x.instanceId === by.instanceId))
  if (!m) throw new InvalidValueError(by.token !== undefined ? `No active Lifecycle Action found with token ${by.token}` : `No active Lifecycle Action found with instance ID ${by.instanceId ?? ''}`)
  return { g, m, hook }
}

export function completeLifecycleAction(d: Draft, groupName: string, hookName: string, result: string, by: { token?: string | undefined; instanceId?: string | undefined }): void {
  if (result !== 'CONTINUE' && result !== 'ABANDON') throw new InvalidValueError(`Lifecycle action result ${result} is not valid: CONTINUE or ABANDON.`)
  const { g, m } = waiting(d, groupName, hookName, by)
  if (!m.hook) return
  const proceed = m.lifecycleState === 'Pending:Wait' ? 'Pending:Proceed' : 'Terminating:Proceed'
  putMember(d, g, { ...m, lifecycleState: proceed, stateSince: d.nowIso(), hook: { ...m.hook, result } })
}

/** RecordLifecycleActionHeartbeat: the wait restarts its heartbeat timeout. */
export function recordHeartbeat(d: Draft, groupName: string, hookName: string, by: { token?: string | undefined; instanceId?: string | undefined }): void {
  const { g, m, hook } = waiting(d, groupName, hookName, by)
  putMember(d, g, { ...m, hookDeadline: new Date(d.ctx.now().getTime() + hook.heartbeatTimeout * 1000).toISOString() })
}

