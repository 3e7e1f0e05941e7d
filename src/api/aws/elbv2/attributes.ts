import type { LoadBalancer } from '../../../model/load-balancer.js'
import type { TargetGroup } from '../../../model/target-group.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'

const invalid = (message: string) => new AwsError('ValidationError', message)

type Kind = 'bool' | 'int' | 'str'
/** An AWS attribute key and where it lives in the model: [key, path inside attributes, type]. */
type Mapped = readonly [string, readonly string[], Kind]

const LB_ATTRIBUTES: readonly Mapped[] = [
  ['idle_timeout.timeout_seconds', ['idleTimeoutSeconds'], 'int'],
  ['routing.http2.enabled', ['http2Enabled'], 'bool'],
  ['routing.http.drop_invalid_header_fields.enabled', ['dropInvalidHeaderFields'], 'bool'],
  ['routing.http.desync_mitigation_mode', ['desyncMitigationMode'], 'str'],
  ['routing.http.xff_header_processing.mode', ['xffHeaderProcessingMode'], 'str'],
  ['routing.http.preserve_host_header.enabled', ['preserveHostHeader'], 'bool'],
  ['deletion_protection.enabled', ['deletionProtection'], 'bool'],
  ['access_logs.s3.enabled', ['accessLogs', 'enabled'], 'bool'],
  ['access_logs.s3.bucket', ['accessLogs', 'bucket'], 'str'],
  ['access_logs.s3.prefix', ['accessLogs', 'prefix'], 'str'],
]

/**
 * ALB attributes openalb does not model: shown with ALB's defaults, and accepted only when set
 * to them, so that clients (Terraform) that write every attribute keep working.
 */
const LB_FIXED: Record<string, string> = {
  'client_keep_alive.seconds': '3600',
  'connection_logs.s3.enabled': 'false',
  'connection_logs.s3.bucket': '',
  'connection_logs.s3.prefix': '',
  'health_check_logs.s3.enabled': 'false',
  'health_check_logs.s3.bucket': '',
  'health_check_logs.s3.prefix': '',
  'load_balancing.cross_zone.enabled': 'true',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'waf.fail_open.enabled': 'false',
  'zonal_shift.config.enabled': 'false',
}

const TG_ATTRIBUTES: readonly Mapped[] = [
  ['deregistration_delay.timeout_seconds', ['deregistrationDelaySeconds'], 'int'],
  ['slow_start.duration_seconds', ['slowStartSeconds'], 'int'],
  ['load_balancing.algorithm.type', ['algorithm'], 'str'],
  ['stickiness.enabled', ['stickiness', 'enabled'], 'bool'],
  ['stickiness.type', ['stickiness', 'type'], 'str'],
  ['stickiness.lb_cookie.duration_seconds', ['stickiness', 'durationSeconds'], 'int'],
  ['stickiness.app_cookie.duration_seconds', ['stickiness', 'durationSeconds'], 'int'],
  ['stickiness.app_cookie.cookie_name', ['stickiness', 'cookieName'], 'str'],
]

const TG_FIXED: Record<string, string> = {
  'load_balancing.algorithm.anomaly_mitigation': 'off',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
}

/** ALB listener attributes; the model has none, so they are ALB's defaults, read-only. */
export const LISTENER_FIXED: Record<string, string> = {
  'routing.http.response.server.enabled': 'true',
  'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name': 'X-Amzn-Mtls-Clientcert-Serial-Number',
}

function read(obj: unknown, path: readonly string[]): string {
  let v: unknown = obj
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p]
  return v === undefined || v === null ? '' : String(v)
}

function attributesOut(mapped: readonly Mapped[], fixed: Record<string, string>, attrs: unknown): { Key: string; Value: string }[] {
  return [...mapped.map(([Key, path]) => ({ Key, Value: read(attrs, path) })), ...Object.entries(fixed).map(([Key, Value]) => ({ Key, Value }))]
}

export const loadBalancerAttributesOut = (lb: LoadBalancer) => attributesOut(LB_ATTRIBUTES, LB_FIXED, lb.attributes)

export const targetGroupAttributesOut = (tg: TargetGroup) => attributesOut(TG_ATTRIBUTES, TG_FIXED, tg.attributes)

function convert(key: string, kind: Kind, value: string): unknown {
  if (kind === 'bool') {
    if (value !== 'true' && value !== 'false') throw invalid(`Attribute '${key}' must be 'true' or 'false'`)
    return value === 'true'
  }
  if (kind === 'int') {
    if (!/^-?\d+$/.test(value)) throw invalid(`Attribute '${key}' must be an integer`)
    return Number(value)
  }
  return value
}

/** Attributes.member.N.Key/Value -> a patch of the model's attributes (nested objects merged by control/). */
function attributesIn(p: Params, mapped: readonly Mapped[], fixed: Record<string, string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {}
  const list = p.objs('Attributes')
  if (list.length === 0) throw invalid('Attributes must contain at least one attribute')
  for (const a of list) {
    const key = a.required('Key')
    const value = a.str('Value') ?? ''
    const m = mapped.find(([k]) => k === key)
    if (m) {
      const [, path, kind] = m
      let node = patch
      for (const seg of path.slice(0, -1)) node = (node[seg] ??= {}) as Record<string, unknown>
      node[path[path.length - 1] ?? ''] = convert(key, kind, value)
      continue
    }
    const f = fixed[key]
    if (f === undefined) throw invalid(`Attribute key '${key}' is not recognized`)
    if (f !== value) throw invalid(`Attribute '${key}' can only be '${f}' in openalb`)
  }
  return patch
}

export const loadBalancerAttributesIn = (p: Params) => attributesIn(p, LB_ATTRIBUTES, LB_FIXED)
export const targetGroupAttributesIn = (p: Params) => attributesIn(p, TG_ATTRIBUTES, TG_FIXED)

export function listenerAttributesIn(p: Params): void {
  attributesIn(p, [], LISTENER_FIXED)
}
