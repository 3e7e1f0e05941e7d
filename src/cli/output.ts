import { stringify } from 'yaml'

export type OutputFormat = 'table' | 'json' | 'yaml'

export interface Column<T> {
  readonly header: string
  readonly value: (row: T) => string
  /** Wide columns are cut to this many characters in tables so they stay readable at 80 columns. */
  readonly max?: number
}

export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => truncate(c.value(r), c.max)))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]?.length ?? 0)))
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')
}

function truncate(s: string, max: number | undefined): string {
  if (max === undefined || s.length <= max) return s
  return `${s.slice(0, max - 1)}…`
}

export function render<T>(format: OutputFormat, data: readonly T[] | T, columns: readonly Column<T>[]): string {
  if (format === 'json') return JSON.stringify(data, null, 2)
  if (format === 'yaml') return stringify(data).trimEnd()
  const rows = Array.isArray(data) ? (data as readonly T[]) : [data as T]
  return rows.length === 0 ? 'No resources found.' : renderTable(rows, columns)
}
