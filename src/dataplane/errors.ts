/** Why the balancer itself answered (or gave up on) a request. */
export type ProxyErrorKind =
  | 'malformed-request'
  | 'request-line-too-long'
  | 'headers-too-large'
  | 'not-implemented'
  | 'version-not-supported'
  | 'desync-rejected'
  | 'xff-too-long'
  | 'protocol-mismatch'
  | 'transform-failed'
  | 'request-head-timeout'
  | 'incomplete-body'
  | 'connect-failed'
  | 'target-tls-error'
  | 'target-reset'
  | 'target-closed'
  | 'invalid-response'
  | 'deregistered'
  | 'no-targets'
  | 'connect-timeout'
  | 'target-timeout'
  | 'client-closed'
  | 'lambda-invalid-response'
  | 'lambda-unhandled'
  | 'lambda-timeout'
  | 'lambda-throttled'
  | 'lambda-not-found'
  | 'lambda-unavailable'
  | 'lambda-request-too-large'
  | 'lambda-response-too-large'
  | 'lambda-upgrade'

/** One table turns a failure into ALB's status; a new kind fails to compile until it is mapped. */
export const STATUS: Readonly<Record<ProxyErrorKind, number>> = {
  'malformed-request': 400,
  'request-line-too-long': 414,
  'headers-too-large': 431,
  'not-implemented': 501,
  'version-not-supported': 505,
  'desync-rejected': 400,
  'xff-too-long': 463,
  // The request's protocol does not fit the group's protocol version (HTTP/1.1 to HTTP2 or GRPC, gRPC to HTTP1, non-POST to GRPC).
  'protocol-mismatch': 464,
  // ALB: a rule transform whose pattern matched but whose result cannot be sent.
  'transform-failed': 500,
  'request-head-timeout': 408,
  'incomplete-body': 400,
  'connect-failed': 502,
  'target-tls-error': 502,
  'target-reset': 502,
  'target-closed': 502,
  'invalid-response': 502,
  'deregistered': 502,
  'no-targets': 503,
  'connect-timeout': 504,
  'target-timeout': 504,
  // Logged only: nobody is left to answer, and it is never held against the target.
  'client-closed': 460,
  // Lambda targets (ALB: 502 for a function error or an answer it cannot use, 504 past the function's timeout, 503 throttled, 413 for a body over 1 MB).
  'lambda-invalid-response': 502,
  'lambda-unhandled': 502,
  'lambda-timeout': 504,
  'lambda-throttled': 503,
  'lambda-not-found': 502,
  'lambda-unavailable': 502,
  'lambda-request-too-large': 413,
  'lambda-response-too-large': 502,
  // ALB: WebSockets do not reach functions; an upgrade request is refused with 400.
  'lambda-upgrade': 400,
}

/** The access log's error_reason for each kind. */
export const ERROR_REASON: Readonly<Record<ProxyErrorKind, string>> = {
  'malformed-request': 'MalformedRequest',
  'request-line-too-long': 'RequestLineTooLong',
  'headers-too-large': 'HeadersTooLarge',
  'not-implemented': 'NotImplemented',
  'version-not-supported': 'VersionNotSupported',
  'desync-rejected': 'DesyncMitigation',
  'xff-too-long': 'XffTooLong',
  'protocol-mismatch': 'IncompatibleProtocolVersion',
  'transform-failed': 'TransformFailed',
  'request-head-timeout': 'RequestHeadTimeout',
  'incomplete-body': 'IncompleteBody',
  'connect-failed': 'TargetConnectionError',
  'target-tls-error': 'TargetTLSNegotiationError',
  'target-reset': 'TargetResetConnection',
  'target-closed': 'TargetClosedConnection',
  'invalid-response': 'TargetInvalidResponse',
  'deregistered': 'TargetDeregistered',
  'no-targets': 'NoRegisteredTargets',
  'connect-timeout': 'TargetConnectionTimeout',
  'target-timeout': 'TargetResponseTimeout',
  'client-closed': 'ClientClosedConnection',
  'lambda-invalid-response': 'LambdaInvalidResponse',
  'lambda-unhandled': 'LambdaUnhandled',
  'lambda-timeout': 'LambdaTimeout',
  'lambda-throttled': 'LambdaThrottling',
  'lambda-not-found': 'LambdaResourceNotFound',
  'lambda-unavailable': 'LambdaServiceException',
  'lambda-request-too-large': 'LambdaRequestTooLarge',
  'lambda-response-too-large': 'LambdaResponseTooLarge',
  'lambda-upgrade': 'LambdaBadRequest',
}
