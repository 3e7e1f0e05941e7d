import { NotFoundError } from '../../control/errors.js'

// ELBv2 and ACM resources are regional: an endpoint knows only its own region's. An ARN of
// another region names nothing here, whatever the operation (describe, modify, delete, or a
// listener's certificate), so it is refused as not found before the operation runs.

const REGIONAL_ARN = /^arn:aws[a-z-]*:(?:elasticloadbalancing|acm):([a-z0-9-]+):\d{12}:(loadbalancer|targetgroup|listener|listener-rule|truststore|certificate)\//

const KIND_OF_TYPE: Record<string, string> = {
  loadbalancer: 'load-balancer',
  targetgroup: 'target-group',
  listener: 'listener',
  'listener-rule': 'rule',
  truststore: 'trust-store',
  certificate: 'certificate',
}

/** Throws control's NotFoundError for the first ELBv2 or ACM ARN in `params` that names another region than `region`. */
export function refuseOtherRegions(params: unknown, region: string): void {
  if (typeof params === 'string') {
    const m = REGIONAL_ARN.exec(params)
    if (m && m[1] !== region) throw new NotFoundError(KIND_OF_TYPE[m[2] ?? ''] ?? 'resource', params)
  } else if (Array.isArray(params)) {
    for (const v of params) refuseOtherRegions(v, region)
  } else if (typeof params === 'object' && params !== null) {
    for (const v of Object.values(params)) refuseOtherRegions(v, region)
  }
}
