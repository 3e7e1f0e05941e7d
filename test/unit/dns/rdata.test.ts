import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseRData } from '../../../src/dns/rdata.js'

const cases: { desc: string; type: string; value: string; expect: unknown }[] = [
  { desc: 'relative CNAME target taken relative to the zone', type: 'CNAME', value: 'api', expect: { type: 'CNAME', data: 'api.example.test.' } },
  { desc: 'TXT escapes', type: 'TXT', value: '"a \\"quoted\\" word" "\\065"', expect: { type: 'TXT', data: [Buffer.from('a "quoted" word'), Buffer.from('A')] } },
  { desc: 'TXT over 255 bytes split', type: 'TXT', value: `"${'y'.repeat(300)}"`, expect: { type: 'TXT', data: [Buffer.from('y'.repeat(255)), Buffer.from('y'.repeat(45))] } },
  { desc: 'CAA iodef', type: 'CAA', value: '128 iodef "mailto:sec@example.test"', expect: { type: 'CAA', data: { flags: 128, tag: 'iodef', value: 'mailto:sec@example.test' } } },
]
for (const c of cases) {
  test(`parses ${c.desc}`, () => {
    const r = parseRData(c.type, c.value, 'example.test.')
    assert.ok(r.ok, r.ok ? '' : r.message)
    assert.deepEqual(r.rdata, c.expect)
  })
}

const bad: { type: string; value: string }[] = [
  { type: 'A', value: '300.1.1.1' },
  { type: 'AAAA', value: '10.0.0.1' },
  { type: 'MX', value: 'mail.example.test.' },
  { type: 'SRV', value: '10 60 99999 sip.' },
  { type: 'TXT', value: '"unterminated' },
  { type: 'CAA', value: '0 issuer "x"' },
  { type: 'SOA', value: 'ns1. host. 1 2 3' },
]
for (const b of bad) {
  test(`rejects the ${b.type} value ${b.value} with a reason`, () => {
    const r = parseRData(b.type, b.value, 'example.test.')
    assert.equal(r.ok, false)
  })
}
