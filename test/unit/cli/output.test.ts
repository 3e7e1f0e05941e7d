import assert from 'node:assert/strict'
import { test } from 'node:test'
import { render, renderTable, type Column } from '../../../src/cli/output.js'

interface Row { readonly name: string; readonly dns: string; readonly state: string }
const rows: Row[] = [{ name: 'web-alb', dns: 'web-alb-0123456789abcdef.us-east-1.elb.openalb.test', state: 'active' }]
const columns: Column<Row>[] = [
  { header: 'NAME', value: (r) => r.name },
  { header: 'DNS NAME', value: (r) => r.dns, max: 20 },
  { header: 'STATE', value: (r) => r.state },
]

test('a table fits the width it is given: only cuttable columns give way, and only as far as needed', () => {
  const wide = renderTable(rows, columns, 200)
  assert.match(wide, /web-alb-0123456789abcdef\.us-east-1\.elb\.openalb\.test/, 'a wide terminal shows the whole value')
  const narrow = renderTable(rows, columns, 50)
  assert.ok(narrow.split('\n').every((l) => l.length <= 50), narrow)
  assert.match(narrow, /…/)
  const tiny = renderTable(rows, columns, 10)
  assert.ok(tiny.includes('web-alb-0123456789a… '), `never below the column's max (20): ${tiny}`)
  assert.ok(renderTable(rows, columns, 10).split('\n')[1]?.includes('active'), 'columns without max are never cut')
})

test('-o wide, json and yaml never cut a value', () => {
  for (const format of ['wide', 'json', 'yaml'] as const) assert.match(render(format, rows, columns), /web-alb-0123456789abcdef\.us-east-1\.elb\.openalb\.test/, format)
})
