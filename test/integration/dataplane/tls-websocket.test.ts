import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import { eventually } from '../../helpers/eventually.js'
import { forward, listener, loadBalancer, portOf, startBackend, startDataplane, state, targetGroup } from './fixtures.js'
import { certRefs, testCa } from './tls-fixtures.js'

const kinds = [{ desc: 'HTTP', scheme: 'ws' }, { desc: 'HTTPS', scheme: 'wss' }] as const

for (const kind of kinds) {
  test(`a WebSocket echo through an ${kind.desc} listener, closed end to end`, async (t) => {
    const ca = await testCa(t)
    const cert = await ca.certificate(['api.example.test'])
    const backend = await startBackend(t, 'ws')
    const wss = new WebSocketServer({ server: backend.server })
    let proto: string | string[] | undefined
    wss.on('connection', (ws, req) => {
      proto = req.headers['x-forwarded-proto']
      ws.on('message', (m, binary) => ws.send(binary ? m : `echo:${String(m)}`))
    })
    t.after(() => wss.close())
    const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
    const l = kind.scheme === 'wss'
      ? listener(0, [forward(tg)], { protocol: 'HTTPS', certificates: certRefs(cert) })
      : listener(0, [forward(tg)])
    const dp = await startDataplane(t, state(1, loadBalancer(), tg, cert, l))
    const port = portOf(dp)

    // ws passes TLS options through to tls.connect; its types do not list servername.
    const options = { ca: ca.rootPem, servername: 'api.example.test' }
    const ws = new WebSocket(`${kind.scheme}://127.0.0.1:${port}/chat`, options)
    t.after(() => ws.terminate())
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    const replies: string[] = []
    let binaryBytes = 0
    ws.on('message', (m, binary) => {
      if (binary) binaryBytes += (m as Buffer).length
      else replies.push(String(m))
    })
    ws.send('one')
    ws.send('two')
    // A frame much larger than a TLS record crosses the tunnel whole.
    ws.send(Buffer.alloc(1024 * 1024, 1))
    await eventually(() => replies.length === 2 && binaryBytes === 1024 * 1024)
    assert.deepEqual(replies, ['echo:one', 'echo:two'])
    assert.equal(proto, kind.scheme === 'wss' ? 'https' : 'http')

    // A clean close from the client reaches the target, and the target side of the tunnel ends.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.close(1000, 'bye')
    assert.equal(await closed, 1000)
    await eventually(() => wss.clients.size === 0)
  })
}
