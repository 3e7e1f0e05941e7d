import { z } from 'zod'
import { isIpAddress } from './cidr-text.js'
import { instanceType } from './instance-types.js'
import { tags, type Tags } from './schema-util.js'

export const InstanceState = {
  PENDING: 'pending',
  RUNNING: 'running',
  STOPPING: 'stopping',
  STOPPED: 'stopped',
  SHUTTING_DOWN: 'shutting-down',
  TERMINATED: 'terminated',
} as const
export type InstanceState = (typeof InstanceState)[keyof typeof InstanceState]

/** EC2's state codes (the low byte of InstanceState.Code). */
export const STATE_CODE: Record<InstanceState, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 }

/**
 * The loopback range launched instances take their private address from, lowest free first:
 * 127.100.0.1 to 127.100.255.254 (Linux answers all of 127.0.0.0/8 on lo, so each instance's
 * process can bind its own address without setup). A terminated instance gives its address back.
 */
export const INSTANCE_ADDRESS_RANGE = '127.100.0.0/16'

/** EC2's default quota of live instances (DescribeAccountAttributes max-instances). */
export const MAX_INSTANCES = 20

/** How long a terminated instance stays visible in DescribeInstances, as on EC2 (about an hour). */
export const TERMINATED_VISIBLE_SECONDS = 3600

export const instanceSpec = z
  .strictObject({
    /** A name for the instance (its Name tag), unique; targets of type instance may name it. */
    name: z.string().min(1).max(255),
    /** A host running elsewhere, reached at this address (IPv4 or IPv6): openalb runs nothing for it. Without it, openalb launches the instance on an address of 127.100.0.0/16. */
    address: z.string().refine(isIpAddress, 'must be an IPv4 or IPv6 address').optional(),
    /** The subnet, by name or id, whose zone and VPC the instance is in (default subnet-a of the default VPC). */
    subnet: z.string().min(1).optional(),
    /** Zone label of a host given by `address` (default: its subnet's zone). */
    availabilityZone: z.string().optional(),
    /** One of the types of docs/ec2.md's table (t3.micro by default), a label: every instance runs on this machine. */
    instanceType: z.string().min(1).refine((t) => instanceType(t) !== undefined, 'must be an instance type openalb knows (docs/ec2.md): t3.micro, m5.large, ...').default('t3.micro'),
    /** A label (ami-openalb by default); no image is booted. */
    imageId: z.string().min(1).default('ami-openalb'),
    /** A script (#!...) openalb runs as the instance's process when started with `openalb up --run-user-data`. */
    userData: z.string().max(16384).optional(),
    /** A command (argv) to run as the instance's process instead of user data, with the same environment and rules. */
    command: z.array(z.string()).min(1).optional(),
    /** Security groups, by name or id. */
    securityGroups: z.array(z.string()).default([]),
    tags,
  })
  .superRefine((i, ctx) => {
    if (i.userData !== undefined && i.command !== undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: 'give userData or command, not both' })
    if (i.address !== undefined && (i.userData !== undefined || i.command !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'an instance with an address runs elsewhere: it cannot have userData or a command' })
    }
    if (i.userData !== undefined && !i.userData.startsWith('#!')) ctx.addIssue({ code: 'custom', path: ['userData'], message: 'must be a script beginning with #! (openalb runs no cloud-init)' })
  })
export type InstanceSpec = z.input<typeof instanceSpec>

export interface Instance {
  readonly kind: 'instance'
  readonly id: string
  readonly name: string
  /** The private address: the host's own, or one of 127.100.0.0/16 for a launched instance. */
  readonly address: string
  readonly availabilityZone: string
  /** Group ids. */
  readonly securityGroups: readonly string[]
  readonly tags: Tags
  /** A host given by address is always running and has no process; a launched one follows EC2's states. */
  readonly launched: boolean
  readonly state: InstanceState
  /** Why it is in its state: EC2's StateReason code (Client.UserInitiatedShutdown, ...). */
  readonly stateReason?: string | undefined
  /** ISO 8601: when the state last changed. */
  readonly stateChangedAt: string
  readonly region: string
  readonly subnetId: string
  readonly vpcId: string
  readonly instanceType: string
  readonly imageId: string
  readonly privateDnsName: string
  /** The user data as given (text; the API's base64 decoded). */
  readonly userData?: string | undefined
  readonly command?: readonly string[] | undefined
  readonly reservationId: string
  /** RunInstances' ClientToken: the same token returns the same reservation (EC2's idempotency). */
  readonly clientToken?: string | undefined
  readonly launchIndex: number
  /** ISO 8601. */
  readonly launchTime: string
  /** Termination protection (DisableApiTermination): TerminateInstances is refused while it is on. */
  readonly disableApiTermination?: boolean | undefined
  /** Stop protection (DisableApiStop): StopInstances is refused while it is on. */
  readonly disableApiStop?: boolean | undefined
}

/** Whether targets reach the instance: a host, or a launched instance that is running. */
export const isReachable = (i: Instance): boolean => i.state === 'running'

/** EC2's private DNS name for an address: ip-10-0-0-1.ec2.internal (us-east-1), ip-...REGION.compute.internal. */
export function privateDnsName(address: string, region: string): string {
  const host = `ip-${address.replace(/[.:]/g, '-')}`
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`
}
