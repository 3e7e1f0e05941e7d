import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { LambdaClient, InvokeCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from './cli-tutorial-steps.js'
import type { RunningAwsApi } from './start-aws-api.js'
import { NODE_ECHO, PYTHON_ECHO, zipOf } from '../helpers/functions.js'
import { openalb } from '../helpers/cli.js'

async function setup(t: { after: (fn: () => Promise<void> | void) => void; skip: (m: string) => void }, runUserData = true) {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not installed (Debian package awscli; .ci/run installs it; found: ${version ?? 'none'})`
    console.warn(reason)
    t.skip(reason)
    return undefined
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-cli-lambda-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const aws = awsCli(bin, { endpoint: lb.controlUrl } as RunningAwsApi, dataDir)
  const sdk = new LambdaClient({ endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } })
  t.after(() => sdk.destroy())
  return { aws, dataDir, lb, sdk }
}

const ROLE = 'arn:aws:iam::000000000000:role/lambda-basic'

test('AWS CLI v2: a Node.js function from a zip is created, invoked, fails, times out, and takes new code on the next invoke', async (t) => {
  const s = await setup(t)
  if (!s) return
  const { aws, dataDir } = s
  const zip = join(dataDir, 'echo.zip')
  writeFileSync(zip, zipOf({ 'index.js': NODE_ECHO }))
  const created = JSON.parse(await aws('lambda', 'create-function', '--function-name', 'echo', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`, '--timeout', '2', '--environment', 'Variables={VERSION=v1}')) as Record<string, unknown>
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:echo')
  assert.equal(created.Timeout, 2)
  assert.equal(created.MemorySize, 128)
  assert.equal(created.State, 'Active')
  assert.deepEqual(created.Environment, { Variables: { VERSION: 'v1' } })

  const out = join(dataDir, 'out.json')
  const meta = JSON.parse(await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"hello":"world"}', out)) as Record<string, unknown>
  assert.equal(meta.StatusCode, 200)
  assert.equal(meta.FunctionError, undefined)
  const first = JSON.parse(readFileSync(out, 'utf8')) as { echo: unknown; name: string; version: string; remaining: boolean; pid: number }
  assert.deepEqual(first.echo, { hello: 'world' })
  assert.equal(first.name, 'echo')
  assert.equal(first.version, 'v1')
  assert.equal(first.remaining, true)
  // Kept warm: the second invocation runs in the same process.
  await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', out)
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as { pid: number }).pid, first.pid)

  // LogType Tail: what this invocation wrote, base64 (the CLI's LogResult).
  const tailed = JSON.parse(await aws('lambda', 'invoke', '--function-name', 'echo', '--log-type', 'Tail', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"tail":"me"}', out)) as { LogResult: string }
  const tailLog = Buffer.from(tailed.LogResult, 'base64').toString()
  assert.match(tailLog, /^START RequestId: /)
  assert.match(tailLog, /event \{"tail":"me"\}/)
  assert.doesNotMatch(tailLog, /hello/)

  // A handler that throws: 200 with X-Amz-Function-Error Unhandled and Node's error payload.
  const failed = JSON.parse(await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"fail":"x"}', out)) as Record<string, unknown>
  assert.equal(failed.FunctionError, 'Unhandled')
  const error = JSON.parse(readFileSync(out, 'utf8')) as { errorType: string; errorMessage: string; trace: string[] }
  assert.equal(error.errorType, 'Error')
  assert.equal(error.errorMessage, 'boom: x')

  // Past its 2 s timeout the process is killed.
  const slow = JSON.parse(await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"sleepMs":5000}', out)) as Record<string, unknown>
  assert.equal(slow.FunctionError, 'Unhandled')
  assert.match(readFileSync(out, 'utf8'), /Task timed out after 2\.00 seconds/)

  // New code is used by the very next invocation (a cold start in a new process).
  writeFileSync(zip, zipOf({ 'index.js': NODE_ECHO.replace("'v1'", "'v2'").replace('process.env.VERSION ?? ', '') }))
  await aws('lambda', 'update-function-code', '--function-name', 'echo', '--zip-file', `fileb://${zip}`)
  await aws('lambda', 'invoke', '--function-name', 'echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', out)
  const after = JSON.parse(readFileSync(out, 'utf8')) as { version: string; pid: number }
  assert.equal(after.version, 'v2')
  assert.notEqual(after.pid, first.pid)

  // The handler's console output and Lambda's START/END/REPORT lines are in the function's log.
  const log = openalb(['logs', 'function', 'echo', '--data', dataDir])
  assert.equal(log.code, 0, log.stderr)
  assert.match(log.stdout, /START RequestId: [0-9a-f-]{36} Version: \$LATEST/)
  assert.match(log.stdout, /\tINFO\tevent \{"hello":"world"\}/)
  assert.match(log.stdout, /REPORT RequestId: .*Init Duration/)
  const listed = openalb(['get', 'functions', '--data', dataDir])
  assert.equal(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /echo\s+nodejs20\.x\s+index\.handler/)
})

test('AWS CLI v2: a Python function from a zip answers, and its exception is Unhandled', async (t) => {
  const s = await setup(t)
  if (!s) return
  const { aws, dataDir } = s
  const zip = join(dataDir, 'py.zip')
  writeFileSync(zip, zipOf({ 'app.py': PYTHON_ECHO }))
  await aws('lambda', 'create-function', '--function-name', 'py-echo', '--runtime', 'python3.12', '--handler', 'app.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`)
  const out = join(dataDir, 'out.json')
  await aws('lambda', 'invoke', '--function-name', 'py-echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"n":1}', out)
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')).echo, { n: 1 })
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).lang, 'python')
  const failed = JSON.parse(await aws('lambda', 'invoke', '--function-name', 'py-echo', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"fail":2}', out)) as Record<string, unknown>
  assert.equal(failed.FunctionError, 'Unhandled')
  const error = JSON.parse(readFileSync(out, 'utf8')) as { errorType: string; errorMessage: string }
  assert.equal(error.errorType, 'ValueError')
  assert.equal(error.errorMessage, 'boom: 2')
  const log = openalb(['logs', 'function', 'py-echo', '--data', dataDir])
  assert.match(log.stdout, /python got \{'n': 1\}/)
})

test('AWS CLI v2: Lambda\'s errors: not found with the ARN, a second create conflicts, a bad runtime and S3 code are refused', async (t) => {
  const s = await setup(t)
  if (!s) return
  const { aws, dataDir } = s
  await assert.rejects(aws('lambda', 'get-function', '--function-name', 'nope'), /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope/)
  const zip = join(dataDir, 'f.zip')
  writeFileSync(zip, zipOf({ 'index.js': NODE_ECHO }))
  await aws('lambda', 'create-function', '--function-name', 'f', '--runtime', 'nodejs18.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`)
  await assert.rejects(aws('lambda', 'create-function', '--function-name', 'f', '--runtime', 'nodejs18.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`), /ResourceConflictException.*Function already exist: f/)
  await assert.rejects(aws('lambda', 'create-function', '--function-name', 'g', '--runtime', 'java17', '--handler', 'x', '--role', ROLE, '--zip-file', `fileb://${zip}`), /InvalidParameterValueException.*java17/)
  await assert.rejects(aws('lambda', 'create-function', '--function-name', 'g', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--code', 'S3Bucket=code-bucket,S3Key=f.zip'), /InvalidParameterValueException.*Code\.S3Bucket/)
  // Permissions: the policy holds what AddPermission added; a second statement id conflicts.
  await aws('lambda', 'add-permission', '--function-name', 'f', '--statement-id', 'alb', '--action', 'lambda:InvokeFunction', '--principal', 'elasticloadbalancing.amazonaws.com')
  const policy = JSON.parse(JSON.parse(await aws('lambda', 'get-policy', '--function-name', 'f')).Policy) as { Statement: { Sid: string; Principal: unknown }[] }
  assert.deepEqual(policy.Statement.map((x) => [x.Sid, x.Principal]), [['alb', { Service: 'elasticloadbalancing.amazonaws.com' }]])
  await assert.rejects(aws('lambda', 'add-permission', '--function-name', 'f', '--statement-id', 'alb', '--action', 'lambda:InvokeFunction', '--principal', 'elasticloadbalancing.amazonaws.com'), /ResourceConflictException.*The statement id \(alb\) provided already exists/)
  await aws('lambda', 'remove-permission', '--function-name', 'f', '--statement-id', 'alb')
  await assert.rejects(aws('lambda', 'get-policy', '--function-name', 'f'), /ResourceNotFoundException/)
  await aws('lambda', 'tag-resource', '--resource', 'arn:aws:lambda:us-east-1:000000000000:function:f', '--tags', 'team=web')
  assert.deepEqual(JSON.parse(await aws('lambda', 'list-tags', '--resource', 'arn:aws:lambda:us-east-1:000000000000:function:f')).Tags, { team: 'web' })
  assert.deepEqual(JSON.parse(await aws('lambda', 'list-functions', '--query', 'Functions[].FunctionName')), ['f'])
  await aws('lambda', 'delete-function', '--function-name', 'f')
  assert.deepEqual(JSON.parse(await aws('lambda', 'list-functions', '--query', 'Functions[].FunctionName')), [])
})

test('SDK v3: reserved concurrency 1 under 10 parallel invocations throttles the others with TooManyRequestsException', async (t) => {
  const s = await setup(t)
  if (!s) return
  const { aws, dataDir, sdk } = s
  const zip = join(dataDir, 'slow.zip')
  writeFileSync(zip, zipOf({ 'index.js': NODE_ECHO }))
  await aws('lambda', 'create-function', '--function-name', 'slow', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`)
  await sdk.send(new PutFunctionConcurrencyCommand({ FunctionName: 'slow', ReservedConcurrentExecutions: 1 }))
  const payload = Buffer.from(JSON.stringify({ sleepMs: 1500 }))
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => sdk.send(new InvokeCommand({ FunctionName: 'slow', Payload: payload }))))
  const ok = results.filter((r) => r.status === 'fulfilled' && r.value.StatusCode === 200 && r.value.FunctionError === undefined).length
  const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as { name?: string }).name === 'TooManyRequestsException')
  assert.ok(ok >= 1, `at least one ran (${ok})`)
  assert.ok(throttled.length >= 1, 'some were throttled')
  assert.equal(ok + throttled.length, 10)
  assert.equal((throttled[0] as PromiseRejectedResult).reason.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded')
})

test('AWS CLI v2: without --run-user-data CreateFunction is refused, naming the flag', async (t) => {
  const s = await setup(t, false)
  if (!s) return
  const zip = join(s.dataDir, 'f.zip')
  writeFileSync(zip, zipOf({ 'index.js': NODE_ECHO }))
  await assert.rejects(s.aws('lambda', 'create-function', '--function-name', 'f', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${zip}`), /InvalidParameterValueException.*--run-user-data/)
})
