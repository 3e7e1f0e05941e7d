import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { createSecurityGroup, deleteSecurityGroup, updateSecurityGroup, DEFAULT_GROUP_NAME } from '../control/security-groups.js'
import { createInstance, deleteInstance, updateInstance } from '../control/instances.js'
import { createFunction, deleteFunctionFromConfig, updateFunction } from '../control/functions.js'
import { codeDirectory, directoryCode } from './function-code.js'
import { resolveVpc } from '../control/network-lookup.js'
import { createSubnet, createVpc, deleteSubnet, deleteVpc, updateSubnet, updateVpc } from '../control/networks.js'
import { createTargetGroup, deleteTargetGroup, updateTargetGroup } from '../control/target-groups.js'
import {
  createListener,
  createLoadBalancer,
  createRule,
  deleteListener,
  deleteLoadBalancer,
  deleteRule,
  modifyListener,
  modifyRule,
  updateLoadBalancer,
} from '../control/load-balancers.js'
import { deleteTrustStore, putTrustStoreFromConfig, readCrl, readTrustBundle, TrustContentError } from '../control/trust-stores.js'
import { deleteCertificate, importCertificate, importDigest, requestCertificate, updateRequestedCertificate } from '../control/certificates.js'
import { createHostedZone, deleteHostedZone, deleteRecordSet, replaceRecordSets, updateHostedZone } from '../control/hosted-zones.js'
import { setTags } from '../control/tags.js'
import { applyGroup, applyLaunchTemplate, classicMemberInstances, memberTargets } from '../control/autoscaling-config.js'
import { deleteGroup } from '../control/auto-scaling-groups.js'
import { applyAlarm } from '../control/alarm-config.js'
import { deleteAlarms } from '../control/metric-alarms.js'
import { deleteLaunchTemplate } from '../control/launch-templates.js'
import { applyClassicConfig } from '../control/classic-config.js'
import { deleteClassicLoadBalancer } from '../control/classic-load-balancers.js'
import { GROUP_NAME_TAG } from '../model/autoscaling.js'
import type { Control } from '../control/control.js'
import type { Draft } from '../control/draft.js'
import { ControlError } from '../control/errors.js'
import { fqdn, isPrivateZone } from '../model/hosted-zone.js'
import type { Kind, Resource } from '../model/resources.js'
import { KINDS, resourceKey } from '../model/resources.js'
import { DEFAULT_SSL_POLICY } from '../model/ssl-policy.js'
import { formatPath } from '../model/schema-util.js'
import type { Change, StateView } from '../model/state-view.js'
import { ConfigInvalid, type ConfigIssue, type LoadedConfig } from './load.js'

export interface PlannedChange {
  readonly op: '+' | '~' | '-'
  readonly kind: Kind
  /** The resource's natural name: web-tg, web-alb:8080, web-alb:8080:1, api.example.test. A. */
  readonly name: string
  /** For ~: the top-level fields that change. */
  readonly fields: readonly string[]
}

function readPem(baseDir: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value.includes('-----BEGIN')) return value
  return readFileSync(isAbsolute(value) ? value : join(baseDir, value), 'utf8')
}

/** A trust store's bundle or CRL file; one that cannot be read is the trust store's error, at its place in the file. */
function readTrustFile(baseDir: string, file: string, missing: 'bundle-missing' | 'crl-missing'): Buffer {
  const path = isAbsolute(file) ? file : join(baseDir, file)
  try {
    return readFileSync(path)
  } catch (e) {
    throw new TrustContentError(missing, `cannot read ${file} (${path}): ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
}

/**
 * A control error met while applying one resource of the file, with that resource's path in the
 * document (`['targetGroups', 0]`), so the CLI and validate can say file:line.
 */
export class ConfigApplyError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    override readonly cause: ControlError,
  ) {
    super(cause.message)
    this.name = 'ConfigApplyError'
  }
}

export interface ApplyDocumentOptions {
  /** validate: collect every resource's error and go on with the next, instead of stopping at the first. */
  readonly collect?: ConfigApplyError[]
}

/** Makes the draft hold exactly what the document describes: creates, updates, then deletes. */
export function applyDocument(d: Draft, loaded: LoadedConfig, options: ApplyDocumentOptions = {}): void {
  const doc = loaded.document
  const keep = new Map<Kind, Set<string>>(KINDS.map((k) => [k, new Set<string>()]))
  const mark = (r: Resource | undefined) => r && keep.get(r.kind)?.add(resourceKey(r))
  /** One resource of the file: its control error carries its path; collected when validating. */
  const step = <T>(path: readonly (string | number)[], fn: () => T): T | undefined => {
    try {
      return fn()
    } catch (e) {
      if (e instanceof ConfigApplyError) {
        if (!options.collect) throw e
        options.collect.push(e)
        return undefined
      }
      if (!(e instanceof ControlError)) throw e
      const error = new ConfigApplyError(path, e)
      if (!options.collect) throw error
      options.collect.push(error)
      return undefined
    }
  }

  doc.vpcs.forEach((v, i) => {
    const existing = d.list('vpc').find((x) => x.name === v.name)
    mark(step(['vpcs', i], () => (existing ? updateVpc(d, existing.id, v) : createVpc(d, v))))
  })
  doc.subnets.forEach((sn, i) => {
    const existing = d.list('subnet').find((x) => x.name === sn.name)
    mark(step(['subnets', i], () => (existing ? updateSubnet(d, existing.id, sn) : createSubnet(d, { ...sn, vpc: resolveVpc(d, sn.vpc).id }))))
  })

  // Security groups first without rules, so rules may name groups defined later in the file.
  doc.securityGroups.forEach((g, i) => {
    const existing = d.find('security-group', g.name)
    mark(step(['securityGroups', i], () => (existing ? updateSecurityGroup(d, existing.id, { ...g, ingress: [] }) : createSecurityGroup(d, { ...g, ingress: [] }))))
  })
  doc.securityGroups.forEach((g, i) => step(['securityGroups', i], () => d.find('security-group', g.name) && updateSecurityGroup(d, g.name, g)))
  doc.instances.forEach((inst, i) => {
    // A terminated instance keeps its name for an hour (as EC2 lists it); the file's is the live one.
    const existing = d.list('instance').find((x) => x.name === inst.name && x.state !== 'terminated' && x.state !== 'shutting-down')
    mark(step(['instances', i], () => (existing ? updateInstance(d, existing.id, inst) : createInstance(d, inst))))
  })
  doc.functions.forEach(({ code, ...fn }, i) => {
    const existing = d.list('function').find((x) => x.name === fn.name)
    const input = { ...fn, code: directoryCode(codeDirectory(loaded.baseDir, code)) }
    mark(step(['functions', i], () => (existing ? updateFunction(d, existing.arn, input) : createFunction(d, input))))
  })
  doc.certificates.forEach((c, i) => {
    const existing = d.find('certificate', c.name)
    if (c.source === 'imported') {
      const certificatePem = readPem(loaded.baseDir, c.certificate) ?? ''
      const chainPem = readPem(loaded.baseDir, c.chain)
      if (existing && existing.importDigest === importDigest(certificatePem, chainPem)) {
        mark(step(['certificates', i], () => setTags(d, 'certificate', existing.arn, c.tags)))
      } else {
        mark(step(['certificates', i], () => importCertificate(d, { name: c.name, certificatePem, chainPem, privateKeyPem: readPem(loaded.baseDir, c.privateKey) ?? '', arn: existing?.arn, tags: c.tags })))
      }
      return
    }
    const spec = c.acme?.caBundle ? { ...c, acme: { ...c.acme, caBundle: readPem(loaded.baseDir, c.acme.caBundle) } } : c
    mark(step(['certificates', i], () => (existing ? updateRequestedCertificate(d, existing.arn, spec) : requestCertificate(d, spec))))
  })
  doc.trustStores.forEach((t, i) =>
    mark(
      step(['trustStores', i], () => {
        const bundle = readTrustBundle(readTrustFile(loaded.baseDir, t.caCertificatesBundle, 'bundle-missing'))
        const revocations = t.revocations.map((file) => ({ crl: readCrl(readTrustFile(loaded.baseDir, file, 'crl-missing'), bundle.pem) }))
        return putTrustStoreFromConfig(d, { name: t.name, bundle, revocations, tags: t.tags })
      }),
    ),
  )
  doc.launchTemplates.forEach((lt, i) => mark(step(['launchTemplates', i], () => applyLaunchTemplate(d, lt))))
  doc.targetGroups.forEach((tg, i) => {
    const existing = d.find('target-group', tg.name)
    // An Auto Scaling group's instances stay registered: the group owns those targets, not the file.
    const withMembers = existing ? { ...tg, targets: [...tg.targets, ...memberTargets(d, existing.arn).filter((m) => !tg.targets.some((t) => t.id === m.id))] } : tg
    mark(step(['targetGroups', i], () => (existing ? updateTargetGroup(d, existing.arn, withMembers) : createTargetGroup(d, tg))))
  })
  doc.loadBalancers.forEach((balancer, i) => {
    if (balancer.type === 'classic') {
      // Each part (a listener, an instance, a policy) is checked at its own line.
      const part = <T>(path: readonly (string | number)[], fn: () => T): T => {
        try {
          return fn()
        } catch (e) {
          if (e instanceof ControlError) throw new ConfigApplyError(['loadBalancers', i, ...path], e)
          throw e
        }
      }
      // An Auto Scaling group's instances stay registered: the group owns them, not the file.
      mark(step(['loadBalancers', i], () => applyClassicConfig(d, balancer, part, classicMemberInstances(d, balancer.name))))
      return
    }
    const { listeners, ...lbSpec } = balancer
    const existing = d.find('load-balancer', lbSpec.name)
    const lb = step(['loadBalancers', i], () => (existing ? updateLoadBalancer(d, existing.arn, lbSpec) : createLoadBalancer(d, lbSpec)))
    mark(lb)
    if (!lb) return
    listeners.forEach(({ rules, ...ls }, j) => {
      const current = d.list('listener').find((l) => l.loadBalancerArn === lb.arn && l.port === ls.port)
      const listener = step(['loadBalancers', i, 'listeners', j], () =>
        current
          ? modifyListener(d, current.arn, {
              protocol: ls.protocol,
              certificates: ls.certificates,
              // The file is the whole truth: a policy left out is the default again, not the one set before.
              ...(ls.protocol === 'HTTPS' || ls.protocol === 'TLS' ? { sslPolicy: ls.sslPolicy ?? DEFAULT_SSL_POLICY } : {}),
              ...(ls.protocol === 'TLS' ? { alpnPolicy: ls.alpnPolicy ?? 'None' } : {}),
              // Left out: off again.
              mutualAuthentication: ls.mutualAuthentication ?? null,
              attributes: ls.attributes ?? null,
              defaultActions: ls.defaultActions,
              tags: ls.tags,
            })
          : createListener(d, lb.arn, ls),
      )
      mark(listener)
      if (!listener) return
      rules.forEach((r, k) => {
        const cur = d.list('rule').find((x) => x.listenerArn === listener.arn && x.priority === r.priority)
        mark(step(['loadBalancers', i, 'listeners', j, 'rules', k], () => (cur ? modifyRule(d, cur.arn, { conditions: r.conditions, actions: r.actions, transforms: r.transforms, tags: r.tags }) : createRule(d, listener.arn, r))))
      })
    })
  })
  doc.autoScalingGroups.forEach((g, i) => mark(step(['autoScalingGroups', i], () => applyGroup(d, g))))
  doc.alarms.forEach((a, i) => mark(step(['alarms', i], () => applyAlarm(d, a))))
  doc.hostedZones.forEach((z, i) => {
    // A file's zones are public: a private zone of the same name (made through the API) is another zone.
    const existing = d.list('hosted-zone').find((x) => !isPrivateZone(x) && x.name === fqdn(z.name))
    const zone = step(['hostedZones', i], () => (existing ? updateHostedZone(d, existing.id, z) : createHostedZone(d, z)))
    mark(zone)
    if (!zone) return
    step(['hostedZones', i, 'records'], () => replaceRecordSets(d, zone.id, z.records))
    for (const r of d.list('record-set')) if (r.zoneId === zone.id) mark(r)
  })
  // An error collected above leaves resources out of the draft: deleting what they replace would only add echoes.
  if (options.collect && options.collect.length > 0) return

  // Deletes, dependents first; a balancer's deletion already took its listeners and rules.
  for (const kind of [...KINDS].reverse()) {
    for (const r of d.list(kind)) {
      const key = resourceKey(r)
      if (keep.get(kind)?.has(key) || !d.get(kind, key)) continue
      if (!ownedByFile(r)) continue
      switch (r.kind) {
        case 'record-set': deleteRecordSet(d, key); break
        case 'hosted-zone': deleteHostedZone(d, key, { withRecordSets: true }); break
        case 'rule': deleteRule(d, key); break
        case 'listener': deleteListener(d, key); break
        case 'load-balancer': deleteLoadBalancer(d, key); break
        case 'classic-load-balancer': deleteClassicLoadBalancer(d, r.name); break
        case 'target-group': deleteTargetGroup(d, key); break
        case 'certificate': deleteCertificate(d, key); break
        case 'trust-store': deleteTrustStore(d, key); break
        case 'auto-scaling-group': deleteGroup(d, key, true); break
        case 'metric-alarm': deleteAlarms(d, [r.name]); break
        case 'launch-template': deleteLaunchTemplate(d, r); break
        case 'instance': deleteInstance(d, key); break
        case 'function': deleteFunctionFromConfig(d, key); break
        case 'security-group': deleteSecurityGroup(d, key); break
        case 'subnet': deleteSubnet(d, key); break
        case 'vpc': deleteVpc(d, key); break
      }
    }
  }
}

/** What a file owns, so what apply may prune. A VPC's main route table and default group go with
 * their VPC; internet gateways and route tables have no kind in the file; terminated instances are
 * EC2's to forget. */
function ownedByFile(r: Resource): boolean {
  if (r.kind === 'internet-gateway' || r.kind === 'route-table' || (r.kind === 'security-group' && r.name === DEFAULT_GROUP_NAME)) return false
  if (r.kind === 'instance' && (r.state === 'terminated' || r.state === 'shutting-down')) return false
  // An Auto Scaling group's instances are the group's; a group being deleted is already going.
  if (r.kind === 'instance' && r.tags[GROUP_NAME_TAG] !== undefined) return false
  if (r.kind === 'auto-scaling-group' && r.status !== undefined) return false
  return true
}

/** An apply that would leave nothing of what the store held: most often an empty or truncated file. */
export class PruneAllRefused extends Error {
  /** What the configuration would do, without the refusal around it (plan prints it too). */
  readonly summary: string
  constructor(readonly deletes: number) {
    const summary = `the configuration deletes all ${deletes} resources in the store and keeps none (an empty or truncated file?)`
    super(`refused: ${summary}; nothing was changed. To delete everything, run openalb apply FILE --prune-all`)
    this.summary = summary
    this.name = 'PruneAllRefused'
  }
}

/** Throws PruneAllRefused when the draft deletes something and keeps nothing the file owned before. */
function refuseDeletingEverything(d: Draft, planned: readonly PlannedChange[]): void {
  const deletes = planned.filter((c) => c.op === '-').length
  if (deletes === 0) return
  const kept = KINDS.some((kind) => d.base.list(kind).some((r) => ownedByFile(r) && d.get(kind, resourceKey(r)) !== undefined))
  if (!kept) throw new PruneAllRefused(deletes)
}

export interface ApplyOptions {
  /** Allow an apply that deletes every resource the store holds (openalb apply --prune-all). */
  readonly pruneAll?: boolean
}

/** A resource's natural name, the one plan prints and the CLI accepts. */
export function naturalName(view: { get: StateView['get'] }, r: Resource): string {
  switch (r.kind) {
    case 'listener': {
      const lb = view.get('load-balancer', r.loadBalancerArn)
      return `${lb?.name ?? r.loadBalancerArn}:${r.port}`
    }
    case 'rule': {
      const l = view.get('listener', r.listenerArn)
      const lb = l && view.get('load-balancer', l.loadBalancerArn)
      return `${lb?.name ?? '?'}:${l?.port ?? '?'}:${r.priority}`
    }
    case 'record-set':
      return `${r.name} ${r.type}`
    case 'acme-account':
      return r.email
    case 'delegation-set':
    case 'cidr-collection':
    case 'traffic-policy':
    case 'traffic-policy-instance':
    case 'health-check':
    case 'scaling-activity':
    case 'alarm-history':
      return r.id
    case 'scaling-policy':
    case 'scheduled-action':
      return `${r.groupName}:${r.name}`
    case 'internet-gateway':
    case 'route-table':
      return r.tags.Name ?? r.id
    default:
      return r.name
  }
}

/** Sets, not noise: the fields plan shows for a change (status and serial are openalb's own). */
const IGNORED_FIELDS = new Set(['serial'])

/** What a change writes beside the resources, never a line of a plan (an alarm's history entry of its creation). */
const RECORD_KINDS: ReadonlySet<string> = new Set(['alarm-history'])

export function describeChanges(base: StateView, after: { get: StateView['get'] }, changes: readonly Change[]): PlannedChange[] {
  const out: PlannedChange[] = []
  for (const c of changes) {
    if (RECORD_KINDS.has(c.op === 'delete' ? c.kind : c.resource.kind)) continue
    if (c.op === 'delete') {
      const before = base.get(c.kind, c.key)
      if (before) out.push({ op: '-', kind: c.kind, name: naturalName(base, before), fields: [] })
      continue
    }
    const before = base.get(c.resource.kind, resourceKey(c.resource))
    if (!before) {
      out.push({ op: '+', kind: c.resource.kind, name: naturalName(after, c.resource), fields: [] })
      continue
    }
    const a = before as unknown as Record<string, unknown>
    const b = c.resource as unknown as Record<string, unknown>
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
      (k) => !IGNORED_FIELDS.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
    )
    if (fields.length > 0) out.push({ op: '~', kind: c.resource.kind, name: naturalName(after, c.resource), fields })
  }
  const order = (p: PlannedChange) => KINDS.indexOf(p.kind)
  return out.sort((x, y) => order(x) - order(y) || x.name.localeCompare(y.name))
}

/** A resource's control error as a config issue at the resource's line. */
function issueOf(loaded: LoadedConfig, e: ConfigApplyError): ConfigIssue {
  const at = loaded.locate(e.path) ?? { file: loaded.files[0] ?? '', line: 1, col: 1 }
  return { ...at, path: formatPath(e.path), message: e.message }
}

/** Runs applyDocument, turning a resource's control error into ConfigInvalid at its file:line. */
function applyAt(d: Draft, loaded: LoadedConfig): void {
  try {
    applyDocument(d, loaded)
  } catch (e) {
    if (e instanceof ConfigApplyError) throw new ConfigInvalid([issueOf(loaded, e)])
    throw e
  }
}

/**
 * Every check apply runs, on an empty store (validate): each resource's control error at its
 * file:line, all of them, not only the first.
 */
export async function checkApply(control: Control, loaded: LoadedConfig): Promise<ConfigIssue[]> {
  const collect: ConfigApplyError[] = []
  applyDocument(await control.view(), loaded, { collect })
  return collect.map((e) => issueOf(loaded, e))
}

/** What apply would change, without changing anything; refusal: why apply (without pruneAll) would refuse it. */
export async function planConfig(control: Control, loaded: LoadedConfig): Promise<{ changes: PlannedChange[]; refusal?: string }> {
  const draft = await control.view()
  applyAt(draft, loaded)
  const changes = describeChanges(draft.base, draft, draft.changes())
  try {
    refuseDeletingEverything(draft, changes)
    return { changes }
  } catch (e) {
    if (e instanceof PruneAllRefused) return { changes, refusal: e.summary }
    throw e
  }
}

/** Applies the document in one transaction; on any error nothing changes. */
export async function applyConfig(control: Control, loaded: LoadedConfig, options: ApplyOptions = {}): Promise<{ revision: number; changes: PlannedChange[] }> {
  let planned: PlannedChange[] = []
  const result = await control.mutate((d) => {
    applyAt(d, loaded)
    planned = describeChanges(d.base, d, d.changes())
    if (!options.pruneAll) refuseDeletingEverything(d, planned)
  })
  return { revision: result.revision, changes: planned }
}

export function formatPlan(changes: readonly PlannedChange[]): string {
  if (changes.length === 0) return 'No changes: the store matches the configuration.'
  const lines = changes.map((c) => `${c.op} ${c.kind} ${c.name}${c.fields.length ? ` (${c.fields.join(', ')})` : ''}`)
  const count = (op: string) => changes.filter((c) => c.op === op).length
  lines.push('', `${count('+')} to create, ${count('~')} to change, ${count('-')} to delete.`)
  return lines.join('\n')
}
