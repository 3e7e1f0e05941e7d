import type { Draft } from '../../../control/draft.js'
import { listInternetGateways, listRouteTables, listSubnets, listVpcs } from '../../../control/network-lookup.js'
import { tagNetwork } from '../../../control/networks.js'
import { setRuleTags } from '../../../control/security-groups.js'
import { setTags } from '../../../control/tags.js'
import type { Tags } from '../../../model/schema-util.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { applyFilters, ec2Page, filters, userTagKey, type Ec2Handler, type Ec2Result } from './common.js'

/** A tagged EC2 resource as DescribeTags lists it. */
interface Tagged {
  readonly id: string
  readonly type: string
  readonly tags: Tags
}

/** Every tagged thing in the caller's region: groups and their rules, VPCs, subnets, gateways, route tables. */
function taggables(d: Draft, region: string): Tagged[] {
  const out: Tagged[] = []
  for (const g of d.list('security-group')) {
    out.push({ id: g.id, type: 'security-group', tags: g.tags })
    for (const [id, tags] of Object.entries(g.ruleTags)) out.push({ id, type: 'security-group-rule', tags })
  }
  for (const v of listVpcs(d, region)) out.push({ id: v.id, type: 'vpc', tags: v.tags })
  for (const s of listSubnets(d, region)) out.push({ id: s.id, type: 'subnet', tags: s.tags })
  for (const g of listInternetGateways(d, region)) out.push({ id: g.id, type: 'internet-gateway', tags: g.tags })
  for (const t of listRouteTables(d, region)) out.push({ id: t.id, type: 'route-table', tags: t.tags })
  for (const i of d.list('instance')) out.push({ id: i.id, type: 'instance', tags: i.tags })
  return out
}

const NOT_FOUND: readonly [string, string, string][] = [
  ['sgr-', 'InvalidSecurityGroupRuleId.NotFound', 'security group rule'],
  ['sg-', 'InvalidGroup.NotFound', 'security group'],
  ['vpc-', 'InvalidVpcID.NotFound', 'vpc'],
  ['subnet-', 'InvalidSubnetID.NotFound', 'subnet'],
  ['igw-', 'InvalidInternetGatewayID.NotFound', 'internetGateway'],
  ['rtb-', 'InvalidRouteTableID.NotFound', 'routeTable'],
  ['i-', 'InvalidInstanceID.NotFound', 'instance'],
]

function notFound(id: string): AwsError {
  const match = NOT_FOUND.find(([prefix]) => id.startsWith(prefix))
  if (!match) return new AwsError('InvalidID', `The ID '${id}' is not valid`)
  return new AwsError(match[1], `The ${match[2]} ID '${id}' does not exist`)
}

/** Writes one resource's new tags through control, by its type. */
function write(d: Draft, region: string, r: Tagged, tags: Tags): void {
  switch (r.type) {
    case 'security-group-rule':
      setRuleTags(d, r.id, tags)
      return
    case 'vpc':
    case 'subnet': {
      const net = r.type === 'vpc' ? listVpcs(d, region).find((v) => v.id === r.id) : listSubnets(d, region).find((s) => s.id === r.id)
      if (net) tagNetwork(d, net, tags)
      return
    }
    case 'internet-gateway':
    case 'route-table':
      if (!d.get(r.type, r.id)) throw new AwsError('OperationNotPermitted', `the default VPC's ${r.type} ${r.id} is fixed in openalb`)
      setTags(d, r.type, r.id, tags)
      return
    case 'security-group':
    case 'instance':
      setTags(d, r.type, r.id, tags)
      return
  }
}

async function tagResources(call: Call, mode: 'add' | 'remove'): Promise<Ec2Result> {
  const ids = call.params.strings('ResourceId') ?? []
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter resourceIdSet')
  const given = call.params.objs('Tag').map((t) => ({ key: userTagKey(t.required('Key')), value: t.str('Value') }))
  await call.deps.control.mutate((d) => {
    const all = taggables(d, call.region)
    for (const id of ids) {
      const r = all.find((x) => x.id === id)
      if (!r) throw notFound(id)
      const next: Record<string, string> = { ...r.tags }
      for (const t of given) {
        if (mode === 'add') next[t.key] = t.value ?? ''
        // DeleteTags with a value removes the tag only while it has that value.
        else if (t.value === undefined || next[t.key] === t.value) delete next[t.key]
      }
      // DeleteTags without tags removes all the user's tags (EC2's own aws: ones stay).
      const own = Object.fromEntries(Object.entries(r.tags).filter(([k]) => k.toLowerCase().startsWith('aws:')))
      write(d, call.region, r, mode === 'remove' && given.length === 0 ? own : next)
    }
  })
  return { return: true }
}

const DescribeTags: Ec2Handler = async (call) => {
  const d = await call.deps.control.view()
  const rows = taggables(d, call.region).flatMap((r) => Object.entries(r.tags).map(([key, value]) => ({ ...r, key, value, tags: { [key]: value } })))
  const matched = applyFilters(rows, filters(call.params), (r) => ({ 'resource-id': r.id, 'resource-type': r.type, key: r.key, value: r.value }))
  const pg = ec2Page(matched, call.params)
  return { tagSet: pg.items.map((r) => ({ resourceId: r.id, resourceType: r.type, key: r.key, value: r.value })), nextToken: pg.nextToken }
}

/** Tags of every EC2 resource openalb keeps. */
export const TAG_OPERATIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateTags: (call) => tagResources(call, 'add'),
  DeleteTags: (call) => tagResources(call, 'remove'),
  DescribeTags,
}
