/** A validation failure: where (a dotted path inside the input) and what was wrong. */
export interface Failure {
  readonly path: string
  readonly message: string
}

export type Result<T, E = readonly Failure[]> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E }

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value })
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error })

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
