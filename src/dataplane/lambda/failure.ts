import { STATUS, type ProxyErrorKind } from '../errors.js'
import type { TargetGroupSnapshot } from '../snapshot.js'

/** The header a lambda gateway marks an answer with when the balancer itself answers (gateway.ts). */
export const LAMBDA_FAILURE_HEADER = 'x-openalb-lambda-error'

/**
 * The one call each exchange makes for Lambda targets, on the target's response head: for a
 * lambda group, the failure its gateway marked (the exchange answers it as its own error, with
 * ALB's status and error reason); undefined otherwise, and at once for every other group.
 */
export function lambdaFailure(group: { readonly snapshot: TargetGroupSnapshot } | null | undefined, head: { readonly names: readonly string[]; readonly values: readonly string[] }): ProxyErrorKind | undefined {
  if (group?.snapshot.targetType !== 'lambda') return undefined
  const names = head.names
  for (let i = 0; i < names.length; i++) {
    if ((names[i] as string).toLowerCase() !== LAMBDA_FAILURE_HEADER) continue
    const kind = head.values[i] as ProxyErrorKind
    return Object.hasOwn(STATUS, kind) ? kind : 'lambda-invalid-response'
  }
  return undefined
}
