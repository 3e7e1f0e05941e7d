import assert from 'node:assert/strict'
import { test } from 'node:test'
import { proxyV2Header, PROXY_V2_SIGNATURE } from '../../../src/dataplane/l4/proxy-v2.js'
import { parseProxyV2 } from '../../integration/dataplane/tcp-targets.js'

test('PROXY v2 for an IPv4 TCP client: signature, PROXY command, INET STREAM, 12 address bytes', () => {
  const h = proxyV2Header({ address: '192.0.2.10', port: 51000 }, { address: '127.0.0.1', port: 9000 })
  assert.equal(h.length, 28)
  assert.ok(h.subarray(0, 12).equals(PROXY_V2_SIGNATURE))
  assert.equal(h[12], 0x21)
  assert.equal(h[13], 0x11)
  assert.equal(h.readUInt16BE(14), 12)
  assert.deepEqual(parseProxyV2(h)?.info, { command: 'PROXY', family: 'INET', transport: 'STREAM', source: '192.0.2.10', sourcePort: 51000, destination: '127.0.0.1', destinationPort: 9000 })
})

test('PROXY v2: an IPv4-mapped client is written as IPv4; IPv6 as INET6 with 36 bytes; UDP as DGRAM', () => {
  assert.equal(parseProxyV2(proxyV2Header({ address: '::ffff:127.0.0.1', port: 1 }, { address: '::ffff:127.0.0.2', port: 2 }))?.info.source, '127.0.0.1')
  const v6 = proxyV2Header({ address: '2001:db8::1', port: 443 }, { address: '::1', port: 9000 }, 'dgram')
  assert.equal(v6.length, 52)
  assert.equal(v6[13], 0x22)
  const info = parseProxyV2(v6)?.info
  assert.equal(info?.source, '2001:db8:0:0:0:0:0:1')
  assert.equal(info?.destination, '0:0:0:0:0:0:0:1')
  assert.equal(info?.transport, 'DGRAM')
  assert.equal(info?.destinationPort, 9000)
  const mixed = parseProxyV2(proxyV2Header({ address: '127.0.0.1', port: 5 }, { address: '::1', port: 6 }))?.info
  assert.equal(mixed?.family, 'INET6')
  assert.equal(mixed?.source, '0:0:0:0:0:ffff:7f00:1')
})
