import { CidrSet } from '../../lib/cidr.js'
import { compileLinearRegex, type LinearRegex } from '../../lib/linear-regex.js'
import type { Condition } from '../../model/rule.js'
import type { RouteRequest } from './route-request.js'
import { compileWildcard, hasWildcard, type WildcardMatcher } from './wildcard.js'

/** One compiled condition; the values inside it are ORed. */
export interface ConditionMatcher {
  matches(req: RouteRequest): boolean
}

/** Exact values in a Set, wildcards scanned after. */
class ValueSet {
  private readonly exact = new Set<string>()
  private readonly wildcards: WildcardMatcher[] = []

  /** `regexes` (RegexValues) see the value as the request has it, wildcards as the field compares it. */
  constructor(
    values: readonly string[],
    private readonly caseInsensitive: boolean,
    escapes: boolean,
    private readonly regexes: readonly LinearRegex[] = [],
  ) {
    for (const v of values) {
      if (hasWildcard(v, escapes)) this.wildcards.push(compileWildcard(v, { caseInsensitive, escapes }))
      else this.exact.add(caseInsensitive ? v.toLowerCase() : v)
    }
  }

  /** `value` must already be lower-cased when the set is case-insensitive. */
  has(value: string, raw = value): boolean {
    if (this.exact.has(value)) return true
    for (const w of this.wildcards) if (w.matches(value)) return true
    for (const r of this.regexes) if (r.test(raw)) return true
    return false
  }

  hasAnyCase(value: string): boolean {
    return this.has(this.caseInsensitive ? value.toLowerCase() : value, value)
  }
}

/** RegexValues compiled once per version (the model refused any RE2 cannot run). */
function regexesOf(patterns: readonly string[] | undefined): LinearRegex[] {
  const out: LinearRegex[] = []
  for (const p of patterns ?? []) {
    const r = compileLinearRegex(p)
    if (!r.ok) throw new Error(`regex ${JSON.stringify(p)}: ${r.error}`)
    out.push(r.value)
  }
  return out
}

class HostHeader implements ConditionMatcher {
  private readonly values: ValueSet
  constructor(values: readonly string[], regexes: readonly string[] | undefined) {
    // The host is compared lower-cased (host names are case-insensitive), by regexes too.
    this.values = new ValueSet(values, true, false, regexesOf(regexes))
  }
  matches(req: RouteRequest): boolean {
    return this.values.has(req.host)
  }
}

class PathPattern implements ConditionMatcher {
  private readonly values: ValueSet
  constructor(values: readonly string[], regexes: readonly string[] | undefined) {
    this.values = new ValueSet(values, false, false, regexesOf(regexes))
  }
  matches(req: RouteRequest): boolean {
    return this.values.has(req.path)
  }
}

class HttpHeader implements ConditionMatcher {
  private readonly values: ValueSet
  constructor(private readonly name: string, values: readonly string[], regexes: readonly string[] | undefined) {
    this.values = new ValueSet(values, true, false, regexesOf(regexes))
  }
  // ALB: when the header repeats, each instance is checked in order.
  matches(req: RouteRequest): boolean {
    const names = req.headerNames
    const len = this.name.length
    for (let i = 0; i < names.length; i++) {
      const n = names[i] as string
      if (n.length === len && n.toLowerCase() === this.name && this.values.hasAnyCase(req.headerValues[i] ?? '')) return true
    }
    return false
  }
}

class Method implements ConditionMatcher {
  private readonly methods: ReadonlySet<string>
  constructor(values: readonly string[]) {
    this.methods = new Set(values)
  }
  matches(req: RouteRequest): boolean {
    return this.methods.has(req.method)
  }
}

interface QueryPair {
  readonly key: WildcardMatcher | undefined
  readonly value: WildcardMatcher
}

function decode(text: string): string {
  const plus = text.includes('+') ? text.replace(/\+/g, ' ') : text
  if (!plus.includes('%')) return plus
  try {
    return decodeURIComponent(plus)
  } catch {
    return plus
  }
}

class QueryString implements ConditionMatcher {
  private readonly pairs: QueryPair[]
  constructor(values: readonly { key?: string | undefined; value: string }[]) {
    const opts = { caseInsensitive: true, escapes: true }
    this.pairs = values.map((v) => ({ key: v.key === undefined ? undefined : compileWildcard(v.key, opts), value: compileWildcard(v.value, opts) }))
  }
  // Parsed only when a rule with a query-string condition is reached; URL-decoded, as ALB does.
  matches(req: RouteRequest): boolean {
    const q = req.query
    if (q === '') return false
    let start = 0
    while (start <= q.length) {
      let end = q.indexOf('&', start)
      if (end < 0) end = q.length
      if (end > start) {
        const eq = q.indexOf('=', start)
        const hasValue = eq >= 0 && eq < end
        const key = decode(q.slice(start, hasValue ? eq : end))
        const value = hasValue ? decode(q.slice(eq + 1, end)) : ''
        for (const p of this.pairs) {
          if (p.key === undefined) {
            if (p.value.matches(value) || (!hasValue && p.value.matches(key))) return true
          } else if (p.key.matches(key) && p.value.matches(value)) return true
        }
      }
      start = end + 1
    }
    return false
  }
}

class SourceIp implements ConditionMatcher {
  constructor(private readonly set: CidrSet) {}
  matches(req: RouteRequest): boolean {
    return req.source !== undefined && this.set.containsIp(req.source)
  }
}

export function compileCondition(c: Condition): { ok: true; value: ConditionMatcher } | { ok: false; error: string } {
  switch (c.field) {
    case 'host-header':
      return regexSafe(() => new HostHeader(c.values, c.regexValues))
    case 'path-pattern':
      return regexSafe(() => new PathPattern(c.values, c.regexValues))
    case 'http-header':
      return regexSafe(() => new HttpHeader(c.name.toLowerCase(), c.values, c.regexValues))
    case 'http-request-method':
      return { ok: true, value: new Method(c.values) }
    case 'query-string':
      return { ok: true, value: new QueryString(c.values) }
    case 'source-ip': {
      const set = CidrSet.parse(c.values)
      return set.ok ? { ok: true, value: new SourceIp(set.value) } : { ok: false, error: `invalid CIDR ${set.invalid.join(', ')}` }
    }
  }
}

function regexSafe(build: () => ConditionMatcher): { ok: true; value: ConditionMatcher } | { ok: false; error: string } {
  try {
    return { ok: true, value: build() }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) }
  }
}
