import type { z } from 'zod'
import { forwardedGroupArns, type Action, type actionSpec } from '../model/action.js'
import { actionsSpec } from '../model/action.js'
import type { LoadBalancer } from '../model/load-balancer.js'
import { IncompatibleProtocolsError, InvalidActionError, LimitExceededError, OperationNotPermittedError, ValidationFailed } from './errors.js'
import { validate, type Draft } from './draft.js'

/** Validates actions and resolves their target group references to ARNs. */
/** `existing`: the actions being replaced (ModifyListener/ModifyRule), whose client secret useExistingClientSecret keeps. */
export function resolveActions(d: Draft, input: unknown, lb: LoadBalancer, listenerProtocol: string, subject: string, existing: readonly Action[] = []): Action[] {
  const parsed = validate(actionsSpec, input, subject)
  const actions = parsed.map((a, i) => resolveAction(d, a, i, lb, listenerProtocol, existing)).sort((a, b) => a.order - b.order)
  // ALB: an authenticate action comes before the action that answers (Order lower than it).
  const terminal = actions.findIndex((a) => a.type !== 'authenticate-oidc')
  if (actions.slice(terminal + 1).some((a) => a.type === 'authenticate-oidc')) {
    throw new InvalidActionError('an authenticate-oidc action must have a lower Order than the forward, redirect or fixed-response action')
  }
  if (new Set(actions.map((a) => a.order)).size !== actions.length) throw new ValidationFailed([{ path: '', message: 'each action needs its own Order' }])
  return actions
}

/**
 * The target group protocols a network listener forwards to (AWS: a TCP_UDP listener needs a
 * TCP_UDP group; TLS terminates and may go on in plain TCP or re-encrypted).
 */
const NETWORK_FORWARDS: Record<string, readonly string[]> = {
  TCP: ['TCP', 'TCP_UDP'],
  TLS: ['TCP', 'TLS'],
  UDP: ['UDP', 'TCP_UDP'],
  TCP_UDP: ['TCP_UDP'],
}

/** What a network balancer's action may not be: only one forward to one group, without weights or group stickiness. */
function checkNetworkAction(a: z.output<typeof actionSpec>, lb: LoadBalancer): void {
  const invalid = (message: string) => new ValidationFailed([{ path: '', message }])
  if (a.type !== 'forward') throw invalid(`Action type '${a.type}' must be one of 'forward'`)
  const entries = a.targetGroups ?? []
  if (entries.length > 1) throw invalid(`You cannot specify multiple target groups in a single action with a load balancer of type '${lb.type}'`)
  if (a.targetGroups !== undefined && entries.some((e) => e.weight !== 1)) throw invalid(`You cannot specify a target group weight on load balancers of type '${lb.type}'`)
  if (a.stickiness?.enabled) throw invalid(`You cannot specify target group stickiness on load balancers of type '${lb.type}'`)
}

function resolveAction(d: Draft, a: z.output<typeof actionSpec>, index: number, lb: LoadBalancer, listenerProtocol: string, existing: readonly Action[]): Action {
  const order = a.order ?? index + 1
  if (lb.type !== 'application') checkNetworkAction(a, lb)
  switch (a.type) {
    case 'forward': {
      const entries = a.targetGroups ?? [{ targetGroup: a.targetGroup ?? '', weight: 1 }]
      const targetGroups = entries.map((e) => {
        const tg = d.resolve('target-group', e.targetGroup)
        const httpGroup = tg.protocol === 'HTTP' || tg.protocol === 'HTTPS'
        if ((lb.type === 'application') !== httpGroup) {
          throw new IncompatibleProtocolsError(
            `target group '${tg.name}' uses protocol ${tg.protocol}, which a ${lb.type} load balancer's ${listenerProtocol} listener cannot forward to`,
          )
        }
        const allowed = NETWORK_FORWARDS[listenerProtocol]
        if (lb.type !== 'application' && allowed && !allowed.includes(tg.protocol)) {
          throw new IncompatibleProtocolsError(`a ${listenerProtocol} listener cannot forward to target group '${tg.name}' of protocol ${tg.protocol} (${allowed.join(' or ')} only)`)
        }
        const other = balancersForwardingTo(d, tg.arn).find((arn) => arn !== lb.arn)
        if (other) {
          // ALB quota "load balancers per target group": 1.
          throw new LimitExceededError('load-balancers-per-target-group', 1, `target group '${tg.name}' is already used by load balancer '${d.get('load-balancer', other)?.name ?? other}'`)
        }
        return { targetGroupArn: tg.arn, weight: e.weight }
      })
      if (new Set(targetGroups.map((g) => g.targetGroupArn)).size !== targetGroups.length) {
        throw new OperationNotPermittedError('a target group can appear only once in a forward action')
      }
      return { type: 'forward', order, targetGroups, stickiness: { enabled: a.stickiness?.enabled ?? false, durationSeconds: a.stickiness?.durationSeconds ?? 3600 } }
    }
    case 'redirect':
      if (listenerProtocol === 'HTTPS' && a.redirect.protocol === 'HTTP') {
        throw new OperationNotPermittedError('a redirect from HTTPS to HTTP is not allowed')
      }
      return { type: 'redirect', order, redirect: a.redirect }
    case 'fixed-response':
      return { type: 'fixed-response', order, fixedResponse: a.fixedResponse }
    case 'authenticate-cognito':
      // Refused by the spec already (openalb has no Cognito); kept for the type.
      throw new InvalidActionError('openalb has no Amazon Cognito: the authenticate-cognito action is not supported')
    case 'authenticate-oidc': {
      if (listenerProtocol !== 'HTTPS') throw new InvalidActionError(`authenticate-oidc actions are supported only on HTTPS listeners, not ${listenerProtocol}`)
      const { useExistingClientSecret, clientSecret: given, ...config } = a.authenticateOidc
      let clientSecret = given
      if (useExistingClientSecret === true) {
        if (given !== undefined) throw new ValidationFailed([{ path: 'authenticateOidc.clientSecret', message: 'ClientSecret cannot be given when UseExistingClientSecret is true' }])
        const old = existing.find((e) => e.type === 'authenticate-oidc')
        if (old?.type !== 'authenticate-oidc') throw new ValidationFailed([{ path: 'authenticateOidc.useExistingClientSecret', message: 'there is no existing client secret to use: give ClientSecret' }])
        clientSecret = old.authenticateOidc.clientSecret
      }
      if (clientSecret === undefined) throw new ValidationFailed([{ path: 'authenticateOidc.clientSecret', message: 'ClientSecret is required (or UseExistingClientSecret when modifying)' }])
      return { type: 'authenticate-oidc', order, authenticateOidc: { ...config, clientSecret } }
    }
  }
}

/** A stored action back in spec form (ARNs as references), to re-validate it in a new context. */
export function actionToSpec(a: Action): unknown {
  switch (a.type) {
    case 'forward':
      return { type: 'forward', order: a.order, targetGroups: a.targetGroups.map((g) => ({ targetGroup: g.targetGroupArn, weight: g.weight })), stickiness: a.stickiness }
    case 'redirect':
      return { type: 'redirect', order: a.order, redirect: a.redirect }
    case 'fixed-response':
      return { type: 'fixed-response', order: a.order, fixedResponse: a.fixedResponse }
    case 'authenticate-oidc':
      return { type: 'authenticate-oidc', order: a.order, authenticateOidc: a.authenticateOidc }
  }
}

/** The balancers whose listeners or rules forward to a target group. */
export function balancersForwardingTo(d: Draft, targetGroupArn: string): string[] {
  const out = new Set<string>()
  const forwards = (actions: readonly Action[]) => forwardedGroupArns(actions).includes(targetGroupArn)
  for (const l of d.list('listener')) if (forwards(l.defaultActions)) out.add(l.loadBalancerArn)
  for (const r of d.list('rule')) {
    if (!forwards(r.actions)) continue
    const l = d.get('listener', r.listenerArn)
    if (l) out.add(l.loadBalancerArn)
  }
  return [...out]
}
