import { rebootInstances, runInstances, startInstances, stopInstances, terminateInstances, type StateChange } from '../../../control/instances.js'
import { listSubnets } from '../../../control/network-lookup.js'
import { MAX_INSTANCES, STATE_CODE, type Instance, type InstanceState } from '../../../model/instance.js'
import { instanceType } from '../../../model/instance-types.js'
import type { Call } from '../deps.js'
import type { Params } from '../protocol/params.js'
import { launchTemplateTags, resolveLaunch } from '../../../control/launch-templates.js'
import { AwsError } from '../errors.js'
import { instanceInterfaceOut } from './network-interfaces.js'
import { applyFilters, decodeBase64UserData, ec2Page, filters, invalidValue, requiredParam, tagSet, tagSpecifications, type Ec2Handler, type Ec2Result } from './common.js'

export { MAX_INSTANCES }

const stateOut = (s: InstanceState): Ec2Result => ({ code: STATE_CODE[s], name: s })

function reasonOf(i: Instance): { code: string; message: string } | undefined {
  const r = i.stateReason
  if (r === undefined || r.startsWith('openalb.')) return undefined
  const code = r.split(':')[0] ?? r
  return { code, message: r }
}

function instanceOut(call: Call, i: Instance, groupNames: ReadonlyMap<string, string>): Ec2Result {
  const reason = reasonOf(i)
  const gmt = new Date(i.stateChangedAt).toISOString().replace('T', ' ').slice(0, 19)
  return {
    instanceId: i.id,
    imageId: i.imageId,
    instanceState: stateOut(i.state),
    privateDnsName: i.state === 'terminated' ? '' : i.privateDnsName,
    dnsName: '',
    reason: reason ? `User initiated (${gmt} GMT)` : '',
    amiLaunchIndex: i.launchIndex,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: i.launchTime,
    placement: { availabilityZone: i.availabilityZone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.state === 'terminated' ? undefined : i.subnetId,
    vpcId: i.state === 'terminated' ? undefined : i.vpcId,
    privateIpAddress: i.state === 'terminated' ? undefined : i.address,
    stateReason: reason,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    groupSet: i.securityGroups.map((groupId) => ({ groupId, groupName: groupNames.get(groupId) ?? '' })),
    tagSet: tagSet(i.tags),
    hypervisor: 'xen',
    networkInterfaceSet: i.state === 'terminated' ? [] : [instanceInterfaceOut(call, i, (g) => groupNames.get(g) ?? '')],
    ebsOptimized: false,
    enaSupport: true,
    sourceDestCheck: true,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    usageOperationUpdateTime: i.launchTime,
    metadataOptions: { state: 'applied', httpTokens: 'optional', httpPutResponseHopLimit: 1, httpEndpoint: 'enabled', httpProtocolIpv6: 'disabled', instanceMetadataTags: 'disabled' },
    cpuOptions: { coreCount: instanceType(i.instanceType)?.cores ?? 1, threadsPerCore: instanceType(i.instanceType)?.threadsPerCore ?? 1 },
    capacityReservationSpecification: { capacityReservationPreference: 'open' },
    hibernationOptions: { configured: false },
    enclaveOptions: { enabled: false },
    maintenanceOptions: { autoRecovery: 'default' },
    privateDnsNameOptions: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    currentInstanceBootMode: 'legacy-bios',
    bootMode: 'legacy-bios',
  }
}

/** The RunInstances parameters openalb acts on. */
const HANDLED = new Set(['ImageId', 'InstanceType', 'MinCount', 'MaxCount', 'SubnetId', 'SecurityGroupId', 'SecurityGroup', 'UserData', 'TagSpecification', 'Placement', 'ClientToken', 'LaunchTemplate', 'NetworkInterface', 'DisableApiTermination', 'DisableApiStop', 'CreditSpecification'])
/** Parameters accepted only at EC2's default (what SDKs and Terraform send when nothing is asked for). */
const AT_DEFAULT: Readonly<Record<string, (v: unknown) => boolean>> = {
  DryRun: (v) => v === 'false',
  EbsOptimized: (v) => v === 'false',
  InstanceInitiatedShutdownBehavior: (v) => v === 'stop',
  Monitoring: (v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).Enabled === 'false',
  HibernationOptions: (v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>).Configured === 'false',
}

/** Everything else has nothing behind it in openalb: refused by name, never dropped. */
function refuseUnhandled(raw: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(raw)) {
    if (HANDLED.has(name) || AT_DEFAULT[name]?.(value)) continue
    throw invalidValue(`${name} is not supported by openalb`)
  }
  const template = raw.LaunchTemplate
  if (typeof template === 'object' && template !== null) {
    for (const k of Object.keys(template)) if (!['LaunchTemplateId', 'LaunchTemplateName', 'Version'].includes(k)) throw invalidValue(`LaunchTemplate.${k} is not supported by openalb`)
  }
  const placement = raw.Placement
  if (typeof placement === 'object' && placement !== null) {
    for (const [k, v] of Object.entries(placement)) if (k !== 'AvailabilityZone' && !(k === 'Tenancy' && v === 'default')) throw invalidValue(`Placement.${k} is not supported by openalb`)
  }
}

/**
 * The primary network interface as Terraform's aws_instance sends it with a subnet
 * (NetworkInterface.1: DeviceIndex 0, SubnetId, SecurityGroupId.N): the instance's one interface.
 * openalb cannot attach an existing interface, give a second one, a chosen address or a public one.
 */
function primaryInterface(p: Params): { subnet?: string | undefined; groups: string[] } | undefined {
  const list = p.objs('NetworkInterface')
  const ni = list[0]
  if (!ni) return undefined
  if (list.length > 1) throw invalidValue('openalb instances have one network interface: NetworkInterface.2 is not supported')
  for (const k of Object.keys(ni.raw)) {
    if (!['DeviceIndex', 'SubnetId', 'SecurityGroupId', 'AssociatePublicIpAddress', 'DeleteOnTermination', 'NetworkCardIndex'].includes(k)) throw invalidValue(`NetworkInterface.1.${k} is not supported by openalb`)
  }
  if ((ni.int('DeviceIndex') ?? 0) !== 0 || (ni.int('NetworkCardIndex') ?? 0) !== 0) throw invalidValue('openalb instances have one network interface: its DeviceIndex and NetworkCardIndex are 0')
  if (ni.bool('AssociatePublicIpAddress') === true) throw invalidValue('NetworkInterface.1.AssociatePublicIpAddress: openalb gives instances no public address')
  if (ni.bool('DeleteOnTermination') === false) throw invalidValue('NetworkInterface.1.DeleteOnTermination: an instance\'s interface goes with it in openalb')
  if (p.has('SubnetId')) throw new AwsError('InvalidParameterCombination', 'Network interfaces and an instance-level subnet ID may not be specified on the same request')
  if (p.has('SecurityGroupId') || p.has('SecurityGroup')) throw new AwsError('InvalidParameterCombination', 'Network interfaces and an instance-level security groups may not be specified on the same request')
  return { subnet: ni.str('SubnetId'), groups: ni.strings('SecurityGroupId') ?? [] }
}

/** CreditSpecification: only a T type's own default (Terraform sends unlimited for t3), as nothing meters CPU credits here. */
function checkCredits(p: Params, type: string): void {
  const credits = p.obj('CreditSpecification')?.str('CpuCredits')
  if (credits === undefined) return
  const info = instanceType(type)
  if (!info?.burstable) throw invalidValue(`CreditSpecification is only for burstable (T2, T3, T3a) instance types, not ${type}`)
  if (credits !== info.burstable.defaultCredits) throw invalidValue(`CpuCredits '${credits}' is not supported by openalb: ${type} has ${info.burstable.defaultCredits} credits (openalb does not meter CPU credits)`)
}

const RunInstances: Ec2Handler = async (call) => {
  const p = call.params
  refuseUnhandled(p.raw)
  const template = p.obj('LaunchTemplate')
  const imageParam = template ? p.str('ImageId') : requiredParam(p, 'ImageId')
  const min = p.int('MinCount')
  const max = p.int('MaxCount')
  if (min === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MinCount')
  if (max === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter MaxCount')
  if (min < 1 || max < min) throw invalidValue(`Value (${min}) for parameter minCount is invalid. Expected a number between 1 and maxCount (${max}).`)
  const ownUserData = decodeBase64UserData(p.str('UserData'))
  // RunInstances with a template: the template version's data, under what the call itself gives.
  const launch = template ? resolveLaunch(await call.deps.control.view(), templateRef(template)) : undefined
  const fromTemplate = launch?.data
  const userData = ownUserData ?? fromTemplate?.userData
  const imageId = imageParam ?? fromTemplate?.imageId
  if (imageId === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter ImageId')
  const runtime = call.deps.instances
  if (userData?.startsWith('#!') && !runtime?.runsUserData) {
    throw new AwsError('UnsupportedOperation', 'This openalb does not run user data: start it with `openalb up --run-user-data` (it executes the code sent to this API)')
  }
  // EC2 tags an instance with the template it came from (Terraform's aws_instance reads them back).
  const templateTags = launch ? launchTemplateTags(launch.ref) : {}
  const tags = { ...fromTemplate?.instanceTags, ...tagSpecifications(p, 'instance'), ...templateTags }
  const primary = primaryInterface(p)
  const groupIds = primary?.groups ?? p.strings('SecurityGroupId') ?? (p.has('SecurityGroup') ? [] : [...(fromTemplate?.securityGroupIds ?? [])])
  const groupNames = p.strings('SecurityGroup') ?? []
  const zoneParam = p.obj('Placement')?.str('AvailabilityZone')
  const zone = zoneParam === '' ? undefined : zoneParam
  const type = p.str('InstanceType') ?? fromTemplate?.instanceType ?? 'm1.small'
  checkCredits(p, type)
  const protection = { disableApiTermination: p.bool('DisableApiTermination') ?? false, disableApiStop: p.bool('DisableApiStop') ?? false }
  const clientToken = p.str('ClientToken')
  const reservation = (
    await call.deps.control.mutate((d) => {
      const names = new Map(d.list('security-group').map((g) => [g.id, g.name]))
      // EC2: a ClientToken seen before answers with the instances it launched.
      const earlier = clientToken === undefined ? [] : d.list('instance').filter((i) => i.clientToken === clientToken)
      if (earlier.length > 0) return { instances: earlier.sort((a, b) => a.launchIndex - b.launchIndex), names }
      const live = d.list('instance').filter((i) => i.state !== 'terminated').length
      if (live + min > MAX_INSTANCES) throw new AwsError('InstanceLimitExceeded', `You have requested more instances (${live + min}) than your current instance limit of ${MAX_INSTANCES} allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`)
      const count = Math.min(max, MAX_INSTANCES - live)
      let subnet = primary?.subnet ?? p.str('SubnetId')
      if (subnet === undefined && zone !== undefined) {
        const s = listSubnets(d, call.region).find((x) => x.defaultForAz && x.availabilityZone === zone)
        if (!s) throw invalidValue(`Invalid availability zone: [${zone}]`)
        subnet = s.id
      }
      for (const name of groupNames) {
        const g = d.list('security-group').find((x) => x.name === name)
        if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist`)
        groupIds.push(g.id)
      }
      for (const id of groupIds) if (!d.get('security-group', id)) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`)
      if (subnet !== undefined && !listSubnets(d, call.region).some((s) => s.id === subnet)) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${subnet}' does not exist`)
      const instances = runInstances(d, { subnet, imageId, instanceType: type, securityGroups: groupIds, userData, tags, region: call.region, clientToken, ...protection }, count)
      return { instances, names: new Map(d.list('security-group').map((g) => [g.id, g.name])) }
    })
  ).value
  const first = reservation.instances[0]
  return {
    reservationId: first?.reservationId ?? '',
    ownerId: call.deps.control.partition.accountId,
    groupSet: [],
    instancesSet: reservation.instances.map((i) => instanceOut(call, i, reservation.names)),
  }
}

/** LaunchTemplate.{LaunchTemplateId|LaunchTemplateName, Version} -> a reference resolveLaunch takes. */
function templateRef(p: Params): { id?: string | undefined; name?: string | undefined; version: string } {
  const id = p.str('LaunchTemplateId')
  const name = p.str('LaunchTemplateName')
  if ((id === undefined) === (name === undefined)) throw invalidValue('Exactly one of LaunchTemplateId or LaunchTemplateName must be specified.')
  return { id, name, version: p.str('Version') ?? '$Default' }
}

function chosenInstances(call: Call, all: readonly Instance[]): Instance[] {
  const ids = call.params.strings('InstanceId') ?? []
  const missing = ids.filter((id) => !all.some((i) => i.id === id))
  if (missing.length === 1) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${missing[0] ?? ''}' does not exist`)
  if (missing.length > 1) throw new AwsError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`)
  return ids.length > 0 ? all.filter((i) => ids.includes(i.id)) : [...all]
}

const DescribeInstances: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  const names = new Map(d.list('security-group').map((g) => [g.id, g.name]))
  const all = d.list('instance').filter((i) => i.region === call.region).sort((a, b) => a.launchTime.localeCompare(b.launchTime) || a.launchIndex - b.launchIndex)
  const matched = applyFilters(chosenInstances(call, all), filters(call.params), (i) => ({
    'instance-id': i.id,
    'instance-state-name': i.state,
    'instance-state-code': STATE_CODE[i.state],
    'instance-type': i.instanceType,
    'image-id': i.imageId,
    'subnet-id': i.subnetId,
    'vpc-id': i.vpcId,
    'availability-zone': i.availabilityZone,
    'private-ip-address': i.address,
    'private-dns-name': i.privateDnsName,
    'reservation-id': i.reservationId,
    'instance.group-id': i.securityGroups,
    'instance.group-name': i.securityGroups.map((g) => names.get(g) ?? ''),
    'owner-id': call.deps.control.partition.accountId,
  }))
  const reservations = new Map<string, Instance[]>()
  for (const i of matched) reservations.set(i.reservationId, [...(reservations.get(i.reservationId) ?? []), i])
  const pg = ec2Page([...reservations.entries()], call.params)
  return {
    reservationSet: pg.items.map(([reservationId, list]) => ({
      reservationId,
      ownerId: call.deps.control.partition.accountId,
      groupSet: [],
      instancesSet: list.map((i) => instanceOut(call, i, names)),
    })),
    nextToken: pg.nextToken,
  }
}

const DescribeInstanceStatus: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  const includeAll = call.params.bool('IncludeAllInstances') ?? false
  const all = d.list('instance').filter((i) => i.region === call.region)
  const chosen = chosenInstances(call, all).filter((i) => includeAll || i.state === 'running')
  const rows = chosen.map((i) => ({ i, check: call.deps.instances?.check(i) ?? { status: i.launched ? 'initializing' : 'ok', reachability: i.launched ? 'initializing' : 'passed' }, tags: i.tags }))
  const matched = applyFilters(rows, filters(call.params), (r) => ({
    'instance-state-name': r.i.state,
    'instance-state-code': STATE_CODE[r.i.state],
    'availability-zone': r.i.availabilityZone,
    'instance-status.status': r.check.status,
    'instance-status.reachability': r.check.reachability,
    'system-status.status': r.i.state === 'running' ? 'ok' : 'not-applicable',
  }))
  const pg = ec2Page(matched, call.params)
  return {
    instanceStatusSet: pg.items.map(({ i, check }) => {
      const running = i.state === 'running'
      return {
        instanceId: i.id,
        availabilityZone: i.availabilityZone,
        eventsSet: [],
        instanceState: stateOut(i.state),
        systemStatus: running ? { status: 'ok', details: [{ name: 'reachability', status: 'passed' }] } : { status: 'not-applicable', details: [] },
        instanceStatus: running
          ? { status: check.status, details: [{ name: 'reachability', status: check.reachability, impairedSince: 'impairedSince' in check ? check.impairedSince : undefined }] }
          : { status: 'not-applicable', details: [] },
      }
    }),
    nextToken: pg.nextToken,
  }
}

const changesOut = (changes: readonly StateChange[]): Ec2Result => ({
  instancesSet: changes.map((c) => ({ instanceId: c.id, currentState: stateOut(c.current), previousState: stateOut(c.previous) })),
})

const ids = (call: Call): string[] => {
  const list = call.params.strings('InstanceId') ?? []
  if (list.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId')
  return list
}

const StopInstances: Ec2Handler = async (call) => {
  if (call.params.bool('Hibernate')) throw invalidValue('Hibernate is not supported by openalb')
  return changesOut((await call.deps.control.mutate((d) => stopInstances(d, ids(call)))).value)
}
const StartInstances: Ec2Handler = async (call) => changesOut((await call.deps.control.mutate((d) => startInstances(d, ids(call)))).value)
const TerminateInstances: Ec2Handler = async (call) => changesOut((await call.deps.control.mutate((d) => terminateInstances(d, ids(call)))).value)
const RebootInstances: Ec2Handler = async (call) => {
  await call.deps.control.mutate((d) => rebootInstances(d, ids(call)))
  return { return: true }
}

const GetConsoleOutput: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InstanceId')
  const d = await call.deps.control.view()
  const inst = d.get('instance', id)
  if (!inst) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`)
  const out = call.deps.instances?.consoleOutput(id)
  return { instanceId: id, timestamp: new Date().toISOString(), output: out && out.length > 0 ? out.toString('base64') : undefined }
}

/** Instances that run: EC2's state machine, with compute/ carrying out each change. */
export const INSTANCE_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  RunInstances,
  DescribeInstances,
  DescribeInstanceStatus,
  StopInstances,
  StartInstances,
  RebootInstances,
  TerminateInstances,
  GetConsoleOutput,
}
