import type { AcmeAccount } from './acme.js'
import type { Certificate } from './certificate.js'
import type { ClassicLoadBalancer } from './classic-load-balancer.js'
import type { HealthCheck } from './health-check.js'
import type { DelegationSet, HostedZone, RecordSet } from './hosted-zone.js'
import type { CidrCollection } from './cidr-collection.js'
import type { TrafficPolicy, TrafficPolicyInstance } from './traffic-policy.js'
import type { Instance } from './instance.js'
import type { LambdaFunction } from './function.js'
import type { Listener } from './listener.js'
import type { TrustStore } from './trust-store.js'
import type { LoadBalancer } from './load-balancer.js'
import type { Rule } from './rule.js'
import type { SecurityGroup } from './security-group.js'
import type { TargetGroup } from './target-group.js'
import type { Subnet, Vpc } from './vpc.js'
import type { InternetGateway } from './internet-gateway.js'
import type { RouteTable } from './route-table.js'
import type { AlarmHistoryItem, MetricAlarm } from './metric-alarm.js'
import type { AutoScalingGroup, LaunchConfiguration, LaunchTemplate, ScalingActivity, ScalingPolicy, ScheduledAction } from './autoscaling.js'

export interface ResourceByKind {
  vpc: Vpc
  subnet: Subnet
  'internet-gateway': InternetGateway
  'route-table': RouteTable
  'security-group': SecurityGroup
  instance: Instance
  function: LambdaFunction
  certificate: Certificate
  /** ELBv2 trust stores (mutual TLS): through the API or a file's trustStores. */
  'trust-store': TrustStore
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
  /** Route 53 CIDR collections (IP-based routing), made through the API only: not in KINDS. */
  'cidr-collection': CidrCollection
  /** Route 53 traffic policies and their instances, made through the API only: not in KINDS. */
  'traffic-policy': TrafficPolicy
  'traffic-policy-instance': TrafficPolicyInstance
  /** Route 53 health checks, made through the API only: not in KINDS. */
  'health-check': HealthCheck
  /** Classic Load Balancers: the elb API or a file's `type: classic` balancers (one resource holds listeners, instances and health check). */
  'classic-load-balancer': ClassicLoadBalancer
  /** EC2 launch templates and Auto Scaling groups: in a file or made through the API. */
  'launch-template': LaunchTemplate
  'auto-scaling-group': AutoScalingGroup
  /** Launch configurations, activities and policies: through the API (policies also inside a file's group); not in KINDS. */
  'launch-configuration': LaunchConfiguration
  'scaling-activity': ScalingActivity
  'scaling-policy': ScalingPolicy
  'scheduled-action': ScheduledAction
  /** CloudWatch alarms (API or a file's alarms) and their history (API only; not in KINDS). */
  'metric-alarm': MetricAlarm
  'alarm-history': AlarmHistoryItem
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
  'launch-template',
  'function',
  'certificate',
  'trust-store',
  'target-group',
  'load-balancer',
  'listener',
  'rule',
  'classic-load-balancer',
  'auto-scaling-group',
  'metric-alarm',
  'hosted-zone',
  'record-set',
]

/** The key a resource is stored under: its ARN or id. */
export function resourceKey(r: Resource): string {
  return 'arn' in r ? r.arn : r.id
}
