// Regular expressions that run in time linear in their input, whatever the pattern: RE2's
// automaton (re2js, the JavaScript port of RE2), never a backtracking engine. A pattern RE2 cannot
// run (backreferences, lookaround, possessive quantifiers) is refused when it is compiled, so a
// pattern such as (a+)+$ costs a client nothing more than a plain one.
import { RE2JS } from 're2js'

export interface LinearRegex {
  /** The pattern as given. */
  readonly source: string
  /** Whether the pattern matches anywhere in `input` (unanchored unless the pattern says ^ or $). */
  test(input: string): boolean
  /**
   * `input` with its first match replaced by `replacement` ($1, $2, ... the capture groups; a
   * group the pattern lacks is kept as written), or undefined when nothing matches.
   */
  replaceFirst(input: string, replacement: string): string | undefined
}

export type CompileResult = { ok: true; value: LinearRegex } | { ok: false; error: string }

/** RE2 syntax (https://github.com/google/re2/wiki/Syntax); the error names what RE2 refused. */
export function compileLinearRegex(pattern: string): CompileResult {
  try {
    const re = RE2JS.compile(pattern)
    return {
      ok: true,
      value: {
        source: pattern,
        test: (input) => re.test(input),
        replaceFirst: (input, replacement) => {
          const m = re.matcher(input)
          return m.find() ? re.matcher(input).replaceFirst(replacement) : undefined
        },
      },
    }
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) }
  }
}
