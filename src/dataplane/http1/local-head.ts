import { SERVER, type LocalResponse } from '../exchange/local-response.js'
import { httpDate } from '../http-date.js'
import { statusText } from '../status-text.js'

/**
 * The HTTP/1.1 head of an answer the balancer makes itself (exchange/local-response.ts): status
 * line, Server, Date, the response's fields, Content-Length and Connection.
 */
export function localHead(res: LocalResponse, nowMs: number, keepAlive: boolean): string {
  let lines = res.h1Lines
  if (lines === undefined) {
    lines = ''
    for (const [name, value] of res.fields) lines += `${name}: ${value}\r\n`
    lines += `content-length: ${res.body.length}\r\n`
    res.h1Lines = lines
  }
  return `HTTP/1.1 ${res.status} ${statusText(res.status)}\r\nserver: ${SERVER}\r\ndate: ${httpDate(nowMs)}\r\n${lines}connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`
}
