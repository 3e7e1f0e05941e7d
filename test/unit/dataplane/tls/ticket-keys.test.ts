import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TicketKeys } from '../../../../src/dataplane/tls/ticket-keys.js'

test('session ticket keys rotate onto every attached server and keep the previous key', () => {
  let n = 0
  const keys = new TicketKeys(12, () => Buffer.alloc(48, ++n))
  const seen: number[] = []
  const server = { setTicketKeys: (k: Buffer) => seen.push(k[0] ?? -1) }
  keys.attach(server)
  assert.equal(keys.current.length, 48)
  keys.rotate()
  assert.deepEqual(seen, [1, 2])
  assert.equal(keys.previous?.[0], 1)
  assert.equal(keys.current[0], 2)
  keys.detach(server)
  keys.rotate()
  assert.deepEqual(seen, [1, 2])
})
