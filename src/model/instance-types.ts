/**
 * The instance types openalb accepts, with EC2's published sizes. A type is a label: every
 * instance is a process on this machine, and nothing limits its CPU or memory to the type's;
 * DescribeInstanceTypes answers this table, and RunInstances, launch templates and YAML refuse a
 * type that is not in it (InvalidParameterValue, as EC2 refuses an unknown type).
 */
export interface InstanceTypeInfo {
  readonly name: string
  readonly vcpus: number
  readonly cores: number
  readonly threadsPerCore: number
  readonly memoryMiB: number
  readonly hypervisor: 'xen' | 'nitro'
  readonly currentGeneration: boolean
  readonly freeTierEligible: boolean
  /** T2, T3 and T3a: CPU credits; the default credit option is theirs (t2 standard, t3/t3a unlimited). */
  readonly burstable?: { readonly defaultCredits: 'standard' | 'unlimited' } | undefined
  readonly network: string
}

const SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'] as const
const T_VCPUS: Record<string, [number, number]> = { nano: [1, 512], micro: [1, 1024], small: [1, 2048], medium: [2, 4096], large: [2, 8192], xlarge: [4, 16384], '2xlarge': [8, 32768] }

function burstableFamily(family: 't2' | 't3' | 't3a'): InstanceTypeInfo[] {
  return SIZES.map((size) => {
    const [t2Vcpus, memoryMiB] = T_VCPUS[size] ?? [1, 1024]
    // T3 and T3a have two vCPUs (one core, two threads) where T2 has one.
    const vcpus = family === 't2' ? t2Vcpus : Math.max(2, t2Vcpus)
    const threadsPerCore = family === 't2' ? 1 : 2
    return {
      name: `${family}.${size}`,
      vcpus,
      cores: vcpus / threadsPerCore,
      threadsPerCore,
      memoryMiB,
      hypervisor: family === 't2' ? 'xen' : 'nitro',
      currentGeneration: true,
      freeTierEligible: size === 'micro' && family !== 't3a',
      burstable: { defaultCredits: family === 't2' ? 'standard' : 'unlimited' },
      network: family === 't2' ? 'Low to Moderate' : 'Up to 5 Gigabit',
    }
  })
}

/** General purpose, compute and memory optimized families: [size, vCPUs] with memory per vCPU. */
function fixedFamily(family: string, memoryPerVcpuMiB: number, sizes: readonly [string, number][], network: string): InstanceTypeInfo[] {
  return sizes.map(([size, vcpus]) => ({
    name: `${family}.${size}`,
    vcpus,
    cores: vcpus / 2,
    threadsPerCore: 2,
    memoryMiB: vcpus * memoryPerVcpuMiB,
    hypervisor: 'nitro',
    currentGeneration: true,
    freeTierEligible: false,
    network,
  }))
}

const M_SIZES: readonly [string, number][] = [['large', 2], ['xlarge', 4], ['2xlarge', 8], ['4xlarge', 16]]

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = [
  ...burstableFamily('t2'),
  ...burstableFamily('t3'),
  ...burstableFamily('t3a'),
  ...fixedFamily('m5', 4096, M_SIZES, 'Up to 10 Gigabit'),
  ...fixedFamily('m6i', 4096, M_SIZES, 'Up to 12.5 Gigabit'),
  ...fixedFamily('c5', 2048, M_SIZES, 'Up to 10 Gigabit'),
  ...fixedFamily('c6i', 2048, M_SIZES, 'Up to 12.5 Gigabit'),
  ...fixedFamily('r5', 8192, M_SIZES, 'Up to 10 Gigabit'),
  // EC2's default when RunInstances names no type: a previous-generation m1.small.
  { name: 'm1.small', vcpus: 1, cores: 1, threadsPerCore: 1, memoryMiB: 1740, hypervisor: 'xen', currentGeneration: false, freeTierEligible: false, network: 'Low' },
  { name: 'm1.medium', vcpus: 1, cores: 1, threadsPerCore: 1, memoryMiB: 3840, hypervisor: 'xen', currentGeneration: false, freeTierEligible: false, network: 'Moderate' },
]

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.name, t]))

export const instanceType = (name: string): InstanceTypeInfo | undefined => BY_NAME.get(name)

/** EC2's words for a type it does not have. */
export const unknownInstanceTypeMessage = (name: string): string => `Invalid value '${name}' for InstanceType.`
