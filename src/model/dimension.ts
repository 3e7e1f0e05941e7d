/**
 * The CloudWatch dimension value ALB publishes for a resource ARN: `app/NAME/ID` for a balancer,
 * `app/NAME/ID/LISTENER-ID` for a listener, `targetgroup/NAME/ID` for a target group.
 * Anything that is not such an ARN is returned as given.
 */
export function dimension(arn: string): string {
  for (const marker of [':loadbalancer/', ':listener/']) {
    const at = arn.indexOf(marker)
    if (at >= 0) return arn.slice(at + marker.length)
  }
  const tg = arn.indexOf(':targetgroup/')
  return tg >= 0 ? arn.slice(tg + 1) : arn
}
