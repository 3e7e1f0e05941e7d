import {
  CidrConflictError,
  ControlError,
  DuplicateError,
  HostedZoneVpcError,
  TrafficPolicyError,
  DuplicateListenerError,
  InUseError,
  InvalidChangeBatchError,
  InvalidCidrError,
  InvalidSubnetsError,
  InvalidZoneError,
  ReservedNameError,
  RouteExistsError,
  LimitExceededError,
  NotFoundError,
  ValidationFailed,
  type ControlErrorCode,
} from '../../control/errors.js'
import { TemplateVersionNotFound } from '../../control/launch-templates.js'
import { RevocationNotFoundError, TrustContentError } from '../../control/trust-stores.js'
import type { AwsService } from './service.js'
import { awsValidationMessage } from './validation-names.js'

/** An error as the wire shows it: the service model's code, an HTTP status, Sender or Receiver. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Route 53's InvalidChangeBatch carries one message per failed change. */
    readonly messages: readonly string[] = [],
  ) {
    super(message)
  }
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender'
  }
}

export const VALIDATION_CODE: Record<AwsService, string> = {
  elbv2: 'ValidationError',
  elb: 'ValidationError',
  acm: 'ValidationException',
  route53: 'InvalidInput',
  ec2: 'InvalidParameterValue',
  autoscaling: 'ValidationError',
  lambda: 'InvalidParameterValueException',
  sts: 'ValidationError',
  cloudwatch: 'ValidationError',
}

export const invalid = (service: AwsService) => (message: string) => new AwsError(VALIDATION_CODE[service], message)

type WireCode = string | { readonly code: string; readonly status: number }
type CodeTable = Partial<Record<ControlErrorCode, WireCode>> & { readonly [k: string]: WireCode | undefined }

/** Not-found codes per resource kind, for each service. */
const NOT_FOUND: Record<AwsService, Record<string, WireCode>> = {
  elbv2: {
    'target-group': 'TargetGroupNotFound',
    'load-balancer': 'LoadBalancerNotFound',
    listener: 'ListenerNotFound',
    rule: 'RuleNotFound',
    certificate: 'CertificateNotFound',
    'trust-store': 'TrustStoreNotFound',
    'security-group': 'InvalidSecurityGroup',
    instance: 'InvalidTarget',
    subnet: 'SubnetNotFound',
    vpc: 'ValidationError',
  },
  elb: {
    'classic-load-balancer': 'LoadBalancerNotFound',
    'classic-listener': 'ListenerNotFound',
    'classic-policy': 'PolicyNotFound',
    'classic-policy-type': 'PolicyTypeNotFound',
    'classic-attribute': 'LoadBalancerAttributeNotFound',
    certificate: 'CertificateNotFound',
    instance: 'InvalidInstance',
    subnet: 'SubnetNotFound',
    'security-group': 'InvalidSecurityGroup',
  },
  acm: { certificate: 'ResourceNotFoundException' },
  route53: {
    'hosted-zone': { code: 'NoSuchHostedZone', status: 404 },
    'load-balancer': 'InvalidChangeBatch',
    'delegation-set': 'NoSuchDelegationSet',
    'health-check': { code: 'NoSuchHealthCheck', status: 404 },
    'cidr-collection': { code: 'NoSuchCidrCollectionException', status: 404 },
    'cidr-location': { code: 'NoSuchCidrLocationException', status: 404 },
    vpc: 'InvalidVPCId',
    'traffic-policy': { code: 'NoSuchTrafficPolicy', status: 404 },
    'traffic-policy-instance': { code: 'NoSuchTrafficPolicyInstance', status: 404 },
  },
  autoscaling: { 'auto-scaling-group': 'ValidationError', 'launch-configuration': 'ValidationError', 'security-group': 'ValidationError' },
  ec2: {
    'security-group': 'InvalidGroup.NotFound',
    'security-group-rule': 'InvalidSecurityGroupRuleId.NotFound',
    instance: 'InvalidInstanceID.NotFound',
    vpc: 'InvalidVpcID.NotFound',
    subnet: 'InvalidSubnetID.NotFound',
    'internet-gateway': 'InvalidInternetGatewayID.NotFound',
    gateway: 'InvalidGatewayID.NotFound',
    'route-table': 'InvalidRouteTableID.NotFound',
    'route-table-association': 'InvalidAssociationID.NotFound',
    route: 'InvalidRoute.NotFound',
  },
  lambda: { function: { code: 'ResourceNotFoundException', status: 404 } },
  sts: {},
  cloudwatch: { 'metric-alarm': { code: 'ResourceNotFound', status: 404 } },
}

/** What AWS says when a resource of a kind is missing (the default: control/'s own words). */
const NOT_FOUND_MESSAGE: Record<AwsService, Record<string, (ref: string) => string>> = {
  elbv2: {
    'target-group': () => 'One or more target groups not found',
    'load-balancer': () => 'One or more load balancers not found',
    listener: () => 'One or more listeners not found',
    rule: () => 'One or more rules not found',
    certificate: (ref) => `Certificate '${ref}' not found`,
    'trust-store': () => 'One or more trust stores not found',
    subnet: (ref) => `The subnet ID '${ref}' does not exist`,
    vpc: (ref) => `The VPC ID '${ref}' is not found`,
  },
  elb: {
    'classic-load-balancer': (ref) => `There is no ACTIVE Load Balancer named '${ref}'`,
    'classic-listener': () => 'LoadBalancer does not have a listener configured at the given port.',
    'classic-policy': (ref) => `There is no policy with name ${ref} for the load balancer`,
    'classic-policy-type': (ref) => `There is no policy type with name ${ref}`,
    'classic-attribute': (ref) => `The attribute ${ref} does not exist`,
    certificate: (ref) => `Server Certificate not found for the key: ${ref}`,
    instance: (ref) => `Could not find EC2 instance ${ref}.`,
    subnet: (ref) => `The subnet ID '${ref}' does not exist`,
    'security-group': (ref) => `The security group '${ref}' does not exist in the load balancer's VPC`,
  },
  acm: { certificate: (ref) => `Could not find certificate ${ref}.` },
  route53: {
    'hosted-zone': (ref) => `No hosted zone found with ID: ${ref.replace(/^\/?hostedzone\//, '')}`,
    'delegation-set': (ref) => `A reusable delegation set with the specified ID does not exist: ${ref.replace(/^\/?delegationset\//, '')}`,
    'health-check': (ref) => `No health check exists with the ID '${ref}'`,
    'cidr-collection': () => 'The CIDR collection you specified, doesn\'t exist.',
    'cidr-location': () => 'The CIDR collection location doesn\'t match any locations in your account.',
    'traffic-policy': (ref) => `No traffic policy exists with the specified ID: ${ref}`,
    'traffic-policy-instance': (ref) => `No traffic policy instance exists with the specified ID: ${ref}`,
    vpc: (ref) => `The VPC ID that you specified either isn't a valid ID or the current account is not authorized to access this VPC: ${ref}`,
  },
  autoscaling: {
    'auto-scaling-group': (ref) => `AutoScalingGroup name not found - AutoScalingGroup ${ref} not found`,
    'launch-configuration': (ref) => `Launch configuration name not found - Launch configuration ${ref} not found`,
    'security-group': (ref) => `The security group '${ref}' does not exist`,
  },
  ec2: {
    vpc: (ref) => `The vpc ID '${ref}' does not exist`,
    subnet: (ref) => `The subnet ID '${ref}' does not exist`,
    'security-group-rule': (ref) => `The security group rule ID '${ref}' does not exist`,
    instance: (ref) => `The instance ID '${ref}' does not exist`,
    'internet-gateway': (ref) => `The internetGateway ID '${ref}' does not exist`,
    gateway: (ref) => `The gateway ID '${ref}' does not exist`,
    'route-table': (ref) => `The routeTable ID '${ref}' does not exist`,
    'route-table-association': (ref) => `The association ID '${ref}' does not exist`,
    route: (ref) => `no route with destination-cidr-block ${ref}`,
  },
  lambda: { function: (ref) => `Function not found: ${ref}` },
  sts: {},
  cloudwatch: { 'metric-alarm': (ref) => `Alarm ${ref} not found` },
}

const DUPLICATE: Record<AwsService, Record<string, WireCode>> = {
  elbv2: { 'target-group': 'DuplicateTargetGroupName', 'load-balancer': 'DuplicateLoadBalancerName', 'trust-store': 'DuplicateTrustStoreName' },
  elb: { 'classic-load-balancer': 'DuplicateLoadBalancerName', 'classic-policy': 'DuplicatePolicyName' },
  acm: {},
  route53: {
    'hosted-zone': { code: 'HostedZoneAlreadyExists', status: 409 },
    'delegation-set': 'DelegationSetAlreadyCreated',
    'health-check': { code: 'HealthCheckAlreadyExists', status: 409 },
    'cidr-collection': 'CidrCollectionAlreadyExistsException',
    'traffic-policy': { code: 'TrafficPolicyAlreadyExists', status: 409 },
    'traffic-policy-instance': { code: 'TrafficPolicyInstanceAlreadyExists', status: 409 },
  },
  ec2: { 'security-group': 'InvalidGroup.Duplicate', 'security-group-rule': 'InvalidPermission.Duplicate' },
  autoscaling: { 'auto-scaling-group': 'AlreadyExists', 'launch-configuration': 'AlreadyExists' },
  lambda: { function: { code: 'ResourceConflictException', status: 409 } },
  sts: {},
  cloudwatch: {},
}

/** Route 53's quota names -> its codes. */
const ROUTE53_LIMITS: Record<string, string> = {
  MAX_HOSTED_ZONES_BY_OWNER: 'TooManyHostedZones',
  MAX_HEALTH_CHECKS_BY_OWNER: 'TooManyHealthChecks',
  MAX_TRAFFIC_POLICIES_BY_OWNER: 'TooManyTrafficPolicies',
  MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER: 'TooManyTrafficPolicyInstances',
  MAX_TRAFFIC_POLICY_VERSIONS: 'TooManyTrafficPolicyVersionsForCurrentPolicy',
}

/** DescribeAccountLimits names -> ELBv2's TooMany* codes. */
const ELBV2_LIMITS: Record<string, string> = {
  'targets-per-target-group': 'TooManyTargets',
  'listeners-per-application-load-balancer': 'TooManyListeners',
  'rules-per-application-load-balancer': 'TooManyRules',
  'certificates-per-application-load-balancer': 'TooManyCertificates',
  'target-groups': 'TooManyTargetGroups',
  'application-load-balancers': 'TooManyLoadBalancers',
  'network-load-balancers': 'TooManyLoadBalancers',
  'listeners-per-network-load-balancer': 'TooManyListeners',
  tags: 'TooManyTags',
  'load-balancers-per-target-group': 'TargetGroupAssociationLimit',
  'trust-stores': 'TooManyTrustStores',
  'ca-certificates-per-trust-store': 'InvalidCaCertificatesBundle',
  'revocation-entries-per-trust-store': 'TooManyTrustStoreRevocationEntries',
}

/** DescribeAccountLimits names -> Classic's TooMany* codes. */
const ELB_LIMITS: Record<string, string> = {
  'classic-load-balancers': 'TooManyLoadBalancers',
  'classic-policies': 'TooManyPolicies',
  'classic-tags': 'TooManyTags',
}

/** The one table from control/'s error codes to each service's wire codes (STYLE habit 6). */
const BY_CODE: Record<AwsService, CodeTable> = {
  elb: {
    validation: 'ValidationError',
    'duplicate-listener': 'DuplicateListener',
    'unsupported-protocol': 'UnsupportedProtocol',
    'invalid-value': { code: 'InvalidConfigurationRequest', status: 409 },
    'invalid-subnets': { code: 'InvalidConfigurationRequest', status: 409 },
    'operation-not-permitted': 'OperationNotPermitted',
    'in-use': { code: 'InvalidConfigurationRequest', status: 409 },
    'limit-exceeded': { code: 'InvalidConfigurationRequest', status: 409 },
    duplicate: 'ValidationError',
    'not-found': 'ValidationError',
  },
  elbv2: {
    validation: 'ValidationError',
    'in-use': 'ResourceInUse',
    'priority-in-use': 'PriorityInUse',
    'limit-exceeded': 'TooManyTargets',
    'invalid-target': 'InvalidTarget',
    'duplicate-listener': 'DuplicateListener',
    'incompatible-protocols': 'IncompatibleProtocols',
    'operation-not-permitted': 'OperationNotPermitted',
    'invalid-action': 'InvalidLoadBalancerAction',
    'invalid-certificate': 'InvalidConfigurationRequest',
    'ssl-policy-not-found': 'SSLPolicyNotFound',
    'unsupported-protocol': 'UnsupportedProtocol',
    'invalid-subnets': 'InvalidConfigurationRequest',
    'access-denied': { code: 'AccessDenied', status: 403 },
    duplicate: 'ValidationError',
    'not-found': 'ValidationError',
  },
  acm: {
    validation: 'ValidationException',
    'in-use': 'ResourceInUseException',
    'limit-exceeded': 'LimitExceededException',
    'invalid-certificate': 'ValidationException',
    'operation-not-permitted': 'InvalidStateException',
    duplicate: 'InvalidParameterException',
    'not-found': 'ResourceNotFoundException',
  },
  route53: {
    validation: 'InvalidInput',
    'invalid-change-batch': 'InvalidChangeBatch',
    'not-empty': 'HostedZoneNotEmpty',
    'limit-exceeded': 'LimitsExceeded',
    'in-use': 'InvalidInput',
    duplicate: 'InvalidInput',
    'not-found': 'InvalidInput',
  },
  autoscaling: {
    validation: 'ValidationError',
    'invalid-value': 'ValidationError',
    'not-found': 'ValidationError',
    duplicate: 'AlreadyExists',
    'in-use': 'ResourceInUse',
    'activity-in-progress': 'ScalingActivityInProgress',
    'limit-exceeded': 'LimitExceeded',
    'invalid-target': 'ValidationError',
  },
  ec2: {
    validation: 'InvalidParameterValue',
    'in-use': 'DependencyViolation',
    'limit-exceeded': 'RulesPerSecurityGroupLimitExceeded',
    'invalid-target': 'InvalidParameterValue',
    'operation-not-permitted': 'OperationNotPermitted',
    'cidr-conflict': 'InvalidSubnet.Conflict',
    'reserved-name': 'InvalidGroup.Reserved',
    'not-attached': 'Gateway.NotAttached',
    'already-associated': 'Resource.AlreadyAssociated',
    'invalid-value': 'InvalidParameterValue',
    'route-exists': 'RouteAlreadyExists',
    'incorrect-state': 'IncorrectInstanceState',
    'invalid-zone': 'InvalidParameterValue',
    duplicate: 'InvalidGroup.Duplicate',
    'not-found': 'InvalidParameterValue',
  },
  lambda: {
    validation: 'InvalidParameterValueException',
    'invalid-value': 'InvalidParameterValueException',
    'in-use': { code: 'ResourceConflictException', status: 409 },
    duplicate: { code: 'ResourceConflictException', status: 409 },
    'not-found': { code: 'ResourceNotFoundException', status: 404 },
  },
  sts: { validation: 'ValidationError' },
  cloudwatch: {
    validation: 'ValidationError',
    'invalid-value': 'InvalidParameterValue',
    'limit-exceeded': 'LimitExceeded',
    'not-found': { code: 'ResourceNotFound', status: 404 },
  },
}

/** EC2's and ELB's own words for the network errors (the codes come from the tables above). */
function networkError(service: AwsService, e: ControlError): { code?: string; message: string } | undefined {
  if (e instanceof InvalidCidrError) return { code: e.kind === 'vpc' ? 'InvalidVpc.Range' : 'InvalidSubnet.Range', message: `The CIDR '${e.cidr}' is invalid.` }
  if (e instanceof CidrConflictError) return { message: `The CIDR '${e.cidr}' conflicts with another subnet` }
  if (e instanceof InvalidZoneError) {
    return { message: `Value (${e.zone}) for parameter ${e.field} is invalid. Subnets can currently only be created in the following availability zones: ${e.zones.join(', ')}.` }
  }
  if (e instanceof InvalidSubnetsError && service === 'elbv2') {
    if (e.reason === 'too-few-zones') return { code: 'ValidationError', message: e.message }
    if (e.reason === 'several-vpcs') return { code: 'InvalidSubnet', message: e.message }
  }
  const ec2Kinds: Record<string, string> = { vpc: 'vpc', subnet: 'subnet', 'internet-gateway': 'internetGateway', 'route-table': 'routeTable' }
  if (e instanceof InUseError && service === 'ec2' && ec2Kinds[e.kind] !== undefined) {
    return { message: `The ${ec2Kinds[e.kind] ?? e.kind} '${e.ref}' has dependencies and cannot be deleted.` }
  }
  if (e instanceof RouteExistsError) return { message: `The route identified by ${e.destination} already exists.` }
  if (e instanceof ReservedNameError) return { message: "The security group 'default' is reserved" }
  return undefined
}

/** EC2's words for launch templates (by id or by name), and Auto Scaling's when a group names one. */
function launchTemplateError(service: AwsService, e: ControlError): AwsError | undefined {
  if (e instanceof TemplateVersionNotFound) {
    const text = `Could not find specified version ${e.version} for launch template with ID ${e.templateId}.`
    return service === 'ec2' ? new AwsError('InvalidLaunchTemplateId.VersionNotFound', text) : new AwsError('ValidationError', `You must use a valid fully-formed launch template. ${text}`)
  }
  if (e instanceof NotFoundError && e.kind === 'launch-template') {
    const byId = e.ref.startsWith('lt-')
    const text = byId ? `The specified launch template, with template ID ${e.ref}, does not exist.` : `The specified launch template, with template name ${e.ref}, does not exist.`
    if (service === 'ec2') return new AwsError(byId ? 'InvalidLaunchTemplateId.NotFound' : 'InvalidLaunchTemplateName.NotFoundException', text)
    return new AwsError('ValidationError', `You must use a valid fully-formed launch template. ${text}`)
  }
  if (service === 'autoscaling' && e instanceof DuplicateError && e.kind === 'auto-scaling-group') return new AwsError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${e.resourceName} already exists`)
  if (service === 'autoscaling' && e instanceof DuplicateError && e.kind === 'launch-configuration') return new AwsError('AlreadyExists', `Launch Configuration by this name already exists - A launch configuration already exists with the name ${e.resourceName}`)
  if (service === 'autoscaling' && e instanceof InUseError && e.kind === 'auto-scaling-group') return new AwsError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.')
  if (service === 'autoscaling' && e instanceof InUseError && e.kind === 'launch-configuration') return new AwsError('ResourceInUse', `Cannot delete launch configuration ${e.ref} because it is attached to AutoScalingGroup ${e.usedBy.replace(/^Auto Scaling group '(.*)'$/, '$1')}`)
  if (e instanceof DuplicateError && e.kind === 'launch-template') return new AwsError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`)
  return undefined
}

const TRUST_CONTENT_CODES: Record<TrustContentError['reason'], string> = {
  'bundle-invalid': 'InvalidCaCertificatesBundle',
  'bundle-missing': 'CaCertificatesBundleNotFound',
  'crl-invalid': 'InvalidRevocationContent',
  'crl-missing': 'RevocationContentNotFound',
}

/** ELBv2's trust store codes: content refused or missing, a revocation id not found, a store in use. */
function trustStoreError(service: AwsService, e: ControlError): AwsError | undefined {
  if (service !== 'elbv2') return undefined
  if (e instanceof TrustContentError) return new AwsError(TRUST_CONTENT_CODES[e.reason], e.message)
  if (e instanceof RevocationNotFoundError) return new AwsError('RevocationIdNotFound', e.message)
  if (e instanceof InUseError && e.kind === 'trust-store') return new AwsError('TrustStoreInUse', `Trust store '${e.ref}' is currently in use by ${e.usedBy}`)
  return undefined
}

/** Route 53's codes for refusals about a private zone's VPCs. */
const ZONE_VPC_CODES: Record<HostedZoneVpcError['reason'], WireCode> = {
  'public-zone': 'PublicZoneVPCAssociation',
  'conflicting-domain': 'ConflictingDomainExists',
  'not-associated': { code: 'VPCAssociationNotFound', status: 404 },
  'last-association': 'LastVPCAssociation',
  'not-private': 'HostedZoneNotPrivate',
}

/** Route 53's words for a CIDR collection taken, or a collection or block still in use (with what uses it). */
function route53Refusal(service: AwsService, e: ControlError): AwsError | undefined {
  if (service !== 'route53') return undefined
  if (e instanceof TrafficPolicyError) return new AwsError(e.reason === 'invalid-document' ? 'InvalidTrafficPolicyDocument' : 'ConflictingTypes', e.message)
  if (e instanceof InUseError && e.kind === 'traffic-policy') return new AwsError('TrafficPolicyInUse', `One or more traffic policy instances were created by using the specified traffic policy: ${e.usedBy}.`)
  if (e instanceof HostedZoneVpcError) {
    const { code, status } = wire(ZONE_VPC_CODES[e.reason])
    return new AwsError(code, e.message, status)
  }
  if (e instanceof DuplicateError && e.kind === 'cidr-collection') return new AwsError('CidrCollectionAlreadyExistsException', 'A CIDR collection with this name and a different caller reference already exists in this account.')
  if (!(e instanceof InUseError)) return undefined
  if (e.kind === 'cidr-collection') return new AwsError('CidrCollectionInUseException', `This CIDR collection is in use, and isn't empty: ${e.usedBy} (${e.ref}).`)
  if (e.kind === 'cidr-block') return new AwsError('CidrBlockInUseException', `This CIDR block is already in use: ${e.ref} by ${e.usedBy}.`)
  return undefined
}

/** Classic's own words for a duplicate balancer, listener or policy. */
function classicError(service: AwsService, e: ControlError): { code?: string; message: string } | undefined {
  if (service !== 'elb') return undefined
  if (e instanceof DuplicateError && e.kind === 'classic-load-balancer') return { message: `Load Balancer named '${e.resourceName}' already exists and it is configured with different parameters.` }
  if (e instanceof DuplicateError && e.kind === 'classic-policy') return { message: `Policy name '${e.resourceName}' already exists for this load balancer` }
  if (e instanceof DuplicateListenerError) {
    return { message: `A listener already exists for ${e.loadBalancer ?? 'the load balancer'} with LoadBalancerPort ${e.port}, but with a different InstancePort, Protocol, or SSLCertificateId` }
  }
  if (e instanceof InvalidSubnetsError && e.reason === 'several-vpcs') return { code: 'InvalidSubnet', message: e.message }
  return undefined
}

function wire(w: WireCode): { code: string; status: number } {
  return typeof w === 'string' ? { code: w, status: 400 } : w
}

/**
 * Translates anything a handler threw into the service's error. Unexpected errors become
 * InternalFailure (500) whose message stays inside: the caller logs the original.
 */
export function toAwsError(service: AwsService, e: unknown): { error: AwsError; unexpected: boolean } {
  if (e instanceof AwsError) return { error: e, unexpected: false }
  if (e instanceof ControlError && e.code === 'unavailable') return { error: new AwsError('ServiceUnavailable', e.message, 503), unexpected: false }
  if (e instanceof ControlError) {
    let w: WireCode | undefined
    if (e instanceof NotFoundError) w = NOT_FOUND[service][e.kind]
    else if (e instanceof DuplicateError) w = DUPLICATE[service][e.kind]
    else if (e instanceof LimitExceededError && service === 'elbv2') w = ELBV2_LIMITS[e.limit]
    else if (e instanceof LimitExceededError && service === 'elb') w = ELB_LIMITS[e.limit]
    else if (e instanceof LimitExceededError && service === 'route53') w = ROUTE53_LIMITS[e.limit] ?? 'LimitsExceeded'
    else if (e instanceof InUseError && service === 'route53' && e.kind === 'delegation-set') w = 'DelegationSetInUse'
    else if (e instanceof InUseError && service === 'route53' && e.kind === 'health-check') w = 'HealthCheckInUse'
    const cidr = route53Refusal(service, e)
    if (cidr) return { error: cidr, unexpected: false }
    const trust = trustStoreError(service, e)
    if (trust) return { error: trust, unexpected: false }
    if (e instanceof LimitExceededError && service === 'cloudwatch') return { error: new AwsError('LimitExceeded', 'The quota for alarms for this customer has already been reached.'), unexpected: false }
    const template = launchTemplateError(service, e)
    if (template) return { error: template, unexpected: false }
    w ??= BY_CODE[service][e.code] ?? VALIDATION_CODE[service]
    const { code, status } = wire(w)
    const messages = e instanceof InvalidChangeBatchError ? e.messages : []
    const notFound = e instanceof NotFoundError ? NOT_FOUND_MESSAGE[service][e.kind]?.(e.ref) : undefined
    const net = networkError(service, e) ?? classicError(service, e)
    const message = net?.message ?? (e instanceof ValidationFailed ? awsValidationMessage(service, e) : (notFound ?? e.message))
    return { error: new AwsError(net?.code ?? code, message, status, messages), unexpected: false }
  }
  return { error: new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500), unexpected: true }
}
