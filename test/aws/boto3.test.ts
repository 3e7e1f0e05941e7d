// AWS test code in Python (unittest + boto3, test/aws/boto3/test_aws_code.py), run unchanged
// against openalb's AWS API: the endpoint comes from AWS_ENDPOINT_URL as code written for AWS reads it.
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../helpers/shared.js'
import { startAwsApi } from './start-aws-api.js'

const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0
const skip = hasBoto3 ? false : 'SKIPPED: python3 with boto3 is not installed (.ci/run installs python3-boto3)'

test('boto3 test code written for AWS (ELBv2, ACM, Route 53: waiters, paginators, error codes) passes unchanged', { skip, timeout: 180_000 }, async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ENDPOINT_URL: api.endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  }
  const out = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile('python3', [join(repoRoot, 'test', 'aws', 'boto3', 'test_aws_code.py')], { env, timeout: 170_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` })
    })
  })
  assert.equal(out.code, 0, out.output)
  const ran = /Ran (\d+) tests?/.exec(out.output)
  assert.ok(ran && Number(ran[1]) >= 14, `every test ran: ${out.output}`)
  assert.match(out.output, /\nOK\n?$/)
})
