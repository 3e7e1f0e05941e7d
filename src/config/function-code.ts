import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, relative } from 'node:path'
import type { FunctionCode } from '../control/functions.js'

/** A function's code directory as the file names it, made absolute against the file's directory. */
export const codeDirectory = (baseDir: string, code: string): string => (isAbsolute(code) ? code : join(baseDir, code))

/**
 * A YAML function's code: its directory, used in place, and a SHA-256 of its files (paths and
 * contents, in order), so an edit to a file is a new version at the next apply (and a cold start).
 */
export function directoryCode(dir: string): FunctionCode {
  const hash = createHash('sha256')
  let size = 0
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name === 'node_modules' || name === '__pycache__' || name.startsWith('.')) continue
      const path = join(d, name)
      const st = statSync(path)
      if (st.isDirectory()) walk(path)
      else if (st.isFile()) {
        const data = readFileSync(path)
        size += data.length
        hash.update(relative(dir, path)).update('\0').update(data).update('\0')
      }
    }
  }
  walk(dir)
  return { directory: dir, sha256: hash.digest('base64'), size }
}
