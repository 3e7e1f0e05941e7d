#!/usr/bin/env node
// Micro-benchmark of openalb's DNS answer path over dist/ (`npm run build` first): ns per query
// for a simple record (answered from the per-revision cache), an IP-based (CIDR) record chosen by
// the source address, a geolocation record placed by a --geo-table, and a private zone seen from
// a VPC instance's address. A weighted record is the baseline: answered per query, never cached. Bounded: a fixed number of iterations, a few seconds on one core. Not a test.
import dnsPacket from 'dns-packet'
import { DnsServer } from '../../dist/src/dns/server.js'
import { parseGeoTable } from '../../dist/src/dns/geo-table.js'

const zone = { kind: 'hosted-zone', id: 'ZPUB', name: 'bench.test.', callerReference: 'b', comment: '', serial: 1, nameServers: ['ns1.openalb.test.'], tags: {} }
const inside = { ...zone, id: 'ZPRIV', vpcs: [{ vpcId: 'vpc-1', region: 'us-east-1' }] }
const rs = (name, value, extra = {}) => ({ kind: 'record-set', id: `${name}/${value}`, zoneId: 'ZPUB', name, type: 'A', ttl: 60, values: [value], ...extra })
const locations = {}
for (let i = 0; i < 200; i++) locations[`l${i}`] = [`10.${i}.0.0/16`]
const collection = { kind: 'cidr-collection', id: 'c1', name: 'c', callerReference: 'c', version: 1, locations }
const records = [
  rs('www.bench.test.', '192.0.2.1'),
  rs('ip.bench.test.', '192.0.2.2', { setIdentifier: 'a', cidrRouting: { collectionId: 'c1', locationName: 'l150' } }),
  rs('ip.bench.test.', '192.0.2.3', { setIdentifier: 'b', cidrRouting: { collectionId: 'c1', locationName: '*' } }),
  rs('geo.bench.test.', '192.0.2.4', { setIdentifier: 'de', geoLocation: { countryCode: 'DE' } }),
  rs('geo.bench.test.', '192.0.2.5', { setIdentifier: 'rest', geoLocation: { countryCode: '*' } }),
  rs('w.bench.test.', '192.0.2.6', { setIdentifier: 'one', weight: 1 }),
  { ...rs('db.bench.test.', '10.0.0.9'), zoneId: 'ZPRIV' },
]
const rows = Array.from({ length: 5000 }, (_, i) => `10.${i % 250}.${Math.floor(i / 250)}.0/24,EU,DE`).join('\n')
const geo = parseGeoTable(rows, 'bench')
if (!geo.ok) throw new Error(geo.errors.join('; '))
const server = new DnsServer({ geoTable: geo.table })
server.update({
  zones: () => [zone, inside],
  records: (id) => records.filter((r) => r.zoneId === id),
  loadBalancer: () => undefined,
  loadBalancers: () => [],
  cidrCollections: () => [collection],
  vpcNetworks: () => [{ key: 'us-east-1/vpc-1', cidrBlocks: ['10.1.0.0/16'], addresses: ['127.100.0.5'] }],
})
const query = (name) => dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] })

function bench(name, iterations, fn) {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) fn()
  const ns = Number(process.hrtime.bigint() - t0) / iterations
  console.log(`${name}: ${ns.toFixed(0)} ns/query (${(1e9 / ns / 1e3).toFixed(0)} k queries/s)`)
}

const cases = [
  ['simple record (cached)', query('www.bench.test'), '10.150.3.4'],
  ['weighted record (chosen per query, as every routing policy: the baseline)', query('w.bench.test'), '10.150.3.4'],
  ['IP-based record, 200 locations', query('ip.bench.test'), '10.150.3.4'],
  ['geolocation record, 5000-row table', query('geo.bench.test'), '10.150.3.4'],
  ['private zone from a VPC instance (cached per VPC)', query('db.bench.test'), '127.100.0.5'],
]
for (const [name, q, from] of cases) {
  const answer = server.answer(q, 'udp', from)
  if (!answer || dnsPacket.decode(answer).answers.length !== 1) throw new Error(`${name}: no answer`)
  bench(name, 200_000, () => server.answer(q, 'udp', from))
}
