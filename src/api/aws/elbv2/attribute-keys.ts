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
 * to them, so that clients (Terraform) that write every attribute keep working. Both balancer
 * types also show ipv6.deny_all_igw_traffic, whose default follows the scheme (attributes.ts).
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

/** NLB's load balancer attributes (AWS: the ALB-only ones are not recognized on a network balancer). */
export const NLB_ATTRIBUTES: readonly Mapped[] = [
  ['deletion_protection.enabled', ['deletionProtection'], 'bool'],
  ['load_balancing.cross_zone.enabled', ['crossZoneEnabled'], 'bool'],
]

/** NLB attributes openalb does not model: AWS's defaults, accepted only as they are. */
export const NLB_FIXED: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'dns_record.client_routing_policy': 'any_availability_zone',
  'secondary_ips.auto_assigned.per_subnet': '0',
  'zonal_shift.config.enabled': 'false',
}

/** Lambda target group attributes: the event's multi-value fields (no connections, cookies or ramp-up). */
export const LAMBDA_TG_ATTRIBUTES: readonly Mapped[] = [['lambda.multi_value_headers.enabled', ['lambdaMultiValueHeaders'], 'bool']]

/** NLB target group attributes (layer 4: no algorithm, slow start or cookies). */
export const NLB_TG_ATTRIBUTES: readonly Mapped[] = [
  ['deregistration_delay.timeout_seconds', ['deregistrationDelaySeconds'], 'int'],
  ['load_balancing.cross_zone.enabled', ['crossZone'], 'str'],
  ['proxy_protocol_v2.enabled', ['proxyProtocolV2'], 'bool'],
  ['deregistration_delay.connection_termination.enabled', ['connectionTermination'], 'bool'],
]

/**
 * NLB target group attributes openalb does not model. Client IPs cannot be preserved on loopback
 * (the balancer's own socket is the source): preserve_client_ip.enabled stays false.
 */
export const NLB_TG_FIXED: Record<string, string> = {
  'preserve_client_ip.enabled': 'false',
  'stickiness.enabled': 'false',
  'stickiness.type': 'source_ip',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
  'target_health_state.unhealthy.connection_termination.enabled': 'true',
  'target_health_state.unhealthy.draining_interval_seconds': '0',
}

/** NLB TCP listener attributes (model/listener-attributes.ts). */
export const NLB_LISTENER_ATTRIBUTES: readonly Mapped[] = [['tcp.idle_timeout.seconds', ['tcpIdleTimeoutSeconds'], 'int']]

/** ALB listener attributes (model/listener-attributes.ts): the server header, the response headers, the mTLS header names. */
export const LISTENER_ATTRIBUTES: readonly Mapped[] = [
  ['routing.http.response.server.enabled', ['serverEnabled'], 'bool'],
  ['routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name', ['mtlsHeaderNames', 'serialNumber'], 'str'],
  ['routing.http.request.x_amzn_mtls_clientcert_issuer.header_name', ['mtlsHeaderNames', 'issuer'], 'str'],
  ['routing.http.request.x_amzn_mtls_clientcert_subject.header_name', ['mtlsHeaderNames', 'subject'], 'str'],
  ['routing.http.request.x_amzn_mtls_clientcert_validity.header_name', ['mtlsHeaderNames', 'validity'], 'str'],
  ['routing.http.request.x_amzn_mtls_clientcert_leaf.header_name', ['mtlsHeaderNames', 'leaf'], 'str'],
  ['routing.http.request.x_amzn_mtls_clientcert.header_name', ['mtlsHeaderNames', 'clientcert'], 'str'],
  ['routing.http.response.access_control_allow_origin.header_value', ['responseHeaders', 'accessControlAllowOrigin'], 'str'],
  ['routing.http.response.access_control_allow_methods.header_value', ['responseHeaders', 'accessControlAllowMethods'], 'str'],
  ['routing.http.response.access_control_allow_headers.header_value', ['responseHeaders', 'accessControlAllowHeaders'], 'str'],
  ['routing.http.response.access_control_allow_credentials.header_value', ['responseHeaders', 'accessControlAllowCredentials'], 'str'],
  ['routing.http.response.access_control_expose_headers.header_value', ['responseHeaders', 'accessControlExposeHeaders'], 'str'],
  ['routing.http.response.access_control_max_age.header_value', ['responseHeaders', 'accessControlMaxAge'], 'str'],
  ['routing.http.response.content_security_policy.header_value', ['responseHeaders', 'contentSecurityPolicy'], 'str'],
  ['routing.http.response.strict_transport_security.header_value', ['responseHeaders', 'strictTransportSecurity'], 'str'],
  ['routing.http.response.x_content_type_options.header_value', ['responseHeaders', 'xContentTypeOptions'], 'str'],
  ['routing.http.response.x_frame_options.header_value', ['responseHeaders', 'xFrameOptions'], 'str'],
]

/**
 * ALB listener attributes openalb has no behaviour for, read-only at ALB's defaults: it sends no
 * X-Amzn-Tls-Version or X-Amzn-Tls-Cipher-Suite (the balancer's
 * routing.http.x_amzn_tls_version_and_cipher_suite.enabled is false only), so there is nothing to rename.
 */
export const LISTENER_FIXED: Record<string, string> = {
  'routing.http.request.x_amzn_tls_version.header_name': 'X-Amzn-Tls-Version',
  'routing.http.request.x_amzn_tls_cipher_suite.header_name': 'X-Amzn-Tls-Cipher-Suite',
}

/** Model attribute path (dotted) -> AWS attribute key, for error messages. */
export const LB_ATTRIBUTE_KEYS: Record<string, string> = Object.fromEntries([...LB_ATTRIBUTES, ...NLB_ATTRIBUTES].map(([key, path]) => [path.join('.'), key]))
/** Listener model attribute path (dotted) -> AWS attribute key. */
export const LISTENER_ATTRIBUTE_KEYS: Record<string, string> = Object.fromEntries([...LISTENER_ATTRIBUTES, ...NLB_LISTENER_ATTRIBUTES].map(([key, path]) => [path.join('.'), key]))
export const TG_ATTRIBUTE_KEYS: Record<string, string> = Object.fromEntries([...TG_ATTRIBUTES, ...LAMBDA_TG_ATTRIBUTES].map(([key, path]) => [path.join('.'), key]))

