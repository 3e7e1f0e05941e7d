import type { Draft } from '../../../control/draft.js'
import { changeTags } from '../../../control/tags.js'
import { SSL_POLICY_NAMES } from '../../../model/listener.js'
import type { Resource } from '../../../model/resources.js'
import type { SslPolicyDescription } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import { mutate, view, type ElbHandler } from './handler.js'
import { tagsFromInput } from './inputs.js'
import { tagList } from './shapes.js'

const MAX_TAGS = 50

type Tagged = Extract<Resource, { kind: 'load-balancer' | 'target-group' | 'listener' | 'rule' | 'trust-store' }>

/** The balancer, group, listener or rule an ARN names, by the resource type inside the ARN. */
function taggable(d: Draft, arn: string): Tagged {
  const kinds = [
    [':loadbalancer/', 'load-balancer', 'LoadBalancerNotFound'],
    [':targetgroup/', 'target-group', 'TargetGroupNotFound'],
    [':listener/', 'listener', 'ListenerNotFound'],
    [':listener-rule/', 'rule', 'RuleNotFound'],
    [':truststore/', 'trust-store', 'TrustStoreNotFound'],
  ] as const
  for (const [marker, kind, code] of kinds) {
    if (!arn.includes(marker)) continue
    const r = d.get(kind, arn)
    if (!r) throw new AwsError(code, `Resource '${arn}' not found`)
    return r
  }
  throw new AwsError('ValidationError', `'${arn}' is not a valid load balancer, target group, listener or rule ARN`)
}

export const AddTags: ElbHandler = async (call) => {
  const arns = call.params.strings('ResourceArns') ?? []
  const tags = tagsFromInput(call.params) ?? {}
  if (arns.length === 0 || Object.keys(tags).length === 0) throw new AwsError('ValidationError', 'ResourceArns and Tags must not be empty')
  await mutate(call, (d) => {
    for (const arn of arns) {
      const r = taggable(d, arn)
      const tagged = changeTags(d, r.kind, arn, tags)
      if (Object.keys(tagged.tags).length > MAX_TAGS) throw new AwsError('TooManyTags', `The quota for the number of tags that can be assigned to a load balancer resource has been reached (${MAX_TAGS})`)
    }
  })
  return {}
}

export const RemoveTags: ElbHandler = async (call) => {
  const arns = call.params.strings('ResourceArns') ?? []
  const keys = call.params.strings('TagKeys') ?? []
  await mutate(call, (d) => {
    for (const arn of arns) {
      changeTags(d, taggable(d, arn).kind, arn, {}, keys)
    }
  })
  return {}
}

export const DescribeTags: ElbHandler = async (call) => {
  const arns = call.params.strings('ResourceArns') ?? []
  if (arns.length === 0) throw new AwsError('ValidationError', 'ResourceArns must contain at least one ARN')
  if (arns.length > 20) throw new AwsError('ValidationError', 'at most 20 resource ARNs can be described at once')
  const d = await view(call)
  return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagList(taggable(d, arn).tags) })) }
}

export const DescribeAccountLimits: ElbHandler = async (call) => {
  // The quotas in force: AWS's defaults, or what `openalb up --quotas FILE` set.
  const limits = Object.entries(call.deps.control.quotas)
  const pg = page(limits, call.params.str('Marker'), call.params.int('PageSize'), 'ValidationError')
  return { Limits: pg.items.map(([Name, Max]) => ({ Name, Max: String(Max) })), NextMarker: pg.next }
}

export const DescribeSSLPolicies: ElbHandler = async (call) => {
  const p = call.params
  const known: readonly SslPolicyDescription[] = call.deps.sslPolicies ?? SSL_POLICY_NAMES.map((name) => ({ name, sslProtocols: [], ciphers: [] }))
  const names = p.strings('Names') ?? []
  const missing = names.find((n) => !known.some((k) => k.name === n))
  if (missing) throw new AwsError('SSLPolicyNotFound', 'One or more SSL policies not found')
  const type = p.str('LoadBalancerType')
  let policies = names.length > 0 ? known.filter((k) => names.includes(k.name)) : [...known]
  if (type !== undefined) policies = policies.filter((k) => (k.supportedLoadBalancerTypes ?? ['application', 'network']).includes(type))
  const pg = page(policies, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return {
    SslPolicies: pg.items.map((k) => ({
      SslProtocols: [...k.sslProtocols],
      Ciphers: k.ciphers.map((c) => ({ Name: c.name, Priority: c.priority })),
      Name: k.name,
      SupportedLoadBalancerTypes: [...(k.supportedLoadBalancerTypes ?? ['application', 'network'])],
    })),
    NextMarker: pg.next,
  }
}
