import type { Action } from '../../model/action.js'
import { localResponse } from '../exchange/local-response.js'
import type { ActionPlan, RedirectPart } from './plan.js'

const PLACEHOLDER = /#\{(protocol|host|port|path|query)\}/g

export function compileTemplate(text: string): RedirectPart[] {
  const parts: RedirectPart[] = []
  let last = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ literal: text.slice(last, m.index) })
    parts.push({ placeholder: m[1] as 'protocol' | 'host' | 'port' | 'path' | 'query' })
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push({ literal: text.slice(last) })
  return parts
}

/** The terminal action of a rule (forward, redirect or fixed-response), compiled. */
export function compileActions(actions: readonly Action[]): ActionPlan | undefined {
  // An authenticate-oidc action runs before it (router.ts compiles it apart).
  const terminal = [...actions].sort((a, b) => a.order - b.order).at(-1)
  if (!terminal || terminal.type === 'authenticate-oidc') return undefined
  switch (terminal.type) {
    case 'fixed-response': {
      const status = Number(terminal.fixedResponse.statusCode)
      const body = Buffer.from(terminal.fixedResponse.messageBody, 'utf8')
      const response = localResponse(status, [['content-type', `${terminal.fixedResponse.contentType}; charset=utf-8`]], body)
      return { kind: 'fixed-response', status, response }
    }
    case 'redirect': {
      const r = terminal.redirect
      return {
        kind: 'redirect',
        status: r.statusCode === 'HTTP_301' ? 301 : 302,
        protocol: r.protocol === '#{protocol}' ? undefined : r.protocol === 'HTTPS' ? 'https' : 'http',
        host: compileTemplate(r.host),
        port: compileTemplate(r.port),
        path: compileTemplate(r.path),
        query: compileTemplate(r.query),
      }
    }
    case 'forward': {
      const arns: string[] = []
      const cumulative: number[] = []
      let total = 0
      for (const g of terminal.targetGroups) {
        total += g.weight
        arns.push(g.targetGroupArn)
        cumulative.push(total)
      }
      return {
        kind: 'forward',
        targetGroupArns: arns,
        cumulativeWeights: cumulative,
        groupStickinessSeconds: terminal.stickiness.enabled && arns.length > 1 ? terminal.stickiness.durationSeconds : 0,
      }
    }
  }
}
