import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import type { RunningAwsApi } from '../aws/start-aws-api.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { zipOf } from '../helpers/functions.js'

const ROLE = 'arn:aws:iam::000000000000:role/lambda-alb'

/** A Node.js handler that answers as an ALB target, by path. */
const NODE_API = (version: string) => `exports.handler = async (event) => {
  const p = event.path
  if (p === '/api/throw') throw new Error('boom')
  if (p === '/api/sleep') await new Promise((r) => setTimeout(r, 3000))
  if (p === '/api/slow') await new Promise((r) => setTimeout(r, 800))
  if (p === '/api/bad') return { nope: true }
  if (p === '/api/binary') return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true }
  return {
    statusCode: 201,
    statusDescription: '201 Created',
    headers: { 'content-type': 'application/json', 'x-fn': 'node-${version}', 'set-cookie': 'single=1' },
    multiValueHeaders: { 'content-type': ['application/json'], 'x-fn': ['node-${version}'], 'set-cookie': ['a=1', 'b=2'] },
    body: JSON.stringify(event),
  }
}
`

const PYTHON_API = `import json

def handler(event, context):
    return {'statusCode': 200, 'headers': {'content-type': 'text/plain', 'x-fn': 'python'}, 'body': 'hello from python ' + event['path']}
`

interface Reply {
  readonly status: number
  readonly reason: string
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: Buffer
}

function call(address: string, port: number, path: string, options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: address, port, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.setTimeout(15_000, () => req.destroy(new Error('timed out')))
    req.end(options.body)
  })
}

test('AWS CLI v2: functions behind an ALB rule on /api/*: ALB\'s event and answer, binary bodies, multi-value headers, 502/504/503, permission, new code', async (t) => {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; found: ${version ?? 'none'})`
    console.warn(reason)
    return t.skip(reason)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-lambda-alb-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dataDir)
  const zip = join(dataDir, 'api.zip')
  writeFileSync(zip, zipOf({ 'index.js': NODE_API('v1') }))
  const fnArn = await aws('lambda', 'create-function', '--function-name', 'api', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`, '--timeout', '1', '--query', 'FunctionArn', '--output', 'text')
  const pyZip = join(dataDir, 'py.zip')
  writeFileSync(pyZip, zipOf({ 'app.py': PYTHON_API }))
  const pyArn = await aws('lambda', 'create-function', '--function-name', 'py', '--runtime', 'python3.12', '--handler', 'app.handler', '--role', ROLE, '--zip-file', `fileb://${pyZip}`, '--query', 'FunctionArn', '--output', 'text')

  // A lambda group has no protocol, port or VPC; registering needs the function's permission for ELB.
  await assert.rejects(aws('elbv2', 'create-target-group', '--name', 'bad', '--target-type', 'lambda', '--protocol', 'HTTP', '--port', '80'), /ValidationError/)
  const tg = await aws('elbv2', 'create-target-group', '--name', 'api-tg', '--target-type', 'lambda', '--query', 'TargetGroups[0].TargetGroupArn', '--output', 'text')
  const described = JSON.parse(await aws('elbv2', 'describe-target-groups', '--target-group-arns', tg)) as { TargetGroups: Record<string, unknown>[] }
  assert.equal(described.TargetGroups[0]?.TargetType, 'lambda')
  assert.equal(described.TargetGroups[0]?.HealthCheckEnabled, false)
  assert.equal(described.TargetGroups[0]?.Port, undefined)
  await assert.rejects(aws('elbv2', 'register-targets', '--target-group-arn', tg, '--targets', `Id=${fnArn}`), new RegExp(`AccessDenied.*elasticloadbalancing principal does not have permission to invoke ${fnArn.replace(/[:.]/g, '.')} from target group`))
  await aws('lambda', 'add-permission', '--function-name', 'api', '--statement-id', 'alb', '--action', 'lambda:InvokeFunction', '--principal', 'elasticloadbalancing.amazonaws.com', '--source-arn', tg)
  await aws('elbv2', 'register-targets', '--target-group-arn', tg, '--targets', `Id=${fnArn}`)
  await aws('lambda', 'add-permission', '--function-name', 'py', '--statement-id', 'alb', '--action', 'lambda:InvokeFunction', '--principal', 'elasticloadbalancing.amazonaws.com')
  await assert.rejects(aws('elbv2', 'register-targets', '--target-group-arn', tg, '--targets', `Id=${pyArn}`), /TooManyTargets/)
  const pyTg = await aws('elbv2', 'create-target-group', '--name', 'py-tg', '--target-type', 'lambda', '--query', 'TargetGroups[0].TargetGroupArn', '--output', 'text')
  await aws('elbv2', 'register-targets', '--target-group-arn', pyTg, '--targets', `Id=${pyArn}`)

  const port = await freePort()
  const subnets = (await aws('ec2', 'describe-subnets', '--query', 'Subnets[].SubnetId', '--output', 'text')).split(/\s+/)
  const lbArn = await aws('elbv2', 'create-load-balancer', '--name', 'fn-alb', '--subnets', ...subnets, '--query', 'LoadBalancers[0].LoadBalancerArn', '--output', 'text')
  const accessLog = join(dataDir, 'access.log')
  await aws('elbv2', 'modify-load-balancer-attributes', '--load-balancer-arn', lbArn, '--attributes', 'Key=access_logs.s3.enabled,Value=true', `Key=access_logs.s3.bucket,Value=${accessLog}`)
  const listener = await aws('elbv2', 'create-listener', '--load-balancer-arn', lbArn, '--protocol', 'HTTP', '--port', String(port), '--default-actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=404,ContentType=text/plain}', '--query', 'Listeners[0].ListenerArn', '--output', 'text')
  await aws('elbv2', 'create-rule', '--listener-arn', listener, '--priority', '10', '--conditions', 'Field=path-pattern,Values=/api/*', '--actions', `Type=forward,TargetGroupArn=${tg}`)
  await aws('elbv2', 'create-rule', '--listener-arn', listener, '--priority', '20', '--conditions', 'Field=path-pattern,Values=/py/*', '--actions', `Type=forward,TargetGroupArn=${pyTg}`)
  await lb.settled()
  const address = (await lb.control.read()).list('load-balancer').find((x) => x.arn === lbArn)?.bindAddress ?? '127.0.0.1'
  await eventually(async () => (await call(address, port, '/nowhere')).status === 404, { timeoutMs: 10000, intervalMs: 100, message: 'listener up' })

  // ALB's event: method, path, query (last value), headers with ALB's own, the group's ARN; the answer's status, reason, headers and body.
  const first = await call(address, port, '/api/hello?x=1&x=2&q=a%20b', { headers: { 'x-custom': 'one' } })
  assert.equal(first.status, 201)
  assert.equal(first.reason, 'Created')
  assert.equal(first.headers['x-fn'], 'node-v1')
  assert.deepEqual(first.headers['set-cookie'], ['single=1'])
  const event = JSON.parse(first.body.toString()) as Record<string, unknown> & { headers: Record<string, string>; requestContext: { elb: { targetGroupArn: string } } }
  assert.equal(event.httpMethod, 'GET')
  assert.equal(event.path, '/api/hello')
  assert.deepEqual(event.queryStringParameters, { x: '2', q: 'a%20b' })
  assert.equal(event.requestContext.elb.targetGroupArn, tg)
  assert.equal(event.headers['x-custom'], 'one')
  assert.equal(event.headers['x-forwarded-for'], '127.0.0.1')
  assert.equal(event.headers['x-forwarded-port'], String(port))
  assert.match(event.headers['x-amzn-trace-id'] ?? '', /^Root=1-/)
  assert.equal(event.body, '')
  assert.equal(event.isBase64Encoded, false)
  assert.equal(event.multiValueHeaders, undefined)

  // Bodies: text as text, binary as base64 both ways.
  const posted = JSON.parse((await call(address, port, '/api/echo', { method: 'POST', body: Buffer.from('{"a":1}'), headers: { 'content-type': 'application/json' } })).body.toString()) as { body: string; isBase64Encoded: boolean }
  assert.deepEqual([posted.body, posted.isBase64Encoded], ['{"a":1}', false])
  const binaryIn = JSON.parse((await call(address, port, '/api/echo', { method: 'POST', body: Buffer.from([0, 255, 1]), headers: { 'content-type': 'application/octet-stream' } })).body.toString()) as { body: string; isBase64Encoded: boolean }
  assert.deepEqual([binaryIn.body, binaryIn.isBase64Encoded], [Buffer.from([0, 255, 1]).toString('base64'), true])
  const binaryOut = await call(address, port, '/api/binary')
  assert.deepEqual([...binaryOut.body], [0, 1, 2, 255])
  assert.equal(binaryOut.headers['content-type'], 'application/octet-stream')

  // Multi-value headers on: every value of a repeated name, both ways.
  await aws('elbv2', 'modify-target-group-attributes', '--target-group-arn', tg, '--attributes', 'Key=lambda.multi_value_headers.enabled,Value=true')
  await lb.settled()
  const multi = await call(address, port, '/api/hello?x=1&x=2', { headers: { 'x-custom': 'one' } })
  const multiEvent = JSON.parse(multi.body.toString()) as Record<string, unknown> & { multiValueHeaders: Record<string, string[]> }
  assert.deepEqual(multiEvent.multiValueQueryStringParameters, { x: ['1', '2'] })
  assert.deepEqual(multiEvent.multiValueHeaders['x-custom'], ['one'])
  assert.equal(multiEvent.queryStringParameters, undefined)
  assert.deepEqual(multi.headers['set-cookie'], ['a=1', 'b=2'])
  await aws('elbv2', 'modify-target-group-attributes', '--target-group-arn', tg, '--attributes', 'Key=lambda.multi_value_headers.enabled,Value=false')
  await lb.settled()

  // ALB's own answers: a function error and an answer it cannot use are 502, a timeout 504; over 1 MB of body 413.
  assert.equal((await call(address, port, '/api/throw')).status, 502)
  assert.equal((await call(address, port, '/api/bad')).status, 502)
  assert.equal((await call(address, port, '/api/sleep')).status, 504)
  assert.equal((await call(address, port, '/api/echo', { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1, 97), headers: { 'content-type': 'text/plain' } })).status, 413)

  // WebSockets do not reach functions: an upgrade request is refused with 400, as ALB does.
  assert.equal((await call(address, port, '/api/ws', { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } })).status, 400)

  // The Python function behind its own rule.
  const py = await call(address, port, '/py/x')
  assert.deepEqual([py.status, py.headers['x-fn'], py.body.toString()], [200, 'python', 'hello from python /py/x'])

  // Concurrency 1 under 10 parallel requests: one runs at a time, the others are throttled (503).
  await aws('lambda', 'put-function-concurrency', '--function-name', 'api', '--reserved-concurrent-executions', '1')
  const parallel = await Promise.all(Array.from({ length: 10 }, () => call(address, port, '/api/slow')))
  const statuses = parallel.map((r) => r.status)
  assert.ok(statuses.includes(201), `one ran: ${statuses.join(',')}`)
  assert.ok(statuses.includes(503), `some were throttled: ${statuses.join(',')}`)
  assert.ok(statuses.every((s) => s === 201 || s === 503), statuses.join(','))
  await aws('lambda', 'delete-function-concurrency', '--function-name', 'api')

  // New code answers the very next request.
  writeFileSync(zip, zipOf({ 'index.js': NODE_API('v2') }))
  await aws('lambda', 'update-function-code', '--function-name', 'api', '--zip-file', `fileb://${zip}`)
  await lb.settled()
  assert.equal((await call(address, port, '/api/hello')).headers['x-fn'], 'node-v2')

  // The access log carries ALB's error reasons.
  const log = await eventually(() => {
    const text = existsSync(accessLog) ? readFileSync(accessLog, 'utf8') : ''
    return text.includes('LambdaThrottling') ? text : ''
  }, { timeoutMs: 5000, intervalMs: 100, message: 'access log' })
  for (const reason of ['LambdaUnhandled', 'LambdaInvalidResponse', 'LambdaTimeout', 'LambdaRequestTooLarge', 'LambdaThrottling', 'LambdaBadRequest']) assert.ok(log.includes(`"${reason}"`), reason)

  // ALB's Lambda metrics: the function's failures are user errors; bytes to and from it are counted.
  const metrics = await (await fetch(`${lb.controlUrl}/metrics`)).text()
  const group = tg.slice(tg.indexOf('targetgroup/'))
  assert.match(metrics, new RegExp(`openalb_lambda_error_count_total\\{target_group="${group.replace(/\//g, '\\/')}",kind="user"\\} ([1-9]\\d*)`))
  assert.match(metrics, new RegExp(`openalb_lambda_target_processed_bytes_total\\{target_group="${group.replace(/\//g, '\\/')}"\\} [1-9]`))

  // Health checks are off by default (unavailable); on, they invoke the function with ALB's health check event.
  const health = JSON.parse(await aws('elbv2', 'describe-target-health', '--target-group-arn', tg)) as { TargetHealthDescriptions: { Target: { Id: string }; TargetHealth: { State: string; Reason?: string } }[] }
  assert.deepEqual(health.TargetHealthDescriptions.map((h) => [h.Target.Id, h.TargetHealth.State, h.TargetHealth.Reason]), [[fnArn, 'unavailable', 'Target.HealthCheckDisabled']])
  await aws('elbv2', 'modify-target-group', '--target-group-arn', pyTg, '--health-check-enabled', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '4', '--health-check-path', '/py/health')
  await eventually(async () => (await aws('elbv2', 'describe-target-health', '--target-group-arn', pyTg, '--query', 'TargetHealthDescriptions[0].TargetHealth.State', '--output', 'text')) === 'healthy', { timeoutMs: 15000, intervalMs: 250, message: 'python function healthy' })
})
