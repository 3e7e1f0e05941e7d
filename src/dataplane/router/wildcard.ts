/**
 * ALB wildcard patterns: `*` matches zero or more characters, `?` exactly one; `\*` and `\?` are
 * literal (query-string values). Compiled once per snapshot into a matcher; a pattern with no
 * wildcard becomes a plain string comparison.
 */
export interface WildcardMatcher {
  matches(value: string): boolean
}

class ExactMatcher implements WildcardMatcher {
  constructor(private readonly text: string, private readonly caseInsensitive: boolean) {}
  matches(value: string): boolean {
    if (value.length !== this.text.length) return false
    return this.caseInsensitive ? value.toLowerCase() === this.text : value === this.text
  }
}

class RegExpMatcher implements WildcardMatcher {
  constructor(private readonly re: RegExp) {}
  matches(value: string): boolean {
    return this.re.test(value)
  }
}

export function hasWildcard(pattern: string, escapes: boolean): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (escapes && c === '\\') {
      i++
      continue
    }
    if (c === '*' || c === '?') return true
  }
  return false
}

/** The literal text of a pattern without wildcards (escapes removed). */
export function unescapePattern(pattern: string, escapes: boolean): string {
  return escapes ? pattern.replace(/\\([*?\\])/g, '$1') : pattern
}

export function compileWildcard(pattern: string, opts: { caseInsensitive: boolean; escapes: boolean }): WildcardMatcher {
  if (!hasWildcard(pattern, opts.escapes)) {
    const literal = unescapePattern(pattern, opts.escapes)
    return new ExactMatcher(opts.caseInsensitive ? literal.toLowerCase() : literal, opts.caseInsensitive)
  }
  let source = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (opts.escapes && c === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i] as string)
    } else if (c === '*') source += '[\\s\\S]*'
    else if (c === '?') source += '[\\s\\S]'
    else source += escapeRegExp(c)
  }
  return new RegExpMatcher(new RegExp(`${source}$`, opts.caseInsensitive ? 'i' : ''))
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c
}
