import { isIP } from 'node:net'
import type { z } from 'zod'
import { forwardedGroupArns, type Action } from '../model/action.js'
import { DEFAULT_VPC_ID, newIds, regionOfArn } from '../model/ids.js'
import {
  groupPort,
  healthCheckSpec,
  targetGroupAttributesSpec,
  targetGroupSpec,
  targetSpec,
  type Target,
  type TargetGroup,
  type TargetGroupSpec,
} from '../model/target-group.js'
import { AccessDeniedError, DuplicateError, InUseError, InvalidTargetError, LimitExceededError, ValidationFailed } from './errors.js'
import { allowsInvoke, functionNameOf } from '../model/function.js'
import { validate, type Draft } from './draft.js'
import { resolveVpc } from './network-lookup.js'
import { ELBV2_QUOTAS } from '../model/quotas.js'

/** AWS's default (model/quotas.ts); control enforces the quota in force, Draft.quota(). */
export const MAX_TARGETS_PER_GROUP = ELBV2_QUOTAS['targets-per-target-group']

/** ELB's principal in a function's policy: RegisterTargets needs its lambda:InvokeFunction. */
export const ELB_PRINCIPAL = 'elasticloadbalancing.amazonaws.com'

function resolveTargets(d: Draft, tg: Pick<TargetGroup, 'targetType' | 'port'> & { arn?: string }, targets: readonly z.output<typeof targetSpec>[], registering = false): Target[] {
  return targets.map((t) => {
    let id = t.id
    if (tg.targetType === 'lambda') {
      const name = functionNameOf(t.id)?.name
      const fn = name === undefined ? undefined : d.list('function').find((f) => f.name === name)
      if (!fn) throw new InvalidTargetError(`The following targets are not valid Lambda functions: '${t.id}'`)
      // ALB checks the function's resource policy when it registers it (config writes are the operator's own).
      if (registering && tg.arn !== undefined && !allowsInvoke(fn, ELB_PRINCIPAL, tg.arn)) {
        throw new AccessDeniedError(`elasticloadbalancing principal does not have permission to invoke ${fn.arn} from target group ${tg.arn}`)
      }
      return { id: fn.arn, port: 0 }
    }
    if (tg.targetType === 'ip') {
      if (isIP(t.id) === 0) throw new InvalidTargetError(`target '${t.id}' is not a valid IP address (target type ip)`)
    } else {
      const inst = d.get('instance', t.id) ?? d.list('instance').find((i) => i.name === t.id && i.state !== 'terminated')
      if (!inst) throw new InvalidTargetError(`The following targets are not valid instances: '${t.id}'`)
      // ELB registers only instances that run (a pending one will): RegisterTargets checks, config keeps what it has.
      if (registering && inst.state !== 'running' && inst.state !== 'pending') {
        throw new InvalidTargetError(`The following targets are not in a running state and cannot be registered: '${inst.id}'`)
      }
      id = inst.id
    }
    return { id, port: t.port ?? tg.port, ...(t.availabilityZone ? { availabilityZone: t.availabilityZone } : {}) }
  })
}

const sameTarget = (a: Target, b: Target) => a.id === b.id && a.port === b.port

/** A group's targets within the targets-per-target-group quota in force. */
function withinQuota(d: Draft, name: string, targets: Target[]): Target[] {
  const max = d.quota('targets-per-target-group')
  if (targets.length > max) throw new LimitExceededError('targets-per-target-group', max, `target group '${name}'`)
  return targets
}

function dedupe(targets: readonly Target[]): Target[] {
  const out: Target[] = []
  for (const t of targets) if (!out.some((o) => sameTarget(o, t))) out.push(t)
  return out
}

/** A new target group in `region` (the API caller's; YAML and the CLI: the node's own), which its ARN carries. */
export function createTargetGroup(d: Draft, input: TargetGroupSpec, region: string = d.partition.region): TargetGroup {
  const spec = validate(targetGroupSpec, input, 'targetGroup')
  if (d.list('target-group').some((g) => g.name === spec.name)) throw new DuplicateError('target-group', spec.name)
  const groupsHere = d.list('target-group').filter((g) => regionOfArn(g.arn) === region).length
  if (groupsHere >= d.quota('target-groups')) throw new LimitExceededError('target-groups', d.quota('target-groups'), `target groups in ${region}`)
  const base = { targetType: spec.targetType, port: groupPort(spec) }
  const targets = withinQuota(d, spec.name, dedupe(resolveTargets(d, base, spec.targets)))
  return d.put({
    kind: 'target-group',
    arn: newIds.targetGroupArn({ ...d.partition, region }, spec.name),
    name: spec.name,
    protocol: spec.protocol,
    port: groupPort(spec),
    targetType: spec.targetType,
    protocolVersion: spec.protocolVersion,
    vpcId: spec.vpcId !== undefined ? resolveVpc(d, spec.vpcId, region).id : DEFAULT_VPC_ID,
    healthCheck: spec.healthCheck,
    attributes: spec.attributes,
    targets,
    tags: spec.tags,
  })
}

/** Replaces a group's settings and targets with a full spec (config apply); identity fields cannot change. */
export function updateTargetGroup(d: Draft, ref: string, input: TargetGroupSpec): TargetGroup {
  const current = d.resolve('target-group', ref)
  const spec = validate(targetGroupSpec, input, 'targetGroup')
  const next = { ...spec, port: groupPort(spec) }
  for (const field of ['protocol', 'port', 'targetType', 'protocolVersion'] as const) {
    if (next[field] !== current[field]) {
      throw new InvalidTargetError(`target group '${current.name}': ${field} cannot be changed (${current[field]} -> ${next[field]}); delete and recreate it`)
    }
  }
  return d.put({
    ...current,
    healthCheck: spec.healthCheck,
    attributes: spec.attributes,
    targets: withinQuota(d, current.name, dedupe(resolveTargets(d, current, spec.targets))),
    tags: spec.tags,
  })
}

/** The fields a whole-group check needs besides the part being changed. */
const identity = (tg: TargetGroup) => ({ name: tg.name, protocol: tg.protocol, protocolVersion: tg.protocolVersion, targetType: tg.targetType })

/** ModifyTargetGroup: health check fields, merged over the current ones. */
export function modifyHealthCheck(d: Draft, ref: string, patch: Record<string, unknown>): TargetGroup {
  const current = d.resolve('target-group', ref)
  // ALB: the Matcher of a GRPC group holds gRPC codes (GrpcCode), of any other group HTTP codes.
  if (current.protocolVersion === 'GRPC' && patch.matcher !== undefined) {
    throw new ValidationFailed([{ path: 'healthCheck.matcher', message: 'a GRPC target group is judged by gRPC codes: use grpcMatcher' }], 'targetGroup')
  }
  const healthCheck = validate(healthCheckSpec, { ...current.healthCheck, ...patch }, 'healthCheck')
  const checked = validate(targetGroupSpec, { ...identity(current), healthCheck }, 'targetGroup')
  return d.put({ ...current, healthCheck: checked.healthCheck })
}

/** ModifyTargetGroupAttributes: attribute fields, merged over the current ones. */
export function modifyTargetGroupAttributes(d: Draft, ref: string, patch: Record<string, unknown>): TargetGroup {
  const current = d.resolve('target-group', ref)
  const stickinessPatch = (patch.stickiness ?? {}) as Record<string, unknown>
  const attributes = validate(
    targetGroupAttributesSpec,
    { ...current.attributes, ...patch, stickiness: { ...current.attributes.stickiness, ...stickinessPatch } },
    'attributes',
  )
  validate(targetGroupSpec, { ...identity(current), attributes, healthCheck: current.healthCheck }, 'targetGroup')
  return d.put({ ...current, attributes })
}

export function registerTargets(d: Draft, ref: string, targets: readonly unknown[]): TargetGroup {
  const current = d.resolve('target-group', ref)
  const parsed = targets.map((t, i) => validate(targetSpec, t, `targets[${i}]`))
  const merged = dedupe([...current.targets, ...resolveTargets(d, current, parsed, true)])
  if (current.targetType === 'lambda' && merged.length > 1) {
    throw new LimitExceededError('targets-per-target-group', 1, `You cannot register more than one Lambda function in target group '${current.name}'`)
  }
  return d.put({ ...current, targets: withinQuota(d, current.name, merged) })
}

export function deregisterTargets(d: Draft, ref: string, targets: readonly unknown[]): TargetGroup {
  const current = d.resolve('target-group', ref)
  const parsed = targets.map((t, i) => validate(targetSpec, t, `targets[${i}]`))
  const gone = resolveTargets(d, current, parsed)
  for (const t of gone) {
    // ALB refuses to deregister what is not registered (InvalidTarget).
    if (!current.targets.some((c) => c.id === t.id && (parsed.find((p) => p.id === t.id)?.port === undefined || c.port === t.port))) {
      throw new InvalidTargetError(`target '${t.id}:${t.port}' is not registered in target group '${current.name}'`)
    }
  }
  const keep = current.targets.filter((c) => !gone.some((g) => g.id === c.id && (parsed.find((p) => p.id === g.id)?.port === undefined || g.port === c.port)))
  return d.put({ ...current, targets: keep })
}

/** The listeners and rules whose actions forward to a group. */
export function usersOfTargetGroup(d: Draft, arn: string): string[] {
  const users: string[] = []
  const forwardsTo = (actions: readonly Action[]) => forwardedGroupArns(actions).includes(arn)
  for (const l of d.list('listener')) if (forwardsTo(l.defaultActions)) users.push(`listener ${l.arn}`)
  for (const r of d.list('rule')) if (forwardsTo(r.actions)) users.push(`rule ${r.arn}`)
  return users
}

export function deleteTargetGroup(d: Draft, ref: string): void {
  const tg = d.resolve('target-group', ref)
  const users = usersOfTargetGroup(d, tg.arn)
  if (users.length > 0) throw new InUseError('target-group', tg.arn, users[0] ?? '')
  d.remove('target-group', tg.arn)
}
