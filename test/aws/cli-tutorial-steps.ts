import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { assertWireMatchesModels } from './assert-wire.js'
import { startAwsApi, type RunningAwsApi } from './start-aws-api.js'

const run = promisify(execFile)

/** The two AWS CLIs the tutorial is proven with: v1 (pip) on PATH and Debian's v2. */
export async function cliVersion(bin: string): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(bin, ['--version'], { timeout: 30_000 })
    return (stdout || stderr).trim()
  } catch {
    return undefined
  }
}

/** Runs `aws --endpoint-url ... <args>` (never blocking the event loop: the API answers in this process). */
export function awsCli(bin: string, api: RunningAwsApi, home: string) {
  return async (...args: string[]): Promise<string> => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    }
    try {
      const { stdout } = await run(bin, ['--endpoint-url', api.endpoint, ...args], { env, timeout: 60_000 })
      return stdout.trim()
    } catch (e) {
      const err = e as { stderr?: string; message: string }
      throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${err.stderr ?? err.message}`)
    }
  }
}

export async function tutorial(t: { after: (fn: () => Promise<void> | void) => void }, bin: string): Promise<void> {
  const api = await startAwsApi()
  const home = mkdtempSync(join(tmpdir(), 'openalb-awscli-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const aws = awsCli(bin, api, home)

  // Steps that do not depend on each other run together: each CLI start costs seconds on a busy machine.
  // 1. A security group that lets HTTPS and HTTP in; 2. the target group with its health check;
  // 3. a certificate for api.example.test; 5. the hosted zone.
  const sg = await aws('ec2', 'create-security-group', '--group-name', 'web-alb-sg', '--description', 'HTTPS and HTTP from anywhere', '--query', 'GroupId', '--output', 'text')
  const [, , subnetText, tg, cert, zone] = await Promise.all([
    aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '8443', '--cidr', '0.0.0.0/0'),
    aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '8080', '--cidr', '0.0.0.0/0'),
    aws('ec2', 'describe-subnets', '--query', 'Subnets[].SubnetId', '--output', 'text'),
    aws(
      'elbv2', 'create-target-group', '--name', 'web-tg', '--protocol', 'HTTP', '--port', '4000', '--target-type', 'ip',
      '--health-check-path', '/', '--matcher', 'HttpCode=200', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2', '--healthy-threshold-count', '2',
      '--query', 'TargetGroups[0].TargetGroupArn', '--output', 'text',
    ),
    aws('acm', 'request-certificate', '--domain-name', 'api.example.test', '--validation-method', 'DNS', '--query', 'CertificateArn', '--output', 'text'),
    aws('route53', 'create-hosted-zone', '--name', 'example.test', '--caller-reference', 'tutorial-1', '--query', 'HostedZone.Id', '--output', 'text'),
  ])
  // The default VPC has a default subnet in each of the region's three zones.
  const subnets = subnetText.split(/\s+/)
  assert.equal(subnets.length, 3)
  assert.match(tg, /^arn:aws:elasticloadbalancing:us-east-1:\d+:targetgroup\/web-tg\//)

  // The server in the group, the certificate's validation record, 4. the balancer.
  const [, recordText, lbText] = await Promise.all([
    aws('elbv2', 'register-targets', '--target-group-arn', tg, '--targets', 'Id=127.0.0.1,Port=4000'),
    aws('acm', 'describe-certificate', '--certificate-arn', cert, '--query', 'Certificate.DomainValidationOptions[0].ResourceRecord'),
    aws('elbv2', 'create-load-balancer', '--name', 'web-alb', '--subnets', ...subnets, '--security-groups', sg,
      '--query', 'LoadBalancers[0].[LoadBalancerArn,DNSName,CanonicalHostedZoneId]', '--output', 'text'),
  ])
  assert.equal((JSON.parse(recordText) as { Type: string }).Type, 'CNAME')
  const [lb = '', dnsName = '', lbZone = ''] = lbText.split(/\s+/)
  assert.match(dnsName, /^web-alb-\d+\.us-east-1\.elb\.openalb\.test$/)

  // Its HTTPS and HTTP listeners, and 5. the alias A record pointing at the balancer.
  const batch = { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'api.example.test', Type: 'A', AliasTarget: { HostedZoneId: lbZone, DNSName: dnsName, EvaluateTargetHealth: true } } }] }
  const [, http, status] = await Promise.all([
    aws('elbv2', 'create-listener', '--load-balancer-arn', lb, '--protocol', 'HTTPS', '--port', '8443',
      '--certificates', `CertificateArn=${cert}`, '--default-actions', `Type=forward,TargetGroupArn=${tg}`),
    aws('elbv2', 'create-listener', '--load-balancer-arn', lb, '--protocol', 'HTTP', '--port', '8080',
      '--default-actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=404,ContentType=text/plain}',
      '--query', 'Listeners[0].ListenerArn', '--output', 'text'),
    aws('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify(batch), '--query', 'ChangeInfo.Status', '--output', 'text'),
  ])
  assert.equal(status, 'INSYNC')

  // The host-header redirect rule; 6. target health, as the health checker reports it; an error as the CLI prints it.
  api.health.set(tg, [{ targetId: '127.0.0.1', port: 4000, state: 'healthy' }])
  const [, health] = await Promise.all([
    aws('elbv2', 'create-rule', '--listener-arn', http, '--priority', '10', '--conditions', 'Field=host-header,Values=api.example.test',
      '--actions', 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=8443,StatusCode=HTTP_301}'),
    aws('elbv2', 'describe-target-health', '--target-group-arn', tg, '--query', 'TargetHealthDescriptions[0].TargetHealth.State', '--output', 'text'),
    assert.rejects(aws('elbv2', 'describe-target-groups', '--names', 'nope'), /TargetGroupNotFound/),
  ])
  assert.equal(health, 'healthy')

  // The same resources, seen through control/ (what YAML and the openalb CLI see).
  const d = await api.control.view()
  assert.equal(d.list('rule')[0]?.actions[0]?.type, 'redirect')
  assert.equal(d.list('record-set').find((r) => r.name === 'api.example.test.')?.alias?.loadBalancerArn, lb)
  const rules = JSON.parse(await aws('elbv2', 'describe-rules', '--listener-arn', http, '--query', 'Rules[].Priority')) as string[]
  assert.deepEqual(rules, ['10', 'default'])

  assertWireMatchesModels(api)
}

