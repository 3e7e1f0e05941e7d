import { parseCidr, parseIpv4 } from '../lib/cidr.js'
import { newIds } from '../model/ids.js'
import { INSTANCE_ADDRESS_RANGE, instanceSpec, privateDnsName, TERMINATED_VISIBLE_SECONDS, type Instance, type InstanceSpec, type InstanceState } from '../model/instance.js'
import { instanceType as instanceTypeInfo, unknownInstanceTypeMessage } from '../model/instance-types.js'
import type { Tags } from '../model/schema-util.js'
import type { Draft } from './draft.js'
import { validate } from './draft.js'
import { DuplicateError, IncorrectStateError, InUseError, InvalidValueError, LimitExceededError, OperationNotPermittedError } from './errors.js'
import { resolveSubnet } from './network-lookup.js'

/**
 * EC2 instances. A launched instance follows EC2's states: the API (or config) asks for a change
 * (pending, stopping, shutting-down) and compute/, which owns the processes, completes it (running,
 * stopped, terminated). A host given by address is always running and runs nothing.
 */

function ipText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/**
 * The lowest address of the range no live instance holds (terminated ones gave theirs back) and,
 * unless one of this store's instances held it, nothing else on the machine is bound to: another
 * openalb's instances claim theirs (compute/address-claims.ts).
 */
function allocateAddress(d: Draft): string {
  const cidr = d.ctx.instanceAddresses ?? INSTANCE_ADDRESS_RANGE
  const RANGE = parseCidr(cidr)
  if (!RANGE || RANGE.family !== 4 || !cidr.startsWith('127.')) throw new InvalidValueError(`the instance address range ${cidr} must be an IPv4 CIDR inside 127.0.0.0/8`)
  const taken = new Set(d.list('instance').filter((i) => i.launched && i.state !== 'terminated').map((i) => parseIpv4(i.address)))
  const ours = new Set(d.list('instance').map((i) => i.address))
  const bound = d.ctx.addressesInUse?.()
  if (bound) for (const a of bound) if (!ours.has(a)) taken.add(parseIpv4(a))
  const low = Number(RANGE?.low ?? 0)
  const high = Number(RANGE?.high ?? 0)
  for (let n = low + 1; n < high; n++) if ((n & 255) !== 0 && (n & 255) !== 255 && !taken.has(n)) return ipText(n)
  throw new LimitExceededError('instances', high - low - 1, `the instance address range ${cidr}`)
}

function groupIds(d: Draft, refs: readonly string[], vpcId: string): string[] {
  return refs.map((ref) => {
    const g = d.resolve('security-group', ref)
    if (g.vpcId !== vpcId) throw new InvalidValueError(`Security group ${g.id} and subnet belong to different networks.`)
    return g.id
  })
}

export interface LaunchInput {
  readonly name?: string | undefined
  readonly subnet?: string | undefined
  readonly instanceType: string
  readonly imageId: string
  readonly securityGroups: readonly string[]
  readonly userData?: string | undefined
  readonly command?: readonly string[] | undefined
  readonly tags: Tags
  readonly region?: string | undefined
  readonly clientToken?: string | undefined
  readonly disableApiTermination?: boolean | undefined
  readonly disableApiStop?: boolean | undefined
}

/** An instance type of model/instance-types.ts's table, else EC2's InvalidParameterValue words. */
export function checkInstanceType(name: string): void {
  if (!instanceTypeInfo(name)) throw new InvalidValueError(unknownInstanceTypeMessage(name))
}

/** RunInstances: `count` instances in one reservation, each pending on its own address. */
export function runInstances(d: Draft, input: LaunchInput, count: number): Instance[] {
  checkInstanceType(input.instanceType)
  const subnet = resolveSubnet(d, input.subnet ?? 'subnet-a', input.region)
  const groups = groupIds(d, input.securityGroups, subnet.vpcId)
  const reservationId = newIds.reservationId()
  const now = d.nowIso()
  const out: Instance[] = []
  for (let i = 0; i < count; i++) {
    const id = newIds.instanceId()
    const address = allocateAddress(d)
    out.push(
      d.put({
        kind: 'instance',
        id,
        name: input.tags.Name ?? input.name ?? id,
        address,
        availabilityZone: subnet.availabilityZone,
        securityGroups: groups,
        tags: input.name !== undefined && input.tags.Name === undefined ? { ...input.tags, Name: input.name } : input.tags,
        launched: true,
        state: 'pending',
        stateChangedAt: now,
        region: subnet.region,
        subnetId: subnet.id,
        vpcId: subnet.vpcId,
        instanceType: input.instanceType,
        imageId: input.imageId,
        privateDnsName: privateDnsName(address, subnet.region),
        userData: input.userData,
        command: input.command,
        reservationId,
        clientToken: input.clientToken,
        launchIndex: i,
        launchTime: now,
        ...(input.disableApiTermination ? { disableApiTermination: true } : {}),
        ...(input.disableApiStop ? { disableApiStop: true } : {}),
      }),
    )
  }
  return out
}

/** Config: an instance from the file, a host by address or a launched one. */
export function createInstance(d: Draft, input: InstanceSpec): Instance {
  const spec = validate(instanceSpec, input, 'instance')
  if (d.list('instance').some((i) => i.name === spec.name && i.state !== 'terminated')) throw new DuplicateError('instance', spec.name)
  if (spec.address === undefined) {
    const [inst] = runInstances(d, { ...spec, name: spec.name }, 1)
    if (!inst) throw new InvalidValueError('no instance launched')
    return inst
  }
  const subnet = resolveSubnet(d, spec.subnet ?? 'subnet-a')
  const id = newIds.instanceId()
  const now = d.nowIso()
  return d.put({
    kind: 'instance',
    id,
    name: spec.name,
    address: spec.address,
    availabilityZone: spec.availabilityZone ?? subnet.availabilityZone,
    securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
    tags: spec.tags,
    launched: false,
    state: 'running',
    stateChangedAt: now,
    region: subnet.region,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    instanceType: spec.instanceType,
    imageId: spec.imageId,
    privateDnsName: privateDnsName(spec.address, subnet.region),
    reservationId: newIds.reservationId(),
    launchIndex: 0,
    launchTime: now,
  })
}

/** Config: a host's address, zone, groups and tags change in place; a launched instance's program or subnet change replaces it. */
export function updateInstance(d: Draft, ref: string, input: InstanceSpec): Instance {
  const current = d.resolve('instance', ref)
  const spec = validate(instanceSpec, input, 'instance')
  if (current.launched !== (spec.address === undefined)) {
    deleteInstance(d, current.id)
    return createInstance(d, spec)
  }
  if (!current.launched) {
    return d.put({
      ...current,
      address: spec.address ?? current.address,
      availabilityZone: spec.availabilityZone ?? current.availabilityZone,
      securityGroups: spec.securityGroups.map((g) => d.resolve('security-group', g).id),
      tags: spec.tags,
    })
  }
  const subnet = resolveSubnet(d, spec.subnet ?? 'subnet-a')
  const sameProgram = current.userData === spec.userData && JSON.stringify(current.command) === JSON.stringify(spec.command)
  if (subnet.id !== current.subnetId || !sameProgram || current.instanceType !== spec.instanceType || current.imageId !== spec.imageId) {
    // What EC2 cannot change in place: the instance is replaced (terminated, a new one launched).
    terminate(d, current)
    const [next] = runInstances(d, { ...spec, name: spec.name }, 1)
    if (!next) throw new InvalidValueError('no instance launched')
    return next
  }
  return d.put({ ...current, securityGroups: groupIds(d, spec.securityGroups, current.vpcId), tags: { ...spec.tags, Name: spec.tags.Name ?? spec.name } })
}

/** Config removes an instance: a host goes at once; a launched instance is terminated (and kept a while, as EC2 does). */
export function deleteInstance(d: Draft, ref: string): void {
  const inst = d.resolve('instance', ref)
  if (inst.disableApiTermination) refuseProtected(inst, 'terminated', 'disableApiTermination')
  if (!inst.launched) {
    const tg = d.list('target-group').find((g) => g.targetType === 'instance' && g.targets.some((t) => t.id === inst.id))
    if (tg) throw new InUseError('instance', inst.name, `target group '${tg.name}'`)
    d.remove('instance', inst.id)
    return
  }
  terminate(d, inst)
}

export interface StateChange {
  readonly id: string
  readonly previous: InstanceState
  readonly current: InstanceState
}

function change(d: Draft, inst: Instance, state: InstanceState, reason?: string): StateChange {
  if (inst.state !== state) d.put({ ...inst, state, stateReason: reason, stateChangedAt: d.nowIso() })
  return { id: inst.id, previous: inst.state, current: state }
}

function terminate(d: Draft, inst: Instance): StateChange {
  if (inst.state === 'terminated' || inst.state === 'shutting-down') return { id: inst.id, previous: inst.state, current: inst.state }
  return change(d, inst, 'shutting-down', 'Client.UserInitiatedShutdown: User initiated shutdown')
}

const resolveAll = (d: Draft, ids: readonly string[]): Instance[] => ids.map((id) => d.resolve('instance', id))

function refuse(inst: Instance, what: string): never {
  throw new IncorrectStateError(`This instance '${inst.id}' is not in a state from which it can be ${what}.`)
}

/** EC2's refusal while stop or termination protection is on. */
function refuseProtected(inst: Instance, what: 'stopped' | 'terminated', attribute: string): never {
  throw new OperationNotPermittedError(`The instance '${inst.id}' may not be ${what}. Modify its '${attribute}' instance attribute and try again.`)
}

export function stopInstances(d: Draft, ids: readonly string[]): StateChange[] {
  return resolveAll(d, ids).map((inst) => {
    if (inst.disableApiStop) refuseProtected(inst, 'stopped', 'disableApiStop')
    if (!inst.launched) throw new IncorrectStateError(`The instance '${inst.id}' is a host openalb does not run; it cannot be stopped.`)
    if (inst.state === 'stopped' || inst.state === 'stopping') return { id: inst.id, previous: inst.state, current: inst.state }
    if (inst.state !== 'running' && inst.state !== 'pending') refuse(inst, 'stopped')
    return change(d, inst, 'stopping', 'Client.UserInitiatedShutdown: User initiated shutdown')
  })
}

export function startInstances(d: Draft, ids: readonly string[]): StateChange[] {
  return resolveAll(d, ids).map((inst) => {
    if (inst.state === 'running' || inst.state === 'pending') return { id: inst.id, previous: inst.state, current: inst.state }
    if (inst.state !== 'stopped') refuse(inst, 'started')
    return change(d, inst, 'pending')
  })
}

/**
 * TerminateInstances. Termination protection refuses it, except for Auto Scaling, which (as on
 * EC2) terminates its instances whatever their protection (`ignoreProtection`).
 */
export function terminateInstances(d: Draft, ids: readonly string[], options: { ignoreProtection?: boolean } = {}): StateChange[] {
  return resolveAll(d, ids).map((inst) => {
    if (inst.disableApiTermination && !options.ignoreProtection) refuseProtected(inst, 'terminated', 'disableApiTermination')
    if (!inst.launched) throw new IncorrectStateError(`The instance '${inst.id}' is a host openalb does not run; delete it from the configuration instead.`)
    return terminate(d, inst)
  })
}

/** RebootInstances: only a running instance reboots; compute restarts its process. */
export function rebootInstances(d: Draft, ids: readonly string[]): Instance[] {
  return resolveAll(d, ids).map((inst) => {
    if (inst.state !== 'running') refuse(inst, 'rebooted')
    return d.put({ ...inst, stateReason: `openalb.reboot: requested at ${d.nowIso()}` })
  })
}

/**
 * compute/ completes a transition it has carried out: pending -> running, stopping -> stopped,
 * shutting-down -> terminated. Only from the state it acted on (a newer request wins).
 */
export function completeTransition(d: Draft, id: string, from: InstanceState, to: InstanceState, reason?: string): Instance | undefined {
  const inst = d.get('instance', id)
  if (!inst || inst.state !== from) return undefined
  change(d, inst, to, reason ?? inst.stateReason)
  return d.get('instance', id)
}

/** Terminated instances older than EC2's hour leave the listing (and their target registrations stay as AWS's do). */
export function purgeTerminated(d: Draft, nowMs: number): number {
  let n = 0
  for (const i of d.list('instance')) {
    if (i.state === 'terminated' && nowMs - Date.parse(i.stateChangedAt) > TERMINATED_VISIBLE_SECONDS * 1000) {
      d.remove('instance', i.id)
      n++
    }
  }
  return n
}

/** What ModifyInstanceAttribute changes: one attribute per call, as on EC2. */
export type InstanceAttributePatch =
  | { readonly instanceType: string }
  | { readonly userData: string | undefined }
  | { readonly disableApiTermination: boolean }
  | { readonly disableApiStop: boolean }
  | { readonly securityGroups: readonly string[] }

/**
 * ModifyInstanceAttribute. The type and the user data change only while the instance is stopped
 * (EC2's IncorrectInstanceState otherwise); the next start runs the new user data. Protection
 * flags act on StopInstances / TerminateInstances; groups act at once (a balancer's rules that
 * name a group admit its running members).
 */
export function modifyInstanceAttribute(d: Draft, ref: string, patch: InstanceAttributePatch): Instance {
  const inst = d.resolve('instance', ref)
  if ('instanceType' in patch || 'userData' in patch) {
    if (inst.state !== 'stopped') throw new IncorrectStateError(`The instance '${inst.id}' is not in the 'stopped' state.`)
    if ('instanceType' in patch) {
      checkInstanceType(patch.instanceType)
      return d.put({ ...inst, instanceType: patch.instanceType })
    }
    return d.put({ ...inst, userData: patch.userData, command: undefined })
  }
  if ('securityGroups' in patch) {
    if (patch.securityGroups.length === 0) throw new InvalidValueError('VPC-based instances require at least one security group to be attached.')
    return d.put({ ...inst, securityGroups: groupIds(d, patch.securityGroups, inst.vpcId) })
  }
  if ('disableApiTermination' in patch) return d.put({ ...inst, disableApiTermination: patch.disableApiTermination || undefined })
  return d.put({ ...inst, disableApiStop: patch.disableApiStop || undefined })
}
