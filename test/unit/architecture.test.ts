import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import ts from 'typescript'
import { repoRoot } from '../helpers/shared.js'

// The map and the code cannot drift: every import under src/ must be one the table in
// docs/architecture-imports.json allows, and docs/architecture.md must show the same table.

interface ModuleEntry {
  readonly paths: readonly string[]
  readonly imports: readonly string[] | '*'
  readonly typeImports?: readonly string[]
  readonly shared?: boolean
}
interface ImportTable {
  readonly modules: Readonly<Record<string, ModuleEntry>>
}

/** One import of one file: where it points (a path under the repository) and whether only types come. */
interface FileImport {
  readonly specifier: string
  readonly target: string
  readonly typeOnly: boolean
  readonly line: number
}

const TABLE_FILE = 'docs/architecture-imports.json'

/** Every relative import of a TypeScript file: import, export ... from, and import(). */
export function importsOf(file: string, text: string): FileImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true)
  const out: FileImport[] = []
  const add = (spec: string, typeOnly: boolean, node: ts.Node) => {
    if (!spec.startsWith('.')) return
    const target = join(dirname(file), spec).replace(/\.js$/, '.ts').split(sep).join('/')
    out.push({ specifier: spec, target, typeOnly, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      // `import type {..}`, or `import { type A, type B }` with no value binding: erased at run time.
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      add(node.moduleSpecifier.text, typeOnly, node)
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, node)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0]
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false, node)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return out
}

/** The module a file belongs to: the entry with the longest matching path. */
function moduleOf(table: ImportTable, file: string): string | undefined {
  let best: { name: string; length: number } | undefined
  for (const [name, m] of Object.entries(table.modules)) {
    for (const p of m.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p
      if (hit && (!best || p.length > best.length)) best = { name, length: p.length }
    }
  }
  return best?.name
}

/** Every way the files break the table, one sentence each that names the file, the import and the rule. */
export function violations(table: ImportTable, files: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  const names = Object.keys(table.modules)
  for (const [name, m] of Object.entries(table.modules)) {
    const listed = [...(m.imports === '*' ? [] : m.imports), ...(m.typeImports ?? [])]
    for (const other of listed) if (!names.includes(other)) out.push(`${TABLE_FILE}: module ${name} lists '${other}', which is no module of the table`)
  }
  const edges = new Map<string, string[]>()
  for (const [file, text] of files) {
    const from = moduleOf(table, file)
    if (!from) {
      out.push(`${file} belongs to no module of ${TABLE_FILE}: add its folder to a module's paths (and to docs/architecture.md)`)
      continue
    }
    const entry = table.modules[from]!
    const targets: string[] = []
    for (const imp of importsOf(file, text)) {
      targets.push(imp.target)
      const to = moduleOf(table, imp.target)
      if (to === undefined) {
        if (imp.target.startsWith('src/')) out.push(`${file}:${imp.line} imports '${imp.specifier}' (${imp.target}), which belongs to no module of ${TABLE_FILE}`)
        else out.push(`${file}:${imp.line} imports '${imp.specifier}' (${imp.target}), outside src/`)
        continue
      }
      if (to === from || entry.imports === '*' || entry.imports.includes(to) || table.modules[to]?.shared) continue
      if (imp.typeOnly && entry.typeImports?.includes(to)) continue
      const allowed = entry.imports.length === 0 ? 'nothing but the shared modules' : entry.imports.join(', ')
      const types = entry.typeImports?.length ? `, and types only from ${entry.typeImports.join(', ')}` : ''
      out.push(
        `${file}:${imp.line} imports '${imp.specifier}' (${imp.target}): ${from} may not import ${to}` +
          ` (${TABLE_FILE}: ${from} may import ${allowed}${types}). Import through an allowed module,` +
          ` or, if the code is right, change the table and docs/architecture.md in the same commit.`,
      )
    }
    edges.set(file, targets)
  }
  for (const cycle of cycles(edges)) out.push(`import cycle between files: ${cycle.join(' -> ')} -> ${cycle[0]}`)
  return out
}

/** The strongly connected components of more than one file (Tarjan), each as a path around it. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const connect = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue
      if (!index.has(w)) {
        connect(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const component: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) found.push(component.reverse())
  }
  for (const v of edges.keys()) if (!index.has(v)) connect(v)
  return found
}

function sourceFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.name.endsWith('.ts')) out.set(relative(repoRoot, p).split(sep).join('/'), readFileSync(p, 'utf8'))
    }
  }
  walk(dir)
  return out
}

const table = JSON.parse(readFileSync(join(repoRoot, TABLE_FILE), 'utf8')) as ImportTable

test('every import under src/ follows the table in docs/architecture-imports.json, and no files import each other in a cycle', () => {
  const files = sourceFiles(resolve(repoRoot, 'src'))
  assert.ok(files.size > 100, `found only ${files.size} files under src/`)
  const found = violations(table, files)
  assert.deepEqual(found, [], `\n${found.join('\n')}\n`)
})

/** Writes to a control Draft (`d.put(`, `draft.remove(`) outside src/control/, one sentence each. */
export function writesOutsideControl(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const [file, text] of files) {
    if (file.startsWith('src/control/')) continue
    for (const [i, line] of text.split('\n').entries()) {
      const m = /\b(d|draft)\.(put|remove)\(/.exec(line)
      if (m) out.push(`${file}:${i + 1} writes the store through ${m[1]}.${m[2]}(): control is the one writer; call (or add) a control operation instead`)
    }
  }
  return out
}

test('control is the one writer: no Draft.put or Draft.remove outside src/control/', () => {
  const found = writesOutsideControl(sourceFiles(resolve(repoRoot, 'src')))
  assert.deepEqual(found, [], `\n${found.join('\n')}\n`)
  assert.deepEqual(writesOutsideControl(new Map([['src/cli/main.ts', "x\n  d.remove('record-set', id)\n"]])), [
    "src/cli/main.ts:2 writes the store through d.remove(): control is the one writer; call (or add) a control operation instead",
  ])
})

test('docs/architecture.md shows the same table: each module with what it may import', () => {
  const doc = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8')
  const rows = new Map<string, string>()
  for (const m of doc.matchAll(/^\| `([a-z/-]+)` \| [^|]* \| ([^|]*) \|$/gm)) rows.set(m[1]!, m[2]!.trim())
  for (const [name, m] of Object.entries(table.modules)) {
    const words = m.imports === '*' ? 'everything' : m.imports.length === 0 ? '-' : m.imports.map((x) => `\`${x}\``).join(', ')
    const types = m.typeImports?.length ? `; types from ${m.typeImports.map((x) => `\`${x}\``).join(', ')}` : ''
    assert.equal(rows.get(name), `${words}${types}`, `docs/architecture.md: the row of \`${name}\` must say what ${TABLE_FILE} says`)
  }
  assert.deepEqual([...rows.keys()].sort(), Object.keys(table.modules).sort(), 'docs/architecture.md lists exactly the modules of the table')
})

test('an import against the table is reported with its file, line, import and rule', () => {
  const files = new Map([
    ['src/model/a.ts', "import type { X } from './b.js'\n"],
    ['src/model/b.ts', "import { A } from './a.js'\n"],
    ['src/cli/main.ts', "import { openStore } from '../store/open.js'\nimport { Control } from '../control/control.js'\n"],
    ['src/dataplane/l4/tcp.ts', "const c = await import('../../control/control.js')\n"],
    ['src/console/app.ts', "import type { Rule } from '../model/rule.js'\nimport { RULE } from '../model/rule.js'\n"],
    ['src/store/x.ts', "export { a } from '../lib/clock.js'\n"],
    ['src/nowhere/y.ts', ''],
  ])
  const found = violations(table, files)
  assert.deepEqual(found, [
    "src/cli/main.ts:1 imports '../store/open.js' (src/store/open.ts): cli may not import store (docs/architecture-imports.json: cli may import control, model, config, api/admin, compute, main). Import through an allowed module, or, if the code is right, change the table and docs/architecture.md in the same commit.",
    "src/dataplane/l4/tcp.ts:1 imports '../../control/control.js' (src/control/control.ts): dataplane may not import control (docs/architecture-imports.json: dataplane may import model, metrics). Import through an allowed module, or, if the code is right, change the table and docs/architecture.md in the same commit.",
    "src/console/app.ts:2 imports '../model/rule.js' (src/model/rule.ts): console may not import model (docs/architecture-imports.json: console may import nothing but the shared modules, and types only from model). Import through an allowed module, or, if the code is right, change the table and docs/architecture.md in the same commit.",
    'src/nowhere/y.ts belongs to no module of docs/architecture-imports.json: add its folder to a module\'s paths (and to docs/architecture.md)',
    'import cycle between files: src/model/a.ts -> src/model/b.ts -> src/model/a.ts',
  ])
})
