import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatClassicTcpLog } from '../../../src/dataplane/access-log.js'

const base = { startMs: Date.UTC(2026, 11, 8, 2, 40, 11, 512), elb: 'web-clb', client: '127.0.0.1:51522', receivedBytes: 57, sentBytes: 502 }

test("a Classic TCP connection's line: Classic's fields, no status codes, the request \"- - - \" and the user agent \"-\"", () => {
  const line = formatClassicTcpLog({ ...base, backend: '127.119.0.1:4000', requestProcessingSeconds: 0.0042, backendProcessingSeconds: 0.001, responseProcessingSeconds: 0, sslCipher: '', sslProtocol: '' })
  assert.equal(line, '2026-12-08T02:40:11.512000Z web-clb 127.0.0.1:51522 127.119.0.1:4000 0.004 0.001 0.000 - - 57 502 "- - - " "-" - -')
})

test('an SSL connection names its cipher and protocol; one that reached no instance has backend - and times -1', () => {
  const line = formatClassicTcpLog({ ...base, backend: '-', requestProcessingSeconds: -1, backendProcessingSeconds: -1, responseProcessingSeconds: -1, receivedBytes: 0, sentBytes: 0, sslCipher: 'ECDHE-RSA-AES128-GCM-SHA256', sslProtocol: 'TLSv1.2' })
  assert.equal(line, '2026-12-08T02:40:11.512000Z web-clb 127.0.0.1:51522 - -1 -1 -1 - - 0 0 "- - - " "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2')
})
