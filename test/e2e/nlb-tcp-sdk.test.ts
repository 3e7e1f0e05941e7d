import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'
import { startEchoTarget, startProxyV2Target, startUdpTarget, TcpClient, udpClient } from '../integration/dataplane/tcp-targets.js'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

async function openalb(t: Parameters<typeof startEchoTarget>[0], configFile?: (dir: string) => string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-nlb-'))
  const lb = await startOpenalb({ dataDir, configFile: configFile?.(dataDir), control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return lb
}

test('SDK v3: a TCP listener of a network balancer in front of two echo servers; a target killed mid-connection', async (t) => {
  const [a, b] = [await startEchoTarget(t, 'echo-a'), await startEchoTarget(t, 'echo-b')]
  const lb = await openalb(t)
  const elb = new ElasticLoadBalancingV2Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  t.after(() => elb.destroy())

  const nlb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'tcp-nlb', Type: 'network', Subnets: ['subnet-a'] }))).LoadBalancers?.[0]
  assert.equal(nlb?.Type, 'network')
  assert.match(nlb?.LoadBalancerArn ?? '', /:loadbalancer\/net\/tcp-nlb\//)
  const tg = (
    await elb.send(new CreateTargetGroupCommand({ Name: 'tcp-tg', Protocol: 'TCP', Port: a.port, TargetType: 'ip', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 }))
  ).TargetGroups?.[0]
  assert.equal(tg?.HealthCheckProtocol, 'TCP', "NLB's default check is a TCP connect")
  assert.equal(tg?.HealthCheckPath, undefined)
  assert.equal(tg?.Matcher, undefined)
  assert.equal(tg?.HealthyThresholdCount, 5)
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg?.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: a.port }, { Id: '127.0.0.1', Port: b.port }] }))
  const port = await freePort()
  const listener = (
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb?.LoadBalancerArn, Protocol: 'TCP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] }))
  ).Listeners?.[0]
  assert.equal(listener?.Protocol, 'TCP')
  await lb.settled()

  // NLB's answers: no rules, NLB's attributes.
  await assert.rejects(
    elb.send(new CreateRuleCommand({ ListenerArn: listener?.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] })),
    (e: Error) => e.name === 'ValidationError' && /Listener rules are not supported for load balancers of type 'network'/.test(e.message),
  )
  await assert.rejects(
    elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb?.LoadBalancerArn, Protocol: 'HTTP', Port: port + 1, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] })),
    (e: Error) => e.name === 'ValidationError' && e.message.includes("Listener protocol 'HTTP' must be one of 'TLS, TCP, TCP_UDP, UDP'"),
  )
  const lbAttrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: nlb?.LoadBalancerArn }))).Attributes ?? []
  assert.equal(lbAttrs.find((x) => x.Key === 'load_balancing.cross_zone.enabled')?.Value, 'false')
  assert.equal(lbAttrs.find((x) => x.Key === 'idle_timeout.timeout_seconds'), undefined, 'an ALB attribute')
  const lAttrs = (await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: listener?.ListenerArn }))).Attributes ?? []
  assert.equal(lAttrs.find((x) => x.Key === 'tcp.idle_timeout.seconds')?.Value, '350')
  const tuned = await elb.send(new ModifyListenerAttributesCommand({ ListenerArn: listener?.ListenerArn, Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '600' }] }))
  assert.equal(tuned.Attributes?.find((x) => x.Key === 'tcp.idle_timeout.seconds')?.Value, '600')
  await assert.rejects(
    elb.send(new ModifyListenerAttributesCommand({ ListenerArn: listener?.ListenerArn, Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '59' }] })),
    (e: Error) => e.name === 'InvalidConfigurationRequestException' && e.message === "The value '59' of attribute 'tcp.idle_timeout.seconds' is not valid: must be from 60 to 6000 seconds",
  )
  await assert.rejects(
    elb.send(new ModifyListenerAttributesCommand({ ListenerArn: listener?.ListenerArn, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'false' }] })),
    (e: Error) => e.name === 'InvalidConfigurationRequestException' && e.message === 'Key routing.http.response.server.enabled not valid',
  )
  assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: nlb?.LoadBalancerArn }))).TargetGroups?.map((g) => g.TargetGroupName), ['tcp-tg'])

  // Both targets pass a TCP check (the first check comes within one interval).
  await eventually(
    async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn }))).TargetHealthDescriptions?.every((d) => d.TargetHealth?.State === 'healthy'),
    { timeoutMs: 12_000, message: 'both targets healthy by TCP checks' },
  )

  const clients: TcpClient[] = []
  t.after(() => clients.forEach((c) => c.destroy()))
  const open = () => {
    const c = new TcpClient(port)
    clients.push(c)
    return c
  }
  const first = open()
  const second = open()
  const names = [await first.greeting(), await second.greeting()].sort()
  assert.deepEqual(names, ['echo-a', 'echo-b'], 'one connection each')
  first.socket.write('hello through the NLB\n')
  await first.until((c) => c.text.endsWith('hello through the NLB\n'), 5000, 'the echo')

  const victim = [first, second].find((c) => c.text.startsWith('echo-a')) as TcpClient
  await a.kill()
  await victim.until((c) => c.socket.destroyed, 5000, 'the reset')
  assert.equal(victim.error?.code, 'ECONNRESET')
  for (let i = 0; i < 3; i++) assert.equal(await open().greeting(), 'echo-b', 'new connections go to the live target')
})

test('examples/nlb-tcp.yaml: a TCP listener from YAML forwards to its targets', async (t) => {
  const [a, b] = [await startEchoTarget(t, 'echo-a'), await startEchoTarget(t, 'echo-b')]
  const port = await freePort()
  const lb = await openalb(t, (dir) => {
    const file = join(dir, 'nlb-tcp.yaml')
    const text = readFileSync(join(repoRoot, 'examples', 'nlb-tcp.yaml'), 'utf8').replaceAll('9000', String(port)).replaceAll('7001', String(b.port)).replaceAll('7000', String(a.port))
    writeFileSync(file, text)
    return file
  })
  await lb.settled()
  const seen = new Set<string>()
  for (let i = 0; i < 2; i++) {
    const c = new TcpClient(port)
    t.after(() => c.destroy())
    seen.add(await c.greeting())
  }
  assert.deepEqual([...seen].sort(), ['echo-a', 'echo-b'])
})

test('examples/nlb-tls.yaml: a TLS listener terminates with openalb\'s CA certificate; the target reads the client from PROXY v2', async (t) => {
  const target = await startProxyV2Target(t, 'pp2')
  const port = await freePort()
  let dataDir = ''
  const lb = await openalb(t, (dir) => {
    dataDir = dir
    const file = join(dir, 'nlb-tls.yaml')
    writeFileSync(file, readFileSync(join(repoRoot, 'examples', 'nlb-tls.yaml'), 'utf8').replaceAll('9443', String(port)).replaceAll('7000', String(target.port)))
    return file
  })
  await lb.settled()
  const ca = readFileSync(join(dataDir, 'ca', 'root.pem'), 'utf8')
  // The listener takes handshakes once openalb's CA has issued the certificate (a moment after apply).
  const socket = await eventually(
    () =>
      new Promise<TLSSocket | undefined>((resolve) => {
        const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'tcp.example.test', ALPNProtocols: ['h2', 'http/1.1'] })
        s.once('secureConnect', () => resolve(s))
        s.once('error', () => resolve(undefined))
      }),
    { timeoutMs: 10_000, message: 'the TLS listener serves its certificate' },
  )
  assert.ok(socket)
  t.after(() => socket.destroy())
  assert.equal(socket.authorized, true)
  assert.equal(socket.alpnProtocol, 'h2', 'ALPN policy HTTP2Preferred')
  let text = ''
  socket.setEncoding('latin1')
  socket.on('data', (c: string) => (text += c))
  socket.write('over TLS\n')
  await eventually(() => text.includes('over TLS\n'), { timeoutMs: 5000, message: 'the echo' })
  assert.equal(text.split('\n')[0], `pp2 from 127.0.0.1:${socket.localPort} to 127.0.0.1:${port}`)

  const elb = new ElasticLoadBalancingV2Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  t.after(() => elb.destroy())
  const nlb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['tls-nlb'] }))).LoadBalancers?.[0]
  const listener = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: nlb?.LoadBalancerArn }))).Listeners?.[0]
  assert.equal(listener?.Protocol, 'TLS')
  assert.deepEqual(listener?.AlpnPolicy, ['HTTP2Preferred'])
  assert.equal(listener?.SslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06')
  const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['pp2-tg'] }))).TargetGroups?.[0]
  const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn }))).Attributes ?? []
  assert.equal(attrs.find((a) => a.Key === 'proxy_protocol_v2.enabled')?.Value, 'true')
  assert.equal(attrs.find((a) => a.Key === 'preserve_client_ip.enabled')?.Value, 'false')
  await assert.rejects(
    elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn, Attributes: [{ Key: 'preserve_client_ip.enabled', Value: 'true' }] })),
    (e: Error) => e.name === 'InvalidConfigurationRequestException' && /preserve_client_ip\.enabled' can only be 'false': openalb does not implement/.test(e.message),
  )
})

test('SDK v3: a UDP listener in front of a UDP echo; the flow\'s replies come back; termination on by default', async (t) => {
  const echo = await startUdpTarget(t, 'udp-echo')
  const tcpCheck = await startEchoTarget(t, 'check')
  const lb = await openalb(t)
  const elb = new ElasticLoadBalancingV2Client({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
  t.after(() => elb.destroy())
  const nlb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'udp-nlb', Type: 'network', Subnets: ['subnet-a'] }))).LoadBalancers?.[0]
  // A UDP group is checked over TCP (AWS: UDP is no health check protocol), here on a TCP port of the target host.
  const tg = (
    await elb.send(new CreateTargetGroupCommand({ Name: 'udp-tg', Protocol: 'UDP', Port: echo.port, TargetType: 'ip', HealthCheckProtocol: 'TCP', HealthCheckPort: String(tcpCheck.port) }))
  ).TargetGroups?.[0]
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg?.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: echo.port }] }))
  const port = await freePort()
  const listener = (
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb?.LoadBalancerArn, Protocol: 'UDP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg?.TargetGroupArn }] }))
  ).Listeners?.[0]
  assert.equal(listener?.Protocol, 'UDP')
  await lb.settled()
  const client = await udpClient(t, port)
  assert.equal(await client.reply('ping'), 'udp-echo:ping')
  assert.equal(await client.reply('again'), 'udp-echo:again')
  const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg?.TargetGroupArn }))).Attributes ?? []
  assert.equal(attrs.find((a) => a.Key === 'deregistration_delay.connection_termination.enabled')?.Value, 'true')
})
