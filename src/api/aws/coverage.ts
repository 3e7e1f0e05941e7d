import { ACM_OPERATIONS } from './acm/operations.js'
import { AUTOSCALING_OPERATIONS } from './autoscaling/operations.js'
import { CLOUDWATCH_OPERATIONS } from './cloudwatch/operations.js'
import { EC2_OPERATIONS } from './ec2/operations.js'
import { ELB_OPERATIONS } from './elb/classic.js'
import { ELBV2_OPERATIONS } from './elbv2/operations.js'
import type { AwsService } from './service.js'
import { ROUTE53_OPERATIONS } from './route53/routes.js'
import { LAMBDA_OPERATIONS } from './lambda/routes.js'
import { STS_OPERATIONS } from './sts/operations.js'

export interface OperationCoverage {
  readonly status: 'supported' | 'partial'
  /** What a partial operation leaves out. */
  readonly note?: string
}

/** Where openalb differs from AWS in an operation it answers; scripts/gen-aws-api-table.mjs prints these. */
const PARTIAL: Record<AwsService, Record<string, string>> = {
  elb: {
    CreateLoadBalancer: 'VPC balancers (AvailabilityZones pick the default VPC\'s subnets); listeners bind 127.0.0.1; HTTPS and SSL listeners use ELBSecurityPolicy-2016-08',
    DescribeInstanceHealth: 'this node\'s own health checks',
    ModifyLoadBalancerAttributes: 'AccessLog: S3BucketName is a file path (or -), EmitInterval 60 only, no S3BucketPrefix; AdditionalAttributes: elb.http.desyncmitigationmode only',
    DescribeLoadBalancerPolicies: 'the balancer\'s stickiness policies; no sample SSL negotiation policies',
    DescribeLoadBalancerPolicyTypes: 'LBCookieStickinessPolicyType, AppCookieStickinessPolicyType and SSLNegotiationPolicyType (Reference-Security-Policy) only',
    CreateLoadBalancerPolicy: 'SSLNegotiationPolicyType with Reference-Security-Policy naming a predefined policy openalb serves; custom protocols and ciphers, proxy protocol and back-end authentication policies refused',
    AddTags: 'at most 10 tags per balancer (the API reference\'s limit)',
  },
  elbv2: {
    CreateLoadBalancer: 'application and network types (no gateway); no Elastic IPs or private addresses in SubnetMappings; subnets default to the default VPC\'s subnet-a and subnet-b; subnets must exist, one per zone, in one VPC',
    CreateTargetGroup: 'target types instance, ip and lambda (no alb); IPv4 only; health checks are always enabled for instance and ip groups (lambda groups: off by default, on they invoke the function)',
    CreateListener: 'mutual TLS off, passthrough and verify (verify checks the client certificate right after the handshake and closes the connection when it fails); default actions as those of CreateRule (authenticate-oidc on HTTPS listeners only); AlpnPolicy for TLS listeners only; network balancers: TCP, TLS, UDP and TCP_UDP listeners',
    ModifyListener: 'as CreateListener',
    CreateTrustStore: 'the bundle is read from the --s3-dir directory (DIR/BUCKET/KEY); no S3ObjectVersion',
    ModifyTrustStore: 'as CreateTrustStore',
    AddTrustStoreRevocations: 'CRLs read from the --s3-dir directory, signed by a CA of the trust store; no S3ObjectVersion',
    GetTrustStoreCaCertificatesBundle: 'the Location is a URL on openalb\'s control endpoint (not presigned S3)',
    GetTrustStoreRevocationContent: 'as GetTrustStoreCaCertificatesBundle',
    DeleteSharedTrustStoreAssociation: 'no sharing: always DeleteAssociationSameAccount (or TrustStoreNotFound)',
    GetResourcePolicy: 'no sharing: always ResourceNotFound',
    CreateRule: 'forward, redirect, fixed-response and authenticate-oidc actions (docs/http.md "Sign-in at the balancer"; no authenticate-cognito: openalb has no Cognito; no jwt-validation); host-header-rewrite and url-rewrite transforms',
    ModifyRule: 'as CreateRule',
    ModifyLoadBalancerAttributes: 'attributes openalb does not implement (connection and health check logs, WAF fail-open, zonal shift, the TLS and client-port headers, ipv6.deny_all_igw_traffic) are accepted only at AWS\'s defaults, else InvalidConfigurationRequest names the key; a key the balancer type lacks is AWS\'s `Key KEY not valid`',
    ModifyTargetGroupAttributes: 'as ModifyLoadBalancerAttributes: anomaly mitigation, the target_group_health thresholds, NLB\'s preserve_client_ip.enabled and unhealthy-target draining only at AWS\'s defaults',
    ModifyListenerAttributes: 'the response headers, routing.http.response.server.enabled, the mTLS header names and NLB\'s tcp.idle_timeout.seconds, applied by the data plane (docs/http.md); the TLS version and cipher header names only at ALB\'s defaults (openalb sends neither header)',
    DescribeTargetHealth: 'no anomaly detection or administrative override; Include is ignored',
  },
  acm: {
    RequestCertificate: 'issued by openalb\'s CA (or ACME) with EC_prime256v1 keys whatever KeyAlgorithm asks; no private CAs; DNS validation succeeds when the CNAME is in a zone openalb serves',
    ListCertificates: 'filters by status and key type; without a keyTypes filter every key type is listed (ACM lists RSA_2048 only)',
    PutAccountConfiguration: 'DaysBeforeExpiry stays 45',
    RevokeCertificate: 'the certificate is REVOKED and never served again; openalb\'s CA publishes no CRL or OCSP answer',
    ResendValidationEmail: 'no mail is sent: email validation is not emulated (an EMAIL certificate from openalb\'s CA is issued at once)',
  },
  route53: {
    TestDNSAnswer: 'answered by openalb\'s own DNS server as a query from ResolverIP with EDNS0ClientSubnetIP/Mask would be (without ResolverIP: from no known address, so IP-based routing answers its default location)',
    CreateTrafficPolicy: 'failover, weighted and multivalue rules over value and load balancer endpoints (openalb\'s balancers by DNS name); geo, latency and geoproximity rules and CloudFront, S3 and Elastic Beanstalk endpoints are refused (InvalidTrafficPolicyDocument)',
    CreateTrafficPolicyVersion: 'as CreateTrafficPolicy',
    CreateHealthCheck: 'HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP and CALCULATED, performed by the node asked (no CloudWatch alarms, recovery controls or regions)',
    UpdateHealthCheck: 'as CreateHealthCheck',
    CreateHostedZone: 'one public zone a name; private zones (VPC) are answered by openalb\'s DNS only to queries from their VPCs (an instance\'s address or the VPC\'s CIDR block)',
    GetCheckerIpRanges: 'the addresses openalb\'s checks leave from: this node\'s interfaces and the live fleet nodes, as /32 and /128',
    ChangeResourceRecordSets: 'simple, weighted, failover, multivalue, geolocation (clients placed by `openalb up --geo-table`) and IP-based (CidrRoutingConfig) routing (HealthCheckId and EvaluateTargetHealth decide); no latency or geoproximity routing; DELETE matches name, type and set identifier',
    ListGeoLocations: 'continents, ISO 3166-1 countries and US states, with ISO 3166\'s English names (a few of Route 53\'s names may be spelt otherwise; no other countries\' subdivisions)',
    GetGeoLocation: 'as ListGeoLocations',
  },
  ec2: {
    AuthorizeSecurityGroupIngress: 'no prefix lists; one description per rule',
    RevokeSecurityGroupIngress: 'no prefix lists',
    AuthorizeSecurityGroupEgress: 'kept and described (rule ids, tags); openalb does not filter what leaves',
    RevokeSecurityGroupEgress: 'as AuthorizeSecurityGroupEgress',
    DescribeSecurityGroupRules: 'filters group-id, security-group-rule-id, tag:KEY, tag-key, tag-value',
    ModifySecurityGroupRules: 'no prefix lists; the rule keeps its id, tags and direction',
    CreateSecurityGroup: 'names are unique per VPC; `default` is each VPC\'s own group',
    DescribeSecurityGroups: 'filters group-id, group-name, vpc-id, description, tag:KEY and tag-key',
    CreateTags: 'security groups and their rules, VPCs, subnets, internet gateways, route tables, instances; the default VPC\'s own resources are fixed',
    DeleteTags: 'as CreateTags',
    DescribeTags: 'filters resource-id, resource-type, key, value, tag:KEY',
    DescribeAccountAttributes: 'a VPC-only account: supported-platforms VPC, default-vpc, AWS\'s default quotas',
    DescribeNetworkInterfaces: 'each instance\'s primary interface and each balancer\'s interface per subnet (requester-managed by ELB), derived from them; no interfaces of your own',
    DeleteNetworkInterface: 'every interface is attached to its instance or balancer, so this is always refused (in use), as EC2 refuses it',
    DetachNetworkInterface: 'refused as EC2 refuses it for a primary interface (device 0) and ELB\'s',
    ModifyNetworkInterfaceAttribute: 'an instance interface\'s groups (the instance\'s); SourceDestCheck only true; a balancer\'s interfaces are ELB\'s',
    DescribeNetworkAcls: 'each VPC\'s default ACL, allow-all (described, not enforced); no custom ACLs',
    CreateInternetGateway: 'stored and described; nothing is routed through it',
    AttachInternetGateway: 'stored; the default VPC\'s gateway is fixed',
    DetachInternetGateway: 'refused while a route uses the gateway',
    CreateRouteTable: 'stored and described; openalb does not route by route tables',
    CreateRoute: 'internet gateway routes only (no NAT, transit, peering, instance or IPv6 routes)',
    ReplaceRoute: 'as CreateRoute',
    AssociateRouteTable: 'subnet associations only (no gateway associations)',
    RunInstances: 'ImageId and InstanceType are labels (types of docs/ec2.md\'s table); each instance gets an address of 127.100.0.0/16 and runs its #! user data as a local process only with `openalb up --run-user-data` (refused otherwise); only ImageId, InstanceType, Min/MaxCount, SubnetId, SecurityGroupId(s) (or the primary NetworkInterface.1 with them), UserData, TagSpecifications, ClientToken (idempotent), DisableApiTermination/Stop and Placement.AvailabilityZone (Monitoring, EbsOptimized, HibernationOptions, CreditSpecification at their defaults); anything else (KeyName, a second network interface, ...) is refused by name; at most 20 live instances',
    DescribeInstances: 'filters instance-id, instance-state-name/-code, instance-type, image-id, subnet-id, vpc-id, availability-zone, private-ip-address, private-dns-name, reservation-id, instance.group-id/-name, owner-id, tag:KEY, tag-key, tag-value',
    DescribeInstanceStatus: 'instance reachability from the instance\'s process (failed once it exits); system status is ok while running',
    StopInstances: 'SIGTERM to the process group, SIGKILL after 5 s; no hibernation',
    RebootInstances: 'restarts the instance\'s process',
    GetConsoleOutput: 'the process\'s output and openalb\'s lines about it, the last 64 KB',
    DescribeInstanceAttribute: 'no kernels, ramdisks, block devices or product codes; enaSupport is refused as on EC2',
    ModifyInstanceAttribute: 'InstanceType and UserData (stopped instances), DisableApiTermination, DisableApiStop and GroupId act; SourceDestCheck, InstanceInitiatedShutdownBehavior, EbsOptimized and EnaSupport only at their values here; the rest is refused by name',
    DescribeInstanceTypes: 'the table of docs/ec2.md (t2, t3, t3a, m5, m6i, c5, c6i, r5, m1), x86_64',
    DescribeInstanceCreditSpecifications: 'a T instance\'s type default (openalb meters no CPU credits)',
    DescribeImages: 'a catalogue of Amazon Linux, Ubuntu and Debian images and the labels your instances and launch templates use',
    CreateVpc: 'IPv4 only (no Amazon-provided IPv6 or IPAM pools); the VPC is stored: routing and DNS do not depend on it',
    DeleteVpc: 'the default VPC is fixed and cannot be deleted',
    DescribeVpcs: 'filters vpc-id, cidr, cidr-block-association.*, dhcp-options-id, is-default, owner-id, state, instance-tenancy, tag:KEY, tag-key, tag-value',
    ModifyVpcAttribute: 'stored; the default VPC is fixed',
    CreateDefaultVpc: 'the default VPC always exists: DefaultVpcAlreadyExists',
    CreateSubnet: 'IPv4 only (no IPv6, Outposts or IPAM pools)',
    DeleteSubnet: 'the default subnets are fixed and cannot be deleted',
    DescribeSubnets: 'filters vpc-id, subnet-id, subnet-arn, availability-zone(-id), available-ip-address-count, default-for-az, map-public-ip-on-launch, state, cidr-block, owner-id, tag:KEY, tag-key, tag-value',
    ModifySubnetAttribute: 'MapPublicIpOnLaunch only (stored); the default subnets are fixed',
    DescribeAvailabilityZones: 'three zones (a, b, c) in every region',
    DescribeRegions: 'the commercial regions, all opted in',
    CreateLaunchTemplate: 'LaunchTemplateData: ImageId and InstanceType (labels), SecurityGroupIds/SecurityGroups, UserData and instance TagSpecifications; every other field is refused by name',
    CreateLaunchTemplateVersion: 'as CreateLaunchTemplate; SourceVersion fills what the new version leaves out',
    DescribeLaunchTemplates: 'filters launch-template-name, create-time, tag:KEY, tag-key, tag-value',
    DescribeLaunchTemplateVersions: 'filters is-default-version, image-id, instance-type, create-time',
    DeleteLaunchTemplate: 'refused while an Auto Scaling group uses the template (EC2 deletes it and the group\'s launches fail)',
    ModifyLaunchTemplate: 'SetDefaultVersion only',
  },
  autoscaling: {
    CreateAutoScalingGroup: 'launch templates or launch configurations (no mixed instances policies, warm pools or instance refresh); VPCZoneIdentifier or AvailabilityZones (default subnets); target groups (TargetGroupARNs or elbv2 TrafficSources) and Classic load balancers (LoadBalancerNames or elb TrafficSources); HealthCheckType EC2 or ELB; the Default termination policy only; every other parameter is refused by name',
    UpdateAutoScalingGroup: 'as CreateAutoScalingGroup (target groups and Classic load balancers change through the Attach/Detach calls, as on AWS)',
    DescribeLoadBalancers: 'State Adding, Added or InService (ELB health checks and an instance passed the balancer\'s check); no Removing/Removed: a detached balancer is gone from the list at once',
    DescribeAutoScalingGroups: 'filters tag:KEY, tag-key and tag-value',
    CreateLaunchConfiguration: 'ImageId and InstanceType (labels), SecurityGroups and UserData; no InstanceId, key pairs, block devices or IAM profiles (refused by name)',
    DescribeScalingActivities: 'the newest 100 activities of each group; deleted groups\' activities go with them',
    AttachTrafficSources: 'elbv2 target groups and elb Classic load balancers (no VPC Lattice)',
    DetachTrafficSources: 'as AttachTrafficSources',
    DescribeTrafficSources: 'as AttachTrafficSources',
    SuspendProcesses: 'Launch, Terminate, HealthCheck, ReplaceUnhealthy, AddToLoadBalancer, AZRebalance and AlarmNotification (target tracking) act; ScheduledActions act too; InstanceRefresh is kept and shown (openalb has no instance refresh to stop)',
    PutScalingPolicy: 'TargetTrackingScaling on the predefined metrics ALBRequestCountPerTarget and ASGAverageCPUUtilization, evaluated by openalb (no customized metrics, no predictive scaling); SimpleScaling and StepScaling run when a CloudWatch alarm names them (AlarmActions, OKActions) or through ExecutePolicy',
    ExecutePolicy: 'SimpleScaling and StepScaling policies',
    PutScheduledUpdateGroupAction: 'five-field cron recurrences in UTC (TimeZone UTC only), or a one-time StartTime; checked every group pass',
    PutLifecycleHook: 'no notification targets: a waiting instance is found with DescribeAutoScalingInstances (Pending:Wait, Terminating:Wait) and completed by InstanceId',
  },
  cloudwatch: {
    PutMetricAlarm: 'static thresholds on the metrics openalb publishes (AWS/ApplicationELB request, response and host-count metrics by LoadBalancer and TargetGroup; AWS/EC2 CPUUtilization by InstanceId and AutoScalingGroupName); Period a multiple of 60; actions are Auto Scaling policy ARNs only (SNS, EC2 and Systems Manager actions refused); no metric math, percentiles or anomaly bands',
    DescribeAlarms: 'metric alarms only (openalb has no composite alarms)',
    DescribeAlarmHistory: 'the newest 100 items per alarm',
    ListMetrics: 'the metrics this node has datapoints of (kept in memory: a day of metric periods)',
    GetMetricStatistics: 'no ExtendedStatistics; Period a multiple of 60; TargetResponseTime has SampleCount, Average and Sum',
    GetMetricData: 'MetricStat queries only (no Expression)',
    TagResource: 'metric alarms (openalb has no dashboards, insight rules or metric streams)',
    UntagResource: 'as TagResource',
    ListTagsForResource: 'as TagResource',
  },
  lambda: {
    CreateFunction: 'Node.js (nodejs18.x, nodejs20.x, nodejs22.x) and Python (python3.9-3.13) runtimes, run with this machine\'s node and python3 and only with `openalb up --run-user-data`; Code.ZipFile only (S3 and images refused by name); Role is a label; no VPC, layers, file systems, KMS, X-Ray, SnapStart or published versions (refused by name)',
    UpdateFunctionCode: 'ZipFile only; no Publish or DryRun',
    UpdateFunctionConfiguration: 'as CreateFunction',
    Invoke: 'RequestResponse, Event (queued, no retries) and DryRun; $LATEST only; LogType Tail returns the last 4 KB of what the invocation wrote to the function\'s log',
    GetFunction: 'Code has no download Location',
    ListFunctions: '$LATEST only (FunctionVersion ALL refused)',
    AddPermission: 'statements are kept; RegisterTargets of a lambda group needs one for elasticloadbalancing.amazonaws.com (SourceArn matched as ArnLike); openalb\'s API itself has no IAM',
    GetFunctionConcurrency: 'without reserved concurrency a function runs up to 10 processes at once on a node',
  },
  sts: {
    GetCallerIdentity: 'openalb has no IAM: every access key is the account root\'s (arn:aws:iam::ACCOUNT:root)',
  },
}

const ANSWERED: Record<AwsService, readonly string[]> = {
  elb: Object.keys(ELB_OPERATIONS),
  elbv2: Object.keys(ELBV2_OPERATIONS),
  acm: Object.keys(ACM_OPERATIONS),
  route53: ROUTE53_OPERATIONS,
  ec2: Object.keys(EC2_OPERATIONS),
  autoscaling: Object.keys(AUTOSCALING_OPERATIONS),
  lambda: LAMBDA_OPERATIONS,
  sts: Object.keys(STS_OPERATIONS),
  cloudwatch: Object.keys(CLOUDWATCH_OPERATIONS),
}

/** The operations openalb answers per service, supported or partial; every other one is not supported. */
export function awsApiCoverage(): Record<AwsService, Record<string, OperationCoverage>> {
  const out = {} as Record<AwsService, Record<string, OperationCoverage>>
  for (const service of Object.keys(ANSWERED) as AwsService[]) {
    const ops: Record<string, OperationCoverage> = {}
    for (const op of ANSWERED[service]) {
      const note = PARTIAL[service][op]
      ops[op] = note ? { status: 'partial', note } : { status: 'supported' }
    }
    out[service] = ops
  }
  return out
}
