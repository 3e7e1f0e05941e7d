import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { test } from 'node:test'
import { Agent, request as undiciRequest } from 'undici'
import dnsPacket from 'dns-packet'
import { eventually } from '../helpers/eventually.js'
import { startTutorial } from '../helpers/tutorial.js'

// One client for the file, closed before openalb stops, so no pooled socket outlives a test.
const agent = new Agent()
const request = (url: string, options: { headers?: Record<string, string> } = {}) => undiciRequest(url, { ...options, dispatcher: agent })

async function dnsQuery(port: number, name: string, type: 'A' | 'AAAA' = 'A'): Promise<dnsPacket.Packet> {
  const socket = createSocket('udp4')
  try {
    const answer = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve)
      socket.once('error', reject)
      setTimeout(() => reject(new Error('no DNS answer within 2 s')), 2000).unref()
    })
    socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), port, '127.0.0.1')
    return dnsPacket.decode(await answer)
  } finally {
    socket.close()
  }
}

test('the tutorial from YAML: forward, host redirect to HTTPS, DNS alias, and a stopped server costs no request', async (t) => {
  const tut = await startTutorial()
  t.after(async () => {
    await agent.close()
    await tut.close()
  })
  const base = `http://127.0.0.1:${tut.ports.http}`

  const forwarded = await request(`${base}/hello`)
  assert.equal(forwarded.statusCode, 200)
  const text = await forwarded.body.text()
  assert.match(text, /^hello from \d+: GET \/hello xff=127\.0\.0\.1 proto=http/)

  const redirect = await request(`${base}/some/path?x=1`, { headers: { host: 'api.example.test' } })
  await redirect.body.dump()
  assert.equal(redirect.statusCode, 301)
  assert.equal(redirect.headers.location, `https://api.example.test:${tut.ports.https}/some/path?x=1`)

  const dns = await dnsQuery(tut.lb.dnsPort, 'api.example.test')
  assert.equal((dns as { rcode?: string }).rcode, 'NOERROR')
  assert.deepEqual(dns.answers?.map((a) => (a.type === 'A' ? a.data : '')), ['127.0.0.1'])

  // Stop the second server while traffic flows: every request is still answered 200.
  const [, second] = tut.ports.backends
  const statuses: number[] = []
  let stopped = false
  const traffic = (async () => {
    for (let i = 0; i < 400 && !(stopped && statuses.length > 150); i++) {
      const r = await request(`${base}/`)
      await r.body.dump()
      statuses.push(r.statusCode)
    }
  })()
  await eventually(() => statuses.length > 20, { message: 'traffic started' })
  await tut.stopBackend(second)
  stopped = true
  await traffic
  assert.ok(statuses.length > 150)
  assert.deepEqual(statuses.filter((s) => s !== 200), [], 'no failed request while a server stops')
  await eventually(async () => (await tut.targetStates())[`127.0.0.1:${second}`] === 'unhealthy', { timeoutMs: 20000, message: 'the stopped server turns unhealthy' })
})

test('the alias evaluates target health: no answer while every target is unhealthy, the address again once one recovers', async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const answers = async () => (await dnsQuery(tut.lb.dnsPort, 'api.example.test')).answers?.length ?? 0
  assert.equal(await answers(), 1)
  for (const port of tut.ports.backends) await tut.stopBackend(port)
  await eventually(async () => Object.values(await tut.targetStates()).every((s) => s === 'unhealthy'), { timeoutMs: 30000, message: 'all targets unhealthy' })
  assert.equal(await answers(), 0)
  await tut.startBackend(tut.ports.backends[0])
  await eventually(async () => (await answers()) === 1, { timeoutMs: 30000, message: 'the alias answers again' })
})
