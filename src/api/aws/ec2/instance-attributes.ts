import { modifyInstanceAttribute, type InstanceAttributePatch } from '../../../control/instances.js'
import type { Draft } from '../../../control/draft.js'
import type { Instance } from '../../../model/instance.js'
import { INSTANCE_TYPES, instanceType, type InstanceTypeInfo } from '../../../model/instance-types.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import type { Params } from '../protocol/params.js'
import { applyFilters, decodeBase64UserData, ec2Page, filters, invalidValue, requiredParam, type Ec2Handler, type Ec2Result } from './common.js'

const notFound = (id: string) => new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`)

function instanceIn(d: Draft, call: Call, id: string): Instance {
  const inst = d.get('instance', id)
  if (!inst || inst.region !== call.region) throw notFound(id)
  return inst
}

const value = (v: string | boolean | undefined): Ec2Result => (v === undefined ? {} : { value: v })

/** DescribeInstanceAttribute: one attribute, with what openalb's instance has (no kernels, ramdisks or block devices). */
const ATTRIBUTES: Readonly<Record<string, (i: Instance, groupName: (id: string) => string) => Ec2Result>> = {
  instanceType: (i) => ({ instanceType: value(i.instanceType) }),
  kernel: () => ({ kernel: {} }),
  ramdisk: () => ({ ramdisk: {} }),
  userData: (i) => ({ userData: i.userData === undefined || i.userData === '' ? {} : value(Buffer.from(i.userData, 'utf8').toString('base64')) }),
  disableApiTermination: (i) => ({ disableApiTermination: value(i.disableApiTermination ?? false) }),
  disableApiStop: (i) => ({ disableApiStop: value(i.disableApiStop ?? false) }),
  instanceInitiatedShutdownBehavior: () => ({ instanceInitiatedShutdownBehavior: value('stop') }),
  rootDeviceName: () => ({ rootDeviceName: value('/dev/xvda') }),
  blockDeviceMapping: () => ({ blockDeviceMapping: [] }),
  productCodes: () => ({ productCodes: [] }),
  sourceDestCheck: () => ({ sourceDestCheck: value(true) }),
  groupSet: (i, groupName) => ({ groupSet: i.securityGroups.map((groupId) => ({ groupId, groupName: groupName(groupId) })) }),
  ebsOptimized: () => ({ ebsOptimized: value(false) }),
  sriovNetSupport: () => ({ sriovNetSupport: {} }),
  enclaveOptions: () => ({ enclaveOptions: { enabled: false } }),
}

const DescribeInstanceAttribute: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InstanceId')
  const attribute = requiredParam(call.params, 'Attribute')
  const shape = Object.hasOwn(ATTRIBUTES, attribute) ? ATTRIBUTES[attribute] : undefined
  if (attribute === 'enaSupport') throw invalidValue('The enaSupport attribute is not supported by DescribeInstanceAttribute; use DescribeInstances.')
  if (!shape) throw invalidValue(`Value (${attribute}) for parameter attribute is invalid. Unknown attribute.`)
  const d = await call.deps.control.view()
  const inst = instanceIn(d, call, id)
  return { instanceId: inst.id, ...shape(inst, (g) => d.get('security-group', g)?.name ?? '') }
}

/** ModifyInstanceAttribute's attribute kinds: the member form (InstanceType.Value=...) and the Attribute/Value form. */
const MEMBERS: Readonly<Record<string, string>> = {
  SourceDestCheck: 'sourceDestCheck',
  DisableApiStop: 'disableApiStop',
  DisableApiTermination: 'disableApiTermination',
  InstanceType: 'instanceType',
  Kernel: 'kernel',
  Ramdisk: 'ramdisk',
  UserData: 'userData',
  InstanceInitiatedShutdownBehavior: 'instanceInitiatedShutdownBehavior',
  GroupId: 'groupSet',
  EbsOptimized: 'ebsOptimized',
  SriovNetSupport: 'sriovNetSupport',
  EnaSupport: 'enaSupport',
  BlockDeviceMapping: 'blockDeviceMapping',
}

function boolOf(p: Params, member: string, attribute: string, plain: string | undefined): boolean {
  const v = plain ?? p.obj(member)?.str('Value')
  if (v !== 'true' && v !== 'false') throw invalidValue(`Value (${v ?? ''}) for parameter ${attribute} is invalid. Expected a boolean.`)
  return v === 'true'
}

/** The one change a ModifyInstanceAttribute asks for, or undefined when it is the value openalb's instances always have. */
function patchOf(call: Call, p: Params): InstanceAttributePatch | undefined {
  const given = Object.keys(MEMBERS).filter((m) => p.has(m))
  const attributeParam = p.str('Attribute')
  if (attributeParam !== undefined) {
    if (!Object.values(MEMBERS).includes(attributeParam)) throw invalidValue(`Value (${attributeParam}) for parameter attribute is invalid. Unknown attribute.`)
    given.push(attributeParam)
  }
  if (given.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter attribute')
  if (given.length > 1) throw new AwsError('InvalidParameterCombination', `Fields for multiple attribute types specified: ${given.join(', ')}`)
  const member = given[0] ?? ''
  const attribute = MEMBERS[member] ?? member
  // The Attribute/Value form carries the new value in Value.
  const plain = attributeParam !== undefined ? p.str('Value') : undefined
  const text = (): string => {
    const v = plain ?? p.obj(member)?.str('Value')
    if (v === undefined) throw new AwsError('MissingParameter', `The request must contain the parameter ${member}.Value`)
    return v
  }
  switch (attribute) {
    case 'instanceType':
      return { instanceType: text() }
    case 'userData': {
      const userData = decodeBase64UserData(plain ?? p.obj(member)?.str('Value'))
      if (userData?.startsWith('#!') && !call.deps.instances?.runsUserData) {
        throw new AwsError('UnsupportedOperation', 'This openalb does not run user data: start it with `openalb up --run-user-data` (it executes the code sent to this API)')
      }
      return { userData }
    }
    case 'disableApiTermination':
      return { disableApiTermination: boolOf(p, member, attribute, plain) }
    case 'disableApiStop':
      return { disableApiStop: boolOf(p, member, attribute, plain) }
    case 'groupSet':
      return { securityGroups: p.strings('GroupId') ?? [] }
    case 'sourceDestCheck':
      if (boolOf(p, member, attribute, plain)) return undefined
      throw invalidValue('SourceDestCheck false is not supported by openalb: instances do not route traffic for other addresses')
    case 'instanceInitiatedShutdownBehavior': {
      const v = text()
      if (v !== 'stop' && v !== 'terminate') throw invalidValue(`Value (${v}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are: stop, terminate.`)
      if (v === 'stop') return undefined
      throw invalidValue('InstanceInitiatedShutdownBehavior terminate is not supported by openalb: an instance has no operating system to shut down (its process exiting leaves it running with a failed status check)')
    }
    case 'ebsOptimized':
      if (!boolOf(p, member, attribute, plain)) return undefined
      throw invalidValue('EbsOptimized true is not supported by openalb: instances have no EBS volumes')
    case 'enaSupport':
      if (boolOf(p, member, attribute, plain)) return undefined
      throw invalidValue('EnaSupport false is not supported by openalb')
    default:
      throw invalidValue(`${member} is not supported by openalb: instances have no ${attribute === 'blockDeviceMapping' ? 'block devices' : attribute}`)
  }
}

const ModifyInstanceAttribute: Ec2Handler = async (call) => {
  const id = requiredParam(call.params, 'InstanceId')
  const patch = patchOf(call, call.params)
  await call.deps.control.mutate((d) => {
    instanceIn(d, call, id)
    if (patch) modifyInstanceAttribute(d, id, patch)
  })
  return { return: true }
}

function typeOut(t: InstanceTypeInfo): Ec2Result {
  return {
    instanceType: t.name,
    currentGeneration: t.currentGeneration,
    freeTierEligible: t.freeTierEligible,
    supportedUsageClasses: ['on-demand'],
    supportedRootDeviceTypes: ['ebs'],
    supportedVirtualizationTypes: ['hvm'],
    bareMetal: false,
    hypervisor: t.hypervisor,
    processorInfo: { supportedArchitectures: ['x86_64'] },
    vCpuInfo: { defaultVCpus: t.vcpus, defaultCores: t.cores, defaultThreadsPerCore: t.threadsPerCore },
    memoryInfo: { sizeInMiB: t.memoryMiB },
    instanceStorageSupported: false,
    networkInfo: { networkPerformance: t.network, maximumNetworkInterfaces: 1, ipv4AddressesPerInterface: 1, ipv6AddressesPerInterface: 0, ipv6Supported: false, enaSupport: t.hypervisor === 'nitro' ? 'required' : 'unsupported', efaSupported: false },
    hibernationSupported: false,
    burstablePerformanceSupported: t.burstable !== undefined,
    dedicatedHostsSupported: false,
    autoRecoverySupported: false,
  }
}

/** DescribeInstanceTypes: the table of model/instance-types.ts, the types openalb accepts. */
const DescribeInstanceTypes: Ec2Handler = async (call) => {
  const p = call.params
  const names = p.strings('InstanceType') ?? []
  const unknown = names.filter((n) => !instanceType(n))
  if (unknown.length > 0) throw new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`)
  const chosen = names.length > 0 ? INSTANCE_TYPES.filter((t) => names.includes(t.name)) : [...INSTANCE_TYPES]
  const matched = applyFilters(
    chosen.map((t) => ({ t, tags: {} })),
    filters(p),
    ({ t }) => ({
      'instance-type': t.name,
      'current-generation': t.currentGeneration,
      'free-tier-eligible': t.freeTierEligible,
      'burstable-performance-supported': t.burstable !== undefined,
      hypervisor: t.hypervisor,
      'vcpu-info.default-vcpus': t.vcpus,
      'vcpu-info.default-cores': t.cores,
      'vcpu-info.default-threads-per-core': t.threadsPerCore,
      'memory-info.size-in-mib': t.memoryMiB,
      'processor-info.supported-architecture': 'x86_64',
      'supported-usage-class': 'on-demand',
      'supported-root-device-type': 'ebs',
      'supported-virtualization-type': 'hvm',
    }),
  )
  const pg = ec2Page(matched, p, 5, 100)
  return { instanceTypeSet: pg.items.map(({ t }) => typeOut(t)), nextToken: pg.nextToken }
}

/** DescribeInstanceCreditSpecifications: a T instance's credit option is its type's default (openalb meters no credits). */
const DescribeInstanceCreditSpecifications: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  const ids = call.params.strings('InstanceId') ?? []
  const list = ids.length > 0 ? ids.map((id) => instanceIn(d, call, id)) : d.list('instance').filter((i) => i.region === call.region && i.state !== 'terminated')
  const rows = list.flatMap((i) => {
    const credits = instanceType(i.instanceType)?.burstable?.defaultCredits
    if (credits === undefined) {
      if (ids.length > 0) throw new AwsError('InvalidParameterValue', `The instance ID '${i.id}' is not supported. The only supported instance types are T2, T3 and T3a.`)
      return []
    }
    return [{ i, credits, tags: i.tags }]
  })
  const matched = applyFilters(rows, filters(call.params), (r) => ({ 'instance-id': r.i.id }))
  const pg = ec2Page(matched, call.params, 5, 1000)
  return { instanceCreditSpecificationSet: pg.items.map((r) => ({ instanceId: r.i.id, cpuCredits: r.credits })), nextToken: pg.nextToken }
}

/** Instance attributes, types and credit options, as Terraform's aws_instance reads and updates them. */
export const INSTANCE_ATTRIBUTE_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  DescribeInstanceAttribute,
  ModifyInstanceAttribute,
  DescribeInstanceTypes,
  DescribeInstanceCreditSpecifications,
}
