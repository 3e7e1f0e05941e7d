import { randomUUID } from 'node:crypto'
import { parseCron } from '../lib/cron.js'
import { scheduledActionArn, type ScheduledAction } from '../model/autoscaling.js'
import { causeTime, resolveGroup, suspended } from './auto-scaling-groups.js'
import type { Draft } from './draft.js'
import { InvalidValueError, LimitExceededError } from './errors.js'

/**
 * Scheduled actions: at a start time (once; AWS then deletes the action) or each minute a UTC cron
 * recurrence matches (between StartTime and EndTime), the group takes new sizes, with AWS's cause.
 * The group controller calls runScheduledActions every pass.
 */

/** Auto Scaling's limit of scheduled actions per group. */
export const MAX_SCHEDULED_ACTIONS = 125

export interface ScheduledActionInput {
  readonly name: string
  readonly startTime?: string | undefined
  readonly endTime?: string | undefined
  readonly recurrence?: string | undefined
  readonly minSize?: number | undefined
  readonly maxSize?: number | undefined
  readonly desiredCapacity?: number | undefined
}

export function putScheduledAction(d: Draft, groupName: string, input: ScheduledActionInput): ScheduledAction {
  const g = resolveGroup(d, groupName)
  if (input.minSize === undefined && input.maxSize === undefined && input.desiredCapacity === undefined) throw new InvalidValueError('At least one of MinSize, MaxSize or DesiredCapacity must be specified.')
  if (input.recurrence !== undefined && !parseCron(input.recurrence)) throw new InvalidValueError(`Given recurrence string is not valid: ${input.recurrence}`)
  if (input.recurrence === undefined && input.startTime === undefined) throw new InvalidValueError('Either StartTime or Recurrence must be specified.')
  for (const [k, v] of [['StartTime', input.startTime], ['EndTime', input.endTime]] as const) if (v !== undefined && Number.isNaN(Date.parse(v))) throw new InvalidValueError(`${k} ${v} is not a valid time.`)
  if (input.startTime && input.endTime && Date.parse(input.endTime) <= Date.parse(input.startTime)) throw new InvalidValueError('End time must be after start time.')
  if (input.recurrence === undefined && input.startTime !== undefined && Date.parse(input.startTime) < d.ctx.now().getTime()) throw new InvalidValueError('Given start time is in the past.')
  const all = d.list('scheduled-action').filter((a) => a.groupName === g.name)
  const existing = all.find((a) => a.name === input.name)
  if (!existing && all.length >= MAX_SCHEDULED_ACTIONS) throw new LimitExceededError('scheduled-actions', MAX_SCHEDULED_ACTIONS, `Auto Scaling group '${g.name}'`)
  const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString())
  return d.put({
    kind: 'scheduled-action',
    arn: existing?.arn ?? scheduledActionArn(g.region, d.partition.accountId, randomUUID(), g.name, input.name),
    name: input.name,
    groupName: g.name,
    startTime: iso(input.startTime),
    endTime: iso(input.endTime),
    recurrence: input.recurrence,
    minSize: input.minSize,
    maxSize: input.maxSize,
    desiredCapacity: input.desiredCapacity,
  })
}

export function deleteScheduledAction(d: Draft, groupName: string, name: string): void {
  const a = d.list('scheduled-action').find((x) => x.groupName === groupName && x.name === name)
  if (!a) throw new InvalidValueError(`Scheduled action name not found - The scheduled action ${name} for group ${groupName} was not found`)
  d.remove('scheduled-action', a.arn)
}

/** Runs the group's actions that are due now: sizes within AWS's rules, a cause for the next activity. */
export function runScheduledActions(d: Draft, groupName: string): void {
  const now = d.ctx.now()
  const minute = new Date(Math.floor(now.getTime() / 60000) * 60000).toISOString()
  for (const a of d.list('scheduled-action').filter((x) => x.groupName === groupName)) {
    const g = resolveGroup(d, groupName)
    if (suspended(g, 'ScheduledActions') || g.status) return
    let due: boolean
    if (a.recurrence !== undefined) {
      const inWindow = (a.startTime === undefined || now.getTime() >= Date.parse(a.startTime)) && (a.endTime === undefined || now.getTime() < Date.parse(a.endTime))
      due = inWindow && a.lastRun !== minute && (parseCron(a.recurrence)?.matches(now) ?? false)
    } else due = a.startTime !== undefined && now.getTime() >= Date.parse(a.startTime)
    if (!due) continue
    const min = a.minSize ?? g.minSize
    const max = a.maxSize ?? g.maxSize
    const desired = Math.min(max, Math.max(min, a.desiredCapacity ?? g.desiredCapacity))
    if (a.recurrence === undefined) d.remove('scheduled-action', a.arn)
    else d.put({ ...a, lastRun: minute })
    if (max < min) continue // an action that would break the group's bounds does nothing (AWS fails it)
    const changed = desired !== g.desiredCapacity
    d.put({
      ...g,
      minSize: min,
      maxSize: max,
      desiredCapacity: desired,
      pendingCause: changed
        ? `At ${causeTime(now.toISOString())} a scheduled action update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${g.desiredCapacity} to ${desired}.`
        : g.pendingCause,
    })
  }
}
