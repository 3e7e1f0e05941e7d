import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCron } from '../../../src/lib/cron.js'

const at = (iso: string) => new Date(iso)

test('five-field cron: steps, ranges, lists, Sunday as 0 or 7, and either restricted day field matching', () => {
  const weekdays9 = parseCron('0 9 * * 1-5')
  assert.ok(weekdays9?.matches(at('2026-12-07T09:00:00Z')), 'Monday 09:00')
  assert.equal(weekdays9?.matches(at('2026-12-06T09:00:00Z')), false, 'Sunday')
  assert.equal(weekdays9?.matches(at('2026-12-07T09:01:00Z')), false)
  const quarter = parseCron('*/15 * * * *')
  assert.deepEqual([0, 15, 30, 45, 7].map((m) => quarter?.matches(at(`2026-12-07T10:${String(m).padStart(2, '0')}:00Z`))), [true, true, true, true, false])
  assert.ok(parseCron('30 18 * * 7')?.matches(at('2026-12-06T18:30:00Z')), '7 is Sunday')
  assert.ok(parseCron('0 0 1,15 * *')?.matches(at('2026-12-15T00:00:00Z')))
  const either = parseCron('0 0 1 * 1')
  assert.ok(either?.matches(at('2026-12-01T00:00:00Z')) && either.matches(at('2026-12-07T00:00:00Z')), 'the 1st or a Monday')
  for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', '5-1 * * * *', 'a * * * *', '* * * * * *']) assert.equal(parseCron(bad), undefined, bad)
})
