import dnsPacket from 'dns-packet'
import { fqdn, recordSetId, type AliasTarget, type HostedZone, type RecordSet } from '../../../src/model/hosted-zone.js'
import { CANONICAL_HOSTED_ZONE_ID, DEFAULT_PARTITION, DEFAULT_VPC_ID, loadBalancerDnsName } from '../../../src/model/ids.js'
import { loadBalancerAttributesSpec, type LoadBalancer } from '../../../src/model/load-balancer.js'
import type { Kind, Resource } from '../../../src/model/resources.js'
import { resourceKey } from '../../../src/model/resources.js'
import { MapStateView } from '../../../src/store/state.js'

export const ZONE_ID = 'ZEXAMPLE0000000000001'
export const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef'
export const LB_DNS_NAME = loadBalancerDnsName(DEFAULT_PARTITION, 'web', LB_ARN, 'internet-facing')
export const NODE_ADDRESSES = ['10.0.0.1', '10.0.0.2', 'fd00::1']

export function balancer(overrides: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    kind: 'load-balancer',
    arn: LB_ARN,
    name: 'web',
    type: 'application',
    scheme: 'internet-facing',
    ipAddressType: 'dualstack',
    subnets: ['subnet-a', 'subnet-b'],
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    securityGroups: [],
    bindAddress: '0.0.0.0',
    attributes: loadBalancerAttributesSpec.parse({}),
    dnsName: LB_DNS_NAME,
    canonicalHostedZoneId: CANONICAL_HOSTED_ZONE_ID,
    vpcId: DEFAULT_VPC_ID,
    createdTime: '2024-01-01T00:00:00.000Z',
    tags: {},
    ...overrides,
  }
}

export function zone(serial = 7): HostedZone {
  return {
    kind: 'hosted-zone',
    id: ZONE_ID,
    name: 'example.test.',
    callerReference: 'fixture',
    comment: '',
    serial,
    nameServers: ['ns1.example.test.', 'ns2.example.test.'],
    tags: {},
  }
}

export function rec(name: string, type: RecordSet['type'], values: string[], ttl = 300, alias?: AliasTarget): RecordSet {
  return { kind: 'record-set', id: recordSetId(ZONE_ID, name, type), zoneId: ZONE_ID, name: fqdn(name), type, ttl, values, alias }
}

export const lbAlias = (evaluateTargetHealth: boolean): AliasTarget => ({
  loadBalancerArn: LB_ARN,
  dnsName: `${LB_DNS_NAME}.`,
  hostedZoneId: CANONICAL_HOSTED_ZONE_ID,
  evaluateTargetHealth,
})

/** TXT values that together make an answer larger than any UDP limit. */
export const BIG_TXT = Array.from({ length: 40 }, (_, i) => `"${String(i).padStart(2, '0')}${'x'.repeat(98)}"`)

/** The example.test zone every DNS test answers from. */
export function exampleRecords(): RecordSet[] {
  return [
    rec('api.example.test', 'A', [], 300, lbAlias(false)),
    rec('api.example.test', 'AAAA', [], 300, lbAlias(false)),
    rec('app.example.test', 'A', [], 300, lbAlias(true)),
    rec('www.example.test', 'CNAME', ['api.example.test.']),
    rec('chain.example.test', 'CNAME', ['www.example.test.']),
    rec('away.example.test', 'CNAME', ['www.elsewhere.net.']),
    rec('dangling.example.test', 'CNAME', ['nothing.example.test.']),
    rec('mail.example.test', 'A', ['192.0.2.10'], 3600),
    rec('mail-alias.example.test', 'A', [], 300, { recordName: 'mail.example.test.', dnsName: 'mail.example.test.', hostedZoneId: ZONE_ID, evaluateTargetHealth: false }),
    rec('v6.example.test', 'AAAA', ['2001:db8::1']),
    rec('example.test', 'MX', ['10 mail.example.test.', '20 backup.example.test.']),
    rec('example.test', 'TXT', ['"v=spf1 -all"', '"two" "strings"']),
    rec('example.test', 'CAA', ['0 issue "letsencrypt.org"']),
    rec('_sip._tcp.example.test', 'SRV', ['10 60 5060 sip.example.test.']),
    rec('10.example.test', 'PTR', ['api.example.test.']),
    rec('*.wild.example.test', 'A', ['192.0.2.20']),
    rec('exists.wild.example.test', 'TXT', ['"here"']),
    rec('x.ent.example.test', 'A', ['192.0.2.30']),
    rec('big.example.test', 'TXT', BIG_TXT),
    rec('child.example.test', 'NS', ['ns.child.example.test.']),
    rec('ns.child.example.test', 'A', ['192.0.2.53']),
  ]
}

/** A StateView holding the resources given (as the store would at one revision). */
export function stateOf(resources: readonly Resource[], revision = 1): MapStateView {
  const byKind = new Map<Kind, Map<string, Resource>>()
  for (const r of resources) {
    let m = byKind.get(r.kind)
    if (!m) byKind.set(r.kind, (m = new Map()))
    m.set(resourceKey(r), r)
  }
  return new MapStateView(revision, byKind)
}

export const exampleState = (): MapStateView => stateOf([balancer(), zone(), ...exampleRecords()])

let nextId = 1
export function query(name: string, type: string, opts: { edns?: number; ednsVersion?: number; flags?: number } = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: nextId++ & 0xffff,
    flags: opts.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as dnsPacket.RecordType, class: 'IN' }],
    additionals:
      opts.edns !== undefined
        ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: opts.ednsVersion ?? 0, flags: 0, flag_do: false, options: [] }]
        : [],
  })
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'] as const

/** dns-packet's decode, with the rcode its typings leave out. */
export function decodeAnswer(message: Buffer): dnsPacket.DecodedPacket & { rcode: string } {
  const code = message.readUInt16BE(2) & 0xf
  return { ...dnsPacket.decode(message), rcode: RCODES[code] ?? `RCODE_${code}` }
}
