import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { LineCounter, parseDocument, type Document } from 'yaml'
import { formatPath, issuesToFailures } from '../model/schema-util.js'
import { isRecord } from '../model/result.js'
import { configDocument, knownKeys, type ConfigDocument } from './schema.js'
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
  const vocabulary = knownKeys()

  for (const file of files) {
    const lines = new LineCounter()
    const text = readFileSync(file, 'utf8')
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
    const src: Source = { file: display(file), doc, lines }
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = lines.linePos(e.pos[0])
        issues.push({ file: src.file, line: p.line, col: p.col, path: '', message: e.message.split('\n')[0] ?? e.message })
      }
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
            const hint = closest(key, vocabulary)
            message = `unknown key ${key}${hint ? `; did you mean ${hint}?` : ''}`
          } else if (issue.code === 'invalid_type' && issue.input === undefined) {
            message = `${String(issue.path[issue.path.length - 1] ?? 'value')} is required (${issue.message.replace(/^Invalid input: /, '')})`
          }
          issues.push({ file: src.file, ...pos, path: f.path, message })
        }
      }
      continue
    }
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
    if (issues.length === 0) return { document, baseDir, files }
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col)
  throw new ConfigInvalid(issues)
}
