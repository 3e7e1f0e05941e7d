import { AwsError } from '../errors.js'

/** The Classic Load Balancer API (elb): Query protocol, told apart from ELBv2 (2015-12-01) by its Version only. */
export const ELB_CLASSIC_VERSION = '2012-06-01'
export const ELB_CLASSIC_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/'

/** The operations of botocore's elb/2012-06-01 model. */
const CLASSIC_OPERATIONS = new Set([
  'AddTags', 'ApplySecurityGroupsToLoadBalancer', 'AttachLoadBalancerToSubnets', 'ConfigureHealthCheck', 'CreateAppCookieStickinessPolicy',
  'CreateLBCookieStickinessPolicy', 'CreateLoadBalancer', 'CreateLoadBalancerListeners', 'CreateLoadBalancerPolicy', 'DeleteLoadBalancer',
  'DeleteLoadBalancerListeners', 'DeleteLoadBalancerPolicy', 'DeregisterInstancesFromLoadBalancer', 'DescribeAccountLimits', 'DescribeInstanceHealth',
  'DescribeLoadBalancerAttributes', 'DescribeLoadBalancerPolicies', 'DescribeLoadBalancerPolicyTypes', 'DescribeLoadBalancers', 'DescribeTags',
  'DetachLoadBalancerFromSubnets', 'DisableAvailabilityZonesForLoadBalancer', 'EnableAvailabilityZonesForLoadBalancer', 'ModifyLoadBalancerAttributes',
  'RegisterInstancesWithLoadBalancer', 'RemoveTags', 'SetLoadBalancerListenerSSLCertificate', 'SetLoadBalancerPoliciesForBackendServer',
  'SetLoadBalancerPoliciesOfListener',
])

/**
 * openalb does not serve Classic Load Balancers yet: every elb call is refused with AWS's
 * InvalidAction rather than answered as if it were ELBv2 (whose operations share names).
 */
export function classicRefusal(action: string): AwsError {
  if (!CLASSIC_OPERATIONS.has(action)) return new AwsError('InvalidAction', `The action ${action} is not valid for this web service`)
  return new AwsError(
    'InvalidAction',
    `openalb does not implement the Classic Load Balancer API (elb, Version ${ELB_CLASSIC_VERSION}) yet: ${action} is refused. Use Elastic Load Balancing v2 (aws elbv2, Version 2015-12-01) with --type application or network.`,
  )
}
