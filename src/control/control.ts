import { DEFAULT_PARTITION, DEFAULT_VPC_ID, type Partition } from '../model/ids.js'
import { ELBV2_QUOTAS, type Quotas } from '../model/quotas.js'
import { RevisionConflict, StoreUnavailable, type Store } from '../store/state.js'
import { regionalView, type Change, type StateView } from '../model/state-view.js'
import { Draft, type CertificateCheck } from './draft.js'
import { StoreUnavailableError } from './errors.js'
import { ensureDefaultVpcSecurityGroup } from './security-groups.js'

/** The store's outage as control's error (AWS: ServiceUnavailable, CLI: exit 1 with the reason). */
async function reachable<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    throw e instanceof StoreUnavailable ? new StoreUnavailableError(e.message) : e
  }
}

export interface ControlOptions {
  readonly partition?: Partition
  readonly now?: () => Date
  /** certs/ validates imported PEMs; without it imports are refused. */
  readonly checkCertificate?: CertificateCheck
  /** The loopback range launched instances take addresses from (default model's INSTANCE_ADDRESS_RANGE; $OPENALB_INSTANCE_ADDRESSES). */
  readonly instanceAddresses?: string | undefined
  /** What is bound on this machine, so that launches skip other openalbs' instance addresses (compute's boundAddresses). */
  readonly addressesInUse?: (() => ReadonlySet<string>) | undefined
  /** ELBv2's account quotas (default AWS's). */
  readonly quotas?: Quotas | undefined
}

export interface Mutation<T> {
  readonly value: T
  readonly revision: number
  readonly changes: readonly Change[]
}

/**
 * The one writer of the store. Every door (config, CLI, AWS API, certs) changes state through
 * mutate(): the function runs against a Draft of the current state, and its changes commit as
 * one transaction. A thrown error leaves the store as it was.
 */
export class Control {
  readonly partition: Partition
  readonly quotas: Quotas
  private readonly now: () => Date

  constructor(
    readonly store: Store,
    private readonly options: ControlOptions = {},
  ) {
    this.partition = options.partition ?? DEFAULT_PARTITION
    this.quotas = options.quotas ?? ELBV2_QUOTAS
    this.now = options.now ?? (() => new Date())
  }

  /** What every store holds from the start: the default VPC's `default` security group. A node calls it once when it starts. */
  async ensureDefaults(): Promise<void> {
    const base = await reachable(this.store.load())
    if (new Draft(base, this.context()).list('security-group').some((g) => g.vpcId === DEFAULT_VPC_ID && g.name === 'default')) return
    await this.mutate(ensureDefaultVpcSecurityGroup)
  }

  read(): Promise<StateView> {
    return reachable(this.store.load())
  }

  /** A read-only draft for lookups by name (describe, get); with a region, as that region's API sees the state (regionalView). */
  async view(region?: string): Promise<Draft> {
    const base = await reachable(this.store.load())
    return new Draft(region === undefined ? base : regionalView(base, region), this.context())
  }

  async mutate<T>(fn: (draft: Draft) => T): Promise<Mutation<T>> {
    for (let attempt = 0; ; attempt++) {
      const base = await reachable(this.store.load())
      const draft = new Draft(base, this.context())
      const value = fn(draft)
      const changes = draft.changes()
      if (changes.length === 0) return { value, revision: base.revision, changes }
      try {
        const revision = await reachable(this.store.commit(base.revision, changes))
        return { value, revision, changes }
      } catch (e) {
        if (e instanceof RevisionConflict && attempt < 20) continue
        throw e
      }
    }
  }

  private context() {
    return { partition: this.partition, now: this.now, checkCertificate: this.options.checkCertificate, instanceAddresses: this.options.instanceAddresses, addressesInUse: this.options.addressesInUse, quotas: this.quotas }
  }
}
