import type { Control } from '../../control/control.js'
import type { ChangeIds } from './route53/change-ids.js'
import type { InvocationType, InvokeOutcome } from '../../model/function.js'
import type { Instance } from '../../model/instance.js'
import type { Datapoint, MetricId } from '../../model/metric-alarm.js'
import type { Params } from './protocol/params.js'

/** One target's live state, as the health checker knows it (runtime/ implements the lookup). */
export interface TargetHealthDescription {
  readonly targetId: string
  readonly port: number
  readonly availabilityZone?: string | undefined
  /** The port checked: the target's own, or the group's fixed health check port. */
  readonly healthCheckPort?: string | undefined
  /** initial, healthy, unhealthy, unused, draining, unavailable. */
  readonly state: string
  /** ALB reason codes: Elb.InitialHealthChecking, Target.FailedHealthChecks, ... */
  readonly reason?: string | undefined
  readonly description?: string | undefined
}

/** An ALB security policy for DescribeSSLPolicies; main passes dataplane/tls's list. */
export interface SslPolicyDescription {
  readonly name: string
  readonly sslProtocols: readonly string[]
  readonly ciphers: readonly { readonly name: string; readonly priority: number }[]
  readonly supportedLoadBalancerTypes?: readonly string[]
}

/** The part of a pino logger the API uses. */
export interface AwsApiLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** What the EC2 API needs from whoever runs instances (compute's supervisor; main wires it). */
export interface InstanceRuntime {
  /** Whether user data and commands run (`openalb up --run-user-data`). */
  readonly runsUserData: boolean
  /** The instance's own status check, as DescribeInstanceStatus shows it. */
  check(instance: Instance): { readonly status: string; readonly reachability: string; readonly impairedSince?: string | undefined }
  /** The most recent console output (64 KB at most), or undefined when there is none. */
  consoleOutput(instanceId: string): Buffer | undefined
}

/** What the Lambda API needs from whoever runs functions (compute's runner; main wires it). */
export interface FunctionRuntimeApi {
  /** Whether functions run (`openalb up --run-user-data`); without it CreateFunction and UpdateFunctionCode are refused. */
  readonly runsCode: boolean
  /** Unpacks a deployment package into the data directory; a package Lambda would refuse is not ok, with Lambda's message. */
  storeZip(zip: Buffer): { readonly ok: true; readonly sha256: string; readonly size: number } | { readonly ok: false; readonly message: string }
  /** The outcome carries the log lines the invocation wrote (Invoke's LogType Tail). */
  invoke(ref: string, event: string, type: InvocationType): Promise<InvokeOutcome>
}

/** What openalb's own DNS server answers for a name and type (Route 53's TestDNSAnswer). */
export interface DnsTestAnswer {
  /** NOERROR, NXDOMAIN, REFUSED, ... */
  readonly rcode: string
  /** Each answer record's data in zone-file text. */
  readonly data: readonly string[]
}

/** What this node's Route 53 checker knows of a health check. */
export interface Route53CheckView {
  readonly healthy: boolean | undefined
  readonly last?: { readonly status: string; readonly checkedAt: string } | undefined
  readonly lastFailure?: { readonly status: string; readonly checkedAt: string } | undefined
}

/** What CloudWatch's metric operations read: this node's datapoints (monitoring's MetricStore; main wires it). */
export interface MetricReader {
  /** Milliseconds one metric period lasts (a minute on AWS). */
  readonly periodMs: number
  datapoints(id: MetricId, fromMs: number, toMs: number): readonly Datapoint[]
  metrics(sinceMs?: number): readonly MetricId[]
}

export interface AwsApiDeps {
  readonly control: Control
  /** Route 53 change ids under the store key, known after a restart (main wires it); without it, known to this process only. */
  readonly changeIds?: ChangeIds | undefined
  /** The Route 53 checker's view of a health check (main wires it); without it the status is unknown. */
  readonly route53Check?: ((id: string) => Route53CheckView) | undefined
  /** The CIDRs Route 53 health checks come from (this node's addresses; main wires it); without it GetCheckerIpRanges is refused. */
  readonly checkerIpRanges?: (() => readonly string[]) | undefined
  /** Asks openalb's DNS server (main wires it), as a resolver at resolverIp sending clientSubnet would; without it TestDNSAnswer is refused. */
  readonly dnsAnswer?: ((name: string, type: string, asker?: { readonly resolverIp?: string | undefined; readonly clientSubnet?: { readonly ip: string; readonly prefix: number } | undefined }) => Promise<DnsTestAnswer>) | undefined
  readonly targetHealth: (groupArn: string) => Promise<readonly TargetHealthDescription[]> | readonly TargetHealthDescription[]
  /** Access key id -> secret. With keys, every request must carry a valid SigV4 signature. */
  readonly accessKeys?: ReadonlyMap<string, string> | undefined
  readonly sslPolicies?: readonly SslPolicyDescription[] | undefined
  readonly log?: AwsApiLog | undefined
  /** Who issues what ACM RequestCertificate asks for: openalb's own CA (default) or the ACME CA of --acme-directory. */
  readonly acmIssuer?: 'local-ca' | 'acme' | undefined
  /** Instances' processes; without it instances stay pending (nothing runs them) and RunInstances with a script is refused. */
  readonly instances?: InstanceRuntime | undefined
  /** Lambda functions' processes; without it Invoke is refused. */
  readonly functions?: FunctionRuntimeApi | undefined
  /** The metric datapoints ListMetrics, GetMetricStatistics and GetMetricData read; without it they are refused. */
  readonly monitoring?: MetricReader | undefined
  /** Where S3 objects are read from (`openalb up --s3-dir DIR`: DIR/BUCKET/KEY); without it trust stores cannot be made. */
  readonly s3Dir?: string | undefined
  /** The PEM public key of an authenticate-oidc signing key id (x-amzn-oidc-data's kid), served at /_openalb/public-keys/KID. */
  readonly authPublicKey?: (kid: string) => string | undefined
  /** For signature expiry and timestamps in tests (default: the system clock). */
  readonly now?: (() => Date) | undefined
}

/** What a handler gets: the dependencies and the request's parameters. */
export interface Call {
  readonly deps: AwsApiDeps
  readonly params: Params
  readonly requestId: string
  /** The region the request is signed for (its SigV4 scope), else openalb's own. */
  readonly region: string
  /** The Host the request came to (ELBv2: Location URLs on this endpoint). */
  readonly host?: string | undefined
}
