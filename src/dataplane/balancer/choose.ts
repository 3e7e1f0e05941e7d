import type { ForwardPlan } from '../actions/plan.js'
import { cookieExpires, findCookie } from './cookies.js'
import type { GroupState, GroupTarget } from './group.js'

/** What choosing a target reads of the data plane. */
export interface ChooseContext {
  group(arn: string): GroupState | undefined
  readonly random: () => number
  now(): number
}

export interface TargetChoice {
  readonly group: GroupState
  readonly target: GroupTarget
  /** Set-Cookie values the response must carry (AWSALBTG, AWSALB, AWSALBCORS); empty without stickiness. */
  readonly cookies: readonly string[]
}

const NO_COOKIES: readonly string[] = Object.freeze([])

/** A Classic balancer's stickiness cookie, for both of its policy types. */
export const CLASSIC_COOKIE = 'AWSELB'

/**
 * A forward action's target for one request, as HTTP/1 and HTTP/2 share it: the group by its
 * stickiness cookie (AWSALBTG) or by weight, then the target by AWSALB / AWSALBAPP-0 or by the
 * group's algorithm. `group` alone is returned when the group has nothing to route to.
 */
export function chooseTarget(
  ctx: ChooseContext,
  plan: ForwardPlan,
  headerNames: readonly string[],
  headerValues: readonly string[],
): TargetChoice | { readonly group: GroupState | undefined; readonly target: undefined } {
  const arns = plan.targetGroupArns
  let arn: string | undefined
  let group: GroupState | undefined
  if (arns.length === 1) {
    arn = arns[0]
  } else {
    if (plan.groupStickinessSeconds > 0) {
      const token = findCookie(headerNames, headerValues, 'AWSALBTG')
      if (token !== undefined) {
        for (const a of arns) {
          const g = ctx.group(a)
          if (g && g.groupToken === token) {
            arn = a
            group = g
            break
          }
        }
      }
    }
    if (arn === undefined) {
      const weights = plan.cumulativeWeights
      const total = weights[weights.length - 1] ?? 0
      if (total > 0) {
        const r = ctx.random() * total
        for (let i = 0; i < weights.length; i++) {
          if (r < (weights[i] as number)) {
            arn = arns[i]
            break
          }
        }
      }
    }
  }
  group ??= arn === undefined ? undefined : ctx.group(arn)
  if (!group || group.size === 0) return { group, target: undefined }
  let cookies = NO_COOKIES
  if (plan.groupStickinessSeconds > 0) {
    cookies = [`AWSALBTG=${group.groupToken}; Expires=${cookieExpires(ctx.now(), plan.groupStickinessSeconds)}; Path=/`]
  }
  const stick = group.snapshot.stickiness
  let target: GroupTarget | undefined
  if (stick.enabled) {
    const token = findCookie(headerNames, headerValues, stick.classic ? CLASSIC_COOKIE : stick.type === 'lb_cookie' ? 'AWSALB' : 'AWSALBAPP-0')
    // Classic: "If the application cookie is explicitly removed or expires, the session stops being sticky."
    const appGone = stick.classic && stick.type === 'app_cookie' && (stick.cookieName === undefined || findCookie(headerNames, headerValues, stick.cookieName) === undefined)
    if (token !== undefined && !appGone) target = group.sticky(token)
  }
  target ??= group.pick(ctx.now(), ctx.random)
  if (!target) return { group, target: undefined }
  if (stick.enabled && stick.type === 'lb_cookie' && stick.classic) {
    const expires = stick.durationSeconds > 0 ? `; Expires=${cookieExpires(ctx.now(), stick.durationSeconds)}` : ''
    return { group, target, cookies: [...cookies, `${CLASSIC_COOKIE}=${target.token}${expires}; Path=/`] }
  }
  if (stick.enabled && stick.type === 'lb_cookie') {
    const expires = cookieExpires(ctx.now(), stick.durationSeconds)
    cookies = [...cookies, `AWSALB=${target.token}; Expires=${expires}; Path=/`, `AWSALBCORS=${target.token}; Expires=${expires}; Path=/; SameSite=None`]
  }
  return { group, target, cookies }
}
