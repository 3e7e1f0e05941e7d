import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

/** The repository root (dist/test/helpers -> ../../..). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** ../shared beside the work tree; absent in a user's clone, where tests that need it skip. */
export const sharedDir = join(repoRoot, '..', 'shared')
export function sharedPath(...parts: string[]): string | undefined {
  const p = join(sharedDir, ...parts)
  return existsSync(p) ? p : undefined
}

/** Whether a binary is on PATH; tests that need one skip loudly when it is not. */
export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0
}

/** The skip reason for a missing binary, or false when present (for `test(name, { skip })`). */
export function needs(binary: string, pkg = binary): string | false {
  if (hasBinary(binary)) return false
  const reason = `SKIPPED: ${binary} is not installed (Debian package ${pkg}; .ci/run installs it)`
  console.warn(reason)
  return reason
}
