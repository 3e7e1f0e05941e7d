// Building the page from data: text goes in as text nodes, never as HTML.
type Child = Node | string | number | undefined | null | false

export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v)
  for (const c of children) if (c !== undefined && c !== null && c !== false) el.append(typeof c === 'number' ? String(c) : c)
  return el
}

export function table(headers: readonly string[], rows: readonly Child[][], attrs: Record<string, string | undefined> = {}): HTMLElement {
  return h('table', attrs, h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))))
}

const SVG = 'http://www.w3.org/2000/svg'

/** A small line chart of the last values (oldest first), scaled to its own maximum. */
export function sparkline(values: readonly number[], label: string, unit: string, testId: string): HTMLElement {
  const width = 220
  const height = 48
  const max = Math.max(1e-9, ...values)
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`)
  svg.setAttribute('width', String(width))
  svg.setAttribute('height', String(height))
  const line = document.createElementNS(SVG, 'polyline')
  const step = values.length > 1 ? width / (values.length - 1) : width
  line.setAttribute('points', values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' '))
  line.setAttribute('class', 'spark')
  svg.append(line)
  const last = values.at(-1) ?? 0
  return h('figure', { class: 'chart', 'data-testid': testId }, svg, h('figcaption', {}, `${label}: `, h('b', { 'data-testid': `${testId}-value` }, `${round(last)} ${unit}`)))
}

export function round(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}
