import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Resolver } from 'node:dns/promises'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import { selfSigned } from '../aws/self-signed.js'
import type { RunningAwsApi } from '../aws/start-aws-api.js'
import { openalb } from '../helpers/cli.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.116.0.0/16'

/** The tutorial's web server on 4000 at the instance's address; /health answers 500 while DOWN exists. */
const webScript = (down: string) => `#!/bin/sh
exec node -e "
const fs = require('fs')
require('http').createServer((q, s) => {
  if (q.url === '/health') { s.statusCode = fs.existsSync('${down}') ? 500 : 200; return s.end() }
  s.setHeader('content-type', 'application/json')
  s.end(JSON.stringify({ id: process.env.OPENALB_INSTANCE_ID, host: q.headers.host, xff: q.headers['x-forwarded-for'], proto: q.headers['x-forwarded-proto'], port: q.headers['x-forwarded-port'] }))
}).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

function httpsGet(port: number, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', servername: 'classic.example.test', ca, agent: false }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

test('AWS CLI v2 elb: the tutorial web server on 4000 behind a Classic balancer with HTTP and HTTPS listeners, InService within its thresholds, OutOfService when it fails or stops', { timeout: 120_000 }, async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dir = mkdtempSync(join(tmpdir(), 'openalb-classic-'))
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dir)
  const down = join(dir, 'down')
  writeFileSync(join(dir, 'web.sh'), webScript(down))
  const { certificatePem, privateKeyPem } = await selfSigned('classic.example.test')
  writeFileSync(join(dir, 'cert.pem'), certificatePem)
  writeFileSync(join(dir, 'key.pem'), privateKeyPem)

  const [instanceId, certArn] = await Promise.all([
    aws('ec2', 'run-instances', '--image-id', 'ami-web', '--instance-type', 't3.micro', '--subnet-id', 'subnet-0a1b2c3d4e5f60a01', '--user-data', `file://${join(dir, 'web.sh')}`, '--query', 'Instances[0].InstanceId', '--output', 'text'),
    aws('acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'cert.pem')}`, '--private-key', `fileb://${join(dir, 'key.pem')}`, '--query', 'CertificateArn', '--output', 'text'),
  ])
  const [http, https] = [await freePort(), await freePort()]
  const dnsName = await aws(
    'elb', 'create-load-balancer', '--load-balancer-name', 'web-clb',
    '--listeners', `Protocol=HTTP,LoadBalancerPort=${http},InstanceProtocol=HTTP,InstancePort=4000`, `Protocol=HTTPS,LoadBalancerPort=${https},InstanceProtocol=HTTP,InstancePort=4000,SSLCertificateId=${certArn}`,
    '--availability-zones', 'us-east-1a', 'us-east-1b', '--query', 'DNSName', '--output', 'text',
  )
  assert.match(dnsName, /^web-clb-\d{10}\.us-east-1\.elb\./)
  // A new balancer checks TCP on the first listener's instance port: AWS's defaults.
  assert.equal(await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'web-clb', '--query', 'LoadBalancerDescriptions[0].HealthCheck.[Target,Interval,Timeout,UnhealthyThreshold,HealthyThreshold]', '--output', 'text'), 'TCP:4000\t30\t5\t2\t10')
  assert.equal(
    await aws('elb', 'configure-health-check', '--load-balancer-name', 'web-clb', '--health-check', 'Target=HTTP:4000/health,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2', '--query', 'HealthCheck.Target', '--output', 'text'),
    'HTTP:4000/health',
  )
  await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', instanceId, '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'running', { timeoutMs: 15_000, intervalMs: 200, message: 'the instance running' })
  assert.equal(await aws('elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'web-clb', '--instances', instanceId, '--query', 'Instances[].InstanceId', '--output', 'text'), instanceId)
  const health = () => aws('elb', 'describe-instance-health', '--load-balancer-name', 'web-clb', '--query', 'InstanceStates[0].[State,ReasonCode,Description]', '--output', 'text')
  const first = await health()
  assert.match(first, /^OutOfService\t(ELB\tInstance registration is still in progress\.|Instance\tInstance has not passed the configured HealthyThreshold number of health checks consecutively\.)$/)
  // Two passes 5 s apart (the first within one interval of registration): well inside 20 s.
  const started = Date.now()
  await eventually(async () => (await health()) === 'InService\tN/A\tN/A', { timeoutMs: 20_000, intervalMs: 500, message: 'InService' })
  assert.ok(Date.now() - started < 16_000, `InService after ${Date.now() - started} ms`)

  const plain = (await (await fetch(`http://127.0.0.1:${http}/`)).json()) as Record<string, string>
  assert.equal(plain.id, instanceId)
  assert.equal(plain.proto, 'http')
  assert.equal(plain.port, String(http))
  assert.equal(plain.xff, '127.0.0.1')
  assert.equal(plain.host, `127.0.0.1:${http}`, 'Classic passes Host as the client sent it')
  const secure = await httpsGet(https, certificatePem)
  assert.equal(secure.status, 200)
  const body = JSON.parse(secure.body) as Record<string, string>
  assert.equal(body.id, instanceId)
  assert.equal(body.proto, 'https')
  assert.equal(body.port, String(https))

  // openalb get shows the balancer, its listeners, health check and instances, in 80 columns.
  const got = openalb(['get', 'classic-load-balancers', '--data', join(dir, 'data')])
  assert.equal(got.code, 0, got.stderr)
  assert.match(got.stdout, /web-clb\s+HTTP:\d+->HTTP:4000, H\S*\s+HTTP:4000\/health\s+1\s/)
  assert.ok(got.stdout.split('\n').every((l) => l.length <= 80), got.stdout)

  // DNS: the balancer's name answers, and a Route 53 alias to it (EvaluateTargetHealth) while it has an instance in service.
  const resolver = new Resolver()
  resolver.setServers([`127.0.0.1:${lb.dnsPort}`])
  assert.deepEqual(await resolver.resolve4(dnsName), ['127.0.0.1'])
  const zone = await aws('route53', 'create-hosted-zone', '--name', 'classic.example.test', '--caller-reference', 'classic-1', '--query', 'HostedZone.Id', '--output', 'text')
  const alias = { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'www.classic.example.test', Type: 'A', AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: `dualstack.${dnsName}`, EvaluateTargetHealth: true } } }] }
  await aws('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify(alias))
  await lb.settled()
  assert.deepEqual(await resolver.resolve4('www.classic.example.test'), ['127.0.0.1'])

  // Failing checks: OutOfService after UnhealthyThreshold failures, and no fail-open (503).
  writeFileSync(down, '')
  await eventually(async () => (await health()) === 'OutOfService\tInstance\tInstance has failed at least the UnhealthyThreshold number of health checks consecutively.', { timeoutMs: 20_000, intervalMs: 500, message: 'OutOfService after failed checks' })
  assert.equal((await fetch(`http://127.0.0.1:${http}/`)).status, 503)
  rmSync(down)
  await eventually(async () => (await health()) === 'InService\tN/A\tN/A', { timeoutMs: 20_000, intervalMs: 500, message: 'InService again' })
  assert.equal((await fetch(`http://127.0.0.1:${http}/`)).status, 200)

  // A stopped instance is OutOfService with EC2's state.
  await aws('ec2', 'stop-instances', '--instance-ids', instanceId)
  await eventually(async () => (await health()) === 'OutOfService\tInstance\tInstance is in stopped state.', { timeoutMs: 20_000, intervalMs: 500, message: 'OutOfService when stopped' })
  assert.equal((await fetch(`http://127.0.0.1:${http}/`)).status, 503)

  await aws('elb', 'deregister-instances-from-load-balancer', '--load-balancer-name', 'web-clb', '--instances', instanceId)
  await aws('elb', 'delete-load-balancer', '--load-balancer-name', 'web-clb')
  assert.equal(await aws('elb', 'describe-load-balancers', '--query', 'length(LoadBalancerDescriptions)', '--output', 'text'), '0')
  await eventually(() => fetch(`http://127.0.0.1:${http}/`).then(() => false, () => true), { timeoutMs: 5_000, message: 'the listener closed' })
})
