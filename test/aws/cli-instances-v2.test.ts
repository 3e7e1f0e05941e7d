import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import type { RunningAwsApi } from './start-aws-api.js'

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.103.0.0/16'

test('AWS CLI v2: run-instances with a user data file runs it; describe, console output, stop and terminate', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-cli-instances-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dataDir)
  const script = join(dataDir, 'web.sh')
  writeFileSync(script, `#!/bin/sh\necho "booted $OPENALB_INSTANCE_ID on $OPENALB_PRIVATE_IP"\nexec sleep 60\n`)

  // The CLI base64-encodes --user-data itself, as against AWS.
  const [id, ip] = (await aws('ec2', 'run-instances', '--image-id', 'ami-web', '--instance-type', 't3.micro', '--count', '1', '--subnet-id', 'subnet-0a1b2c3d4e5f60b02', '--user-data', `file://${script}`, '--query', 'Instances[0].[InstanceId,PrivateIpAddress]', '--output', 'text')).split(/\s+/)
  assert.match(id ?? '', /^i-[0-9a-f]{17}$/)
  await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', id ?? '', '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'running', { timeoutMs: 15000, intervalMs: 200, message: 'running' })
  assert.equal(await aws('ec2', 'describe-instances', '--filters', 'Name=availability-zone,Values=us-east-1b', '--query', 'Reservations[].Instances[].InstanceId', '--output', 'text'), id)
  const output = await eventually(async () => {
    const text = await aws('ec2', 'get-console-output', '--instance-id', id ?? '', '--query', 'Output', '--output', 'text')
    return text.includes('booted') ? text : ''
  }, { timeoutMs: 10000, intervalMs: 200, message: 'console output' })
  assert.match(output, new RegExp(`booted ${id ?? '?'} on ${(ip ?? '?').replace(/\./g, '\\.')}`))
  assert.equal(await aws('ec2', 'stop-instances', '--instance-ids', id ?? '', '--query', 'StoppingInstances[0].CurrentState.Name', '--output', 'text'), 'stopping')
  await eventually(async () => (await aws('ec2', 'describe-instances', '--instance-ids', id ?? '', '--query', 'Reservations[0].Instances[0].State.Name', '--output', 'text')) === 'stopped', { timeoutMs: 15000, intervalMs: 200, message: 'stopped' })
  assert.equal(await aws('ec2', 'terminate-instances', '--instance-ids', id ?? '', '--query', 'TerminatingInstances[0].CurrentState.Name', '--output', 'text'), 'shutting-down')
})
