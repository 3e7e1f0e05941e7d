import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { freePort } from '../helpers/ports.js'
import { startEchoTarget, TcpClient } from '../integration/dataplane/tcp-targets.js'

const run = promisify(execFile)
const AWS = '/usr/bin/aws'

// Its own file: each CLI start costs a second or more; node's per-file limit covers this one alone.
test('AWS CLI v2: create-load-balancer --type network, a TCP target group and listener, bytes through it', async (t) => {
  if (!existsSync(AWS)) {
    const reason = 'SKIPPED: the AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it)'
    console.warn(reason)
    return t.skip(reason)
  }
  const [a, b] = [await startEchoTarget(t, 'echo-a'), await startEchoTarget(t, 'echo-b')]
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-nlb-cli-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const env = { PATH: process.env.PATH ?? '', HOME: dataDir, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' }
  const aws = async (...args: string[]): Promise<string> => {
    try {
      return (await run(AWS, ['--endpoint-url', lb.controlUrl, ...args], { env, timeout: 30_000 })).stdout.trim()
    } catch (e) {
      const err = e as { stderr?: string; message: string }
      throw new Error(`aws ${args.slice(0, 2).join(' ')}: ${err.stderr ?? err.message}`)
    }
  }
  const [nlbArn, tgArn] = await Promise.all([
    aws('elbv2', 'create-load-balancer', '--name', 'tcp-nlb', '--type', 'network', '--subnets', 'subnet-a', '--query', 'LoadBalancers[0].LoadBalancerArn', '--output', 'text'),
    aws('elbv2', 'create-target-group', '--name', 'tcp-tg', '--protocol', 'TCP', '--port', String(a.port), '--target-type', 'ip', '--query', 'TargetGroups[0].TargetGroupArn', '--output', 'text'),
  ])
  const port = await freePort()
  const [, listenerText] = await Promise.all([
    aws('elbv2', 'register-targets', '--target-group-arn', tgArn, '--targets', `Id=127.0.0.1,Port=${a.port}`, `Id=127.0.0.1,Port=${b.port}`),
    aws('elbv2', 'create-listener', '--load-balancer-arn', nlbArn, '--protocol', 'TCP', '--port', String(port), '--default-actions', `Type=forward,TargetGroupArn=${tgArn}`, '--query', 'Listeners[0].[ListenerArn,Protocol]', '--output', 'text'),
  ])
  const [listenerArn, listenerProtocol] = listenerText.split(/\s+/)
  assert.equal(listenerProtocol, 'TCP')
  await lb.settled()
  const seen: string[] = []
  for (let i = 0; i < 2; i++) {
    const c = new TcpClient(port)
    t.after(() => c.destroy())
    seen.push(await c.greeting())
    c.socket.end('bye')
    await c.until((x) => x.ended, 5000, 'the echo and FIN')
    assert.ok(c.text.endsWith('bye'))
  }
  assert.deepEqual(seen.sort(), ['echo-a', 'echo-b'])
  const [check, refused] = await Promise.all([
    aws('elbv2', 'describe-target-groups', '--names', 'tcp-tg', '--query', 'TargetGroups[0].[HealthCheckProtocol,HealthCheckTimeoutSeconds,HealthCheckIntervalSeconds]', '--output', 'text'),
    aws('elbv2', 'create-rule', '--listener-arn', listenerArn ?? '', '--priority', '1', '--conditions', 'Field=path-pattern,Values=/x', '--actions', `Type=forward,TargetGroupArn=${tgArn}`).then(
      () => 'accepted',
      (e: Error) => e.message,
    ),
  ])
  assert.deepEqual(check.split(/\s+/), ['TCP', '10', '30'], "NLB's TCP check defaults")
  assert.match(refused, /\(ValidationError\).*Listener rules are not supported for load balancers of type 'network'/)
})
