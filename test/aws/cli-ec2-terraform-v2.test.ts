import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { startAwsApi } from './start-aws-api.js'

/** The AWS CLI v2, or a loud skip. */
async function cli(t: TestContext): Promise<string | undefined> {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (version?.startsWith('aws-cli/2')) return bin
  const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
  console.warn(reason)
  t.skip(reason)
  return undefined
}

test('AWS CLI v2: sts get-caller-identity answers the account root; modify-security-group-rules changes a rule in place', async (t) => {
  const bin = await cli(t)
  if (!bin) return
  const api = await startAwsApi()
  const home = mkdtempSync(join(tmpdir(), 'openalb-awscli-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const aws = awsCli(bin, api, home)
  assert.deepEqual(JSON.parse(await aws('sts', 'get-caller-identity')), { UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' })

  const sg = await aws('ec2', 'create-security-group', '--group-name', 'web', '--description', 'web', '--query', 'GroupId', '--output', 'text')
  const rule = await aws('ec2', 'authorize-security-group-ingress', '--group-id', sg, '--protocol', 'tcp', '--port', '80', '--cidr', '10.0.0.0/8', '--query', 'SecurityGroupRules[0].SecurityGroupRuleId', '--output', 'text')
  assert.equal(await aws('ec2', 'modify-security-group-rules', '--group-id', sg, '--security-group-rules', `SecurityGroupRuleId=${rule},SecurityGroupRule={IpProtocol=tcp,FromPort=8080,ToPort=8080,CidrIpv4=127.0.0.0/8,Description=app}`, '--query', 'Return', '--output', 'text'), 'True')
  assert.equal(
    await aws('ec2', 'describe-security-group-rules', '--security-group-rule-ids', rule, '--query', 'SecurityGroupRules[0].[FromPort,ToPort,CidrIpv4,Description]', '--output', 'text'),
    '8080\t8080\t127.0.0.0/8\tapp',
  )
  await assert.rejects(
    aws('ec2', 'modify-security-group-rules', '--group-id', sg, '--security-group-rules', 'SecurityGroupRuleId=sgr-00000000000000000,SecurityGroupRule={IpProtocol=tcp,FromPort=1,ToPort=1,CidrIpv4=10.0.0.0/8}'),
    /InvalidSecurityGroupRuleId\.NotFound/,
  )
  // The default VPC's default group is there, and cannot be deleted.
  assert.equal(await aws('ec2', 'describe-security-groups', '--filters', 'Name=vpc-id,Values=vpc-0a1b2c3d4e5f60718', 'Name=group-name,Values=default', '--query', 'SecurityGroups[0].GroupId', '--output', 'text'), 'sg-0a1b2c3d4e5f60718')
  await assert.rejects(aws('ec2', 'delete-security-group', '--group-id', 'sg-0a1b2c3d4e5f60718'), /CannotDelete/)
})
