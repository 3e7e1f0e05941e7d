import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { DnsServer } from '../../../src/dns/server.js'
import { zoneSourceFromState } from '../../../src/runtime/dns-source.js'
import { eventually } from '../../helpers/eventually.js'
import { balancer, decodeAnswer, exampleRecords, exampleState, NODE_ADDRESSES, query, rec, stateOf, zone } from '../../unit/dns/zone-fixture.js'
import { frame, tcpConnect, tcpExchange, tcpReader, udpExchange, udpSendAll } from './dns-client.js'

async function started(t: { after: (fn: () => Promise<void>) => void }, options: ConstructorParameters<typeof DnsServer>[0] = {}) {
  const server = new DnsServer(options)
  server.update(zoneSourceFromState(exampleState(), NODE_ADDRESSES, () => true))
  const ports = await server.start({ host: '127.0.0.1', port: 0 })
  t.after(() => server.close())
  return { server, ...ports }
}

const answerData = (m: Buffer) => (decodeAnswer(m).answers ?? []).map((a) => ('data' in a ? a.data : undefined))

test('answers over UDP and TCP on the same port', async (t) => {
  const { udpPort, tcpPort } = await started(t)
  assert.equal(udpPort, tcpPort)
  assert.deepEqual(answerData(await udpExchange(udpPort, query('api.example.test', 'A'))), ['10.0.0.1', '10.0.0.2'])
  assert.deepEqual(answerData(await tcpExchange(tcpPort, query('api.example.test', 'A'))), ['10.0.0.1', '10.0.0.2'])
})

test('a large answer sets TC over UDP, then comes whole over TCP', async (t) => {
  const { udpPort, tcpPort } = await started(t)
  const udp = decodeAnswer(await udpExchange(udpPort, query('big.example.test', 'TXT', { edns: 1232 })))
  assert.equal(udp.flag_tc, true)
  const tcp = decodeAnswer(await tcpExchange(tcpPort, query('big.example.test', 'TXT')))
  assert.equal(tcp.flag_tc, false)
  assert.equal(tcp.answers?.length, 40)
})

test('several queries pipelined on one TCP connection are all answered', async (t) => {
  const { tcpPort } = await started(t)
  const s = await tcpConnect(tcpPort)
  t.after(() => s.destroy())
  const read = tcpReader(s)
  s.write(Buffer.concat([frame(query('mail.example.test', 'A')), frame(query('v6.example.test', 'AAAA')), frame(query('missing.example.test', 'A'))]))
  assert.deepEqual(answerData(await read()), ['192.0.2.10'])
  assert.deepEqual(answerData(await read()), ['2001:db8::1'])
  assert.equal(decodeAnswer(await read()).rcode, 'NXDOMAIN')
})

test('a TCP connection that stays idle is closed after the timeout', async (t) => {
  const { tcpPort } = await started(t, { tcpIdleTimeoutMs: 200 })
  const s = await tcpConnect(tcpPort)
  t.after(() => s.destroy())
  const startMs = Date.now()
  let ended = false
  s.on('end', () => (ended = true))
  const deadline = new Promise<'deadline'>((r) => setTimeout(() => r('deadline'), 5000).unref())
  const outcome = await Promise.race([once(s, 'close').then(() => 'closed' as const), deadline])
  assert.equal(outcome, 'closed', 'the server never closed the idle connection')
  // The server ended it (a FIN came, not a local error), and not before its idle timeout.
  assert.equal(ended, true)
  assert.ok(Date.now() - startMs >= 180, `closed after ${Date.now() - startMs} ms, before the 200 ms idle timeout`)
})

/** Packets a hostile or broken client might send. */
function malformedBatch(): Buffer[] {
  const good = query('mail.example.test', 'A')
  const withCounts = (qd: number, an: number, ns: number, ar: number) => {
    const b = Buffer.from(good)
    b.writeUInt16BE(qd, 4)
    b.writeUInt16BE(an, 6)
    b.writeUInt16BE(ns, 8)
    b.writeUInt16BE(ar, 10)
    return b
  }
  // A name that is a compression pointer to itself, and one pointing forward into a loop.
  const selfLoop = Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])])
  const forwardLoop = Buffer.concat([good.subarray(0, 12), Buffer.from([0xc0, 14, 0xc0, 12, 0, 1, 0, 1])])
  const longLabels = Buffer.concat([good.subarray(0, 12), Buffer.alloc(300, 0), Buffer.from([0, 1, 0, 1])])
  for (let i = 0; i < 300; i += 2) longLabels[12 + i] = 1
  longLabels[12 + 1] = 0x61
  const overLongName = Buffer.concat([good.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])])
  const badLabelType = Buffer.concat([good.subarray(0, 12), Buffer.from([0x80, 1, 0x61, 0, 0, 1, 0, 1])])
  const truncatedOpt = Buffer.concat([withCounts(1, 0, 0, 1), Buffer.from([0, 0, 41, 4])])
  const optLyingLength = Buffer.concat([withCounts(1, 0, 0, 1), Buffer.from([0, 0, 41, 16, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 10])])
  const random = Array.from({ length: 20 }, (_, i) => Buffer.from(Array.from({ length: 12 + i * 7 }, (_, j) => (i * 131 + j * 31) & 0xff)))
  return [
    Buffer.alloc(0),
    Buffer.from([1, 2, 3]),
    good.subarray(0, 11),
    good.subarray(0, 12),
    good.subarray(0, good.length - 1),
    withCounts(65535, 0, 0, 0),
    withCounts(1, 65535, 65535, 65535),
    withCounts(0, 0, 0, 0),
    selfLoop,
    forwardLoop,
    longLabels,
    overLongName,
    badLabelType,
    truncatedOpt,
    optLyingLength,
    ...random,
  ]
}

test('a batch of malformed packets over UDP is answered FORMERR or dropped, and the next good query is answered', async (t) => {
  const { udpPort } = await started(t)
  const batch = malformedBatch()
  for (const m of batch.slice(3, 8)) assert.equal(decodeAnswer(await udpExchange(udpPort, m)).rcode, 'FORMERR')
  await udpSendAll(udpPort, batch)
  assert.deepEqual(answerData(await udpExchange(udpPort, query('mail.example.test', 'A'))), ['192.0.2.10'])
})

test('malformed messages over TCP do not stop the connection or the server', async (t) => {
  const { tcpPort } = await started(t)
  const s = await tcpConnect(tcpPort)
  t.after(() => s.destroy())
  const read = tcpReader(s)
  const good = query('v6.example.test', 'AAAA')
  good.writeUInt16BE(0xbeef, 0)
  const batch = malformedBatch()
  s.write(Buffer.concat([...batch.map(frame), frame(good)]))
  // At most one answer per message sent; each read has its own deadline.
  for (let reads = 0; ; reads++) {
    assert.ok(reads <= batch.length, 'the good query was never answered')
    const m = await read()
    if (m.length < 12 || m.readUInt16BE(0) !== 0xbeef || decodeAnswer(m).questions?.[0]?.name !== 'v6.example.test') continue
    assert.deepEqual(answerData(m), ['2001:db8::1'])
    break
  }
  assert.deepEqual(answerData(await tcpExchange(tcpPort, query('mail.example.test', 'A'))), ['192.0.2.10'])
})

test('queries from many clients at once are all answered', async (t) => {
  const { udpPort, tcpPort } = await started(t)
  const udp = Array.from({ length: 100 }, () => udpExchange(udpPort, query('mail.example.test', 'A')))
  const tcp = Array.from({ length: 20 }, () => tcpExchange(tcpPort, query('api.example.test', 'A')))
  const answers = await Promise.all([...udp, ...tcp])
  assert.equal(answers.filter((m) => decodeAnswer(m).rcode === 'NOERROR' && (decodeAnswer(m).answers?.length ?? 0) > 0).length, 120)
})

test('a new revision is answered within a second, with a higher SOA serial', async (t) => {
  const { server, udpPort } = await started(t)
  const serialNow = async () => {
    const soa = decodeAnswer(await udpExchange(udpPort, query('example.test', 'SOA'))).answers?.[0]
    return soa?.type === 'SOA' ? soa.data.serial : undefined
  }
  assert.equal(await serialNow(), 7)
  server.update(zoneSourceFromState(stateOf([balancer(), zone(8), ...exampleRecords(), rec('fresh.example.test', 'A', ['192.0.2.77'])], 2), NODE_ADDRESSES, () => true))
  await eventually(async () => answerData(await udpExchange(udpPort, query('fresh.example.test', 'A')))[0] === '192.0.2.77', { timeoutMs: 1000 })
  assert.equal(await serialNow(), 8)
})
