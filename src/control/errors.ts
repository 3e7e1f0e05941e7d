import type { Failure } from '../model/result.js'

/**
 * The domain errors of control/ (STYLE habit 6). Each has a stable code; api/aws maps codes to
 * each service's wire names, config/ and the CLI print the message.
 */
export type ControlErrorCode =
  | 'validation'
  | 'not-found'
  | 'duplicate'
  | 'in-use'
  | 'priority-in-use'
  | 'limit-exceeded'
  | 'invalid-target'
  | 'duplicate-listener'
  | 'incompatible-protocols'
  | 'operation-not-permitted'
  | 'invalid-change-batch'
  | 'not-empty'
  | 'invalid-certificate'
  | 'ssl-policy-not-found'
  | 'unsupported-protocol'
  | 'unavailable'
  | 'invalid-cidr'
  | 'cidr-conflict'
  | 'invalid-zone'
  | 'invalid-subnets'
  | 'reserved-name'
  | 'not-attached'
  | 'already-associated'
  | 'invalid-value'
  | 'route-exists'
  | 'incorrect-state'
  | 'access-denied'
  | 'activity-in-progress'
  | 'invalid-trust-content'
  | 'invalid-action'

export abstract class ControlError extends Error {
  abstract readonly code: ControlErrorCode
}

export class ValidationFailed extends ControlError {
  readonly code = 'validation'
  constructor(readonly failures: readonly Failure[], readonly subject = '') {
    super(failures.map((f) => (f.path ? `${subject}${subject && f.path ? '.' : ''}${f.path}: ${f.message}` : `${subject}${subject ? ': ' : ''}${f.message}`)).join('; '))
  }
}

export class NotFoundError extends ControlError {
  readonly code = 'not-found'
  constructor(readonly kind: string, readonly ref: string) {
    super(`${kind} '${ref}' not found`)
  }
}

export class DuplicateError extends ControlError {
  readonly code = 'duplicate'
  constructor(readonly kind: string, readonly resourceName: string, detail = '') {
    super(`a ${kind} named '${resourceName}' already exists${detail}`)
  }
}

export class InUseError extends ControlError {
  readonly code = 'in-use'
  constructor(readonly kind: string, readonly ref: string, readonly usedBy: string) {
    super(`${kind} '${ref}' is currently in use by ${usedBy}`)
  }
}

export class PriorityInUseError extends ControlError {
  readonly code = 'priority-in-use'
  constructor(readonly priority: number) {
    super(`priority '${priority}' is currently in use`)
  }
}

export class LimitExceededError extends ControlError {
  readonly code = 'limit-exceeded'
  /** limit: the DescribeAccountLimits name (e.g. targets-per-target-group). */
  constructor(readonly limit: string, readonly max: number, what: string) {
    super(`${what}: the limit of ${max} (${limit}) is reached`)
  }
}

export class InvalidTargetError extends ControlError {
  readonly code = 'invalid-target'
}

export class DuplicateListenerError extends ControlError {
  readonly code = 'duplicate-listener'
  constructor(readonly port: number, readonly loadBalancer?: string) {
    super(`a listener already exists on port ${port} of this load balancer`)
  }
}

export class IncompatibleProtocolsError extends ControlError {
  readonly code = 'incompatible-protocols'
}

export class OperationNotPermittedError extends ControlError {
  readonly code = 'operation-not-permitted'
}

/** An action that cannot be used where it is given (ELBv2 InvalidLoadBalancerAction). */
export class InvalidActionError extends ControlError {
  readonly code = 'invalid-action'
}

export class InvalidChangeBatchError extends ControlError {
  readonly code = 'invalid-change-batch'
  constructor(readonly messages: readonly string[]) {
    super(messages.join('; '))
  }
}

export class NotEmptyError extends ControlError {
  readonly code = 'not-empty'
}

export class InvalidCertificateError extends ControlError {
  readonly code = 'invalid-certificate'
  constructor(readonly failures: readonly Failure[]) {
    super(failures.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; '))
  }
}

export class SslPolicyNotFoundError extends ControlError {
  readonly code = 'ssl-policy-not-found'
  constructor(readonly policy: string) {
    super(`SSL policy '${policy}' not found`)
  }
}

export class UnsupportedProtocolError extends ControlError {
  readonly code = 'unsupported-protocol'
}

/** The store cannot be reached (etcd down or without quorum): nothing was changed; retry later. */
export class StoreUnavailableError extends ControlError {
  readonly code = 'unavailable'
}

/** A VPC's or subnet's range AWS refuses: outside /16-/28, or a subnet outside its VPC's range. */
export class InvalidCidrError extends ControlError {
  readonly code = 'invalid-cidr'
  constructor(readonly kind: 'vpc' | 'subnet', readonly cidr: string, detail: string) {
    super(`${kind} CIDR '${cidr}' is invalid: ${detail}`)
  }
}

/** A subnet's range overlaps another subnet of its VPC. */
export class CidrConflictError extends ControlError {
  readonly code = 'cidr-conflict'
  constructor(readonly cidr: string, readonly otherSubnetId: string) {
    super(`subnet CIDR '${cidr}' overlaps subnet ${otherSubnetId}`)
  }
}

/** A zone (name or id) that is not one of the region's. */
export class InvalidZoneError extends ControlError {
  readonly code = 'invalid-zone'
  constructor(readonly zone: string, readonly field: 'availabilityZone' | 'availabilityZoneId', readonly zones: readonly string[]) {
    super(`availability zone '${zone}' is not one of ${zones.join(', ')}`)
  }
}

/** A balancer's subnets that do not fit together: two in one zone, several VPCs, or too few zones. */
export class InvalidSubnetsError extends ControlError {
  readonly code = 'invalid-subnets'
  constructor(readonly reason: 'same-zone' | 'several-vpcs' | 'too-few-zones', message: string) {
    super(message)
  }
}

/** A name AWS keeps for itself (the security group name `default`). */
export class ReservedNameError extends ControlError {
  readonly code = 'reserved-name'
}

/** Detaching a gateway from a VPC it is not attached to. */
export class NotAttachedError extends ControlError {
  readonly code = 'not-attached'
}

/** Attaching or associating what already is (a gateway to a VPC, a subnet to a route table). */
export class AlreadyAssociatedError extends ControlError {
  readonly code = 'already-associated'
}

/** A value EC2 refuses with its own words (InvalidParameterValue): the message is the wire's. */
export class InvalidValueError extends ControlError {
  readonly code = 'invalid-value'
}

/** A route to a destination the table already has. */
export class RouteExistsError extends ControlError {
  readonly code = 'route-exists'
  constructor(readonly destination: string) {
    super(`the route identified by ${destination} already exists`)
  }
}

/** An instance that is not in a state the operation applies to (EC2: IncorrectInstanceState). */
export class IncorrectStateError extends ControlError {
  readonly code = 'incorrect-state'
}

/** Auto Scaling: an activity of the group is under way that the operation would contradict (ScalingActivityInProgress). */
export class ActivityInProgressError extends ControlError {
  readonly code = 'activity-in-progress'
}

/** A principal the resource's policy does not let act (ALB registering a function without AddPermission). */
export class AccessDeniedError extends ControlError {
  readonly code = 'access-denied'
}

/** Route 53's refusals about a private hosted zone's VPCs (api/aws names each by its reason). */
export class HostedZoneVpcError extends ControlError {
  readonly code = 'invalid-value'
  constructor(
    readonly reason: 'public-zone' | 'conflicting-domain' | 'not-associated' | 'last-association' | 'not-private',
    message: string,
  ) {
    super(message)
  }
}

/** Route 53's refusals of a traffic policy document or version (api/aws names each by its reason). */
export class TrafficPolicyError extends ControlError {
  readonly code = 'invalid-value'
  constructor(
    readonly reason: 'invalid-document' | 'conflicting-types',
    message: string,
  ) {
    super(message)
  }
}
