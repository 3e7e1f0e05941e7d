import { stringify } from 'yaml'

/** table fits the terminal; wide never cuts a value; json and yaml are whole. */
export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml'

export interface Column<T> {
  readonly header: string
  readonly value: (row: T) => string
  /** A column that may be cut (with …) when the table is wider than the terminal, never below this many characters. */
  readonly max?: number
}

/** The terminal's width; piped output (no terminal) is laid out for $COLUMNS, else 80 columns. */
export function terminalWidth(): number {
  return process.stdout.columns ?? (Number(process.env.COLUMNS) || 80)
}

const GAP = 2

/**
 * Lays rows out in columns. With a width, the cuttable columns (those with `max`) give up
 * characters, widest first, until the table fits or each is at its `max`; without one (wide),
 * nothing is cut.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], width: number | undefined = terminalWidth()): string {
  const values = rows.map((r) => columns.map((c) => c.value(r)))
  const widths = columns.map((c, i) => Math.max(c.header.length, ...values.map((row) => row[i]?.length ?? 0)))
  if (width !== undefined) {
    let excess = widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - width
    while (excess > 0) {
      let widest = -1
      for (const [i, c] of columns.entries()) {
        const floor = Math.max(c.max ?? Infinity, c.header.length)
        if ((widths[i] ?? 0) > floor && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i
      }
      if (widest < 0) break
      widths[widest] = (widths[widest] ?? 0) - 1
      excess--
    }
  }
  const cut = (s: string, w: number): string => (s.length <= w ? s : `${s.slice(0, Math.max(0, w - 1))}…`)
  const line = (cells: readonly string[]) => cells.map((v, i) => cut(v, widths[i] ?? 0).padEnd(widths[i] ?? 0)).join(' '.repeat(GAP)).trimEnd()
  return [line(columns.map((c) => c.header)), ...values.map(line)].join('\n')
}

export function render<T>(format: OutputFormat, data: readonly T[] | T, columns: readonly Column<T>[]): string {
  if (format === 'json') return JSON.stringify(data, null, 2)
  if (format === 'yaml') return stringify(data).trimEnd()
  const rows = Array.isArray(data) ? (data as readonly T[]) : [data as T]
  return rows.length === 0 ? 'No resources found.' : renderTable(rows, columns, format === 'wide' ? undefined : terminalWidth())
}
