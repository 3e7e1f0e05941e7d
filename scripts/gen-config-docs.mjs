#!/usr/bin/env node
// Generates schema/openalb.schema.json (editor completion) and the field reference of
// docs/config.md from the model's schemas, so both stay true. Run by `npm run build`.
// `--check` fails when the committed files differ (a test runs it).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { z } from 'zod'

const { configDocument } = await import(new URL('../dist/src/config/schema.js', import.meta.url).href)
const root = new URL('..', import.meta.url).pathname
const check = process.argv.includes('--check')

const schema = z.toJSONSchema(configDocument, { io: 'input', unrepresentable: 'any' })
schema.title = 'openalb configuration'
const schemaText = `${JSON.stringify(schema, null, 2)}\n`

function typeOf(s) {
  if (!s) return ''
  if (s.enum) return s.enum.map((v) => `\`${v}\``).join(' \\| ')
  if (s.const !== undefined) return `\`${s.const}\``
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeOf).filter(Boolean).join(' \\| ')
  if (s.type === 'array') return `list of ${typeOf(s.items)}`
  if (s.type === 'object') return s.properties ? 'object' : 'map'
  return s.type ?? ''
}
function range(s) {
  const parts = []
  if (s.minimum !== undefined || s.maximum !== undefined) parts.push(`${s.minimum ?? ''}–${s.maximum ?? ''}`)
  if (s.minLength !== undefined || s.maxLength !== undefined) parts.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} chars`)
  if (s.maxItems !== undefined) parts.push(`≤ ${s.maxItems} items`)
  if (s.pattern) parts.push(`\`${s.pattern.replace(/\|/g, '\\|')}\``)
  return parts.join(', ')
}
const fmtDefault = (v) => (v === undefined ? '' : `\`${JSON.stringify(v)}\``)

const sections = []
function objectTable(title, s) {
  if (!s || !s.properties) return
  const rows = ['| field | type | default | range | required |', '| --- | --- | --- | --- | --- |']
  const nested = []
  for (const [name, p] of Object.entries(s.properties)) {
    const inner = p.type === 'array' ? p.items : p
    rows.push(`| \`${name}\` | ${typeOf(p)} | ${fmtDefault(p.default)} | ${range(p)} | ${(s.required ?? []).includes(name) && p.default === undefined ? 'yes' : ''} |`)
    if (inner?.properties) nested.push([`${title}.${name}${p.type === 'array' ? '[]' : ''}`, inner])
    for (const alt of inner?.anyOf ?? inner?.oneOf ?? []) if (alt.properties) nested.push([`${title}.${name}${p.type === 'array' ? '[]' : ''} (${variantName(alt)})`, alt])
  }
  sections.push(`### ${title}\n\n${rows.join('\n')}\n`)
  for (const [t, n] of nested) objectTable(t, n)
}
const variantName = (alt) => alt.properties?.type?.const ?? alt.properties?.type?.enum?.join(', ') ?? alt.properties?.field?.const ?? 'variant'
for (const [kind, p] of Object.entries(schema.properties)) {
  if (p.type !== 'array') continue
  // A kind of several shapes (loadBalancers: application and network, or classic): one table per shape.
  const variants = p.items?.anyOf ?? p.items?.oneOf
  // The shape whose type has a default is the kind's own (no label); the others are named by type.
  if (variants) for (const alt of variants) objectTable(alt.properties?.type?.const ? `${kind}[] (type: ${alt.properties.type.const})` : `${kind}[]`, alt)
  else objectTable(`${kind}[]`, p.items)
}

const docsPath = `${root}docs/config.md`
const marker = '<!-- generated reference: scripts/gen-config-docs.mjs -->'
const current = readFileSync(docsPath, 'utf8')
const head = current.includes(marker) ? current.slice(0, current.indexOf(marker)) : `${current.trimEnd()}\n\n`
const docsText = `${head}${marker}\n\n## Field reference\n\nGenerated from the model's schemas: every field, its type, default and range.\n\n${sections.join('\n')}`

const schemaPath = `${root}schema/openalb.schema.json`
if (check) {
  let stale = []
  try { if (readFileSync(schemaPath, 'utf8') !== schemaText) stale.push(schemaPath) } catch { stale.push(schemaPath) }
  if (current !== docsText) stale.push(docsPath)
  if (stale.length) {
    console.error(`stale: ${stale.join(', ')}; run npm run build`)
    process.exit(1)
  }
} else {
  mkdirSync(`${root}schema`, { recursive: true })
  writeFileSync(schemaPath, schemaText)
  writeFileSync(docsPath, docsText)
}
