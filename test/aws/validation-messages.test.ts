import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetChangeCommand, GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

/** The error's code and message exactly as the client surfaces them. */
async function refused(call: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(call, (e: unknown) => {
    const err = e as { name?: string; message?: string }
    assert.equal(err.name, code, String(err.message))
    assert.equal(err.message, message)
    return true
  })
}

const PROTOCOLS = '[HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC]'

test('constraint violations read as AWS words them, counted and joined, with the members\' wire names', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const acm = new ACMClient(clientConfig(api))
  const r53 = new Route53Client(clientConfig(api))

  await refused(
    elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'FOO' as 'HTTP', Port: 80 })),
    'ValidationError',
    `1 validation error detected: Value 'FOO' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: ${PROTOCOLS}`,
  )
  await refused(
    elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 0, HealthCheckIntervalSeconds: 301 })),
    'ValidationError',
    "2 validation errors detected: Value '0' at 'port' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
      "Value '301' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
  )
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 80, TargetType: 'ip' }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  await refused(
    elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: 80 }, { Id: '127.0.0.2', Port: 70000 }] })),
    'ValidationError',
    "1 validation error detected: Value '70000' at 'targets.2.member.port' failed to satisfy constraint: Member must have value less than or equal to 65535",
  )
  await refused(
    elb.send(new DescribeTargetHealthCommand({} as { TargetGroupArn: string })),
    'ValidationError',
    "1 validation error detected: Value null at 'targetGroupArn' failed to satisfy constraint: Member must not be null",
  )

  // Semantic errors: AWS's codes and words.
  await refused(elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })), 'TargetGroupNotFoundException', 'One or more target groups not found')
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb' }))).LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  await refused(
    elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'TCP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] })),
    'ValidationError',
    "Listener protocol 'TCP' must be one of 'HTTPS, HTTP'",
  )
  await refused(
    elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.replace(/\/[0-9a-f]+$/, '/0000000000000000') }] })),
    'TargetGroupNotFoundException',
    'One or more target groups not found',
  )

  await refused(
    acm.send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn' })),
    'ValidationException',
    "2 validation errors detected: Value 'not-an-arn' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
      "Value 'not-an-arn' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+(/[\\w+=,.@-]+)*",
  )
  const unknown = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'
  await refused(acm.send(new DescribeCertificateCommand({ CertificateArn: unknown })), 'ResourceNotFoundException', `Could not find certificate ${unknown}.`)
  await refused(acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:key/1234' })), 'InvalidArnException', "The certificate ARN 'arn:aws:acm:us-east-1:123456789012:key/1234' is not valid")

  await refused(r53.send(new GetHostedZoneCommand({ Id: 'Z0000000000000000000X' })), 'NoSuchHostedZone', 'No hosted zone found with ID: Z0000000000000000000X')
  await refused(r53.send(new GetChangeCommand({ Id: 'C0000000000000000000X' })), 'NoSuchChange', "A change with the specified change ID 'C0000000000000000000X' does not exist.")
})

test('the AWS CLI v2 prints the same validation message', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const api = await startAwsApi()
  const home = mkdtempSync(join(tmpdir(), 'openalb-awscli-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  await assert.rejects(
    awsCli(bin, api, home)('elbv2', 'create-target-group', '--name', 'web-tg', '--protocol', 'FOO', '--port', '80'),
    (e: Error) => e.message.includes(`An error occurred (ValidationError) when calling the CreateTargetGroup operation: 1 validation error detected: Value 'FOO' at 'protocol' failed to satisfy constraint: Member must satisfy enum value set: ${PROTOCOLS}`),
  )
})
