import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import type { RunningAwsApi } from '../aws/start-aws-api.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.118.0.0/16'

/** The web server on 4000: its instance id and the X-Forwarded-For it saw; /login sets the application's cookie. */
const WEB = `#!/bin/sh
exec node -e "
require('http').createServer((q, s) => {
  if (q.url === '/login') s.setHeader('set-cookie', 'SESSIONID=s-' + process.env.OPENALB_INSTANCE_ID + '; Path=/')
  s.setHeader('content-type', 'application/json')
  s.end(JSON.stringify({ id: process.env.OPENALB_INSTANCE_ID, xff: q.headers['x-forwarded-for'] || null }))
}).listen(4000, process.env.OPENALB_PRIVATE_IP)"
`

interface Answer {
  readonly id: string
  readonly xff: string | null
  readonly cookies: readonly string[]
}

async function get(port: number, path = '/', cookie?: string): Promise<Answer> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, cookie ? { headers: { cookie } } : {})
  const body = (await r.json()) as { id: string; xff: string | null }
  return { ...body, cookies: r.headers.getSetCookie() }
}

/** name=value of the cookie `name` among Set-Cookie values. */
const cookieOf = (cookies: readonly string[], name: string): string | undefined => cookies.find((c) => c.startsWith(`${name}=`))?.split(';')[0]

test('AWS CLI v2 elb: sticky policies (AWSELB for LB and application cookies), attributes (draining, idle timeout, cross-zone, access log in Classic\'s format), TCP listener bytes, zones, tags, limits', { timeout: 150_000 }, async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dir = mkdtempSync(join(tmpdir(), 'openalb-classic-policies-'))
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dir)
  const fails = (...args: string[]) => aws(...args).then(() => 'accepted', (e: Error) => e.message)
  writeFileSync(join(dir, 'web.sh'), WEB)
  const run = (subnet: string) => aws('ec2', 'run-instances', '--image-id', 'ami-web', '--instance-type', 't3.micro', '--subnet-id', subnet, '--user-data', `file://${join(dir, 'web.sh')}`, '--query', 'Instances[0].InstanceId', '--output', 'text')
  const [i1, i2] = await Promise.all([run('subnet-0a1b2c3d4e5f60a01'), run('subnet-0a1b2c3d4e5f60b02')])
  const [http, tcp] = [await freePort(), await freePort()]
  await aws('elb', 'create-load-balancer', '--load-balancer-name', 'pol-clb', '--listeners', `Protocol=HTTP,LoadBalancerPort=${http},InstancePort=4000`, `Protocol=TCP,LoadBalancerPort=${tcp},InstancePort=4000`, '--availability-zones', 'us-east-1a', 'us-east-1b')
  await aws('elb', 'configure-health-check', '--load-balancer-name', 'pol-clb', '--health-check', 'Target=HTTP:4000/,Interval=5,Timeout=2,UnhealthyThreshold=2,HealthyThreshold=2')

  // Attributes: AWS's API defaults, then a change that acts.
  assert.equal(
    await aws('elb', 'describe-load-balancer-attributes', '--load-balancer-name', 'pol-clb', '--query', 'LoadBalancerAttributes.[CrossZoneLoadBalancing.Enabled,ConnectionDraining.Enabled,ConnectionDraining.Timeout,ConnectionSettings.IdleTimeout,AccessLog.Enabled]', '--output', 'text'),
    'False\tFalse\t300\t60\tFalse',
  )
  const log = join(dir, 'access.log')
  const modified = await aws(
    'elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'pol-clb', '--load-balancer-attributes',
    JSON.stringify({ CrossZoneLoadBalancing: { Enabled: true }, ConnectionDraining: { Enabled: true, Timeout: 6 }, ConnectionSettings: { IdleTimeout: 30 }, AccessLog: { Enabled: true, S3BucketName: log, EmitInterval: 60 } }),
    '--query', 'LoadBalancerAttributes.[CrossZoneLoadBalancing.Enabled,ConnectionDraining.Timeout,ConnectionSettings.IdleTimeout,AccessLog.S3BucketName]', '--output', 'text',
  )
  assert.equal(modified, `True\t6\t30\t${log}`)
  assert.match(await fails('elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'pol-clb', '--load-balancer-attributes', JSON.stringify({ AccessLog: { Enabled: true, S3BucketName: log, EmitInterval: 5 } })), /\(InvalidConfigurationRequest\).*EmitInterval can only be 60/)
  assert.match(await fails('elb', 'modify-load-balancer-attributes', '--load-balancer-name', 'pol-clb', '--load-balancer-attributes', JSON.stringify({ AdditionalAttributes: [{ Key: 'elb.nothing', Value: 'x' }] })), /\(LoadBalancerAttributeNotFound\)/)

  for (const i of [i1, i2]) await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', i, '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'running', { timeoutMs: 15_000, intervalMs: 200, message: 'running' })
  await aws('elb', 'register-instances-with-load-balancer', '--load-balancer-name', 'pol-clb', '--instances', i1, i2)
  await eventually(async () => (await aws('elb', 'describe-instance-health', '--load-balancer-name', 'pol-clb', '--query', 'InstanceStates[].State', '--output', 'text')) === 'InService\tInService', { timeoutMs: 25_000, intervalMs: 500, message: 'both InService' })

  // No policy: both instances answer; no stickiness cookie.
  const plain = await Promise.all([get(http), get(http), get(http), get(http)].map((p) => p))
  assert.deepEqual(new Set(plain.map((a) => a.id)), new Set([i1, i2]))
  assert.ok(plain.every((a) => a.cookies.length === 0 && a.xff === '127.0.0.1'))

  // LB cookie stickiness: AWSELB with the policy's expiration keeps a client on one instance.
  await aws('elb', 'create-lb-cookie-stickiness-policy', '--load-balancer-name', 'pol-clb', '--policy-name', 'lb-sticky', '--cookie-expiration-period', '60')
  await aws('elb', 'set-load-balancer-policies-of-listener', '--load-balancer-name', 'pol-clb', '--load-balancer-port', String(http), '--policy-names', 'lb-sticky')
  await lb.settled()
  const first = await get(http)
  const awselb = cookieOf(first.cookies, 'AWSELB')
  assert.ok(awselb, `AWSELB set: ${first.cookies.join(' | ')}`)
  assert.match(first.cookies.find((c) => c.startsWith('AWSELB=')) ?? '', /; Expires=.*GMT; Path=\//)
  assert.ok(!first.cookies.some((c) => c.startsWith('AWSALB')), 'no ALB cookies on a Classic balancer')
  for (let n = 0; n < 6; n++) assert.equal((await get(http, '/', awselb)).id, first.id)
  assert.match(await fails('elb', 'set-load-balancer-policies-of-listener', '--load-balancer-name', 'pol-clb', '--load-balancer-port', String(tcp), '--policy-names', 'lb-sticky'), /\(InvalidConfigurationRequest\).*HTTP and HTTPS listeners/)
  assert.match(await fails('elb', 'set-load-balancer-policies-of-listener', '--load-balancer-name', 'pol-clb', '--load-balancer-port', String(http), '--policy-names', 'nope'), /\(PolicyNotFound\)/)
  assert.match(await fails('elb', 'create-lb-cookie-stickiness-policy', '--load-balancer-name', 'pol-clb', '--policy-name', 'lb-sticky'), /\(DuplicatePolicyName\)/)

  // Application cookie stickiness: AWSELB follows the application's SESSIONID, and only while it is sent.
  await aws('elb', 'create-app-cookie-stickiness-policy', '--load-balancer-name', 'pol-clb', '--policy-name', 'app-sticky', '--cookie-name', 'SESSIONID')
  await aws('elb', 'set-load-balancer-policies-of-listener', '--load-balancer-name', 'pol-clb', '--load-balancer-port', String(http), '--policy-names', 'app-sticky')
  await lb.settled()
  assert.deepEqual((await get(http)).cookies, [], 'no application cookie, no AWSELB')
  const login = await get(http, '/login')
  const session = cookieOf(login.cookies, 'SESSIONID')
  const appElb = cookieOf(login.cookies, 'AWSELB')
  assert.ok(session && appElb, `SESSIONID and AWSELB: ${login.cookies.join(' | ')}`)
  assert.equal(login.cookies.find((c) => c.startsWith('AWSELB=')), `${appElb}; Path=/`)
  for (let n = 0; n < 6; n++) assert.equal((await get(http, '/', `${session}; ${appElb}`)).id, login.id)
  const withoutApp = new Set<string>()
  for (let n = 0; n < 6; n++) withoutApp.add((await get(http, '/', appElb)).id)
  assert.equal(withoutApp.size, 2, 'without the application cookie the session is not sticky')
  assert.match(await fails('elb', 'delete-load-balancer-policy', '--load-balancer-name', 'pol-clb', '--policy-name', 'app-sticky'), /\(InvalidConfigurationRequest\).*in use/)
  await aws('elb', 'delete-load-balancer-policy', '--load-balancer-name', 'pol-clb', '--policy-name', 'lb-sticky')
  const policies = JSON.parse(await aws('elb', 'describe-load-balancer-policies', '--load-balancer-name', 'pol-clb', '--query', 'PolicyDescriptions')) as unknown
  assert.deepEqual(policies, [{ PolicyName: 'app-sticky', PolicyTypeName: 'AppCookieStickinessPolicyType', PolicyAttributeDescriptions: [{ AttributeName: 'CookieName', AttributeValue: 'SESSIONID' }] }])
  assert.equal(await aws('elb', 'describe-load-balancers', '--load-balancer-names', 'pol-clb', '--query', `LoadBalancerDescriptions[0].ListenerDescriptions[?Listener.LoadBalancerPort==\`${http}\`].PolicyNames[]`, '--output', 'text'), 'app-sticky')

  // The TCP listener forwards the bytes as they come: no X-Forwarded-For added.
  const relayed = await get(tcp)
  assert.ok(relayed.id === i1 || relayed.id === i2)
  assert.equal(relayed.xff, null)

  // Access log lines in Classic's fields: time elb client backend times codes bytes "request" "agent" cipher protocol.
  const readLines = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [])
  const lines = await eventually(() => (readLines().length >= 4 ? readLines() : undefined), { timeoutMs: 5_000, message: 'access log lines' })
  assert.match(lines?.[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z pol-clb 127\.0\.0\.1:\d+ 127\.118\.\d+\.\d+:4000 \d+\.\d{3} \d+\.\d{3} \d+\.\d{3} 200 200 \d+ \d+ "GET http:\/\/127\.0\.0\.1:\d+\/ HTTP\/1\.1" "[^"]*" - -$/)

  // Connection draining: a deregistered instance is "deregistration currently in progress" until the timeout.
  await aws('elb', 'deregister-instances-from-load-balancer', '--load-balancer-name', 'pol-clb', '--instances', i1)
  await lb.settled()
  const draining = await aws('elb', 'describe-instance-health', '--load-balancer-name', 'pol-clb', '--query', `InstanceStates[?InstanceId=='${i1}'].[State,Description]`, '--output', 'text')
  assert.equal(draining, 'InService\tInstance deregistration currently in progress.')
  for (let n = 0; n < 4; n++) assert.equal((await get(http)).id, i2, 'new requests go to the instance still registered')
  await eventually(async () => (await aws('elb', 'describe-instance-health', '--load-balancer-name', 'pol-clb', '--query', 'InstanceStates[].InstanceId', '--output', 'text')) === i2, { timeoutMs: 15_000, intervalMs: 500, message: 'draining over' })

  // Zones, subnets, security groups, tags, limits.
  assert.equal(await aws('elb', 'disable-availability-zones-for-load-balancer', '--load-balancer-name', 'pol-clb', '--availability-zones', 'us-east-1b', '--query', 'AvailabilityZones', '--output', 'text'), 'us-east-1a')
  assert.equal(await aws('elb', 'enable-availability-zones-for-load-balancer', '--load-balancer-name', 'pol-clb', '--availability-zones', 'us-east-1b', '--query', 'AvailabilityZones', '--output', 'text'), 'us-east-1a\tus-east-1b')
  assert.equal(await aws('elb', 'detach-load-balancer-from-subnets', '--load-balancer-name', 'pol-clb', '--subnets', 'subnet-0a1b2c3d4e5f60b02', '--query', 'Subnets', '--output', 'text'), 'subnet-0a1b2c3d4e5f60a01')
  assert.equal(await aws('elb', 'attach-load-balancer-to-subnets', '--load-balancer-name', 'pol-clb', '--subnets', 'subnet-0a1b2c3d4e5f60b02', '--query', 'Subnets', '--output', 'text'), 'subnet-0a1b2c3d4e5f60a01\tsubnet-0a1b2c3d4e5f60b02')
  assert.match(await fails('elb', 'disable-availability-zones-for-load-balancer', '--load-balancer-name', 'pol-clb', '--availability-zones', 'us-east-1a', 'us-east-1b'), /\(InvalidConfigurationRequest\)/)
  const sg = await aws('ec2', 'create-security-group', '--group-name', 'clb-sg', '--description', 'clb', '--query', 'GroupId', '--output', 'text')
  assert.equal(await aws('elb', 'apply-security-groups-to-load-balancer', '--load-balancer-name', 'pol-clb', '--security-groups', sg, '--query', 'SecurityGroups', '--output', 'text'), sg)
  await lb.settled()
  // A group with no inbound rule lets nobody in, as on AWS.
  await assert.rejects(fetch(`http://127.0.0.1:${http}/`))
  await aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', String(http), '--cidr', '127.0.0.0/8')
  await lb.settled()
  assert.equal((await get(http)).id, i2)
  await aws('elb', 'add-tags', '--load-balancer-names', 'pol-clb', '--tags', 'Key=team,Value=web', 'Key=env,Value=test')
  await aws('elb', 'remove-tags', '--load-balancer-names', 'pol-clb', '--tags', 'env')
  assert.equal(await aws('elb', 'describe-tags', '--load-balancer-names', 'pol-clb', '--query', 'TagDescriptions[0].Tags[].[Key,Value]', '--output', 'text'), 'team\tweb')
  assert.equal(await aws('elb', 'describe-account-limits', '--query', 'Limits[].[Name,Max]', '--output', 'text'), 'classic-load-balancers\t20\nclassic-listeners\t100\nclassic-registered-instances\t1000')
  await aws('elb', 'delete-load-balancer', '--load-balancer-name', 'pol-clb')
})
