import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import { startAwsApi, type RunningAwsApi } from './start-aws-api.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.111.0.0/16'

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

test('AWS CLI v2: describe-instance-attribute, modify-instance-attribute (protection acts), describe-network-interfaces, instance types and images', async (t) => {
  const bin = await cli(t)
  if (!bin) return
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-cli-attributes-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dataDir)
  const ami = await aws('ec2', 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=al2023-ami-*-x86_64', '--query', 'Images[0].ImageId', '--output', 'text')
  assert.match(ami, /^ami-[0-9a-f]{17}$/)
  assert.equal(await aws('ec2', 'describe-instance-types', '--instance-types', 't3.micro', '--query', 'InstanceTypes[0].[VCpuInfo.DefaultVCpus,MemoryInfo.SizeInMiB,BurstablePerformanceSupported]', '--output', 'text'), '2\t1024\tTrue')
  // No user data: the instance has no program and runs without --run-user-data.
  const [id, ip] = (await aws('ec2', 'run-instances', '--image-id', ami, '--instance-type', 't3.micro', '--subnet-id', 'subnet-0a1b2c3d4e5f60a01', '--query', 'Instances[0].[InstanceId,PrivateIpAddress]', '--output', 'text')).split(/\s+/)
  await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', id ?? '', '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'running', { timeoutMs: 15000, intervalMs: 200, message: 'running' })
  assert.equal(await aws('ec2', 'describe-instance-attribute', '--instance-id', id ?? '', '--attribute', 'disableApiTermination', '--query', 'DisableApiTermination.Value', '--output', 'text'), 'False')
  assert.equal(await aws('ec2', 'describe-instance-attribute', '--instance-id', id ?? '', '--attribute', 'instanceType', '--query', 'InstanceType.Value', '--output', 'text'), 't3.micro')
  await aws('ec2', 'modify-instance-attribute', '--instance-id', id ?? '', '--disable-api-termination')
  assert.equal(await aws('ec2', 'describe-instance-attribute', '--instance-id', id ?? '', '--attribute', 'disableApiTermination', '--query', 'DisableApiTermination.Value', '--output', 'text'), 'True')
  await assert.rejects(aws('ec2', 'terminate-instances', '--instance-ids', id ?? ''), /OperationNotPermitted/)
  await assert.rejects(aws('ec2', 'modify-instance-attribute', '--instance-id', id ?? '', '--instance-type', 't3.small'), /IncorrectInstanceState/)
  const eni = JSON.parse(await aws('ec2', 'describe-network-interfaces', '--filters', `Name=attachment.instance-id,Values=${id ?? ''}`, '--query', 'NetworkInterfaces[0].[NetworkInterfaceId,PrivateIpAddress,SubnetId,Attachment.DeviceIndex]')) as [string, string, string, number]
  assert.deepEqual(eni.slice(1), [ip, 'subnet-0a1b2c3d4e5f60a01', 0])
  await assert.rejects(aws('ec2', 'delete-network-interface', '--network-interface-id', eni[0]), /currently in use/)
  await aws('ec2', 'modify-instance-attribute', '--instance-id', id ?? '', '--no-disable-api-termination')
  assert.equal(await aws('ec2', 'terminate-instances', '--instance-ids', id ?? '', '--query', 'TerminatingInstances[0].CurrentState.Name', '--output', 'text'), 'shutting-down')
})
