/** ALB's TargetHealthStateEnum. */
export const TargetState = {
  INITIAL: 'initial',
  HEALTHY: 'healthy',
  UNHEALTHY: 'unhealthy',
  UNUSED: 'unused',
  DRAINING: 'draining',
  UNAVAILABLE: 'unavailable',
} as const
export type TargetState = (typeof TargetState)[keyof typeof TargetState]

/** ALB's TargetHealthReasonEnum (the ones an application balancer reports). */
export const TargetReason = {
  REGISTRATION_IN_PROGRESS: 'Elb.RegistrationInProgress',
  INITIAL_HEALTH_CHECKING: 'Elb.InitialHealthChecking',
  RESPONSE_CODE_MISMATCH: 'Target.ResponseCodeMismatch',
  TIMEOUT: 'Target.Timeout',
  FAILED_HEALTH_CHECKS: 'Target.FailedHealthChecks',
  NOT_REGISTERED: 'Target.NotRegistered',
  NOT_IN_USE: 'Target.NotInUse',
  DEREGISTRATION_IN_PROGRESS: 'Target.DeregistrationInProgress',
  INVALID_STATE: 'Target.InvalidState',
  HEALTH_CHECK_DISABLED: 'Target.HealthCheckDisabled',
  INTERNAL_ERROR: 'Elb.InternalError',
} as const
export type TargetReason = (typeof TargetReason)[keyof typeof TargetReason]

/** A target's health as DescribeTargetHealth reports it: healthy carries no reason. */
export interface TargetHealth {
  readonly state: TargetState
  readonly reason?: TargetReason | undefined
  readonly description?: string | undefined
}

// The descriptions ALB returns with each reason.
export const HEALTH = {
  registering: { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' },
  initialChecking: { state: 'initial', reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' },
  healthy: { state: 'healthy' },
  notRegistered: { state: 'unused', reason: 'Target.NotRegistered', description: 'Target is not registered to the target group' },
  notInUse: {
    state: 'unused',
    reason: 'Target.NotInUse',
    description: 'Target group is not configured to receive traffic from the load balancer',
  },
  invalidState: { state: 'unused', reason: 'Target.InvalidState', description: 'Target is in the stopped or terminated state' },
  draining: { state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' },
  disabled: { state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled' },
} as const satisfies Record<string, TargetHealth>

/** The unhealthy health a failed check leads to. */
export function failedHealth(failure: CheckFailure): TargetHealth {
  switch (failure.kind) {
    case 'code-mismatch':
      return {
        state: 'unhealthy',
        reason: 'Target.ResponseCodeMismatch',
        description: `Health checks failed with these codes: [${failure.status}]`,
      }
    case 'timeout':
      return { state: 'unhealthy', reason: 'Target.Timeout', description: 'Request timed out' }
    case 'failed':
      return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: 'Health checks failed' }
  }
}

/** Why one check failed. */
export type CheckFailure =
  | { readonly kind: 'code-mismatch'; readonly status: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'failed'; readonly error: string }

export type CheckResult = { readonly ok: true; readonly status: number } | ({ readonly ok: false } & CheckFailure)
