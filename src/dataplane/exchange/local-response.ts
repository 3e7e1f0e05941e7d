import { statusText } from '../status-text.js'

/**
 * Every response the balancer makes itself (a fixed-response or redirect action, an error page:
 * 4xx, 5xx, TransformFailed's 500 ...) is one LocalResponse: status, fields and body, with no
 * protocol in it. The HTTP/1.1 codec (http1/local-head.ts) and the HTTP/2 codec serialise it,
 * each adding what only its protocol has (HTTP/1's status line, reason and Connection; HTTP/2's
 * :status). The fields every such answer carries first, Server and Date, are added here, once.
 */
export interface LocalResponse {
  readonly status: number
  /** Lower-case field names with their values, after Server and Date; Content-Length is not among them (it is body.length). */
  readonly fields: readonly (readonly [string, string])[]
  readonly body: Buffer
  /** The fields as HTTP/1 lines with Content-Length, made once by the HTTP/1 codec (http1/local-head.ts). */
  h1Lines?: string
}

/** The Server field of every answer the balancer makes itself (ALB's). */
export const SERVER = 'awselb/2.0'

const EMPTY = Buffer.alloc(0)

export function localResponse(status: number, fields: readonly (readonly [string, string])[], body: Buffer = EMPTY): LocalResponse {
  return { status, fields, body }
}

/** A redirect action's answer: no body, the Location built for this request. */
export function redirectResponse(status: number, location: string): LocalResponse {
  return { status, fields: [['content-type', 'text/html'], ['location', location]], body: EMPTY }
}

const errorPages = new Map<number, LocalResponse>()

/** ALB's small HTML error page for a status, made once per status. */
export function errorPage(status: number): LocalResponse {
  let page = errorPages.get(status)
  if (page === undefined) {
    const title = `${status} ${statusText(status)}`.trim()
    const body = Buffer.from(`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`, 'latin1')
    page = localResponse(status, [['content-type', 'text/html']], body)
    errorPages.set(status, page)
  }
  return page
}
