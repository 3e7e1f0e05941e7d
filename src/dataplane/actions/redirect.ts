import type { RedirectPart, RedirectPlan } from './plan.js'

/** The request values the placeholders stand for. */
export interface RedirectInput {
  protocol: 'http' | 'https'
  host: string
  port: number
  /** The request path with its leading slash. */
  path: string
  query: string
}

function fill(parts: readonly RedirectPart[], input: RedirectInput, protocol: string): string {
  let out = ''
  for (const p of parts) {
    if ('literal' in p) out += p.literal
    else if (p.placeholder === 'protocol') out += protocol
    else if (p.placeholder === 'host') out += input.host
    else if (p.placeholder === 'port') out += input.port
    // ALB: #{path} is the path without its leading "/", so templates write /#{path}.
    else if (p.placeholder === 'path') out += input.path.charCodeAt(0) === 47 ? input.path.slice(1) : input.path
    else out += input.query
  }
  return out
}

/** Builds the Location header as ALB does; the port is left out when it is the protocol's default. */
export function buildLocation(plan: RedirectPlan, input: RedirectInput): string {
  const protocol = plan.protocol ?? input.protocol
  const host = fill(plan.host, input, protocol)
  const port = fill(plan.port, input, protocol)
  const path = fill(plan.path, input, protocol)
  const query = fill(plan.query, input, protocol)
  const defaultPort = protocol === 'https' ? '443' : '80'
  return `${protocol}://${host}${port === defaultPort || port === '' ? '' : `:${port}`}${path}${query === '' ? '' : `?${query}`}`
}
