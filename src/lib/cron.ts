/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week), as Auto Scaling's
 * Recurrence takes them: `*`, lists, ranges and steps (`0 9 * * 1-5`, `*\/15 * * * *`); day of week
 * 0-7 with 0 and 7 both Sunday. As cron does, when both day fields are restricted either may match.
 */
export interface Cron {
  matches(at: Date): boolean
}

const BOUNDS: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
]

function field(text: string, [low, high]: [number, number]): Set<number> | undefined {
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part)
    if (!m) return undefined
    const from = m[1] === '*' ? low : Number(m[2])
    const to = m[1] === '*' ? high : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? high : from
    const step = m[4] !== undefined ? Number(m[4]) : 1
    if (from < low || to > high || from > to || step < 1) return undefined
    for (let v = from; v <= to; v += step) out.add(v)
  }
  return out
}

/** Parses an expression; undefined when it is not a valid five-field cron. */
export function parseCron(text: string): Cron | undefined {
  const parts = text.trim().split(/\s+/)
  if (parts.length !== 5) return undefined
  const sets = parts.map((p, i) => field(p, BOUNDS[i] as [number, number]))
  if (sets.some((s) => s === undefined)) return undefined
  const [min, hour, dom, month, dow] = sets as Set<number>[]
  if (dow?.has(7)) dow.add(0)
  const domAny = parts[2] === '*'
  const dowAny = parts[4] === '*'
  return {
    matches(at: Date): boolean {
      if (!min?.has(at.getUTCMinutes()) || !hour?.has(at.getUTCHours()) || !month?.has(at.getUTCMonth() + 1)) return false
      const d = dom?.has(at.getUTCDate()) ?? false
      const w = dow?.has(at.getUTCDay()) ?? false
      if (domAny && dowAny) return true
      if (domAny) return w
      if (dowAny) return d
      return d || w
    },
  }
}
