// The console's API without a browser: what it refuses, what it never shows, and its files.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createClassicLoadBalancer } from '../../../src/control/classic-load-balancers.js'
import { freePort } from '../../helpers/ports.js'
import { startTutorial } from '../../helpers/tutorial.js'

const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` })

test('state carries no key material; explain and actions refuse bad input with a reason; files are the console\'s only', async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const base = `${tut.lb.controlUrl}/admin/v1/console`

  const stateRes = await fetch(`${base}/state`)
  assert.equal(stateRes.status, 200)
  const text = await stateRes.text()
  assert.doesNotMatch(text, /PRIVATE KEY|privateKeyPem|BEGIN CERTIFICATE/, 'no key or PEM leaves through the console')
  const state = JSON.parse(text) as { certificate: { name: string; issuer?: string; status: string }[]; 'load-balancer': { name: string }[]; listener: { arn: string; port: number }[] }
  assert.equal(state.certificate[0]?.status, 'ISSUED')
  assert.match(state.certificate[0]?.issuer ?? '', /openalb/)
  const http = state.listener.find((l) => l.port === tut.ports.http)
  assert.ok(http)

  const explain = async (q: Record<string, string>) => fetch(`${base}/explain?${new URLSearchParams(q)}`)
  const ok = await explain({ listener: http.arn, url: 'http://API.example.test/a?b=1' })
  assert.equal(ok.status, 200)
  assert.deepEqual(((await ok.json()) as { matched: { priority: number } }).matched.priority, 1, 'host compared case-insensitively, as ALB does')
  const notUrl = await explain({ listener: http.arn, url: 'api.example.test/' })
  assert.equal(notUrl.status, 400)
  assert.match(((await notUrl.json()) as { error: string }).error, /not an absolute URL/)
  const badSource = await explain({ listener: http.arn, url: 'http://a.example.test/', source: '300.1.1.1' })
  assert.equal(badSource.status, 400)
  const unknown = await explain({ listener: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/x/1/2', url: 'http://a.example.test/' })
  assert.equal(unknown.status, 404)

  const badTarget = await fetch(`${base}/targets`, { method: 'POST', body: JSON.stringify({ targetGroup: 'web-tg', action: 'register', targets: [{ id: '127.0.0.999', port: 80 }] }) })
  assert.equal(badTarget.status, 400)
  const before = (await tut.lb.control.view()).find('target-group', 'web-tg')?.targets.length
  assert.equal(before, 2, 'a refused action changes nothing')
  const notJson = await fetch(`${base}/targets`, { method: 'POST', body: 'register please' })
  assert.equal(notJson.status, 400)
  const badPriority = await fetch(`${base}/rule-priority`, { method: 'POST', body: JSON.stringify({ rule: 'x', priority: 1.5 }) })
  assert.equal(badPriority.status, 400)

  const index = await fetch(`${tut.lb.controlUrl}/console/`)
  assert.equal(index.status, 200)
  assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/)
  assert.match(await index.text(), /<script type="module" src="app.js">/)
  assert.equal((await fetch(`${tut.lb.controlUrl}/console/app.js`)).headers.get('content-type'), 'text/javascript; charset=utf-8')
  for (const path of ['/console/%2e%2e%2fserver.json', '/console/..%2F..%2Fstore.db', '/console/words.js.map', '/console/sub/app.js']) {
    assert.equal((await fetch(`${tut.lb.controlUrl}${path}`)).status, 404, path)
  }
  const redirect = await fetch(`${tut.lb.controlUrl}/console`, { redirect: 'manual' })
  assert.equal(redirect.status, 301)
  assert.equal(redirect.headers.get('location'), '/console/')
})

test('with access keys every console path asks for one and takes only the right secret', async (t) => {
  const tut = await startTutorial({ accessKeys: 'AKIDA:secret-a,AKIDB:secret-b' })
  t.after(() => tut.close())
  for (const path of ['/console/', '/console/app.js', '/admin/v1/console/state', '/admin/v1/console/events']) {
    assert.equal((await fetch(`${tut.lb.controlUrl}${path}`)).status, 401, path)
  }
  assert.equal((await fetch(`${tut.lb.controlUrl}/admin/v1/console/state`, { headers: basic('AKIDA', 'secret-b') })).status, 401)
  assert.equal((await fetch(`${tut.lb.controlUrl}/admin/v1/console/state`, { headers: basic('AKIDX', 'secret-a') })).status, 401)
  assert.equal((await fetch(`${tut.lb.controlUrl}/admin/v1/console/state`, { headers: basic('AKIDB', 'secret-b') })).status, 200)
})

test('the event stream sends a tick with health and metric totals, and ends when the node stops', async (t) => {
  const tut = await startTutorial()
  let closed = false
  t.after(() => (closed ? undefined : tut.close()))
  const res = await fetch(`${tut.lb.controlUrl}/admin/v1/console/events`)
  assert.equal(res.headers.get('content-type'), 'text/event-stream')
  const reader = res.body!.getReader()
  // Every read has a deadline: a stream that stays silent fails the test instead of hanging it.
  const read = (what: string) => {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000)
    })
    return Promise.race([reader.read(), deadline]).finally(() => clearTimeout(timer))
  }
  let text = ''
  while (!text.includes('\n\n')) {
    const { value, done } = await read('first event')
    if (done) break
    text += Buffer.from(value).toString('utf8')
  }
  assert.match(text, /^event: tick\ndata: /)
  const tick = JSON.parse(text.split('\n')[1]!.slice('data: '.length)) as { revision: number; health: Record<string, { targets: { state: string }[] }>; metrics: { targetGroups: Record<string, { healthy: number }> } }
  assert.ok(tick.revision > 0)
  assert.deepEqual(Object.values(tick.health)[0]?.targets.map((x) => x.state), ['healthy', 'healthy'])
  assert.equal(Object.values(tick.metrics.targetGroups)[0]?.healthy, 2)
  // A node with an open stream still stops (the stream ends).
  await tut.close()
  closed = true
  for (;;) {
    const { done } = await read('end of the stream after the node stopped')
    if (done) break
  }
})

test('stopping with a console open finishes: the event stream ends, a stream asked for again on the kept-alive socket gets 503', { timeout: 30_000 }, async () => {
  const tut = await startTutorial()
  const { request, Agent } = await import('node:http')
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const url = new URL(`${tut.lb.controlUrl}/admin/v1/console/events`)
  const statuses: number[] = []
  // As EventSource does: when a stream ends, ask again at once on the same kept-alive socket.
  const open = (): void => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
      statuses.push(res.statusCode ?? 0)
      res.resume()
      res.on('end', () => {
        if (res.statusCode === 200) open()
      })
    })
    req.on('error', () => {})
    req.end()
  }
  open()
  await new Promise((r) => setTimeout(r, 300))
  const started = Date.now()
  await tut.close()
  agent.destroy()
  assert.ok(Date.now() - started < 10_000, `close took ${Date.now() - started} ms`)
  assert.equal(statuses[0], 200)
})

test("Classic balancers are in the console's state, each with its one check's health under the balancer's ARN, live in every tick", async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const port = await freePort()
  await tut.lb.control.mutate((d) => createClassicLoadBalancer(d, { name: 'console-clb', listeners: [{ protocol: 'TCP', loadBalancerPort: port, instancePort: 4000 }], availabilityZones: ['us-east-1a'] }))
  const base = `${tut.lb.controlUrl}/admin/v1/console`
  const state = (await (await fetch(`${base}/state`)).json()) as { 'classic-load-balancer': { name: string; arn: string; listeners: { protocol: string }[] }[]; health: Record<string, { targets: unknown[] }> }
  const clb = state['classic-load-balancer'].find((b) => b.name === 'console-clb')
  assert.ok(clb, 'the Classic balancer is listed')
  assert.deepEqual(clb.listeners.map((l) => l.protocol), ['TCP'])
  assert.deepEqual(state.health[clb.arn]?.targets, [], "its health is there (no instance yet)")
  const ac = new AbortController()
  const res = await fetch(`${base}/events`, { signal: ac.signal })
  const reader = res.body?.getReader()
  let text = ''
  while (!text.includes('\n\n') && reader) text += new TextDecoder().decode((await reader.read()).value)
  ac.abort()
  assert.ok(text.includes(clb.arn), 'the tick carries the Classic balancer\'s health')
})
