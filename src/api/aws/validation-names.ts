import type { ValidationFailed } from '../../control/errors.js'
import type { AwsService } from './service.js'
import { LB_ATTRIBUTE_KEYS, TG_ATTRIBUTE_KEYS } from './elbv2/attribute-keys.js'

/** The resource names control/ prefixes its paths with; the AWS parameters have none. */
const SUBJECTS = new Set(['targetGroup', 'loadBalancer', 'listener', 'rule', 'certificate', 'hostedZone', 'securityGroup'])

/** Whole model paths whose AWS parameter is not the path in PascalCase. */
const ELBV2_PATHS: Record<string, string> = {
  'healthCheck.protocol': 'HealthCheckProtocol',
  'healthCheck.port': 'HealthCheckPort',
  'healthCheck.path': 'HealthCheckPath',
  'healthCheck.intervalSeconds': 'HealthCheckIntervalSeconds',
  'healthCheck.timeoutSeconds': 'HealthCheckTimeoutSeconds',
  'healthCheck.healthyThreshold': 'HealthyThresholdCount',
  'healthCheck.unhealthyThreshold': 'UnhealthyThresholdCount',
  'healthCheck.matcher': 'Matcher.HttpCode',
  'healthCheck.grpcMatcher': 'Matcher.GrpcCode',
  ...Object.fromEntries(Object.entries({ ...LB_ATTRIBUTE_KEYS, ...TG_ATTRIBUTE_KEYS }).map(([model, key]) => [`attributes.${model}`, `Attribute ${key}`])),
}

/** Model field names that also appear inside messages ("must be smaller than intervalSeconds"). */
const ELBV2_WORDS: Record<string, string> = {
  intervalSeconds: 'HealthCheckIntervalSeconds',
  timeoutSeconds: 'HealthCheckTimeoutSeconds',
  slowStartSeconds: 'slow_start.duration_seconds',
  targetGroups: 'TargetGroups',
  targetGroup: 'TargetGroupArn',
}

const SEGMENTS: Record<string, string> = {
  redirect: 'RedirectConfig',
  fixedResponse: 'FixedResponseConfig',
  targetGroups: 'ForwardConfig.TargetGroups',
  targetGroup: 'TargetGroupArn',
  certificates: 'Certificates',
  ingress: 'IpPermissions',
  cidrs: 'IpRanges',
  records: 'ResourceRecords',
  values: 'Values',
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

/** A model path (targetGroup.healthCheck.timeoutSeconds) as the AWS parameter it came from. */
export function awsParameterName(service: AwsService, path: string): string {
  const parts = path.split('.')
  if (parts.length > 1 && SUBJECTS.has(parts[0]?.replace(/\[\d+\]$/, '') ?? '')) parts.shift()
  const rest = parts.join('.')
  if (service === 'elbv2') {
    const whole = ELBV2_PATHS[rest]
    if (whole) return whole
  }
  return parts
    .map((p) => {
      const m = /^([A-Za-z]+)(\[\d+\])?$/.exec(p)
      if (!m) return p
      const [, name = '', index = ''] = m
      return (SEGMENTS[name] ?? pascal(name)) + index
    })
    .join('.')
}

/** ValidationFailed's failures, worded with the service's parameter names. */
export function awsValidationMessage(service: AwsService, e: ValidationFailed): string {
  return e.failures
    .map((f) => {
      const path = [e.subject, f.path].filter((x) => x !== '').join(f.path.startsWith('[') ? '' : '.')
      let message = f.message
      if (service === 'elbv2') for (const [word, aws] of Object.entries(ELBV2_WORDS)) message = message.replace(new RegExp(`\\b${word}\\b`, 'g'), aws)
      return path === '' ? message : `${awsParameterName(service, path)}: ${message}`
    })
    .join('; ')
}
