// The console's words for rules: conditions and actions as a person reads them. Pure (no DOM), so
// the unit tests run it in Node too.
import type { Action } from '../model/action.js'
import type { Condition } from '../model/rule.js'

const list = (values: readonly string[]): string => values.map((v) => `“${v}”`).join(' or ')

function withRegex(plain: readonly string[], regexes: readonly string[] | undefined): string {
  const parts = [...(plain.length > 0 ? [`is ${list(plain)}`] : []), ...(regexes ?? []).map((r) => `matches /${r}/`)]
  return parts.join(' or ')
}

export function conditionInWords(c: Condition): string {
  switch (c.field) {
    case 'host-header':
      return `Host ${withRegex(c.values, c.regexValues)}`
    case 'path-pattern':
      return `Path ${withRegex(c.values, c.regexValues)}`
    case 'http-header':
      return `Header ${c.name} ${withRegex(c.values, c.regexValues)}`
    case 'http-request-method':
      return `Method is ${list(c.values)}`
    case 'query-string':
      return `Query has ${c.values.map((v) => (v.key === undefined ? `a value “${v.value}”` : `${v.key}=“${v.value}”`)).join(' or ')}`
    case 'source-ip':
      return `Source IP is in ${c.values.join(' or ')}`
    default:
      return JSON.stringify(c)
  }
}

/** Target group ARNs shown by name where the state has them. */
export type GroupName = (arn: string) => string

export function actionInWords(a: Action, groupName: GroupName): string {
  switch (a.type) {
    case 'forward': {
      const groups = a.targetGroups.map((g) => (a.targetGroups.length > 1 ? `${groupName(g.targetGroupArn)} (weight ${g.weight})` : groupName(g.targetGroupArn)))
      const sticky = a.stickiness.enabled ? `, sticky for ${a.stickiness.durationSeconds} s` : ''
      return `Forward to ${groups.join(', ')}${sticky}`
    }
    case 'redirect': {
      const r = a.redirect
      const code = r.statusCode === 'HTTP_301' ? '301, permanent' : '302, found'
      return `Redirect to ${r.protocol.toLowerCase()}://${r.host}:${r.port}${r.path}?${r.query} (${code})`
    }
    case 'fixed-response':
      return `Return a fixed response ${a.fixedResponse.statusCode}${a.fixedResponse.messageBody ? ` “${a.fixedResponse.messageBody.slice(0, 60)}”` : ''}`
    case 'authenticate-oidc': {
      const o = a.authenticateOidc
      const unauthenticated = o.onUnauthenticatedRequest === 'authenticate' ? 'sign in' : o.onUnauthenticatedRequest === 'deny' ? 'answer 401' : 'let in without claims'
      return `Authenticate at ${o.issuer} as ${o.clientId} (without a session: ${unauthenticated})`
    }
    default:
      return `${(a as { type: string }).type}`
  }
}

/** The terminal action of a rule's action list, in words, after any others (authenticate...). */
export function actionsInWords(actions: readonly Action[], groupName: GroupName): string {
  return [...actions].sort((x, y) => x.order - y.order).map((a) => actionInWords(a, groupName)).join(', then ')
}
