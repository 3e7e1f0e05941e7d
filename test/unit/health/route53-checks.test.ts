import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Route53Checks } from '../../../src/health/route53-checks.js'
import type { HealthCheck, HealthCheckConfig } from '../../../src/model/health-check.js'
import type { StateView } from '../../../src/model/state-view.js'
import { eventually } from '../../helpers/eventually.js'

const base: HealthCheckConfig = { type: 'HTTP', ipAddress: '127.0.0.1', port: 80, requestInterval: 10, failureThreshold: 2, inverted: false, disabled: false, enableSni: false, childHealthChecks: [] }
const check = (id: string, config: Partial<HealthCheckConfig>): HealthCheck => ({ kind: 'health-check', id, callerReference: id, config: { ...base, ...config }, version: 1, createdAt: '2026-01-01T00:00:00Z', tags: {} })
const view = (checks: HealthCheck[]): StateView => ({ revision: 1, list: () => checks, get: () => undefined }) as unknown as StateView

test('a Route 53 check flips only after FailureThreshold results in a row; inverted, disabled and calculated checks as Route 53 has them', async (t) => {
  const results = new Map<string, boolean[]>()
  const probes = new Map<string, number>()
  const probe = async (c: HealthCheckConfig) => {
    const key = String(c.port)
    const n = probes.get(key) ?? 0
    probes.set(key, n + 1)
    const seq = results.get(key) ?? []
    const passed = seq[Math.min(n, seq.length - 1)] ?? true
    return { passed, status: passed ? 'Success: HTTP Status Code 200, OK' : 'Failure: HTTP Status Code 500, Internal Server Error' }
  }
  results.set('1', [true, false, true, false, false, false])
  results.set('2', [false])
  const checks = new Route53Checks(probe, () => 20)
  t.after(() => checks.stop())
  checks.reconcile(
    view([
      check('a', { port: 1 }),
      check('down', { port: 2, failureThreshold: 1 }),
      check('inverted', { port: 2, failureThreshold: 1, inverted: true }),
      check('off', { port: 2, failureThreshold: 1, disabled: true }),
      check('calc', { type: 'CALCULATED', childHealthChecks: ['a', 'down', 'inverted'], healthThreshold: 2 }),
    ]),
  )
  assert.equal(checks.healthy('a'), true, 'new checks start healthy')
  await eventually(() => (probes.get('1') ?? 0) >= 4, { timeoutMs: 5000, message: 'probes ran' })
  assert.equal(checks.healthy('a'), true, 'one failure between passes does not flip it (threshold 2)')
  await eventually(() => checks.healthy('a') === false, { timeoutMs: 5000, message: 'two failures in a row flip it' })
  assert.match(checks.observations('a').lastFailure?.status ?? '', /^Failure: HTTP Status Code 500/)
  await eventually(() => checks.healthy('down') === false, { timeoutMs: 5000, message: 'threshold 1 flips at once' })
  assert.equal(checks.healthy('inverted'), true, 'inverted: an unhealthy endpoint is healthy')
  assert.equal(checks.healthy('off'), true, 'disabled: healthy')
  assert.equal(checks.healthy('calc'), false, 'calculated: 1 of 3 children healthy, 2 needed')
  checks.reconcile(view([check('a', { port: 1 })]))
  assert.equal(checks.healthy('down'), undefined, 'a removed check is gone')
})
