import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** A counter the hot path bumps with a plain field add; prom-client reads it only at scrape time. */
export class CounterCell {
  value = 0
  inc(by = 1): void {
    this.value += by
  }
}

export class GaugeCell {
  value = 0
  set(v: number): void {
    this.value = v
  }
  inc(by = 1): void {
    this.value += by
  }
  dec(by = 1): void {
    this.value -= by
  }
}

export class HistogramCell {
  /** Per bucket, not cumulative; the last slot holds values above every bound. */
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1)
  }
  observe(v: number): void {
    let i = 0
    while (i < this.bounds.length && v > (this.bounds[i] ?? Infinity)) i++
    this.counts[i] = (this.counts[i] ?? 0) + 1
    this.sum += v
    this.count++
  }
}

type Labels = Record<string, string>

/** Cells by label values, each made once: callers keep the cell and never look labels up per request. */
class Cells<C> {
  readonly #byKey = new Map<string, { readonly labels: Labels; readonly cell: C }>()
  constructor(
    private readonly labelNames: readonly string[],
    private readonly make: () => C,
  ) {}

  get(values: readonly string[]): C {
    const key = values.join('\u0000')
    const hit = this.#byKey.get(key)
    if (hit) return hit.cell
    const labels: Labels = {}
    this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''))
    const cell = this.make()
    this.#byKey.set(key, { labels, cell })
    return cell
  }

  delete(predicate: (labels: Labels) => boolean): void {
    for (const [key, { labels }] of this.#byKey) if (predicate(labels)) this.#byKey.delete(key)
  }

  entries(): IterableIterator<{ readonly labels: Labels; readonly cell: C }> {
    return this.#byKey.values()
  }
}

export function counterFamily(registry: Registry, name: string, help: string, labelNames: readonly string[] = []): Cells<CounterCell> {
  const cells = new Cells(labelNames, () => new CounterCell())
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: Counter) {
      this.reset()
      for (const { labels, cell } of cells.entries()) this.inc(labels, cell.value)
    },
  })
  return cells
}

export function gaugeFamily(registry: Registry, name: string, help: string, labelNames: readonly string[] = []): Cells<GaugeCell> {
  const cells = new Cells(labelNames, () => new GaugeCell())
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: Gauge) {
      this.reset()
      for (const { labels, cell } of cells.entries()) this.set(labels, cell.value)
    },
  })
  return cells
}

type HistogramGet = Awaited<ReturnType<Histogram['get']>>

/** prom-client's histogram text, filled from our cells instead of its per-call label hashing. */
class CellHistogram extends Histogram {
  /** An unregistered twin that supplies name, help, type and aggregator in prom-client's own shape. */
  readonly #shape: Histogram
  constructor(
    config: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registers: Registry[] },
    private readonly cells: Cells<HistogramCell>,
    private readonly bounds: readonly number[],
  ) {
    super({ ...config, buckets: [...config.buckets] })
    this.#shape = new Histogram({ ...config, buckets: [...config.buckets], registers: [] })
  }

  // The registry renders text through this undeclared method when a histogram has it.
  getForPromString(): Promise<HistogramGet> {
    return this.get()
  }

  override async get(): Promise<HistogramGet> {
    const base = await this.#shape.get()
    const values: HistogramGet['values'] = []
    const name = base.name
    for (const { labels, cell } of this.cells.entries()) {
      let cumulative = 0
      this.bounds.forEach((le, i) => {
        cumulative += cell.counts[i] ?? 0
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${name}_bucket` })
      })
      values.push({ labels: { ...labels, le: '+Inf' }, value: cell.count, metricName: `${name}_bucket` })
      values.push({ labels, value: cell.sum, metricName: `${name}_sum` })
      values.push({ labels, value: cell.count, metricName: `${name}_count` })
    }
    return { ...base, values }
  }
}

export function histogramFamily(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly string[],
  buckets: readonly number[],
): Cells<HistogramCell> {
  const cells = new Cells(labelNames, () => new HistogramCell(buckets))
  new CellHistogram({ name, help, labelNames, buckets, registers: [registry] }, cells, buckets)
  return cells
}

export type { Cells }
