import type { Action } from '../../model/action.js'
import type { Rule } from '../../model/rule.js'
import { compileActions } from '../actions/compile.js'
import { OidcAuth } from '../auth/oidc.js'
import type { ActionPlan } from '../actions/plan.js'
import { compileCondition, type ConditionMatcher } from './conditions.js'
import type { RouteRequest } from './route-request.js'
import { compileTransforms, type RuleTransforms } from './transforms.js'

export interface CompiledRule {
  /** 1-50000, 0 for a local answer ahead of every rule, or 'default' for the listener's default actions. */
  readonly priority: number | 'default'
  readonly ruleArn: string | undefined
  readonly conditions: readonly ConditionMatcher[]
  readonly action: ActionPlan
  /** Host and URL rewrites for what a forward sends; undefined when the rule has none. */
  readonly transforms: RuleTransforms | undefined
  /** The authenticate-oidc step before the action; undefined when the rule has none. */
  readonly auth?: OidcAuth | undefined
}

/** The rule's authenticate-oidc action, compiled (ALB: at most one, ordered before the action). */
function compileAuth(actions: readonly Action[], balancerArn: string): OidcAuth | undefined {
  const a = actions.find((x) => x.type === 'authenticate-oidc')
  return a?.type === 'authenticate-oidc' ? new OidcAuth(a.authenticateOidc, balancerArn) : undefined
}

/** A listener's rules, by priority, then the default action; conditions ANDed. */
export class Router {
  constructor(readonly rules: readonly CompiledRule[], readonly defaultRule: CompiledRule) {}

  route(req: RouteRequest): CompiledRule {
    const rules = this.rules
    outer: for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule
      const conditions = rule.conditions
      for (let j = 0; j < conditions.length; j++) if (!(conditions[j] as ConditionMatcher).matches(req)) continue outer
      return rule
    }
    return this.defaultRule
  }

  /**
   * Why a request reaches the rule it reaches: each rule before it with the index of its first
   * condition that did not match. Not the hot path (the console's explain view asks it).
   */
  explain(req: RouteRequest): RouteExplanation {
    const skipped: { priority: number | 'default'; ruleArn: string | undefined; failedCondition: number }[] = []
    for (const rule of this.rules) {
      const failed = rule.conditions.findIndex((c) => !c.matches(req))
      if (failed < 0) return { matched: rule, skipped }
      skipped.push({ priority: rule.priority, ruleArn: rule.ruleArn, failedCondition: failed })
    }
    return { matched: this.defaultRule, skipped }
  }
}

/** The rule a request matched and, for each rule ahead of it, the first condition that failed. */
export interface RouteExplanation {
  readonly matched: CompiledRule
  readonly skipped: readonly { readonly priority: number | 'default'; readonly ruleArn: string | undefined; readonly failedCondition: number }[]
}

/** A local answer served before every rule: a fixed body for one host and exact path (ACME HTTP-01). */
export interface LocalAnswer {
  readonly host: string
  readonly path: string
  readonly body: string
}

/** Local answers as rules of priority 0 (ALB's own rules start at 1), compiled with the listener's. */
function localAnswerRules(answers: readonly LocalAnswer[], errors: string[]): CompiledRule[] {
  const out: CompiledRule[] = []
  for (const a of answers) {
    const host = compileCondition({ field: 'host-header', values: [a.host] })
    const path = compileCondition({ field: 'path-pattern', values: [a.path] })
    const action = compileActions([{ type: 'fixed-response', order: 1, fixedResponse: { statusCode: '200', contentType: 'text/plain', messageBody: a.body } }])
    if (!host.ok || !path.ok || !action) {
      errors.push(`local answer for ${a.host}${a.path}: ${!host.ok ? host.error : !path.ok ? path.error : 'no action'}`)
      continue
    }
    out.push({ priority: 0, ruleArn: undefined, conditions: [host.value, path.value], action, transforms: undefined })
  }
  return out
}

export function compileRouter(
  defaultActions: readonly Action[],
  rules: readonly Rule[],
  localAnswers: readonly LocalAnswer[] = [],
  /** The balancer's ARN (authenticate-oidc signs its claims with it as signer). */
  balancerArn = '',
): { ok: true; value: Router } | { ok: false; errors: string[] } {
  const errors: string[] = []
  const compiled: CompiledRule[] = localAnswerRules(localAnswers, errors)
  for (const rule of [...rules].sort((a, b) => a.priority - b.priority)) {
    const conditions: ConditionMatcher[] = []
    for (const c of rule.conditions) {
      const m = compileCondition(c)
      if (m.ok) conditions.push(m.value)
      else errors.push(`rule ${rule.priority}: ${m.error}`)
    }
    const action = compileActions(rule.actions)
    const transforms = compileTransforms(rule.transforms)
    if (!transforms.ok) errors.push(`rule ${rule.priority}: ${transforms.error}`)
    if (!action) errors.push(`rule ${rule.priority}: no terminal action`)
    else if (transforms.ok) compiled.push({ priority: rule.priority, ruleArn: rule.arn, conditions, action, transforms: transforms.value, auth: compileAuth(rule.actions, balancerArn) })
  }
  const action = compileActions(defaultActions)
  if (!action) errors.push('default actions: no terminal action')
  if (errors.length > 0 || !action) return { ok: false, errors }
  return { ok: true, value: new Router(compiled, { priority: 'default', ruleArn: undefined, conditions: [], action, transforms: undefined, auth: compileAuth(defaultActions, balancerArn) }) }
}
