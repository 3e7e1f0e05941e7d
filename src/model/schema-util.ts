import { z } from 'zod'
import type { Failure, Result } from './result.js'

/** Renders a zod issue path as `a.b[0].c`, the form config/ turns into file:line. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out
}

export function issuesToFailures(issues: readonly z.core.$ZodIssue[], prefix = ''): Failure[] {
  const failures: Failure[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        failures.push({ path: joinPath(prefix, formatPath([...issue.path, key])), message: `unknown key ${key}` })
      }
      continue
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that got furthest rather than "invalid input".
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? []
      if (best.length > 0) {
        failures.push(...issuesToFailures(best, prefix))
        continue
      }
    }
    failures.push({ path: joinPath(prefix, formatPath(issue.path)), message: issue.message })
  }
  return failures
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length))
}

function joinPath(prefix: string, path: string): string {
  if (prefix === '') return path
  if (path === '') return prefix
  return path.startsWith('[') ? prefix + path : `${prefix}.${path}`
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): Result<z.output<S>> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return { ok: true, value: parsed.data }
  return { ok: false, error: issuesToFailures(parsed.error.issues, prefix) }
}

export const tags = z.record(z.string().min(1).max(128), z.string().max(256)).default({})
export type Tags = Readonly<Record<string, string>>

/** ALB and target group names: 1-32 alphanumerics and hyphens, no hyphen at either end. */
export const awsName = z
  .string()
  .min(1, 'must be 1-32 characters')
  .max(32, 'must be 1-32 characters')
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, 'may contain only letters, digits and hyphens, and must not begin or end with a hyphen')

export const port = z.number().int().min(1, 'must be between 1 and 65535').max(65535, 'must be between 1 and 65535')
