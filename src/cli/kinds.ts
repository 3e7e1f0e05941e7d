import { withoutClientSecrets } from '../model/action.js'
import { naturalName } from '../config/apply.js'
import { redactCertificate } from '../model/certificate.js'
import type { Kind, Resource } from '../model/resources.js'
import type { ListenerAttributes } from '../model/listener-attributes.js'
import type { StateView } from '../model/state-view.js'
import type { Column } from './output.js'

/** CLI kind names (plural and singular, and short forms) -> store kinds. */
const ALIASES: Record<string, Kind | 'targets' | 'ssl-policies' | 'nodes'> = {
  'load-balancers': 'load-balancer', 'load-balancer': 'load-balancer', lb: 'load-balancer', lbs: 'load-balancer',
  'classic-load-balancers': 'classic-load-balancer', 'classic-load-balancer': 'classic-load-balancer', clb: 'classic-load-balancer', clbs: 'classic-load-balancer',
  listeners: 'listener', listener: 'listener',
  rules: 'rule', rule: 'rule',
  'target-groups': 'target-group', 'target-group': 'target-group', tg: 'target-group', tgs: 'target-group',
  targets: 'targets', target: 'targets',
  certificates: 'certificate', certificate: 'certificate', certs: 'certificate', cert: 'certificate',
  'trust-stores': 'trust-store', 'trust-store': 'trust-store', truststores: 'trust-store', truststore: 'trust-store',
  'hosted-zones': 'hosted-zone', 'hosted-zone': 'hosted-zone', zones: 'hosted-zone', zone: 'hosted-zone',
  records: 'record-set', record: 'record-set', 'record-sets': 'record-set',
  'security-groups': 'security-group', 'security-group': 'security-group', sg: 'security-group', sgs: 'security-group',
  instances: 'instance', instance: 'instance',
  functions: 'function', function: 'function', fn: 'function',
  vpcs: 'vpc', vpc: 'vpc',
  subnets: 'subnet', subnet: 'subnet',
  'internet-gateways': 'internet-gateway', 'internet-gateway': 'internet-gateway', igw: 'internet-gateway',
  'route-tables': 'route-table', 'route-table': 'route-table', rtb: 'route-table',
  'ssl-policies': 'ssl-policies', 'ssl-policy': 'ssl-policies',
  nodes: 'nodes', node: 'nodes',
  'launch-templates': 'launch-template', 'launch-template': 'launch-template', lt: 'launch-template',
  'launch-configurations': 'launch-configuration', 'launch-configuration': 'launch-configuration', lc: 'launch-configuration',
  'auto-scaling-groups': 'auto-scaling-group', 'auto-scaling-group': 'auto-scaling-group', asg: 'auto-scaling-group', asgs: 'auto-scaling-group',
  'scaling-policies': 'scaling-policy', 'scaling-policy': 'scaling-policy', policies: 'scaling-policy',
  'scheduled-actions': 'scheduled-action', 'scheduled-action': 'scheduled-action',
  'scaling-activities': 'scaling-activity', 'scaling-activity': 'scaling-activity', activities: 'scaling-activity',
  alarms: 'metric-alarm', alarm: 'metric-alarm', 'metric-alarms': 'metric-alarm', 'metric-alarm': 'metric-alarm',
  'alarm-history': 'alarm-history',
}

export const KIND_NAMES = 'load-balancers, classic-load-balancers, listeners, rules, target-groups, targets, certificates, trust-stores, hosted-zones, records, security-groups, vpcs, subnets, internet-gateways, route-tables, instances, functions, launch-templates, launch-configurations, auto-scaling-groups, scaling-policies, scheduled-actions, scaling-activities, alarms, alarm-history, ssl-policies, nodes'

export function parseKind(name: string): Kind | 'targets' | 'ssl-policies' | 'nodes' | undefined {
  return ALIASES[name.toLowerCase()]
}

const OPERATOR_SIGNS = { GreaterThanOrEqualToThreshold: '>=', GreaterThanThreshold: '>', LessThanThreshold: '<', LessThanOrEqualToThreshold: '<=' } as const

/** A resource as the CLI prints it: secrets removed. */
export function printable(r: Resource): unknown {
  if (r.kind === 'certificate') return redactCertificate(r)
  // authenticate-oidc's client secret is never shown, as AWS never returns it.
  if (r.kind === 'listener') return { ...r, defaultActions: withoutClientSecrets(r.defaultActions) }
  if (r.kind === 'rule') return { ...r, actions: withoutClientSecrets(r.actions) }
  return r
}

/** Whether a resource answers to NAME on the command line (its natural name, name, ARN or id). */
export function matches(view: StateView, r: Resource, ref: string): boolean {
  const id = 'arn' in r ? r.arn : r.id
  if (id === ref) return true
  const natural = naturalName(view, r)
  if (natural === ref || natural.replace(/\.( |$)/, '$1') === ref) return true
  if (r.kind === 'hosted-zone') return r.name === ref || r.name === `${ref}.`
  if (r.kind === 'record-set') return r.name === ref || r.name === `${ref}.` || r.zoneId === ref
  return false
}

const actionSummary = (view: StateView, actions: readonly { type: string }[]): string =>
  actions
    .map((a) => {
      const act = a as { type: string; targetGroups?: { targetGroupArn: string; weight: number }[]; redirect?: { protocol: string; port: string; statusCode: string }; fixedResponse?: { statusCode: string } }
      if (act.targetGroups) return `forward ${act.targetGroups.map((g) => view.get('target-group', g.targetGroupArn)?.name ?? g.targetGroupArn).join(',')}`
      if (act.redirect) return `redirect ${act.redirect.protocol}:${act.redirect.port} ${act.redirect.statusCode.replace('HTTP_', '')}`
      if (act.fixedResponse) return `fixed-response ${act.fixedResponse.statusCode}`
      if (act.type === 'authenticate-oidc') return 'authenticate-oidc'
      return act.type
    })
    .join('; ')

/** A listener socket as the running node reports it (/admin/v1/listener-states). */
export interface ListenerSocketState {
  readonly bindKey: string
  readonly arn: string
  readonly state: 'listening' | 'opening' | 'failed'
  readonly error?: string
  readonly since?: number
}

/** The STATE column: listening, or failed with why; '-' when no node runs on this data directory. */
export function socketStateText(states: readonly ListenerSocketState[] | undefined): string {
  if (!states || states.length === 0) return '-'
  const failed = states.find((s) => s.state === 'failed')
  if (failed) return `failed: ${failed.error ?? ''}`
  return states.every((s) => s.state === 'listening') ? 'listening' : 'opening'
}

export function columnsFor(kind: Kind, view: StateView, liveListeners?: ReadonlyMap<string, readonly ListenerSocketState[]>): Column<Resource>[] {
  const as = <K extends Resource['kind']>(f: (r: Extract<Resource, { kind: K }>) => string) => (r: Resource) => f(r as Extract<Resource, { kind: K }>)
  switch (kind) {
    case 'load-balancer':
      return [
        { header: 'NAME', value: as<'load-balancer'>((r) => r.name) },
        { header: 'TYPE', value: as<'load-balancer'>((r) => r.type) },
        { header: 'SCHEME', value: as<'load-balancer'>((r) => r.scheme) },
        { header: 'DNS NAME', value: as<'load-balancer'>((r) => r.dnsName), max: 38 },
      ]
    case 'classic-load-balancer':
      return [
        { header: 'NAME', value: as<'classic-load-balancer'>((r) => r.name) },
        { header: 'LISTENERS', value: as<'classic-load-balancer'>((r) => r.listeners.map((l) => `${l.protocol}:${l.loadBalancerPort}->${l.instanceProtocol}:${l.instancePort}`).join(', ') || '-'), max: 26 },
        { header: 'HEALTH CHECK', value: as<'classic-load-balancer'>((r) => r.healthCheck.target), max: 16 },
        { header: 'INSTANCES', value: as<'classic-load-balancer'>((r) => String(r.instances.length)) },
        { header: 'DNS NAME', value: as<'classic-load-balancer'>((r) => r.dnsName), max: 10 },
      ]
    case 'listener':
      return [
        { header: 'LISTENER', value: (r) => naturalName(view, r) },
        { header: 'PROTOCOL', value: as<'listener'>((r) => r.protocol) },
        { header: 'CERTS', value: as<'listener'>((r) => String(r.certificates.length)) },
        { header: 'DEFAULT ACTION', value: as<'listener'>((r) => actionSummary(view, r.defaultActions)), max: 40 },
        { header: 'ATTRIBUTES', value: as<'listener'>((r) => attributeSummary(r.attributes)), max: 30 },
        { header: 'STATE', value: as<'listener'>((r) => socketStateText(liveListeners?.get(r.arn))) },
      ]
    case 'rule':
      return [
        { header: 'RULE', value: (r) => naturalName(view, r) },
        { header: 'CONDITIONS', value: as<'rule'>((r) => r.conditions.map((c) => `${c.field}=${c.values.map((v) => (typeof v === 'string' ? v : `${v.key ?? ''}=${v.value}`)).join('|')}`).join(' & ')), max: 34 },
        { header: 'ACTION', value: as<'rule'>((r) => actionSummary(view, r.actions)), max: 26 },
      ]
    case 'target-group':
      return [
        { header: 'NAME', value: as<'target-group'>((r) => r.name) },
        { header: 'PROTOCOL', value: as<'target-group'>((r) => (r.targetType === 'lambda' ? '-' : `${r.protocol}:${r.port}`)) },
        { header: 'TYPE', value: as<'target-group'>((r) => r.targetType) },
        { header: 'TARGETS', value: as<'target-group'>((r) => String(r.targets.length)) },
        { header: 'HEALTH CHECK', value: as<'target-group'>((r) => (r.healthCheck.enabled ? `${r.healthCheck.protocol} ${r.healthCheck.path} ${r.healthCheck.matcher} every ${r.healthCheck.intervalSeconds}s` : 'off')), max: 30 },
      ]
    case 'certificate':
      return [
        { header: 'NAME', value: as<'certificate'>((r) => r.name), max: 24 },
        { header: 'DOMAIN', value: as<'certificate'>((r) => r.domainName), max: 24 },
        { header: 'SOURCE', value: as<'certificate'>((r) => r.source) },
        { header: 'STATUS', value: as<'certificate'>((r) => r.status) },
        { header: 'NOT AFTER', value: as<'certificate'>((r) => r.notAfter?.slice(0, 10) ?? '-') },
      ]
    case 'trust-store':
      return [
        { header: 'NAME', value: as<'trust-store'>((r) => r.name) },
        { header: 'STATUS', value: as<'trust-store'>((r) => r.status) },
        { header: 'CA CERTS', value: as<'trust-store'>((r) => String(r.numberOfCaCertificates)) },
        { header: 'REVOCATIONS', value: as<'trust-store'>((r) => String(r.revocations.length)) },
        { header: 'REVOKED', value: as<'trust-store'>((r) => String(r.revocations.reduce((n, x) => n + x.revokedSerials.length, 0))) },
        { header: 'LISTENERS', value: as<'trust-store'>((r) => String(view.list('listener').filter((l) => l.mutualAuthentication?.trustStoreArn === r.arn).length)) },
      ]
    case 'hosted-zone':
      return [
        { header: 'NAME', value: as<'hosted-zone'>((r) => r.name) },
        { header: 'ID', value: as<'hosted-zone'>((r) => r.id) },
        { header: 'SERIAL', value: as<'hosted-zone'>((r) => String(r.serial)) },
      ]
    case 'record-set':
      return [
        { header: 'NAME', value: as<'record-set'>((r) => r.name), max: 30 },
        { header: 'TYPE', value: as<'record-set'>((r) => r.type) },
        { header: 'TTL', value: as<'record-set'>((r) => String(r.ttl)) },
        { header: 'VALUE', value: as<'record-set'>((r) => (r.alias ? `ALIAS ${r.alias.dnsName}` : r.values.join(', '))), max: 36 },
      ]
    case 'security-group':
      return [
        { header: 'NAME', value: as<'security-group'>((r) => r.name) },
        { header: 'ID', value: as<'security-group'>((r) => r.id) },
        { header: 'INBOUND', value: as<'security-group'>((r) => r.ingress.map((i) => `${i.protocol}:${i.fromPort === i.toPort ? i.fromPort : `${i.fromPort}-${i.toPort}`}`).join(', ')), max: 40 },
      ]
    case 'vpc':
      return [
        { header: 'NAME', value: as<'vpc'>((r) => r.name) },
        { header: 'ID', value: as<'vpc'>((r) => r.id) },
        { header: 'CIDR', value: as<'vpc'>((r) => r.cidrBlock) },
        { header: 'REGION', value: as<'vpc'>((r) => r.region) },
        { header: 'DEFAULT', value: as<'vpc'>((r) => (r.isDefault ? 'yes' : 'no')) },
      ]
    case 'subnet':
      return [
        { header: 'NAME', value: as<'subnet'>((r) => r.name) },
        { header: 'ID', value: as<'subnet'>((r) => r.id) },
        { header: 'VPC', value: as<'subnet'>((r) => r.vpcId) },
        { header: 'CIDR', value: as<'subnet'>((r) => r.cidrBlock) },
        { header: 'ZONE', value: as<'subnet'>((r) => r.availabilityZone) },
      ]
    case 'internet-gateway':
      return [
        { header: 'ID', value: as<'internet-gateway'>((r) => r.id) },
        { header: 'VPC', value: as<'internet-gateway'>((r) => r.vpcId ?? '-') },
        { header: 'REGION', value: as<'internet-gateway'>((r) => r.region) },
      ]
    case 'route-table':
      return [
        { header: 'ID', value: as<'route-table'>((r) => r.id) },
        { header: 'VPC', value: as<'route-table'>((r) => r.vpcId) },
        { header: 'MAIN', value: as<'route-table'>((r) => (r.main ? 'yes' : 'no')) },
        { header: 'ROUTES', value: as<'route-table'>((r) => r.routes.map((x) => `${x.destinationCidrBlock}->${x.gatewayId}`).join(', ') || '-'), max: 40 },
        { header: 'SUBNETS', value: as<'route-table'>((r) => r.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])).join(', ') || '-'), max: 40 },
      ]
    case 'instance':
      return [
        { header: 'NAME', value: as<'instance'>((r) => r.name) },
        { header: 'ID', value: as<'instance'>((r) => r.id) },
        { header: 'ADDRESS', value: as<'instance'>((r) => r.address) },
        { header: 'ZONE', value: as<'instance'>((r) => r.availabilityZone) },
      ]
    case 'function':
      return [
        { header: 'NAME', value: as<'function'>((r) => r.name) },
        { header: 'RUNTIME', value: as<'function'>((r) => r.runtime) },
        { header: 'HANDLER', value: as<'function'>((r) => r.handler), max: 24 },
        { header: 'TIMEOUT', value: as<'function'>((r) => `${r.timeoutSeconds}s`) },
        { header: 'MEMORY', value: as<'function'>((r) => `${r.memorySizeMb}MB`) },
        { header: 'CONCURRENCY', value: as<'function'>((r) => (r.reservedConcurrency === undefined ? '-' : String(r.reservedConcurrency))) },
        { header: 'CODE', value: as<'function'>((r) => r.codeDirectory ?? `zip ${r.codeSha256.slice(0, 12)}`), max: 30 },
      ]
    case 'health-check':
      return [
        { header: 'ID', value: as<'health-check'>((r) => r.id) },
        { header: 'TYPE', value: as<'health-check'>((r) => r.config.type) },
        { header: 'ENDPOINT', value: as<'health-check'>((r) => `${r.config.fullyQualifiedDomainName ?? r.config.ipAddress ?? ''}${r.config.port ? `:${r.config.port}` : ''}${r.config.resourcePath ?? ''}`) },
      ]
    case 'cidr-collection':
      return [
        { header: 'NAME', value: as<'cidr-collection'>((r) => r.name) },
        { header: 'ID', value: as<'cidr-collection'>((r) => r.id) },
        { header: 'VERSION', value: as<'cidr-collection'>((r) => String(r.version)) },
        { header: 'LOCATIONS', value: as<'cidr-collection'>((r) => Object.entries(r.locations).map(([l, b]) => `${l}=${b.join(' ')}`).join(', ')), max: 40 },
      ]
    case 'traffic-policy':
      return [
        { header: 'NAME', value: as<'traffic-policy'>((r) => r.name) },
        { header: 'ID', value: as<'traffic-policy'>((r) => r.id) },
        { header: 'TYPE', value: as<'traffic-policy'>((r) => r.type) },
        { header: 'VERSIONS', value: as<'traffic-policy'>((r) => r.versions.map((v) => v.version).join(',')) },
      ]
    case 'traffic-policy-instance':
      return [
        { header: 'NAME', value: as<'traffic-policy-instance'>((r) => r.name) },
        { header: 'TYPE', value: as<'traffic-policy-instance'>((r) => r.type) },
        { header: 'POLICY', value: as<'traffic-policy-instance'>((r) => `${r.policyId}/${r.policyVersion}`) },
        { header: 'TTL', value: as<'traffic-policy-instance'>((r) => String(r.ttl)) },
      ]
    case 'delegation-set':
      return [
        { header: 'ID', value: as<'delegation-set'>((r) => r.id) },
        { header: 'NAME SERVERS', value: as<'delegation-set'>((r) => r.nameServers.join(',')) },
      ]
    case 'launch-template':
      return [
        { header: 'NAME', value: as<'launch-template'>((r) => r.name) },
        { header: 'ID', value: as<'launch-template'>((r) => r.id) },
        { header: 'DEFAULT', value: as<'launch-template'>((r) => String(r.defaultVersion)) },
        { header: 'LATEST', value: as<'launch-template'>((r) => String(r.latestVersion)) },
      ]
    case 'launch-configuration':
      return [
        { header: 'NAME', value: as<'launch-configuration'>((r) => r.name) },
        { header: 'IMAGE', value: as<'launch-configuration'>((r) => r.imageId) },
        { header: 'TYPE', value: as<'launch-configuration'>((r) => r.instanceType) },
      ]
    case 'auto-scaling-group':
      return [
        { header: 'NAME', value: as<'auto-scaling-group'>((r) => r.name) },
        { header: 'MIN', value: as<'auto-scaling-group'>((r) => String(r.minSize)) },
        { header: 'DESIRED', value: as<'auto-scaling-group'>((r) => String(r.desiredCapacity)) },
        { header: 'MAX', value: as<'auto-scaling-group'>((r) => String(r.maxSize)) },
        { header: 'IN SERVICE', value: as<'auto-scaling-group'>((r) => String(r.members.filter((m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy').length)) },
        { header: 'INSTANCES', value: as<'auto-scaling-group'>((r) => r.members.map((m) => `${m.instanceId}:${m.lifecycleState}${m.healthStatus === 'Unhealthy' ? ':Unhealthy' : ''}`).join(', ') || '-'), max: 60 },
        { header: 'STATUS', value: as<'auto-scaling-group'>((r) => r.status ?? '-') },
      ]
    case 'scaling-policy':
      return [
        { header: 'GROUP', value: as<'scaling-policy'>((r) => r.groupName) },
        { header: 'NAME', value: as<'scaling-policy'>((r) => r.name) },
        { header: 'TYPE', value: as<'scaling-policy'>((r) => r.policyType) },
        { header: 'TARGET', value: as<'scaling-policy'>((r) => (r.targetTracking ? `${r.targetTracking.metric} ${r.targetTracking.targetValue}` : '-')) },
      ]
    case 'scheduled-action':
      return [
        { header: 'GROUP', value: as<'scheduled-action'>((r) => r.groupName) },
        { header: 'NAME', value: as<'scheduled-action'>((r) => r.name) },
        { header: 'WHEN', value: as<'scheduled-action'>((r) => r.recurrence ?? r.startTime ?? '-') },
        { header: 'MIN/DESIRED/MAX', value: as<'scheduled-action'>((r) => `${r.minSize ?? '-'}/${r.desiredCapacity ?? '-'}/${r.maxSize ?? '-'}`) },
      ]
    case 'scaling-activity':
      return [
        { header: 'GROUP', value: as<'scaling-activity'>((r) => r.groupName) },
        { header: 'START', value: as<'scaling-activity'>((r) => r.startTime.slice(0, 19)) },
        { header: 'STATUS', value: as<'scaling-activity'>((r) => r.statusCode) },
        { header: 'DESCRIPTION', value: as<'scaling-activity'>((r) => r.description), max: 60 },
      ]
    case 'metric-alarm':
      return [
        { header: 'NAME', value: as<'metric-alarm'>((r) => r.name) },
        { header: 'STATE', value: as<'metric-alarm'>((r) => r.state) },
        { header: 'METRIC', value: as<'metric-alarm'>((r) => `${r.namespace} ${r.metricName} ${r.dimensions.map((x) => `${x.name}=${x.value}`).join(',')}`), max: 60 },
        { header: 'CONDITION', value: as<'metric-alarm'>((r) => `${r.statistic} ${OPERATOR_SIGNS[r.comparisonOperator]} ${r.threshold} for ${r.datapointsToAlarm ?? r.evaluationPeriods}/${r.evaluationPeriods} x ${r.period}s`) },
        { header: 'ACTIONS', value: as<'metric-alarm'>((r) => (r.actionsEnabled ? String(r.alarmActions.length + r.okActions.length + r.insufficientDataActions.length) : 'disabled')) },
        { header: 'REASON', value: as<'metric-alarm'>((r) => r.stateReason), max: 60 },
      ]
    case 'alarm-history':
      return [
        { header: 'ALARM', value: as<'alarm-history'>((r) => r.alarmName) },
        { header: 'TIME', value: as<'alarm-history'>((r) => r.timestamp.slice(0, 19)) },
        { header: 'TYPE', value: as<'alarm-history'>((r) => r.type) },
        { header: 'SUMMARY', value: as<'alarm-history'>((r) => r.summary), max: 70 },
      ]
    case 'acme-account':
      return [
        { header: 'EMAIL', value: as<'acme-account'>((r) => r.email) },
        { header: 'DIRECTORY', value: as<'acme-account'>((r) => r.directoryUrl) },
      ]
  }
}

/** A listener's attributes that differ from the defaults, in a few words ('-': none). */
function attributeSummary(a: ListenerAttributes | undefined): string {
  if (a === undefined) return '-'
  const parts: string[] = []
  const headers = Object.keys(a.responseHeaders ?? {}).length
  if (headers > 0) parts.push(`${headers} header${headers === 1 ? '' : 's'}`)
  if (a.serverEnabled === false) parts.push('no server')
  const names = Object.keys(a.mtlsHeaderNames ?? {}).length
  if (names > 0) parts.push(`${names} mTLS name${names === 1 ? '' : 's'}`)
  if (a.tcpIdleTimeoutSeconds !== undefined) parts.push(`idle ${a.tcpIdleTimeoutSeconds}s`)
  return parts.join(', ') || '-'
}
