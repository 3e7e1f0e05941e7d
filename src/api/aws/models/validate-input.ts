import { isRecord } from '../../../model/result.js'
import type { ConstraintShape, ServiceConstraints } from './constraint-types.js'

/**
 * Checks an operation's input against its botocore model as AWS's front end does, and words each
 * violation as AWS does: `Value 'FOO' at 'protocol' failed to satisfy constraint: Member must
 * satisfy enum value set: [HTTP, HTTPS, ...]`. Member paths are the members' names with a lower-case
 * first letter; list items are `name.N.member` (from 1).
 */
export interface InputCheckOptions {
  /** REST-XML lists arrive wrapped in their items' element (`Changes: { Change: [...] }`). */
  readonly xmlLists?: boolean
  /** Blob members arrive base64-encoded (JSON protocols): their length is the decoded bytes'. */
  readonly base64Blobs?: boolean
}

const patterns = new Map<string, RegExp | null>()
function compiled(pattern: string): RegExp | null {
  let re = patterns.get(pattern)
  if (re !== undefined) return re
  re = null
  for (const flags of ['u', '']) {
    try {
      re = new RegExp(`^(?:${pattern})$`, flags)
      break
    } catch {
      // Java syntax JavaScript does not read: try without the u flag, else leave it unchecked
    }
  }
  patterns.set(pattern, re)
  return re
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (Array.isArray(value)) return `'[${value.map((v) => (isRecord(v) ? '{...}' : String(v))).join(', ')}]'`
  if (isRecord(value)) return `'{...}'`
  return `'${String(value)}'`
}

/** The constraint failures of `input` for `operation`, in AWS's words (empty: the input is valid). */
export function inputViolations(table: ServiceConstraints, operation: string, input: unknown, options: InputCheckOptions = {}): string[] {
  const root = table.ops[operation]
  if (root === undefined) return []
  const out: string[] = []
  const fail = (path: string, value: unknown, constraint: string) =>
    out.push(`Value ${shown(value)} at '${path}' failed to satisfy constraint: Member must ${constraint}`)

  const check = (shapeName: string, value: unknown, path: string, depth: number): void => {
    const shape: ConstraintShape | undefined = table.shapes[shapeName]
    if (!shape || depth > 20 || value === undefined || value === null) return
    switch (shape.t) {
      case 'structure': {
        if (!isRecord(value)) return
        for (const name of shape.r ?? []) {
          const ref = shape.m?.[name]
          if (ref && ref[1] === undefined && (value[name] === undefined || value[name] === null)) fail(path ? `${path}.${lowerFirst(name)}` : lowerFirst(name), undefined, 'not be null')
        }
        for (const [name, ref] of Object.entries(shape.m ?? {})) {
          if (ref[1] !== undefined) continue // uri, querystring and header members are the router's
          check(ref[0] ?? '', value[name], path ? `${path}.${lowerFirst(name)}` : lowerFirst(name), depth + 1)
        }
        return
      }
      case 'list': {
        let items: unknown = value
        if (options.xmlLists && isRecord(items) && shape.l?.[1] !== undefined) items = items[shape.l[1]] ?? []
        if (items === '') items = []
        if (isRecord(items) && Object.keys(items).length === 0) items = []
        if (!Array.isArray(items)) items = [items]
        const list = (items as unknown[]).filter((x) => x !== undefined)
        lengths(shape, list.length, list, path)
        list.forEach((item, i) => check(shape.l?.[0] ?? '', item, `${path}.${i + 1}.member`, depth + 1))
        return
      }
      case 'map': {
        if (!isRecord(value)) return
        lengths(shape, Object.keys(value).length, value, path)
        for (const [k, v] of Object.entries(value)) {
          check(shape.k ?? '', k, `${path}.${k}.key`, depth + 1)
          check(shape.v ?? '', v, `${path}.${k}.value`, depth + 1)
        }
        return
      }
      case 'string': {
        if (typeof value !== 'string') return
        lengths(shape, value.length, value, path)
        if (shape.enum && !shape.enum.includes(value)) fail(path, value, `satisfy enum value set: [${shape.enum.join(', ')}]`)
        if (shape.pattern !== undefined && value !== '') {
          const re = compiled(shape.pattern)
          if (re && !re.test(value)) fail(path, value, `satisfy regular expression pattern: ${shape.pattern}`)
        }
        return
      }
      case 'blob': {
        if (typeof value !== 'string') return
        lengths(shape, options.base64Blobs ? Buffer.from(value, 'base64').length : Buffer.byteLength(value), value, path)
        return
      }
      case 'integer':
      case 'long':
      case 'double':
      case 'float': {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
        if (Number.isNaN(n)) return
        if (shape.min !== undefined && n < shape.min) fail(path, value, `have value greater than or equal to ${shape.min}`)
        if (shape.max !== undefined && n > shape.max) fail(path, value, `have value less than or equal to ${shape.max}`)
        return
      }
    }
  }

  const lengths = (shape: ConstraintShape, length: number, value: unknown, path: string): void => {
    if (shape.min !== undefined && length < shape.min) fail(path, value, `have length greater than or equal to ${shape.min}`)
    if (shape.max !== undefined && length > shape.max) fail(path, value, `have length less than or equal to ${shape.max}`)
  }

  check(root, input, '', 0)
  return out
}

/** AWS's one message for all of a request's violations. */
export function validationMessage(violations: readonly string[]): string {
  const n = violations.length
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`
}
