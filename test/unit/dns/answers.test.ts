import { test } from 'node:test'
import assert from 'node:assert/strict'
import dnsPacket from 'dns-packet'
import { DnsServer } from '../../../src/dns/server.js'
import { zoneSourceFromState } from '../../../src/runtime/dns-source.js'
import { balancer, decodeAnswer, exampleRecords, exampleState, LB_ARN, LB_DNS_NAME, NODE_ADDRESSES, query, rec, stateOf, zone } from './zone-fixture.js'

function serverWith(health: { healthy: boolean } = { healthy: true }, state = exampleState()): DnsServer {
  const server = new DnsServer()
  server.update(zoneSourceFromState(state, NODE_ADDRESSES, () => health.healthy))
  return server
}

function ask(server: DnsServer, name: string, type: string, transport: 'udp' | 'tcp' = 'tcp', opts: Parameters<typeof query>[2] = {}) {
  const out = server.answer(query(name, type, opts), transport)
  assert.ok(out, `an answer to ${name} ${type}`)
  return decodeAnswer(out)
}

const data = (p: dnsPacket.DecodedPacket, type?: string) =>
  (p.answers ?? []).filter((a) => type === undefined || a.type === type).map((a) => ('data' in a ? a.data : undefined))

// Every case names the TTL its records carry in the zone (zone-fixture.ts: 300 unless given).
const cases: { desc: string; name: string; type: string; expect: unknown[]; ttl: number }[] = [
  { desc: 'A', name: 'mail.example.test', type: 'A', expect: ['192.0.2.10'], ttl: 3600 },
  { desc: 'AAAA', name: 'v6.example.test', type: 'AAAA', expect: ['2001:db8::1'], ttl: 300 },
  { desc: 'CNAME asked for itself', name: 'www.example.test', type: 'CNAME', expect: ['api.example.test'], ttl: 300 },
  {
    desc: 'MX',
    name: 'example.test',
    type: 'MX',
    expect: [
      { preference: 10, exchange: 'mail.example.test' },
      { preference: 20, exchange: 'backup.example.test' },
    ],
    ttl: 300,
  },
  { desc: 'TXT, one string per record and two in the second', name: 'example.test', type: 'TXT', expect: [[Buffer.from('v=spf1 -all')], [Buffer.from('two'), Buffer.from('strings')]], ttl: 300 },
  { desc: 'SRV', name: '_sip._tcp.example.test', type: 'SRV', expect: [{ priority: 10, weight: 60, port: 5060, target: 'sip.example.test' }], ttl: 300 },
  { desc: 'CAA', name: 'example.test', type: 'CAA', expect: [{ flags: 0, tag: 'issue', value: 'letsencrypt.org', issuerCritical: false }], ttl: 300 },
  { desc: 'PTR', name: '10.example.test', type: 'PTR', expect: ['api.example.test'], ttl: 300 },
  { desc: 'apex NS from the zone name servers', name: 'example.test', type: 'NS', expect: ['ns1.example.test', 'ns2.example.test'], ttl: 172800 },
]

for (const c of cases) {
  test(`answers ${c.desc} records authoritatively with their TTL`, () => {
    const p = ask(serverWith(), c.name, c.type)
    assert.equal(p.rcode, 'NOERROR')
    assert.equal(p.flag_aa, true)
    assert.deepEqual(data(p, c.type), c.expect)
    assert.ok((p.answers ?? []).length > 0)
    for (const a of p.answers ?? []) assert.equal('ttl' in a ? a.ttl : undefined, c.ttl, `${a.name} ${a.type}`)
  })
}

test('the apex SOA is made from the zone: first name server, hostmaster, serial, negative TTL 300', () => {
  const p = ask(serverWith(), 'example.test', 'SOA')
  assert.deepEqual(data(p, 'SOA'), [
    { mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 7, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 },
  ])
})

test('an A alias to a balancer answers the node addresses when the balancer binds every address', () => {
  const server = serverWith()
  assert.deepEqual(data(ask(server, 'api.example.test', 'A')), ['10.0.0.1', '10.0.0.2'])
  assert.deepEqual(data(ask(server, 'api.example.test', 'AAAA')), ['fd00::1'])
  assert.equal((ask(server, 'api.example.test', 'A').answers?.[0] as { ttl?: number }).ttl, 10)
})

test('an alias to a balancer bound to one address answers that address', () => {
  const server = serverWith({ healthy: true }, stateOf([balancer({ bindAddress: '127.0.0.2' }), zone(), ...exampleRecords()]))
  assert.deepEqual(data(ask(server, 'api.example.test', 'A')), ['127.0.0.2'])
})

test("each balancer's own DNS name answers its addresses; other names beside it are NXDOMAIN", () => {
  const server = serverWith()
  const p = ask(server, LB_DNS_NAME.toUpperCase(), 'A')
  assert.equal(p.flag_aa, true)
  assert.deepEqual(data(p), ['10.0.0.1', '10.0.0.2'])
  const other = ask(server, `nope-1.${LB_DNS_NAME.split('.').slice(1).join('.')}`, 'A')
  assert.equal(other.rcode, 'NXDOMAIN')
  assert.equal(other.authorities?.[0]?.type, 'SOA')
})

test('an alias to another record of the zone answers that record', () => {
  const p = ask(serverWith(), 'mail-alias.example.test', 'A')
  assert.deepEqual(data(p), ['192.0.2.10'])
  assert.equal(p.answers?.[0]?.name, 'mail-alias.example.test')
})

test('EvaluateTargetHealth: a balancer with no healthy target leaves the alias unanswered, and it returns when healthy', () => {
  const health = { healthy: false }
  const server = serverWith(health)
  const down = ask(server, 'app.example.test', 'A', 'udp')
  assert.equal(down.rcode, 'NOERROR')
  assert.deepEqual(data(down), [])
  assert.equal(down.authorities?.[0]?.type, 'SOA')
  // Alias without EvaluateTargetHealth is answered regardless.
  assert.deepEqual(data(ask(server, 'api.example.test', 'A')), ['10.0.0.1', '10.0.0.2'])
  health.healthy = true
  assert.deepEqual(data(ask(server, 'app.example.test', 'A', 'udp')), ['10.0.0.1', '10.0.0.2'])
})

test('CNAME chains inside the zone are followed in the answer', () => {
  const p = ask(serverWith(), 'chain.example.test', 'A')
  assert.deepEqual(
    (p.answers ?? []).map((a) => `${a.name} ${a.type}`),
    ['chain.example.test CNAME', 'www.example.test CNAME', 'api.example.test A', 'api.example.test A'],
  )
})

test('a CNAME leaving the zone is answered alone; one to a missing in-zone name is NXDOMAIN with the CNAME', () => {
  const server = serverWith()
  const away = ask(server, 'away.example.test', 'A')
  assert.equal(away.rcode, 'NOERROR')
  assert.deepEqual(data(away), ['www.elsewhere.net'])
  const dangling = ask(server, 'dangling.example.test', 'A')
  assert.equal(dangling.rcode, 'NXDOMAIN')
  assert.deepEqual(data(dangling), ['nothing.example.test'])
})

test('a wildcard answers names that do not exist below it, under the asked name (RFC 4592)', () => {
  const server = serverWith()
  const p = ask(server, 'anything.wild.example.test', 'A')
  assert.deepEqual(data(p), ['192.0.2.20'])
  assert.equal(p.answers?.[0]?.name, 'anything.wild.example.test')
  assert.deepEqual(data(ask(server, 'a.b.wild.example.test', 'A')), ['192.0.2.20'])
})

test('a wildcard does not answer for names that exist, nor for the wildcard parent itself', () => {
  const server = serverWith()
  const exists = ask(server, 'exists.wild.example.test', 'A')
  assert.equal(exists.rcode, 'NOERROR')
  assert.deepEqual(data(exists), [])
  const parent = ask(server, 'wild.example.test', 'A')
  assert.equal(parent.rcode, 'NOERROR')
  assert.deepEqual(data(parent), [])
  assert.deepEqual(data(ask(server, 'sub.exists.wild.example.test', 'A')), [])
  assert.equal(ask(server, 'sub.exists.wild.example.test', 'A').rcode, 'NXDOMAIN')
})

test('NXDOMAIN for a name that does not exist, with the SOA at the negative TTL in authority', () => {
  const p = ask(serverWith(), 'missing.example.test', 'A')
  assert.equal(p.rcode, 'NXDOMAIN')
  assert.equal(p.flag_aa, true)
  assert.deepEqual(data(p), [])
  const soa = p.authorities?.[0]
  assert.equal(soa?.type, 'SOA')
  assert.equal(soa?.name, 'example.test')
  assert.equal(soa && 'ttl' in soa ? soa.ttl : undefined, 300)
})

test('NODATA (NOERROR, no answer, SOA in authority) for a name that exists with other types, or as an empty non-terminal', () => {
  const server = serverWith()
  for (const [name, type] of [['mail.example.test', 'AAAA'], ['ent.example.test', 'A']] as const) {
    const p = ask(server, name, type)
    assert.equal(p.rcode, 'NOERROR', name)
    assert.deepEqual(data(p), [], name)
    assert.equal(p.authorities?.[0]?.type, 'SOA', name)
  }
})

test('names outside every zone are REFUSED, without AA: openalb is not an open resolver', () => {
  const p = ask(serverWith(), 'www.google.com', 'A')
  assert.equal(p.rcode, 'REFUSED')
  assert.equal(p.flag_aa, false)
})

test('a delegated subdomain answers a referral: NS in authority, glue in additional, no AA', () => {
  const p = ask(serverWith(), 'host.child.example.test', 'A')
  assert.equal(p.rcode, 'NOERROR')
  assert.equal(p.flag_aa, false)
  assert.deepEqual(data(p), [])
  assert.deepEqual((p.authorities ?? []).map((a) => ('data' in a ? a.data : undefined)), ['ns.child.example.test'])
  assert.deepEqual((p.additionals ?? []).map((a) => ('data' in a ? a.data : undefined)), ['192.0.2.53'])
})

test('names are matched without regard to case and the question is echoed as asked', () => {
  const p = ask(serverWith(), 'MaIl.ExAmPlE.TeSt', 'A')
  assert.equal(p.questions?.[0]?.name, 'MaIl.ExAmPlE.TeSt')
  assert.deepEqual(data(p), ['192.0.2.10'])
})

test('opcodes other than QUERY get NOTIMP', () => {
  const q = query('example.test', 'SOA')
  q.writeUInt16BE(q.readUInt16BE(2) | (5 << 11), 2) // UPDATE
  const out = new DnsServer().answer(q)
  assert.ok(out)
  assert.equal(decodeAnswer(out).rcode, 'NOTIMP')
})

test('a malformed query with a readable header gets FORMERR with its id; shorter than a header is dropped', () => {
  const server = serverWith()
  const q = query('example.test', 'A')
  const cut = q.subarray(0, q.length - 3)
  const out = server.answer(cut)
  assert.ok(out)
  const p = decodeAnswer(out)
  assert.equal(p.rcode, 'FORMERR')
  assert.equal(p.id, q.readUInt16BE(0))
  assert.equal(server.answer(Buffer.from([1, 2, 3])), undefined)
})

test('EDNS0: an OPT record in the query gets one back with openalb payload size; version 1 gets BADVERS', () => {
  const server = serverWith()
  const p = ask(server, 'mail.example.test', 'A', 'udp', { edns: 4096 })
  const opt = p.additionals?.find((a) => a.type === 'OPT')
  assert.ok(opt && opt.type === 'OPT')
  assert.equal(opt.udpPayloadSize, 1232)
  const bad = ask(server, 'mail.example.test', 'A', 'udp', { edns: 4096, ednsVersion: 1 })
  const badOpt = bad.additionals?.find((a) => a.type === 'OPT')
  assert.ok(badOpt && badOpt.type === 'OPT')
  assert.equal(badOpt.extendedRcode, 1) // BADVERS = 16
})

test('an answer larger than the UDP limit sets TC over UDP and is whole over TCP', () => {
  const server = serverWith()
  const udp = ask(server, 'big.example.test', 'TXT', 'udp', { edns: 1232 })
  assert.equal(udp.flag_tc, true)
  assert.deepEqual(udp.answers, [])
  const tcp = ask(server, 'big.example.test', 'TXT', 'tcp')
  assert.equal(tcp.flag_tc, false)
  assert.equal(tcp.answers?.length, 40)
})

test('an update is answered at once, and the SOA serial follows the zone', () => {
  const server = serverWith()
  const serial = (p: ReturnType<typeof decodeAnswer>) => (data(p, 'SOA')[0] as { serial: number }).serial
  assert.equal(serial(ask(server, 'example.test', 'SOA', 'udp')), 7)
  assert.equal(ask(server, 'new.example.test', 'A', 'udp').rcode, 'NXDOMAIN')
  const next = stateOf([balancer(), zone(8), ...exampleRecords(), rec('new.example.test', 'A', ['192.0.2.99'])], 2)
  server.update(zoneSourceFromState(next, NODE_ADDRESSES, () => true))
  assert.equal(serial(ask(server, 'example.test', 'SOA', 'udp')), 8)
  assert.deepEqual(data(ask(server, 'new.example.test', 'A', 'udp')), ['192.0.2.99'])
})

test('records that cannot be served are reported, and the rest of the zone is served', () => {
  const server = new DnsServer()
  const problems = server.update(
    zoneSourceFromState(stateOf([zone(), rec('bad.example.test', 'A', ['not-an-ip']), rec('ok.example.test', 'A', ['192.0.2.1'])]), [], () => true),
  )
  assert.deepEqual(problems.map((p) => p.record), ['bad.example.test. A'])
  assert.deepEqual(data(ask(server, 'ok.example.test', 'A')), ['192.0.2.1'])
})

test('an alias to a deleted balancer answers NODATA', () => {
  const server = serverWith({ healthy: true }, stateOf([zone(), rec('gone.example.test', 'A', [], 300, { loadBalancerArn: `${LB_ARN}0`, dnsName: 'x.', hostedZoneId: 'Z', evaluateTargetHealth: false })]))
  const p = ask(server, 'gone.example.test', 'A')
  assert.equal(p.rcode, 'NOERROR')
  assert.deepEqual(data(p), [])
})
