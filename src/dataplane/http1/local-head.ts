import { SERVER, type LocalResponse } from '../exchange/local-response.js'
import { httpDate } from '../http-date.js'
import { statusText } from '../status-text.js'
import type { ListenerSnapshot } from '../snapshot.js'

const SERVER_LINE = `server: ${SERVER}\r\n`

/**
 * The HTTP/1.1 head of an answer the balancer makes itself (exchange/local-response.ts): status
 * line, Server (unless the listener turned it off), Date, the response's fields, Content-Length,
 * the listener's response headers (exchange/response-headers.ts) and Connection.
 */
export function localHead(res: LocalResponse, nowMs: number, keepAlive: boolean, listener: Pick<ListenerSnapshot, 'serverHeader' | 'responseHeaders'>): string {
  let lines = res.h1Lines
  if (lines === undefined) {
    lines = ''
    for (const [name, value] of res.fields) lines += `${name}: ${value}\r\n`
    lines += `content-length: ${res.body.length}\r\n`
    res.h1Lines = lines
  }
  const added = listener.responseHeaders
  const server = listener.serverHeader === false ? '' : SERVER_LINE
  return `HTTP/1.1 ${res.status} ${statusText(res.status)}\r\n${server}date: ${httpDate(nowMs)}\r\n${lines}${added === undefined ? '' : added.lines}connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`
}
