import type { Partition } from '../model/ids.js'
import { ELBV2_QUOTAS, type QuotaName, type Quotas } from '../model/quotas.js'
import { resourceKey, type Kind, type Resource, type ResourceByKind } from '../model/resources.js'
import type { Failure, Result } from '../model/result.js'
import { parseWith } from '../model/schema-util.js'
import type { z } from 'zod'
import type { Change, StateView } from '../model/state-view.js'
import { NotFoundError, ValidationFailed } from './errors.js'

/** What control needs from certs/ to accept imported PEMs; certs implements it, main wires it. */
export interface ImportedMaterial {
  readonly domainName: string
  readonly subjectAlternativeNames: readonly string[]
  readonly notBefore: string
  readonly notAfter: string
  readonly serial: string
  readonly keyAlgorithm: string
}
export type CertificateCheck = (input: {
  certificatePem: string
  privateKeyPem: string
  chainPem?: string | undefined
  now: Date
}) => Result<ImportedMaterial, readonly Failure[]>

export interface DraftContext {
  readonly partition: Partition
  readonly now: () => Date
  readonly checkCertificate?: CertificateCheck | undefined
  readonly instanceAddresses?: string | undefined
  /** The IPv4 addresses sockets on this machine are bound to (compute's boundAddresses; main wires it). */
  readonly addressesInUse?: (() => ReadonlySet<string>) | undefined
  /** ELBv2's account quotas (default AWS's, ELBV2_QUOTAS). */
  readonly quotas?: Quotas | undefined
}

/**
 * A working copy of the state for one transaction: operations read and write it, and the
 * changes it collects are committed together or not at all.
 */
export class Draft {
  private readonly overlay = new Map<Kind, Map<string, Resource | null>>()
  private readonly order: string[] = []

  constructor(
    readonly base: StateView,
    readonly ctx: DraftContext,
  ) {}

  get partition(): Partition {
    return this.ctx.partition
  }

  /** The quota `name` in force: the configured one, else AWS's default. */
  quota(name: QuotaName): number {
    return (this.ctx.quotas ?? ELBV2_QUOTAS)[name]
  }

  get<K extends Kind>(kind: K, key: string): ResourceByKind[K] | undefined {
    const o = this.overlay.get(kind)
    if (o?.has(key)) return (o.get(key) ?? undefined) as ResourceByKind[K] | undefined
    return this.base.get(kind, key)
  }

  list<K extends Kind>(kind: K): ResourceByKind[K][] {
    const o = this.overlay.get(kind)
    const out: ResourceByKind[K][] = []
    for (const r of this.base.list(kind)) {
      const key = resourceKey(r)
      if (o?.has(key)) continue
      out.push(r)
    }
    if (o) for (const r of o.values()) if (r) out.push(r as ResourceByKind[K])
    return out
  }

  put<R extends Resource>(resource: R): R {
    const key = resourceKey(resource)
    this.slot(resource.kind).set(key, resource)
    this.order.push(`${resource.kind}\u0000${key}`)
    return resource
  }

  remove(kind: Kind, key: string): void {
    this.slot(kind).set(key, null)
    this.order.push(`${kind}\u0000${key}`)
  }

  private slot(kind: Kind): Map<string, Resource | null> {
    let m = this.overlay.get(kind)
    if (!m) this.overlay.set(kind, (m = new Map()))
    return m
  }

  /** The changes, in the order first touched, one per resource. */
  changes(): Change[] {
    const seen = new Set<string>()
    const out: Change[] = []
    for (const id of this.order) {
      if (seen.has(id)) continue
      seen.add(id)
      const [kind, key] = id.split('\u0000') as [Kind, string]
      const value = this.overlay.get(kind)?.get(key)
      if (value) {
        const before = this.base.get(kind, key)
        // A put that changes nothing is no change: no new revision, no line in a plan.
        if (!before || JSON.stringify(before) !== JSON.stringify(value)) out.push({ op: 'put', resource: value })
      } else if (this.base.get(kind, key)) out.push({ op: 'delete', kind, key })
    }
    return out
  }

  /** Finds a resource by ARN/id, or by name for kinds that have one. */
  find<K extends Kind>(kind: K, ref: string): ResourceByKind[K] | undefined {
    const direct = this.get(kind, ref)
    if (direct) return direct
    return this.list(kind).find((r) => 'name' in r && (r as { name: string }).name === ref)
  }

  resolve<K extends Kind>(kind: K, ref: string): ResourceByKind[K] {
    const found = this.find(kind, ref)
    if (!found) throw new NotFoundError(kind, ref)
    return found
  }

  nowIso(): string {
    return this.ctx.now().toISOString()
  }
}

/** Validates input against a model schema, throwing ValidationFailed with every failure. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, subject = ''): z.output<S> {
  const r = parseWith(schema, input)
  if (!r.ok) throw new ValidationFailed(r.error, subject)
  return r.value
}
