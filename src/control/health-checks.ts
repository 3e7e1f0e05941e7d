import { randomUUID } from 'node:crypto'
import { ROUTE53_ACCOUNT_LIMITS } from '../model/hosted-zone.js'
import type { HealthCheck, HealthCheckConfig } from '../model/health-check.js'
import { DuplicateError, InUseError, LimitExceededError, NotFoundError, ValidationFailed } from './errors.js'
import type { Draft } from './draft.js'

export function findHealthCheck(d: Draft, id: string): HealthCheck {
  const check = d.get('health-check', id)
  if (!check) throw new NotFoundError('health-check', id)
  return check
}

/** Route 53's rules for a configuration, as one list of problems. */
function problemsOf(d: Draft, c: HealthCheckConfig, self?: string): string[] {
  const out: string[] = []
  if (c.type === 'CALCULATED') {
    if (c.childHealthChecks.length === 0) out.push('A CALCULATED health check needs ChildHealthChecks')
    for (const child of c.childHealthChecks) if (child === self || !d.get('health-check', child)) out.push(`Child health check ${child} does not exist`)
    if ((c.healthThreshold ?? 0) > c.childHealthChecks.length) out.push('HealthThreshold cannot be more than the number of ChildHealthChecks')
    return out
  }
  if (!c.ipAddress && !c.fullyQualifiedDomainName) out.push('A health check needs an IPAddress or a FullyQualifiedDomainName')
  if (c.type.endsWith('STR_MATCH') && !c.searchString) out.push(`A ${c.type} health check needs a SearchString`)
  if (!c.type.endsWith('STR_MATCH') && c.searchString) out.push(`SearchString is only for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks`)
  if (c.type === 'TCP' && c.resourcePath) out.push('ResourcePath is not for TCP health checks')
  if (c.requestInterval !== 10 && c.requestInterval !== 30) out.push('RequestInterval must be 10 or 30')
  if (c.failureThreshold < 1 || c.failureThreshold > 10) out.push('FailureThreshold must be between 1 and 10')
  return out
}

function check(d: Draft, c: HealthCheckConfig, self?: string): void {
  const problems = problemsOf(d, c, self)
  if (problems.length > 0) throw new ValidationFailed(problems.map((message) => ({ path: 'HealthCheckConfig', message })))
}

export function createHealthCheck(d: Draft, callerReference: string, config: HealthCheckConfig): HealthCheck {
  const same = d.list('health-check').find((h) => h.callerReference === callerReference)
  if (same) {
    if (JSON.stringify(same.config) === JSON.stringify(config)) return same
    throw new DuplicateError('health-check', callerReference, ' (caller reference already used with another configuration)')
  }
  const max = ROUTE53_ACCOUNT_LIMITS.MAX_HEALTH_CHECKS_BY_OWNER
  if (d.list('health-check').length >= max) throw new LimitExceededError('MAX_HEALTH_CHECKS_BY_OWNER', max, 'health checks')
  check(d, config)
  return d.put({ kind: 'health-check', id: randomUUID(), callerReference, config, version: 1, createdAt: d.nowIso(), tags: {} })
}

export function updateHealthCheck(d: Draft, id: string, change: (c: HealthCheckConfig) => HealthCheckConfig): HealthCheck {
  const current = findHealthCheck(d, id)
  const config = change(current.config)
  check(d, config, id)
  return d.put({ ...current, config, version: current.version + 1 })
}

/** Refused while a calculated check uses it (Route 53: HealthCheckInUse). */
export function deleteHealthCheck(d: Draft, id: string): void {
  const current = findHealthCheck(d, id)
  const parent = d.list('health-check').find((h) => h.config.childHealthChecks.includes(id))
  if (parent) throw new InUseError('health-check', id, `calculated health check ${parent.id}`)
  d.remove('health-check', current.id)
}
