import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { connect as tlsConnect } from 'node:tls'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import { selfSigned } from '../aws/self-signed.js'
import type { RunningAwsApi } from '../aws/start-aws-api.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.119.0.0/16'

/** Reads what a connection receives until the other side ends it (bounded by the socket's own timeout). */
function readAll(socket: import('node:net').Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    socket.setTimeout(5_000, () => socket.destroy(new Error('timed out')))
    socket.on('data', (c: Buffer) => (text += c.toString()))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
}

test('AWS CLI v2 elb: SSL and TCP listeners relay bytes (SSL terminated with the ACM certificate and re-encrypted to the instance), an SSL:PORT health check, one access log line per connection in Classic fields', { timeout: 120_000 }, async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dir = mkdtempSync(join(tmpdir(), 'openalb-classic-ssl-'))
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dir)
  // The balancer's certificate (front) and the instance's own (back end).
  const front = await selfSigned('ssl.example.test')
  const back = await selfSigned('instance.internal')
  writeFileSync(join(dir, 'front.pem'), front.certificatePem)
  writeFileSync(join(dir, 'front.key'), front.privateKeyPem)
  writeFileSync(join(dir, 'back.pem'), back.certificatePem)
  writeFileSync(join(dir, 'back.key'), back.privateKeyPem)
  // TLS on 4443 and plain TCP on 4000: each says who answered, then ends.
  writeFileSync(join(dir, 'web.sh'), `#!/bin/sh
exec node -e "
const fs = require('fs'), id = process.env.OPENALB_INSTANCE_ID, ip = process.env.OPENALB_PRIVATE_IP
require('tls').createServer({ key: fs.readFileSync('${join(dir, 'back.key')}'), cert: fs.readFileSync('${join(dir, 'back.pem')}') }, (s) => s.end('tls from ' + id + '\\\\n')).listen(4443, ip)
require('net').createServer((s) => s.end('tcp from ' + id + '\\\\n')).listen(4000, ip)"
`)
  const [id, cert] = await Promise.all([
    aws('ec2', 'run-instances', '--image-id', 'ami-web', '--instance-type', 't3.micro', '--subnet-id', 'subnet-0a1b2c3d4e5f60a01', '--user-data', `file://${join(dir, 'web.sh')}`, '--query', 'Instances[0].InstanceId', '--output', 'text'),
    aws('acm', 'import-certificate', '--certificate', `fileb://${join(dir, 'front.pem')}`, '--private-key', `fileb://${join(dir, 'front.key')}`, '--query', 'CertificateArn', '--output', 'text'),
  ])
  const [ssl, tcp] = [await freePort(), await freePort()]
  await aws('elb', 'create-load-balancer', '--load-balancer-name', 'ssl-clb', '--availability-zones', 'us-east-1a',
    '--listeners', `Protocol=SSL,LoadBalancerPort=${ssl},InstanceProtocol=SSL,InstancePort=4443,SSLCertificateId=${cert}`, `Protocol=TCP,LoadBalancerPort=${tcp},InstanceProtocol=TCP,InstancePort=4000`)
  assert.equal(
    await aws('elb', 'describe-load-balancers', '--query', 'LoadBalancerDescriptions[0].ListenerDescriptions[].Listener.[Protocol,InstanceProtocol,InstancePort]', '--output', 'text'),
    'SSL\tSSL\t4443\nTCP\tTCP\t4000',
  )
  assert.equal(await aws('elb', 'configure-health-check', '--load-balancer-name', 'ssl-clb', '--health-check', 'Target=SSL:4443,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2', '--query', 'HealthCheck.Target', '--output', 'text'), 'SSL:4443')
  await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', id, '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'running', { timeoutMs: 15_000, intervalMs: 200, message: 'running' })
  await aws('elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'ssl-clb', '--instances', id)
  await eventually(async () => (await aws('elb', 'describe-instance-health', '--load-balancer-name', 'ssl-clb', '--query', 'InstanceStates[0].State', '--output', 'text')) === 'InService', { timeoutMs: 20_000, intervalMs: 500, message: 'InService by the SSL check' })

  // Access logs: Classic writes one line per TCP or SSL connection, in its fields.
  const logFile = join(dir, 'ssl-clb.log')
  await aws('elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'ssl-clb', '--load-balancer-attributes', JSON.stringify({ AccessLog: { Enabled: true, S3BucketName: logFile, EmitInterval: 60 } }))
  await lb.settled()
  const secure = tlsConnect({ host: '127.0.0.1', port: ssl, servername: 'ssl.example.test', ca: front.certificatePem })
  assert.equal(await readAll(secure), `tls from ${id}\n`)
  assert.equal(await readAll(netConnect({ host: '127.0.0.1', port: tcp })), `tcp from ${id}\n`)
  const lines = (await eventually(() => {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''
    const all = text.split('\n').filter((l) => l !== '')
    return all.length >= 2 ? all : undefined
  }, { timeoutMs: 10_000, intervalMs: 100, message: 'two access log lines' })) ?? []
  const address = await aws('ec2', 'describe-instances', '--instance-ids', id, '--query', 'Reservations[0].Instances[0].PrivateIpAddress', '--output', 'text')
  const at = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z ssl-clb 127\\.0\\.0\\.1:\\d+'
  const times = '\\d+\\.\\d{3} \\d+\\.\\d{3} 0\\.000 - -'
  const bytes = `tls from ${id}\n`.length
  assert.ok(lines.some((l) => new RegExp(`^${at} ${address.replaceAll('.', '\\.')}:4443 ${times} 0 ${bytes} "- - - " "-" ECDHE-\\S+ TLSv1\\.2$`).test(l)), `an SSL line in Classic's fields:\n${lines.join('\n')}`)
  assert.ok(lines.some((l) => new RegExp(`^${at} ${address.replaceAll('.', '\\.')}:4000 ${times} 0 ${bytes} "- - - " "-" - -$`).test(l)), `a TCP line in Classic's fields:\n${lines.join('\n')}`)
  await aws('elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'ssl-clb', '--load-balancer-attributes', JSON.stringify({ AccessLog: { Enabled: false } }))

  // Classic has no TLS 1.3; its default policy (2016-08) takes a SHA-1 CBC suite, ELBSecurityPolicy-TLS-1-2-2017-01 does not.
  const sha1 = () => tlsConnect({ host: '127.0.0.1', port: ssl, servername: 'ssl.example.test', ca: front.certificatePem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' })
  await assert.rejects(readAll(tlsConnect({ host: '127.0.0.1', port: ssl, servername: 'ssl.example.test', ca: front.certificatePem, minVersion: 'TLSv1.3' })))
  assert.equal(await readAll(sha1()), `tls from ${id}\n`)
  await aws('elb', 'create-load-balancer-policy', '--load-balancer-name', 'ssl-clb', '--policy-name', 'tls12', '--policy-type-name', 'SSLNegotiationPolicyType', '--policy-attributes', 'AttributeName=Reference-Security-Policy,AttributeValue=ELBSecurityPolicy-TLS-1-2-2017-01')
  await aws('elb', 'set-load-balancer-policies-of-listener', '--load-balancer-name', 'ssl-clb', '--load-balancer-port', String(ssl), '--policy-names', 'tls12')
  await lb.settled()
  assert.equal(await aws('elb', 'describe-load-balancers', '--query', 'LoadBalancerDescriptions[0].Policies.OtherPolicies', '--output', 'text'), 'tls12')
  await assert.rejects(readAll(sha1()))
  assert.equal(await readAll(tlsConnect({ host: '127.0.0.1', port: ssl, servername: 'ssl.example.test', ca: front.certificatePem, maxVersion: 'TLSv1.2' })), `tls from ${id}\n`)

  // The SSL check fails on a port that speaks no TLS: OutOfService.
  await aws('elb', 'configure-health-check', '--load-balancer-name', 'ssl-clb', '--health-check', 'Target=SSL:4000,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2')
  await eventually(async () => (await aws('elb', 'describe-instance-health', '--load-balancer-name', 'ssl-clb', '--query', 'InstanceStates[0].Description', '--output', 'text')) === 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.', { timeoutMs: 25_000, intervalMs: 500, message: 'OutOfService: no TLS on 4000' })
  await aws('elb', 'delete-load-balancer', '--load-balancer-name', 'ssl-clb')
})
