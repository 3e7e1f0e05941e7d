import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { WebSocket, WebSocketServer } from 'ws'
import { eventually } from '../../helpers/eventually.js'
import { fixed, forward, freePort, get, listener, loadBalancer, portOf, rule, startBackend, startDataplane, state, targetGroup } from './fixtures.js'

test('a WebSocket upgrade is piped to the target after its 101', async (t) => {
  const backend = await startBackend(t, 'ws')
  const wss = new WebSocketServer({ server: backend.server })
  let forwardedFor: string | string[] | undefined
  wss.on('connection', (ws, req) => {
    forwardedFor = req.headers['x-forwarded-for']
    ws.on('message', (m) => ws.send(`echo:${String(m)}`))
  })
  t.after(() => wss.close())
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, listener(0, [forward(tg)])))
  const port = portOf(dp)
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`)
  t.after(() => ws.terminate())
  await new Promise((resolve, reject) => {
    ws.on('open', resolve)
    ws.on('error', reject)
  })
  const replies: string[] = []
  ws.on('message', (m) => replies.push(String(m)))
  ws.send('one')
  ws.send('two')
  await eventually(() => replies.length === 2)
  assert.deepEqual(replies, ['echo:one', 'echo:two'])
  assert.equal(forwardedFor, '127.0.0.1')
  // Closing the client side closes the target side of the tunnel.
  ws.terminate()
  await eventually(() => wss.clients.size === 0)
})

test('access log lines follow ALB\'s field order', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'access.log')
  const backend = await startBackend(t, 'web')
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: backend.port }])
  const port = await freePort()
  const l = listener(port, [forward(tg)])
  await startDataplane(t, state(1, loadBalancer({ accessLogs: { enabled: true, bucket: file, prefix: '' } }), tg, l, rule(l, 7, [{ field: 'path-pattern', values: ['/fixed'] }], [fixed('404', 'no')])))
  await get(port, '/x?y=1', { 'user-agent': 'curl/8.0', host: 'api.example.test' })
  await get(port, '/fixed', { host: 'api.example.test' })
  const lines = await eventually(() => {
    const text = readFileSync(file, 'utf8').trim().split('\n')
    return text.length === 2 ? text : undefined
  })
  assert.ok(lines)
  const first = lines[0] ?? ''
  assert.match(
    first,
    new RegExp(
      `^http \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z app/test-lb/0123456789abcdef 127\\.0\\.0\\.1:\\d+ 127\\.0\\.0\\.1:${backend.port} [\\d.]+ [\\d.]+ [\\d.]+ 200 200 \\d+ \\d+ "GET http://api\\.example\\.test:${port}/x\\?y=1 HTTP/1\\.1" "curl/8\\.0" - - ${tg.arn.replace(/[/.]/g, '\\$&')} "Root=1-[0-9a-f]{8}-[0-9a-f]{24}" "-" "-" 0 \\S+ "forward" "-" "-" "127\\.0\\.0\\.1:${backend.port}" "200" "-" "-"$`,
    ),
  )
  assert.match(lines[1] ?? '', / 404 - .* 7 \S+ "fixed-response" /)
})
