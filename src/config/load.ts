import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import { formatPath, issuesToFailures } from '../model/schema-util.js'
import { isRecord } from '../model/result.js'
import { configDocument, keyPlaces, placeOf, type ConfigDocument } from './schema.js'
import { closest } from './suggest.js'
import { checkReferences } from './references.js'
import { codeDirectory } from './function-code.js'
import type { CertificateCheck } from '../control/draft.js'

export interface ConfigIssue {
  readonly file: string
  readonly line: number
  readonly col: number
  /** Path inside the document: loadBalancers[0].listeners[1].rules[0].conditions[0]. */
  readonly path: string
  readonly message: string
}

export class ConfigInvalid extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'))
  }
}

export const formatIssue = (i: ConfigIssue): string => `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`

interface Source {
  readonly file: string
  readonly doc: Document
  readonly lines: LineCounter
}

export interface LoadedConfig {
  readonly document: ConfigDocument
  /** The directory relative file references (certificate PEMs) resolve against. */
  readonly baseDir: string
  readonly files: readonly string[]
  /** Where a path of the merged document (`['targetGroups', 2, 'targets']`) stands: file:line:col. */
  readonly locate: (path: readonly (string | number)[]) => { file: string; line: number; col: number } | undefined
}

type TopKey = Exclude<keyof ConfigDocument, '$schema'>
/** The document's kinds, from its schema (one home: a new kind is loaded without being listed here). */
const TOP_KEYS = Object.keys(configDocument.shape).filter((k): k is TopKey => k !== '$schema')

function configFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(path, f))
}

function positionOf(src: Source, path: readonly (string | number)[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined
    if (node && typeof node === 'object' && node.range) {
      // A missing key points at its parent; an unknown key is found as the pair's key below.
      const p = src.lines.linePos(node.range[0])
      return { line: p.line, col: p.col }
    }
  }
  return { line: 1, col: 1 }
}

/** The position of a key itself (for unknown keys), found through the parent map's pairs. */
function keyPosition(src: Source, parent: readonly (string | number)[], key: string): { line: number; col: number } | undefined {
  const map = (parent.length === 0 ? src.doc.contents : src.doc.getIn(parent, true)) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null
  const pair = map?.items?.find((i) => i.key?.value === key)
  if (pair?.key?.range) {
    const p = src.lines.linePos(pair.key.range[0])
    return { line: p.line, col: p.col }
  }
  return undefined
}

/** The yaml library's error codes that a wrong indentation produces. */
const INDENT_ERRORS: ReadonlySet<string> = new Set(['MISSING_CHAR', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'BAD_INDENT', 'TAB_AS_INDENT'])

/** The raw value at a path of the parsed YAML (undefined when absent). */
function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = raw
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[p]
  }
  return v
}

/**
 * An unknown key: the right key in the wrong place says where it belongs; a near miss suggests a
 * key of this place first (then any key of the document).
 */
export function unknownKeyMessage(key: string, here: string, places: ReadonlyMap<string, readonly string[]>): string {
  const where = (p: string) => (p === '' ? 'the top level' : p)
  const elsewhere = places.get(key)
  if (elsewhere && !elsewhere.includes(here)) {
    return `${key} does not belong in ${where(here)}; it is a key of ${elsewhere.map(where).join(' or ')}`
  }
  const siblings = [...places].filter(([, at]) => at.includes(here)).map(([k]) => k)
  const hint = closest(key, siblings) ?? closest(key, places.keys())
  if (!hint) return `unknown key ${key}`
  const hintHere = places.get(hint)?.includes(here) ?? false
  return `unknown key ${key}; did you mean ${hint}?${hintHere ? '' : ` (a key of ${(places.get(hint) ?? []).map(where).join(' or ')})`}`
}

const TYPE_NAMES: Readonly<Record<string, string>> = { number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'a mapping', int: 'an integer' }

function describeValue(v: unknown): string {
  if (v === null) return 'null (an empty value)'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  if (typeof v === 'string') return `the string "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`
  return `${typeof v === 'number' ? 'the number' : 'the value'} ${String(v)}`
}

/**
 * Zod's own wording ("Invalid input: expected number, received string", "Too small: expected
 * string to have >=1 characters") said as a person would; messages the model wrote stay as they are.
 */
export function plainMessage(issue: { code: string; message: string } & Record<string, unknown>, value: unknown, fallback: string): string {
  const name = String((issue.path as unknown[] | undefined)?.at(-1) ?? 'value')
  if (issue.code === 'invalid_type') {
    const expected = TYPE_NAMES[String(issue.expected)] ?? String(issue.expected)
    return value === undefined ? `${name} is required (${expected})` : `must be ${expected}, not ${describeValue(value)}`
  }
  // A `type` no variant has (loadBalancers[].type, a Classic policy's type): the variants' names.
  if (issue.code === 'invalid_union' && issue.note === 'No matching discriminator' && Array.isArray(issue.options)) {
    const options = (issue.options as unknown[]).filter((o) => o !== undefined && o !== null)
    return value === undefined ? `${name} is required (one of ${options.map((o) => JSON.stringify(o)).join(', ')})` : `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, not ${describeValue(value)}`
  }
  if (!/^(Too small|Too big|Invalid option|Invalid input)/.test(issue.message)) return fallback
  const min = issue.minimum
  const max = issue.maximum
  if (issue.code === 'too_small' && issue.origin === 'string') return Number(min) === 1 ? 'cannot be empty' : `must be at least ${String(min)} characters`
  if (issue.code === 'too_big' && issue.origin === 'string') return `must be at most ${String(max)} characters`
  if (issue.code === 'too_small' && issue.origin === 'array') return `needs at least ${String(min)} item${Number(min) === 1 ? '' : 's'}`
  if (issue.code === 'too_big' && issue.origin === 'array') return `has at most ${String(max)} items`
  if (issue.code === 'too_small') return `must be at least ${String(min)}`
  if (issue.code === 'too_big') return `must be at most ${String(max)}`
  if (issue.code === 'invalid_value' && Array.isArray(issue.values)) {
    return `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(value)}`
  }
  return fallback
}

/**
 * Loads a YAML file or a directory of them, validates it against the model, and checks the
 * references between resources. Every problem of every file is reported at once, each with
 * file:line:col.
 */
export interface LoadOptions {
  /** certs/' PEM check: imported certificates are checked as apply checks them, all at once, each at its line. */
  readonly checkCertificate?: CertificateCheck | undefined
  readonly now?: Date
}

export function loadConfig(path: string, options: LoadOptions = {}): LoadedConfig {
  const abs = resolve(path)
  const files = configFiles(abs)
  const display = (f: string) => relative(process.cwd(), f) || f
  const issues: ConfigIssue[] = []
  const merged = Object.fromEntries(TOP_KEYS.map((k) => [k, []])) as unknown as Record<TopKey, unknown[]>
  const origins = Object.fromEntries(TOP_KEYS.map((k) => [k, []])) as unknown as Record<TopKey, { src: Source; index: number }[]>
  const places = keyPlaces()

  for (const file of files) {
    const lines = new LineCounter()
    const text = readFileSync(file, 'utf8')
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
    const src: Source = { file: display(file), doc, lines }
    if (doc.errors.length > 0) {
      // The first syntax error only: the ones after it are its echoes (one wrong indent makes several).
      const e = doc.errors[0]!
      const p = lines.linePos(e.pos[0])
      const what = e.message.split('\n')[0] ?? e.message
      const indent = INDENT_ERRORS.has(e.code) ? ': check the indentation of this line (the keys of one item line up under each other, a list item starts with -)' : ''
      issues.push({ file: src.file, line: p.line, col: p.col, path: '', message: `YAML syntax: ${what}${indent}` })
      continue
    }
    const raw: unknown = doc.toJS() ?? {}
    if (!isRecord(raw)) {
      issues.push({ file: src.file, line: 1, col: 1, path: '', message: 'the document must be a mapping of kinds (securityGroups, targetGroups, loadBalancers, ...)' })
      continue
    }
    const parsed = configDocument.safeParse(raw)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        for (const f of issuesToFailures([issue])) {
          const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
          let pos = positionOf(src, path)
          let message = f.message
          if (issue.code === 'unrecognized_keys') {
            const key = f.path.split('.').pop()?.replace(/\[\d+\]$/, '') ?? ''
            pos = keyPosition(src, path, key) ?? pos
            message = unknownKeyMessage(key, placeOf(path), places)
          } else {
            message = plainMessage(issue as unknown as Parameters<typeof plainMessage>[0], valueAt(raw, path), message)
          }
          issues.push({ file: src.file, ...pos, path: f.path, message })
        }
      }
      continue
    }
    // A lambda group has no protocol, port, protocol version or VPC: the file must not give one (the schema fills defaults).
    const rawGroups = Array.isArray(raw.targetGroups) ? (raw.targetGroups as unknown[]) : []
    rawGroups.forEach((g, index) => {
      if (!isRecord(g) || g.targetType !== 'lambda') return
      for (const field of ['protocol', 'port', 'protocolVersion', 'vpcId']) {
        if (g[field] === undefined) continue
        issues.push({ file: src.file, ...(keyPosition(src, ['targetGroups', index], field) ?? positionOf(src, ['targetGroups', index])), path: formatPath(['targetGroups', index, field]), message: `a target group of target type lambda has no ${field}` })
      }
    })
    for (const key of TOP_KEYS) {
      parsed.data[key].forEach((item, index) => {
        merged[key].push(item)
        origins[key].push({ src, index })
      })
    }
  }

  if (issues.length === 0) {
    const document = configDocument.parse(merged)
    for (const ref of checkReferences(document)) {
      const [top, index, ...rest] = ref.path as [TopKey, number, ...(string | number)[]]
      const origin = origins[top][index]
      if (!origin) continue
      const localPath = [top, origin.index, ...rest]
      issues.push({ file: origin.src.file, ...positionOf(origin.src, localPath), path: formatPath(localPath), message: ref.message })
    }
    const baseDir = statSync(abs).isDirectory() ? abs : dirname(abs)
    document.functions.forEach((fn, i) => {
      const origin = origins.functions[i]
      if (!origin) return
      const dir = codeDirectory(baseDir, fn.code)
      let isDir = false
      try {
        isDir = statSync(dir).isDirectory()
      } catch {
        // reported below
      }
      if (!isDir) issues.push({ file: origin.src.file, ...positionOf(origin.src, ['functions', origin.index, 'code']), path: formatPath(['functions', origin.index, 'code']), message: `function ${fn.name}: the code directory ${fn.code} does not exist (${dir})` })
    })
    if (issues.length === 0 && options.checkCertificate) {
      document.certificates.forEach((cert, i) => {
        const origin = origins.certificates[i]
        if (!origin || cert.source !== 'imported') return
        const at = (field: string) => ({ file: origin.src.file, ...positionOf(origin.src, ['certificates', origin.index, field]), path: formatPath(['certificates', origin.index, field]) })
        const pems: Record<string, string | undefined> = {}
        for (const field of ['certificate', 'privateKey', 'chain'] as const) {
          const value = cert[field]
          if (value === undefined || value.includes('-----BEGIN')) {
            pems[field] = value
            continue
          }
          const target = isAbsolute(value) ? value : join(baseDir, value)
          try {
            pems[field] = readFileSync(target, 'utf8')
          } catch (e) {
            issues.push({ ...at(field), message: `certificate ${cert.name}: cannot read ${value}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
          }
        }
        if (pems.certificate === undefined || pems.privateKey === undefined) return
        const result = options.checkCertificate?.({ certificatePem: pems.certificate, privateKeyPem: pems.privateKey, chainPem: pems.chain, now: options.now ?? new Date() })
        if (result && !result.ok) {
          for (const f of result.error) issues.push({ ...at(f.path.replace(/\[\d+\]$/, '') || 'certificate'), message: `certificate ${cert.name}: ${f.path ? `${f.path} ` : ''}${f.message}` })
        }
      })
    }
    const locate = (path: readonly (string | number)[]) => {
      const [top, index, ...rest] = path as [TopKey, number, ...(string | number)[]]
      const origin = origins[top]?.[index]
      return origin ? { file: origin.src.file, ...positionOf(origin.src, [top, origin.index, ...rest]) } : undefined
    }
    if (issues.length === 0) return { document, baseDir, files, locate }
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)
  throw new ConfigInvalid(issues)
}
