import { createTargetGroup, deleteTargetGroup, deregisterTargets, modifyHealthCheck, modifyTargetGroupAttributes, registerTargets } from '../../../control/target-groups.js'
import type { TargetGroup } from '../../../model/target-group.js'
import { targetKey } from '../../../model/target-group.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import { targetGroupAttributesIn, targetGroupAttributesOut } from './attributes.js'
import { mutate, view, type ElbHandler } from './handler.js'
import { healthCheckFromInput, tagsFromInput, targetsFromInput } from './inputs.js'
import { balancersOfGroup, targetGroupShape } from './shapes.js'

export const CreateTargetGroup: ElbHandler = async (call) => {
  const p = call.params
  const name = p.required('Name')
  const protocol = p.str('Protocol')
  const targetType = p.str('TargetType')
  if (targetType === 'alb') throw new AwsError('ValidationError', `target type '${targetType}' is not supported by openalb (instance, ip or lambda)`)
  if (targetType === 'lambda') {
    // ALB: a lambda group has no protocol, port, protocol version or VPC.
    for (const k of ['Protocol', 'Port', 'ProtocolVersion', 'VpcId'] as const) {
      if (p.has(k)) throw new AwsError('ValidationError', `${k} cannot be specified for target groups with target type 'lambda'`)
    }
  }
  if (p.str('IpAddressType') === 'ipv6') throw new AwsError('ValidationError', 'IPv6 target groups are not supported by openalb')
  const spec: Record<string, unknown> = { name, healthCheck: healthCheckFromInput(p) }
  if (protocol !== undefined) spec.protocol = protocol
  const port = p.int('Port')
  if (port !== undefined) spec.port = port
  if (targetType !== undefined) spec.targetType = targetType
  const version = p.str('ProtocolVersion')
  if (version !== undefined) spec.protocolVersion = version
  const vpcId = p.str('VpcId')
  if (vpcId !== undefined) spec.vpcId = vpcId
  const tags = tagsFromInput(p)
  if (tags) spec.tags = tags
  const tg = await mutate(call, (d) => {
    const existing = d.list('target-group').find((g) => g.name === name)
    // ALB: creating a group that exists with the same settings returns it.
    if (existing && sameSettings(existing, spec)) return existing
    return createTargetGroup(d, spec as Parameters<typeof createTargetGroup>[1], call.region)
  })
  const d = await view(call)
  return { TargetGroups: [targetGroupShape(d, tg)] }
}

function sameSettings(tg: TargetGroup, spec: Record<string, unknown>): boolean {
  if (tg.targetType === 'lambda') return spec.targetType === 'lambda'
  return (spec.protocol ?? 'HTTP') === tg.protocol && (spec.port ?? 80) === tg.port && (spec.targetType ?? 'instance') === tg.targetType
}

export const DescribeTargetGroups: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  let groups = d.list('target-group')
  const lbArn = p.str('LoadBalancerArn')
  const arns = p.strings('TargetGroupArns')
  const names = p.strings('Names')
  if ([lbArn, arns, names].filter((x) => x !== undefined && (!Array.isArray(x) || x.length > 0)).length > 1) {
    throw new AwsError('ValidationError', 'A load balancer ARN, target group ARNs or target group names can be specified, but not more than one')
  }
  if (lbArn !== undefined) {
    if (!d.get('load-balancer', lbArn)) throw new AwsError('LoadBalancerNotFound', 'One or more load balancers not found')
    groups = groups.filter((g) => balancersOfGroup(d, g.arn).includes(lbArn))
  }
  if (arns && arns.length > 0) {
    const missing = arns.find((a) => !d.get('target-group', a))
    if (missing) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found')
    groups = arns.map((a) => d.get('target-group', a)).filter((g): g is TargetGroup => g !== undefined)
  }
  if (names && names.length > 0) {
    const missing = names.find((n) => !groups.some((g) => g.name === n))
    if (missing) throw new AwsError('TargetGroupNotFound', 'One or more target groups not found')
    groups = names.map((n) => groups.find((g) => g.name === n)).filter((g): g is TargetGroup => g !== undefined)
  } else if (!arns || arns.length === 0) {
    groups = [...groups].sort((a, b) => a.name.localeCompare(b.name))
  }
  const pg = page(groups, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { TargetGroups: pg.items.map((g) => targetGroupShape(d, g)), NextMarker: pg.next }
}

export const ModifyTargetGroup: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('TargetGroupArn')
  const patch = healthCheckFromInput(p)
  const tg = await mutate(call, (d) => modifyHealthCheck(d, arn, patch))
  return { TargetGroups: [targetGroupShape(await view(call), tg)] }
}

export const DeleteTargetGroup: ElbHandler = async (call) => {
  const arn = call.params.required('TargetGroupArn')
  await mutate(call, (d) => deleteTargetGroup(d, arn))
  return {}
}

export const DescribeTargetGroupAttributes: ElbHandler = async (call) => {
  const arn = call.params.required('TargetGroupArn')
  const tg = (await view(call)).resolve('target-group', arn)
  return { Attributes: targetGroupAttributesOut(tg) }
}

export const ModifyTargetGroupAttributes: ElbHandler = async (call) => {
  const arn = call.params.required('TargetGroupArn')
  const tg = await mutate(call, (d) => modifyTargetGroupAttributes(d, arn, targetGroupAttributesIn(call.params, d.resolve('target-group', arn))))
  return { Attributes: targetGroupAttributesOut(tg) }
}

export const RegisterTargets: ElbHandler = async (call) => {
  const arn = call.params.required('TargetGroupArn')
  const targets = targetsFromInput(call.params)
  if (targets.length === 0) throw new AwsError('ValidationError', 'Targets must contain at least one target')
  await mutate(call, (d) => registerTargets(d, arn, targets))
  return {}
}

export const DeregisterTargets: ElbHandler = async (call) => {
  const arn = call.params.required('TargetGroupArn')
  const targets = targetsFromInput(call.params)
  if (targets.length === 0) throw new AwsError('ValidationError', 'Targets must contain at least one target')
  await mutate(call, (d) => deregisterTargets(d, arn, targets))
  return {}
}

export const DescribeTargetHealth: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('TargetGroupArn')
  const d = await view(call)
  const tg = d.resolve('target-group', arn)
  const live = await call.deps.targetHealth(tg.arn)
  const byKey = new Map(live.map((h) => [targetKey(h.targetId, h.port), h]))
  const inUse = balancersOfGroup(d, tg.arn).length > 0
  const asked = p.has('Targets') ? targetsFromInput(p) : undefined
  const wanted = asked
    ? asked.map((t) => ({ id: String(t.id), port: typeof t.port === 'number' ? t.port : tg.port }))
    : [...tg.targets.map((t) => ({ id: t.id, port: t.port })), ...live.filter((h) => !tg.targets.some((t) => t.id === h.targetId && t.port === h.port)).map((h) => ({ id: h.targetId, port: h.port }))]
  const descriptions = wanted.map(({ id, port }) => {
    const registered = tg.targets.find((t) => t.id === id && t.port === port)
    const h = byKey.get(targetKey(id, port))
    const health = h
      ? { State: h.state, Reason: h.reason, Description: h.description }
      : !registered
        ? { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' }
        : !inUse
          ? { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' }
          : { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' }
    // A function has no port, and its health check is an invocation (AWS leaves both out).
    if (tg.targetType === 'lambda') return { Target: { Id: id, AvailabilityZone: 'all' }, TargetHealth: health }
    return {
      Target: { Id: id, Port: port, AvailabilityZone: h?.availabilityZone ?? registered?.availabilityZone },
      HealthCheckPort: h?.healthCheckPort ?? (tg.healthCheck.port === 'traffic-port' ? String(port) : tg.healthCheck.port),
      TargetHealth: health,
    }
  })
  return { TargetHealthDescriptions: descriptions }
}
