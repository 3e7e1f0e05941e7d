import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { eventually } from '../../helpers/eventually.js'
import { countsOf, applyState, compile, fixed, forward, freePort, get, listener, loadBalancer, portOf, securityGroup, startBackend, startDataplane, state, targetGroup } from './fixtures.js'

test('draining: a deregistered target gets no new request and its slow in-flight one finishes', async (t) => {
  let release: () => void = () => {}
  const slow = await startBackend(t, 'slow', (req, res) => {
    req.resume()
    if (req.url === '/slow') release = () => res.end('slow done')
    else res.end('slow')
  })
  const other = await startBackend(t, 'other')
  const both = targetGroup('web', [{ id: '127.0.0.1', port: slow.port }, { id: '127.0.0.1', port: other.port }], { deregistrationDelaySeconds: 30 })
  const l = listener(0, [forward(both)])
  const dp = await startDataplane(t, state(1, loadBalancer(), both, l))
  const port = portOf(dp)
  // Round robin: the first request goes to the first target.
  const inFlight = get(port, '/slow')
  await eventually(() => slow.seen.length === 1)
  const onlyOther = { ...both, targets: [{ id: '127.0.0.1', port: other.port }] }
  await applyState(dp, state(2, loadBalancer(), onlyOther, l))
  for (let i = 0; i < 5; i++) assert.equal((await get(port, '/')).body, 'other')
  assert.equal(slow.seen.length, 1)
  release()
  const r = await inFlight
  assert.equal(r.status, 200)
  assert.equal(r.body, 'slow done')
  // Its connections close as soon as they are idle, well before the delay.
  await eventually(() => dp.upstreamConnections(`127.0.0.1:${slow.port}`) === 0)
})

test('draining: a request still in flight when the delay ends is cut with 502', async (t) => {
  const hung = await startBackend(t, 'hung', (req) => req.resume())
  const tg = targetGroup('web', [{ id: '127.0.0.1', port: hung.port }], { deregistrationDelaySeconds: 1 })
  const l = listener(0, [forward(tg)])
  const dp = await startDataplane(t, state(1, loadBalancer(), tg, l))
  const port = portOf(dp)
  const inFlight = get(port, '/')
  await eventually(() => hung.seen.length === 1)
  await applyState(dp, state(2, loadBalancer(), { ...tg, targets: [] }, l))
  assert.equal((await inFlight).status, 502)
})

test('a new snapshot under steady keep-alive traffic fails no request and keeps the port open', async (t) => {
  const a = await startBackend(t, 'a')
  const b = await startBackend(t, 'b')
  const tgA = targetGroup('a', [{ id: '127.0.0.1', port: a.port }])
  const tgB = targetGroup('b', [{ id: '127.0.0.1', port: b.port }])
  const l = listener(0, [forward(tgA)])
  const dp = await startDataplane(t, state(1, loadBalancer(), tgA, tgB, l))
  const port = portOf(dp)
  const { Agent, request } = await import('node:http')
  const agent = new Agent({ keepAlive: true, maxSockets: 8 })
  t.after(() => agent.destroy())
  const one = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (body += d))
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`))))
      })
      req.on('error', reject)
      req.end()
    })
  const bodies: string[] = []
  let failures = 0
  let stop = false
  // Bounded in time and count whatever happens to the assertions below.
  const deadline = Date.now() + 60_000
  const loops = Array.from({ length: 8 }, async () => {
    while (!stop && Date.now() < deadline && bodies.length + failures < 20_000) {
      try {
        bodies.push(await one())
      } catch {
        failures++
      }
    }
  })
  await eventually(() => bodies.length > 50)
  for (let rev = 2; rev <= 11; rev++) {
    const target = rev % 2 === 0 ? tgB : tgA
    await applyState(dp, state(rev, loadBalancer(), tgA, tgB, { ...l, defaultActions: [forward(target)] }))
    const seen = bodies.length
    await eventually(() => bodies.length > seen + 20)
  }
  stop = true
  await Promise.all(loops)
  assert.equal(failures, 0)
  assert.ok(bodies.includes('a') && bodies.includes('b'))
})

test('a removed listener stops accepting; a new one opens', async (t) => {
  const p1 = await freePort()
  const p2 = await freePort()
  const dp = await startDataplane(t, state(1, loadBalancer(), listener(p1, [fixed('200', 'one')])))
  assert.equal((await get(p1, '/')).body, 'one')
  const r = await dp.apply(compile(state(2, loadBalancer(), listener(p2, [fixed('200', 'two')]))))
  assert.deepEqual(r.opened, [`127.0.0.1:${p2}`])
  assert.deepEqual(r.closed, [`127.0.0.1:${p1}`])
  assert.equal((await get(p2, '/')).body, 'two')
  await assert.rejects(get(p1, '/'), /ECONNREFUSED/)
})

test('security groups: a source no inbound rule allows is closed at accept and counted', async (t) => {
  const port = await freePort()
  const deny = securityGroup('web-sg', [{ protocol: 'tcp', fromPort: port, toPort: port, cidrs: ['10.0.0.0/8'], sourceGroups: [] }])
  const dp = await startDataplane(t, state(1, deny, loadBalancer({}, { securityGroups: [deny.id] }), listener(port, [fixed('200', 'in')])))
  await assert.rejects(get(port, '/'), /ECONNRESET|socket hang up/)
  assert.equal(countsOf(dp).connectionsRejected, 1)

  const allow = securityGroup('web-sg', [{ protocol: 'tcp', fromPort: port, toPort: port, cidrs: ['127.0.0.0/8'], sourceGroups: [] }])
  await applyState(dp, state(2, { ...allow, id: deny.id }, loadBalancer({}, { securityGroups: [deny.id] }), listener(port, [fixed('200', 'in')])))
  assert.equal((await get(port, '/')).body, 'in')
})

test('a rule for another port does not open this one', async (t) => {
  const sg = securityGroup('web-sg', [{ protocol: 'tcp', fromPort: 1, toPort: 2, cidrs: ['0.0.0.0/0'], sourceGroups: [] }])
  const dp = await startDataplane(t, state(1, sg, loadBalancer({}, { securityGroups: [sg.id] }), listener(0, [fixed('200', 'in')])))
  const port = portOf(dp)
  await assert.rejects(get(port, '/'))
  assert.equal(countsOf(dp).connectionsRejected, 1)
})

test('a client that trickles its request head is answered 408 at the head timeout, others are served', async (t) => {
  const dp = await startDataplane(t, state(1, loadBalancer({ requestHeadTimeoutSeconds: 1 }), listener(0, [fixed('200', 'ok')])))
  const port = portOf(dp)
  const slowloris = connect(port, '127.0.0.1')
  t.after(() => slowloris.destroy())
  slowloris.write('GET / HTTP/1.1\r\nHost: a\r\n')
  let text = ''
  slowloris.setEncoding('latin1')
  slowloris.on('data', (d: string) => (text += d))
  assert.equal((await get(port, '/')).body, 'ok')
  await new Promise((r) => slowloris.on('close', r))
  assert.match(text, /^HTTP\/1\.1 408 /)
})
