import type { Tags } from './schema-util.js'

/** The Route 53 health check types openalb performs (CloudWatch and recovery-control ones need AWS). */
export const ROUTE53_CHECK_TYPES = ['HTTP', 'HTTPS', 'HTTP_STR_MATCH', 'HTTPS_STR_MATCH', 'TCP', 'CALCULATED'] as const
export type Route53CheckType = (typeof ROUTE53_CHECK_TYPES)[number]

export interface HealthCheckConfig {
  readonly type: Route53CheckType
  readonly ipAddress?: string | undefined
  readonly port?: number | undefined
  readonly resourcePath?: string | undefined
  readonly fullyQualifiedDomainName?: string | undefined
  readonly searchString?: string | undefined
  /** Seconds between checks: 10 or 30 (default 30). */
  readonly requestInterval: number
  /** Checks in a row that flip the status, 1-10 (default 3). */
  readonly failureThreshold: number
  readonly inverted: boolean
  readonly disabled: boolean
  readonly enableSni: boolean
  /** CALCULATED: how many children must be healthy (0-256), and which. */
  readonly healthThreshold?: number | undefined
  readonly childHealthChecks: readonly string[]
}

/** A Route 53 health check, performed by openalb's own checker (health/route53-checks.ts). */
export interface HealthCheck {
  readonly kind: 'health-check'
  /** A UUID, as Route 53. */
  readonly id: string
  readonly callerReference: string
  readonly config: HealthCheckConfig
  /** Starts at 1; UpdateHealthCheck moves it on (and may name the version it expects). */
  readonly version: number
  readonly createdAt: string
  readonly tags: Tags
}

/** The port a check probes when none is given: 443 for HTTPS checks, else 80. */
export const checkPort = (c: HealthCheckConfig): number => c.port ?? (c.type.startsWith('HTTPS') ? 443 : 80)
