/** ALB's attribute keys and where each lives in openalb's model (pure data, no imports). */

export type Kind = 'bool' | 'int' | 'str'
/** An AWS attribute key and where it lives in the model: [key, path inside attributes, type]. */
export type Mapped = readonly [string, readonly string[], Kind]

export const LB_ATTRIBUTES: readonly Mapped[] = [
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
export const LB_FIXED: Record<string, string> = {
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

export const TG_ATTRIBUTES: readonly Mapped[] = [
  ['deregistration_delay.timeout_seconds', ['deregistrationDelaySeconds'], 'int'],
  ['slow_start.duration_seconds', ['slowStartSeconds'], 'int'],
  ['load_balancing.algorithm.type', ['algorithm'], 'str'],
  ['stickiness.enabled', ['stickiness', 'enabled'], 'bool'],
  ['stickiness.type', ['stickiness', 'type'], 'str'],
  ['stickiness.lb_cookie.duration_seconds', ['stickiness', 'durationSeconds'], 'int'],
  ['stickiness.app_cookie.duration_seconds', ['stickiness', 'durationSeconds'], 'int'],
  ['stickiness.app_cookie.cookie_name', ['stickiness', 'cookieName'], 'str'],
  ['load_balancing.cross_zone.enabled', ['crossZone'], 'str'],
]

export const TG_FIXED: Record<string, string> = {
  'load_balancing.algorithm.anomaly_mitigation': 'off',
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

/** Model attribute path (dotted) -> AWS attribute key, for error messages. */
export const LB_ATTRIBUTE_KEYS: Record<string, string> = Object.fromEntries(LB_ATTRIBUTES.map(([key, path]) => [path.join('.'), key]))
export const TG_ATTRIBUTE_KEYS: Record<string, string> = Object.fromEntries(TG_ATTRIBUTES.map(([key, path]) => [path.join('.'), key]))

