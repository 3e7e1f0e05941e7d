import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { EC2Client, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { clientConfig, startAwsApi } from './start-aws-api.js'

// The tutorial's resources, built with SDK v3 (fast), then removed with AWS CLI v2 in the order
// a user follows: listeners, balancer, target group, certificate, security group, then the alias
// record (which AWS leaves in place when its balancer goes) and the zone.
test('the tutorial clean-up with AWS CLI v2 passes every step, balancer before its alias record', async (t) => {
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
  const config = clientConfig(api)
  const elb = new ElasticLoadBalancingV2Client(config)
  const sg = (await new EC2Client(config).send(new CreateSecurityGroupCommand({ GroupName: 'web-alb-sg', Description: 'web' }))).GroupId ?? ''
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'web-tg', Protocol: 'HTTP', Port: 4000, TargetType: 'ip' }))).TargetGroups?.[0]?.TargetGroupArn ?? ''
  const cert = (await new ACMClient(config).send(new RequestCertificateCommand({ DomainName: 'api.example.test' }))).CertificateArn ?? ''
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web-alb', SecurityGroups: [sg] }))).LoadBalancers?.[0]
  const lbArn = lb?.LoadBalancerArn ?? ''
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 8443, Certificates: [{ CertificateArn: cert }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))
  const http = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }))).Listeners?.[0]?.ListenerArn ?? ''
  await elb.send(new CreateRuleCommand({ ListenerArn: http, Priority: 10, Conditions: [{ Field: 'host-header', Values: ['api.example.test'] }], Actions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '8443', StatusCode: 'HTTP_301' } }] }))
  const r53 = new Route53Client(config)
  const zone = (await r53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'tutorial-1' }))).HostedZone?.Id ?? ''
  await r53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: zone,
    ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'api.example.test', Type: 'A', AliasTarget: { HostedZoneId: lb?.CanonicalHostedZoneId ?? '', DNSName: `dualstack.${lb?.DNSName ?? ''}`, EvaluateTargetHealth: true } } }] },
  }))

  const aws = awsCli(bin, api, home)
  const listeners = (await aws('elbv2', 'describe-listeners', '--load-balancer-arn', lbArn, '--query', 'Listeners[].ListenerArn', '--output', 'text')).split(/\s+/)
  assert.equal(listeners.length, 2)
  await Promise.all(listeners.map((arn) => aws('elbv2', 'delete-listener', '--listener-arn', arn)))
  await aws('elbv2', 'delete-load-balancer', '--load-balancer-arn', lbArn)
  await Promise.all([
    aws('elbv2', 'delete-target-group', '--target-group-arn', tg),
    aws('acm', 'delete-certificate', '--certificate-arn', cert),
    aws('ec2', 'delete-security-group', '--group-id', sg),
  ])
  // The alias outlives its balancer and is deleted with the values the listing shows.
  const listed = JSON.parse(await aws('route53', 'list-resource-record-sets', '--hosted-zone-id', zone, '--query', "ResourceRecordSets[?Type=='A']")) as object[]
  assert.equal(listed.length, 1)
  await aws('route53', 'change-resource-record-sets', '--hosted-zone-id', zone, '--change-batch', JSON.stringify({ Changes: [{ Action: 'DELETE', ResourceRecordSet: listed[0] }] }))
  await aws('route53', 'delete-hosted-zone', '--id', zone)
  const left = await api.control.view()
  for (const kind of ['load-balancer', 'listener', 'rule', 'target-group', 'certificate', 'hosted-zone', 'record-set'] as const) assert.deepEqual(left.list(kind), [], kind)
  assert.deepEqual(left.list('security-group').filter((g) => g.id === sg), [])
})
