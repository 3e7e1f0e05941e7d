import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, normalize, sep } from 'node:path'
import { unzipSync } from 'fflate'
import { FUNCTION_LIMITS, type LambdaFunction } from '../model/function.js'

/** A zip Lambda would refuse: the API answers InvalidParameterValueException with this message. */
export class InvalidZip extends Error {}

/** Where unpacked zips live: one directory per CodeSha256, shared by the functions with that code. */
export function zipCodeDir(dataDir: string, sha256Base64: string): string {
  return join(dataDir, 'functions', 'code', Buffer.from(sha256Base64, 'base64').toString('hex'))
}

/** The directory a function's code runs from: its YAML directory, or its unpacked zip. */
export function codeDirectoryOf(dataDir: string, fn: Pick<LambdaFunction, 'codeDirectory' | 'codeSha256'>): string {
  return fn.codeDirectory ?? zipCodeDir(dataDir, fn.codeSha256)
}

/**
 * Unpacks a deployment package (Code.ZipFile) into the data directory under its SHA-256 and
 * returns what the function records. Entries that would land outside the directory, and packages
 * over Lambda's 50 MB (zipped) or 250 MB (unpacked), are refused.
 */
export function storeZip(dataDir: string, zip: Buffer): { sha256: string; size: number } {
  if (zip.length > FUNCTION_LIMITS.zipBytes) throw new InvalidZip(`Unzipped size must be smaller than ${FUNCTION_LIMITS.unpackedBytes} bytes`)
  const sha256 = createHash('sha256').update(zip).digest('base64')
  const dir = zipCodeDir(dataDir, sha256)
  if (existsSync(dir)) return { sha256, size: zip.length }
  let files: Record<string, Uint8Array>
  try {
    files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.length))
  } catch {
    throw new InvalidZip('Could not unzip uploaded file. Please check your file, then try to upload again.')
  }
  let total = 0
  for (const data of Object.values(files)) total += data.length
  if (total > FUNCTION_LIMITS.unpackedBytes) throw new InvalidZip(`Unzipped size must be smaller than ${FUNCTION_LIMITS.unpackedBytes} bytes`)
  const tmp = `${dir}.${randomBytes(4).toString('hex')}.tmp`
  mkdirSync(tmp, { recursive: true, mode: 0o700 })
  try {
    for (const [name, data] of Object.entries(files)) {
      if (name.endsWith('/')) continue
      const rel = normalize(name)
      if (rel.startsWith('..') || rel.startsWith(sep) || rel.includes(`${sep}..${sep}`)) throw new InvalidZip(`Could not unzip uploaded file: the entry ${name} lies outside the package.`)
      const path = join(tmp, rel)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, data)
    }
    renameSync(tmp, dir)
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    // Two uploads of one package at once: the other one's directory is as good.
    if (existsSync(dir) && !(e instanceof InvalidZip)) return { sha256, size: zip.length }
    throw e
  }
  return { sha256, size: zip.length }
}
