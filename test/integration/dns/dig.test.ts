import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { DnsServer } from '../../../src/dns/server.js'
import { zoneSourceFromState } from '../../../src/runtime/dns-source.js'
import { needs } from '../../helpers/shared.js'
import { exampleState, LB_DNS_NAME, NODE_ADDRESSES } from '../../unit/dns/zone-fixture.js'

const run = promisify(execFile)
const skip = needs('dig', 'dnsutils')

async function withServer(t: { after: (fn: () => Promise<void>) => void }) {
  const server = new DnsServer()
  server.update(zoneSourceFromState(exampleState(), NODE_ADDRESSES, () => true))
  const { udpPort } = await server.start({ host: '127.0.0.1', port: 0 })
  t.after(() => server.close())
  return (...args: string[]) =>
    run('dig', ['@127.0.0.1', '-p', String(udpPort), '+norec', '+time=2', '+tries=1', ...args]).then((r) => r.stdout)
}

const cases: { desc: string; args: string[]; expect: string[] }[] = [
  { desc: 'A alias to the balancer', args: ['api.example.test', 'A'], expect: ['10.0.0.1', '10.0.0.2'] },
  { desc: 'AAAA alias to the balancer', args: ['api.example.test', 'AAAA'], expect: ['fd00::1'] },
  { desc: 'A', args: ['mail.example.test', 'A'], expect: ['192.0.2.10'] },
  { desc: 'AAAA', args: ['v6.example.test', 'AAAA'], expect: ['2001:db8::1'] },
  { desc: 'CNAME chain', args: ['chain.example.test', 'A'], expect: ['www.example.test.', 'api.example.test.', '10.0.0.1', '10.0.0.2'] },
  { desc: 'MX', args: ['example.test', 'MX'], expect: ['10 mail.example.test.', '20 backup.example.test.'] },
  { desc: 'TXT', args: ['example.test', 'TXT'], expect: ['"two" "strings"', '"v=spf1 -all"'] },
  { desc: 'SRV', args: ['_sip._tcp.example.test', 'SRV'], expect: ['10 60 5060 sip.example.test.'] },
  { desc: 'CAA', args: ['example.test', 'CAA'], expect: ['0 issue "letsencrypt.org"'] },
  { desc: 'PTR', args: ['10.example.test', 'PTR'], expect: ['api.example.test.'] },
  { desc: 'NS', args: ['example.test', 'NS'], expect: ['ns1.example.test.', 'ns2.example.test.'] },
  { desc: 'SOA', args: ['example.test', 'SOA'], expect: ['ns1.example.test. hostmaster.example.test. 7 7200 900 1209600 300'] },
  { desc: 'wildcard', args: ['anything.wild.example.test', 'A'], expect: ['192.0.2.20'] },
  { desc: 'alias to a record', args: ['mail-alias.example.test', 'A'], expect: ['192.0.2.10'] },
  { desc: "the balancer's own name", args: [LB_DNS_NAME, 'A'], expect: ['10.0.0.1', '10.0.0.2'] },
]

for (const c of cases) {
  test(`dig answers ${c.desc}`, { skip }, async (t) => {
    const dig = await withServer(t)
    const out = await dig('+short', ...c.args)
    assert.deepEqual(out.trim().split('\n').sort(), [...c.expect].sort())
  })
}

test('dig sees the aa flag on answers and NXDOMAIN with the SOA in authority', { skip }, async (t) => {
  const dig = await withServer(t)
  const ok = await dig('mail.example.test', 'A')
  assert.match(ok, /flags: qr aa/)
  const nx = await dig('missing.example.test', 'A')
  assert.match(nx, /status: NXDOMAIN/)
  assert.match(nx, /AUTHORITY SECTION:\nexample\.test\.\s+300\s+IN\s+SOA/)
})

test('dig sees NODATA: NOERROR, no answer, SOA in authority', { skip }, async (t) => {
  const dig = await withServer(t)
  const out = await dig('mail.example.test', 'AAAA')
  assert.match(out, /status: NOERROR/)
  assert.match(out, /ANSWER: 0,/)
  assert.match(out, /AUTHORITY SECTION:\nexample\.test\.\s+300\s+IN\s+SOA/)
})

test('dig is REFUSED for names outside every zone', { skip }, async (t) => {
  const dig = await withServer(t)
  assert.match(await dig('www.example.com', 'A'), /status: REFUSED/)
})

test('dig gets an OPT record back with EDNS0', { skip }, async (t) => {
  const dig = await withServer(t)
  assert.match(await dig('+edns=0', 'mail.example.test', 'A'), /EDNS: version: 0, flags:; udp: 1232/)
})

test('dig retries a truncated UDP answer over TCP and gets it whole', { skip }, async (t) => {
  const dig = await withServer(t)
  const truncated = await dig('+ignore', 'big.example.test', 'TXT')
  assert.match(truncated, /flags: qr aa tc/)
  const whole = await dig('big.example.test', 'TXT')
  assert.match(whole, /Truncated, retrying in TCP mode/)
  assert.match(whole, /ANSWER: 40,/)
})
