// ALB's rule transforms (host-header-rewrite, url-rewrite), compiled once per snapshot. They run
// after routing, on what a forward sends its target: the routing decision, redirects, fixed
// responses and the access log keep the request as the client sent it.
import { compileLinearRegex, type LinearRegex } from '../../lib/linear-regex.js'
import type { Transform } from '../../model/rule.js'
import { TARGET, isHostText } from '../http1/chars.js'

/** A rewrite whose result cannot be sent (ALB: "a pattern match but the transform fails"): 500. */
export const REWRITE_FAILED = null

interface Rewrite {
  readonly re: LinearRegex
  readonly replace: string
}

export class RuleTransforms {
  constructor(
    private readonly hostRewrite: Rewrite | undefined,
    private readonly urlRewrite: Rewrite | undefined,
  ) {}

  /**
   * The Host value the target gets: `host` rewritten, `host` itself when there is no host rewrite
   * or it does not match, REWRITE_FAILED when the result is not a host (empty, or a byte RFC 3986
   * does not allow in one).
   */
  host(host: string): string | typeof REWRITE_FAILED {
    const r = this.hostRewrite
    if (r === undefined) return host
    // The regex sees the host without its port (as host-header conditions do); the port is kept.
    const end = portStart(host)
    const out = r.re.replaceFirst(end === host.length ? host : host.slice(0, end), r.replace)
    if (out === undefined) return host
    return isHostText(out) ? (end === host.length ? out : out + host.slice(end)) : REWRITE_FAILED
  }

  /**
   * The origin-form target (`/path?query`) the target gets, rewritten the same way; a result that
   * does not start with '/' or holds a space or control byte fails.
   */
  url(target: string): string | typeof REWRITE_FAILED {
    const r = this.urlRewrite
    if (r === undefined) return target
    const out = r.re.replaceFirst(target, r.replace)
    if (out === undefined) return target
    return validTarget(out) ? out : REWRITE_FAILED
  }
}

/** Where ":port" starts in a Host value ("[::1]:80" -> 5), or its length when it has none. */
function portStart(host: string): number {
  const from = host.charCodeAt(0) === 0x5b ? host.indexOf(']') : 0
  const colon = host.indexOf(':', from < 0 ? 0 : from)
  return colon < 0 ? host.length : colon
}

function validTarget(s: string): boolean {
  if (s.charCodeAt(0) !== 0x2f) return false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0xff || TARGET[c] !== 1) return false
  }
  return true
}

/** A rule's transforms, or undefined when it has none (the common case costs one check per request). */
export function compileTransforms(transforms: readonly Transform[] | undefined): { ok: true; value: RuleTransforms | undefined } | { ok: false; error: string } {
  if (transforms === undefined || transforms.length === 0) return { ok: true, value: undefined }
  let host: Rewrite | undefined
  let url: Rewrite | undefined
  for (const t of transforms) {
    const rewrite = t.rewrites[0]
    if (rewrite === undefined) continue
    const re = compileLinearRegex(rewrite.regex)
    if (!re.ok) return { ok: false, error: `${t.type} regex ${JSON.stringify(rewrite.regex)}: ${re.error}` }
    if (t.type === 'host-header-rewrite') host = { re: re.value, replace: rewrite.replace }
    else url = { re: re.value, replace: rewrite.replace }
  }
  return { ok: true, value: new RuleTransforms(host, url) }
}
