import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type Server } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import dnsPacket from 'dns-packet'
import {
  CreateRuleCommand,
  DescribeTargetGroupsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { openalb } from '../helpers/cli.js'
import { stopChild } from '../helpers/processes.js'
import { eventually } from '../helpers/eventually.js'
import { needsEtcd, startEtcd, type EtcdCluster } from '../helpers/etcd.js'
import { repoRoot } from '../helpers/shared.js'

// A real fleet: a three-member etcd and three openalb processes on 127.0.0.2-4 in two zones, the
// same ports on each address. Nodes renew a 3 s lease, so a dead node leaves DNS within 3 s.
const skip = needsEtcd()
const TTL = 3
const NODES = [
  { name: 'n1', zone: 'us-east-1a', address: '127.0.0.2' },
  { name: 'n2', zone: 'us-east-1b', address: '127.0.0.3' },
  { name: 'n3', zone: 'us-east-1a', address: '127.0.0.4' },
] as const

let etcd: EtcdCluster
let work: string
const ports = { control: 0, dns: 0, http: 0 }
const backends: { zone: string; server: Server; port: number }[] = []
const procs = new Map<string, ChildProcess>()
const logs = new Map<string, string>()

/** A port free on every node address (etcd-like fixed ports: checked on each address, then used). */
async function portFreeOnAll(addresses: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000)
    const ok = await Promise.all(
      addresses.map(
        (host) =>
          new Promise<boolean>((resolve) => {
            const s = createNetServer()
            s.once('error', () => resolve(false))
            s.listen(port, host, () => s.close(() => resolve(true)))
          }),
      ),
    )
    if (ok.every(Boolean)) return port
  }
  throw new Error('no port free on every node address')
}

function startNode(n: (typeof NODES)[number]): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin', 'openalb.js'), 'up',
      '--data', join(work, n.name),
      '--store', etcd.url,
      '--node-name', n.name, '--zone', n.zone, '--node-address', n.address,
      '--control', `${n.address}:${ports.control}`,
      '--dns', `${n.address}:${ports.dns}`,
      '--node-ttl', String(TTL),
      // A stop leaves DNS (one TTL), then drains for at most this long: every stop below is bounded.
      '--shutdown-timeout', '10',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OPENALB_LOG_LEVEL: 'warn' } },
  )
  logs.set(n.name, '')
  const keep = (d: Buffer) => logs.set(n.name, ((logs.get(n.name) ?? '') + d.toString()).slice(-6000))
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  procs.set(n.name, child)
  return eventually(async () => (await fetch(`http://${n.address}:${ports.control}/healthz`)).ok, { timeoutMs: 20000, message: `${n.name} up: ${logs.get(n.name)}` }).then(() => undefined)
}

/** Stops a node; one that has not exited 30 s after the signal is killed, and the test fails with its log. */
async function stopNode(name: string, signal: NodeJS.Signals): Promise<void> {
  const child = procs.get(name)
  procs.delete(name)
  let timer: NodeJS.Timeout | undefined
  const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 30_000)))
  const outcome = await Promise.race([stopChild(child, signal).then(() => 'stopped' as const), stuck])
  clearTimeout(timer)
  if (outcome === 'stuck') {
    await stopChild(child, 'SIGKILL')
    throw new Error(`${name} did not exit within 30 s of ${signal}; its log:\n${logs.get(name) ?? ''}`)
  }
}

/** One request on its own connection (no pooled socket outlives a node): status and body. */
function get(address: string, path = '/', host = 'api.example.test'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: address, port: ports.http, path, agent: false, headers: { host }, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

async function dnsA(server: string, name: string): Promise<{ addresses: string[]; ttl: number | undefined }> {
  const socket = createSocket('udp4')
  try {
    const answer = new Promise<Buffer>((resolve, reject) => {
      socket.once('message', resolve)
      socket.once('error', reject)
      setTimeout(() => reject(new Error(`no DNS answer from ${server}`)), 1000).unref()
    })
    socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }), ports.dns, server)
    const p = dnsPacket.decode(await answer)
    const a = (p.answers ?? []).flatMap((x) => (x.type === 'A' ? [x] : []))
    return { addresses: a.map((x) => String(x.data)).sort(), ttl: a[0]?.ttl }
  } finally {
    socket.close()
  }
}

const elb = (address: string) =>
  new ElasticLoadBalancingV2Client({ endpoint: `http://${address}:${ports.control}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })

async function arns(client: ElasticLoadBalancingV2Client) {
  const tg = (await client.send(new DescribeTargetGroupsCommand({ Names: ['web-tg'] }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  const lb = (await client.send(new DescribeLoadBalancersCommand({ Names: ['web-alb'] }))).LoadBalancers?.[0]
  const listener = (await client.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))).Listeners?.[0]?.ListenerArn ?? ''
  return { tg, listener, dnsName: lb?.DNSName ?? '' }
}

before(async () => {
  if (skip) return
  work = mkdtempSync(join(tmpdir(), 'openalb-fleet-'))
  etcd = await startEtcd(3)
  const addresses = NODES.map((n) => n.address)
  ports.control = await portFreeOnAll(addresses)
  ports.dns = await portFreeOnAll(addresses)
  ports.http = await portFreeOnAll(addresses)
  for (const zone of ['us-east-1a', 'us-east-1b']) {
    const server = createServer((_req, res) => res.end(zone))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const addr = server.address()
    backends.push({ zone, server, port: typeof addr === 'object' && addr ? addr.port : 0 })
  }
  const config = join(work, 'fleet.yaml')
  writeFileSync(
    config,
    `targetGroups:
  - name: web-tg
    protocol: HTTP
    port: 80
    targetType: ip
    healthCheck: { path: /, intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2 }
    attributes: { deregistrationDelaySeconds: 0 }
    targets:
${backends.map((b) => `      - { id: 127.0.0.1, port: ${b.port}, availabilityZone: ${b.zone} }`).join('\n')}
loadBalancers:
  - name: web-alb
    subnets: [subnet-a, subnet-b]
    listeners:
      - port: ${ports.http}
        protocol: HTTP
        defaultActions: [{ type: forward, targetGroup: web-tg }]
hostedZones:
  - name: example.test
    records:
      - { name: api.example.test, type: A, alias: { loadBalancer: web-alb } }
`,
  )
  // apply works against etcd without a running node.
  const applied = openalb(['apply', config, '--store', etcd.url])
  assert.equal(applied.code, 0, applied.stderr)
  await Promise.all(NODES.map((n) => startNode(n)))
})

after(async () => {
  if (skip) return
  for (const name of [...procs.keys()]) await stopNode(name, 'SIGKILL')
  for (const b of backends) b.server.close()
  await etcd?.stop()
  rmSync(work, { recursive: true, force: true })
})

test('fleet: every node is listed with its zone, and DNS on every node answers the live nodes of the balancer\'s zones', { skip }, async () => {
  const listed = openalb(['get', 'nodes', '--store', etcd.url, '-o', 'json'])
  assert.equal(listed.code, 0, listed.stderr)
  const nodes = JSON.parse(listed.stdout) as { name: string; zone: string; address: string }[]
  assert.deepEqual(nodes.map((n) => `${n.name}@${n.zone}@${n.address}`).sort(), NODES.map((n) => `${n.name}@${n.zone}@${n.address}`).sort())
  assert.match(openalb(['get', 'nodes', '--store', etcd.url]).stdout, /NAME\s+ZONE\s+ADDRESS[\s\S]*n2\s+us-east-1b\s+127\.0\.0\.3/)
  const { dnsName } = await arns(elb(NODES[0].address))
  // Each node checks the targets itself: get targets --nodes shows one view per node.
  const views = openalb(['get', 'targets', 'web-tg', '--nodes', '--store', etcd.url, '-o', 'json'])
  assert.equal(views.code, 0, views.stderr)
  const rows = JSON.parse(views.stdout) as { node: string; zone: string; target: { port: number } }[]
  assert.deepEqual([...new Set(rows.map((r) => `${r.node}@${r.zone}`))].sort(), NODES.map((n) => `${n.name}@${n.zone}`).sort())
  assert.equal(rows.length, NODES.length * backends.length)
  for (const n of NODES) {
    await eventually(async () => JSON.stringify((await dnsA(n.address, 'api.example.test')).addresses) === JSON.stringify(['127.0.0.2', '127.0.0.3', '127.0.0.4']), { message: `alias on ${n.name}` })
    const own = await dnsA(n.address, dnsName)
    assert.deepEqual(own.addresses, ['127.0.0.2', '127.0.0.3', '127.0.0.4'])
    assert.equal(own.ttl, TTL)
    assert.equal((await get(n.address)).status, 200)
  }
})

test('fleet: a rule made through one node is served by all three within 1 s', { skip }, async () => {
  const client = elb(NODES[0].address)
  const { listener } = await arns(client)
  const started = performance.now()
  await client.send(
    new CreateRuleCommand({
      ListenerArn: listener,
      Priority: 5,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/probe'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'rule-5' } }],
    }),
  )
  const servedAt = new Map<string, number>()
  await eventually(
    async () => {
      await Promise.all(
        NODES.filter((n) => !servedAt.has(n.name)).map(async (n) => {
          if ((await get(n.address, '/probe')).body === 'rule-5') servedAt.set(n.name, performance.now() - started)
        }),
      )
      return servedAt.size === NODES.length
    },
    { intervalMs: 5, timeoutMs: 5000, message: 'the rule on every node' },
  )
  const slowest = Math.max(...servedAt.values())
  console.log(`config propagation: CreateRule through n1 -> served by ${[...servedAt].map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')} (slowest ${slowest.toFixed(0)} ms)`)
  assert.ok(slowest < 1000, `served by every node within 1 s, took ${slowest.toFixed(0)} ms`)
})

test('fleet: cross-zone off keeps each node on its own zone\'s targets', { skip }, async () => {
  const client = elb(NODES[1].address)
  const { tg } = await arns(client)
  await client.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'false' }] }))
  for (const n of NODES) {
    await eventually(async () => {
      const bodies = new Set<string>()
      for (let i = 0; i < 8; i++) bodies.add((await get(n.address)).body)
      return bodies.size === 1 && bodies.has(n.zone)
    }, { message: `${n.name} answers only from ${n.zone}` })
  }
  await client.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }))
  await eventually(async () => {
    const bodies = new Set<string>()
    for (let i = 0; i < 8; i++) bodies.add((await get(NODES[1].address)).body)
    return bodies.size === 2
  }, { message: 'cross-zone on again: both zones' })
})

test('fleet: one etcd member killed, config stays writable through any node', { skip }, async () => {
  await etcd.members[2]!.kill()
  try {
    const client = elb(NODES[2].address)
    const { listener } = await arns(client)
    await eventually(
      () =>
        client
          .send(new CreateRuleCommand({ ListenerArn: listener, Priority: 6, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/six'] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'rule-6' } }] }))
          .then(() => true),
      { timeoutMs: 10000, message: 'a write with one member of three down' },
    )
    for (const n of NODES) await eventually(async () => (await get(n.address, '/six')).body === 'rule-6', { message: `rule 6 on ${n.name}` })
  } finally {
    await etcd.members[2]!.restart()
  }
})

test('fleet: etcd without quorum: nodes keep serving, writes fail (AWS 503 ServiceUnavailable, CLI exit 1), and nodes catch up when it is back', { skip }, async () => {
  const client = elb(NODES[0].address)
  const { listener } = await arns(client)
  await etcd.members[1]!.kill()
  await etcd.members[2]!.kill()
  try {
    const refused = await client
      .send(new CreateRuleCommand({ ListenerArn: listener, Priority: 7, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/seven'] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'rule-7' } }] }))
      .then(() => undefined, (e: { name?: string; $metadata?: { httpStatusCode?: number }; message?: string }) => e)
    assert.equal(refused?.name, 'ServiceUnavailable', String(refused?.message))
    assert.equal(refused?.$metadata?.httpStatusCode, 503)
    assert.match(String(refused?.message), /etcd store at .* is unavailable/)
    const cli = openalb(['delete', 'target-group', 'web-tg', '--store', etcd.url])
    assert.equal(cli.code, 1)
    assert.match(cli.stderr, /^error: the etcd store at .* is unavailable/m)
    for (const n of NODES) assert.equal((await get(n.address, '/six')).body, 'rule-6', `${n.name} still serves the last configuration`)
  } finally {
    await Promise.all([etcd.members[1]!.restart(), etcd.members[2]!.restart()])
  }
  await eventually(
    () =>
      client
        .send(new CreateRuleCommand({ ListenerArn: listener, Priority: 7, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/seven'] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: 'rule-7' } }] }))
        .then(() => true),
    { timeoutMs: 15000, message: 'writable again' },
  )
  for (const n of NODES) await eventually(async () => (await get(n.address, '/seven')).body === 'rule-7', { timeoutMs: 10000, message: `${n.name} caught up` })
  // Every node is still registered (a lease lost during the outage is taken again).
  await eventually(async () => (await dnsA(NODES[0].address, 'api.example.test')).addresses.length === 3, { timeoutMs: 10000, message: 'all three nodes in DNS again' })
})

test('fleet: kill -9 one node under load: DNS stops answering it within the lease TTL and no request to the others fails', { skip }, async () => {
  const victim = NODES[2]
  const others = NODES.filter((n) => n !== victim)
  const failures: string[] = []
  let sent = 0
  let done = false
  const load = (async () => {
    const until = Date.now() + 15000
    while (!done && Date.now() < until && sent < 3000) {
      for (const n of others) {
        sent++
        await get(n.address).then(
          (r) => void (r.status !== 200 && failures.push(`${n.name}: ${r.status}`)),
          (e: Error) => void failures.push(`${n.name}: ${e.message}`),
        )
      }
    }
  })()
  await eventually(() => sent > 20, { message: 'load started' })
  const killedAt = Date.now()
  await stopNode(victim.name, 'SIGKILL')
  await eventually(async () => !(await dnsA(others[0]!.address, 'api.example.test')).addresses.includes(victim.address), { timeoutMs: (TTL + 3) * 1000, intervalMs: 100, message: 'DNS without the dead node' })
  const goneAfter = Date.now() - killedAt
  console.log(`kill -9 ${victim.name}: out of DNS after ${goneAfter} ms (lease TTL ${TTL} s)`)
  assert.ok(goneAfter <= (TTL + 1) * 1000, `left DNS within the TTL (+1 s for etcd's lease check), took ${goneAfter} ms`)
  assert.deepEqual((await dnsA(others[1]!.address, 'api.example.test')).addresses, others.map((n) => n.address))
  done = true
  await load
  assert.ok(sent > 50, `load ran (${sent} requests)`)
  assert.deepEqual(failures, [], 'no request to the other nodes failed')
  await startNode(victim)
  await eventually(async () => (await dnsA(others[0]!.address, 'api.example.test')).addresses.includes(victim.address), { timeoutMs: 10000, message: 'the restarted node back in DNS' })
})

test('fleet: a rolling restart of the three nodes under steady load fails no request at a client that follows DNS', { skip }, async () => {
  // The client resolves through any node's DNS server, caches the answer for its TTL, and sends
  // each request to the next address of the answer, on a new connection.
  let cache: { addresses: string[]; until: number } | undefined
  const resolve = async (): Promise<string[]> => {
    if (cache && cache.until > Date.now()) return cache.addresses
    for (const n of NODES) {
      try {
        const a = await dnsA(n.address, 'api.example.test')
        if (a.addresses.length === 0) continue
        cache = { addresses: a.addresses, until: Date.now() + (a.ttl ?? TTL) * 1000 }
        return a.addresses
      } catch {
        // that name server is down: ask the next one
      }
    }
    throw new Error('no DNS server answered')
  }
  const failures: string[] = []
  let sent = 0
  let done = false
  let i = 0
  const load = (async () => {
    const until = Date.now() + 60000
    while (!done && Date.now() < until && sent < 20000) {
      const addresses = await resolve()
      const address = addresses[i++ % addresses.length]!
      sent++
      await get(address).then(
        (r) => void (r.status !== 200 && failures.push(`${address}: ${r.status}`)),
        (e: Error) => void failures.push(`${address}: ${e.message}`),
      )
      await new Promise((r) => setTimeout(r, 5))
    }
  })()
  try {
    for (const n of NODES) {
      await stopNode(n.name, 'SIGTERM')
      await startNode(n)
      await eventually(async () => (await dnsA(NODES.find((x) => x !== n)!.address, 'api.example.test')).addresses.includes(n.address), { timeoutMs: 10000, message: `${n.name} back in DNS` })
    }
  } finally {
    done = true
    await load
  }
  assert.ok(sent > 100, `steady load ran (${sent} requests)`)
  assert.deepEqual(failures, [], `no failed request during the rolling restart (${sent} sent)`)
})
