import { deleteScheduledAction, putScheduledAction } from '../../../control/scheduled-actions.js'
import type { ScheduledAction } from '../../../model/autoscaling.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { XmlValue } from '../protocol/xml.js'

/** Auto Scaling's scheduled actions (UTC recurrences only). */

type Handler = (call: Call) => Promise<Record<string, XmlValue> | undefined>
const invalid = (message: string) => new AwsError('ValidationError', message)

function only(raw: Record<string, unknown>, handled: readonly string[]): void {
  for (const k of Object.keys(raw)) if (!handled.includes(k)) throw invalid(`${k} is not supported by openalb`)
}

const out = (a: ScheduledAction): Record<string, XmlValue> => ({
  AutoScalingGroupName: a.groupName,
  ScheduledActionName: a.name,
  ScheduledActionARN: a.arn,
  Time: a.startTime,
  StartTime: a.startTime,
  EndTime: a.endTime,
  Recurrence: a.recurrence,
  MinSize: a.minSize,
  MaxSize: a.maxSize,
  DesiredCapacity: a.desiredCapacity,
  TimeZone: a.recurrence !== undefined ? 'UTC' : undefined,
})

const PutScheduledUpdateGroupAction: Handler = async (call) => {
  const p = call.params
  only(p.raw, ['AutoScalingGroupName', 'ScheduledActionName', 'Time', 'StartTime', 'EndTime', 'Recurrence', 'MinSize', 'MaxSize', 'DesiredCapacity', 'TimeZone'])
  const zone = p.str('TimeZone')
  if (zone !== undefined && zone !== 'UTC' && zone !== 'Etc/UTC') throw invalid(`TimeZone ${zone} is not supported by openalb (recurrences are in UTC)`)
  await call.deps.control.mutate((d) =>
    putScheduledAction(d, p.required('AutoScalingGroupName'), {
      name: p.required('ScheduledActionName'),
      startTime: p.str('StartTime') ?? p.str('Time'),
      endTime: p.str('EndTime'),
      recurrence: p.str('Recurrence'),
      minSize: p.int('MinSize'),
      maxSize: p.int('MaxSize'),
      desiredCapacity: p.int('DesiredCapacity'),
    }),
  )
  return undefined
}

const DescribeScheduledActions: Handler = async (call) => {
  const p = call.params
  only(p.raw, ['AutoScalingGroupName', 'ScheduledActionNames', 'MaxRecords', 'NextToken'])
  const group = p.str('AutoScalingGroupName')
  const names = p.strings('ScheduledActionNames') ?? []
  const d = await call.deps.control.view()
  const all = d
    .list('scheduled-action')
    .filter((a) => (group === undefined || a.groupName === group) && (names.length === 0 || names.includes(a.name)))
    .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name))
  const pg = page(all, p.str('NextToken'), p.int('MaxRecords') ?? 50, 'InvalidNextToken', 100)
  return { ScheduledUpdateGroupActions: pg.items.map(out), NextToken: pg.next }
}

const DeleteScheduledAction: Handler = async (call) => {
  const p = call.params
  only(p.raw, ['AutoScalingGroupName', 'ScheduledActionName'])
  await call.deps.control.mutate((d) => deleteScheduledAction(d, p.required('AutoScalingGroupName'), p.required('ScheduledActionName')))
  return undefined
}

export const SCHEDULED_ACTION_OPERATIONS: Readonly<Record<string, Handler>> = { PutScheduledUpdateGroupAction, DescribeScheduledActions, DeleteScheduledAction }
