import type { AcmeAccount } from './acme.js'
import type { Certificate } from './certificate.js'
import type { HealthCheck } from './health-check.js'
import type { DelegationSet, HostedZone, RecordSet } from './hosted-zone.js'
import type { Instance } from './instance.js'
import type { LambdaFunction } from './function.js'
import type { Listener } from './listener.js'
import type { LoadBalancer } from './load-balancer.js'
import type { Rule } from './rule.js'
import type { SecurityGroup } from './security-group.js'
import type { TargetGroup } from './target-group.js'
import type { Subnet, Vpc } from './vpc.js'
import type { InternetGateway } from './internet-gateway.js'
import type { RouteTable } from './route-table.js'
import type { AutoScalingGroup, LaunchConfiguration, LaunchTemplate, ScalingActivity, ScalingPolicy } from './autoscaling.js'

export interface ResourceByKind {
  vpc: Vpc
  subnet: Subnet
  'internet-gateway': InternetGateway
  'route-table': RouteTable
  'security-group': SecurityGroup
  instance: Instance
  function: LambdaFunction
  certificate: Certificate
  'target-group': TargetGroup
  'load-balancer': LoadBalancer
  listener: Listener
  rule: Rule
  'hosted-zone': HostedZone
  'record-set': RecordSet
  /** openalb's own state, never in a config file: not in KINDS, so apply neither plans nor prunes it. */
  'acme-account': AcmeAccount
  /** Made through the Route 53 API only: not in KINDS either. */
  'delegation-set': DelegationSet
  /** Route 53 health checks, made through the API only: not in KINDS. */
  'health-check': HealthCheck
  /** EC2 launch templates and Auto Scaling's launch configurations, groups and activities: made through the API (not in KINDS). */
  'launch-template': LaunchTemplate
  'launch-configuration': LaunchConfiguration
  'auto-scaling-group': AutoScalingGroup
  'scaling-activity': ScalingActivity
  'scaling-policy': ScalingPolicy
}
export type Kind = keyof ResourceByKind
export type Resource = ResourceByKind[Kind]

/** In dependency order: a kind only refers to kinds before it. Deletes run in reverse. */
export const KINDS: readonly Kind[] = [
  'vpc',
  'subnet',
  'internet-gateway',
  'route-table',
  'security-group',
  'instance',
  'function',
  'certificate',
  'target-group',
  'load-balancer',
  'listener',
  'rule',
  'hosted-zone',
  'record-set',
]

/** The key a resource is stored under: its ARN or id. */
export function resourceKey(r: Resource): string {
  return 'arn' in r ? r.arn : r.id
}
