import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { startAwsApi } from './start-aws-api.js'

const run = promisify(execFile)

const post = (endpoint: string, body: string) =>
  fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => ({ status: r.status, text: await r.text() }))

test('the Classic elb API (Version 2012-06-01) is told apart from ELBv2 and refused with InvalidAction, not answered as ELBv2', async (t) => {
  const api = await startAwsApi()
  t.after(() => api.close())
  const classic = await post(api.endpoint, 'Action=DescribeLoadBalancers&Version=2012-06-01')
  assert.equal(classic.status, 400)
  assert.match(classic.text, /<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2012-06-01\/">/)
  assert.match(classic.text, /<Code>InvalidAction<\/Code>/)
  assert.match(classic.text, /does not implement the Classic Load Balancer API \(elb, Version 2012-06-01\) yet: DescribeLoadBalancers/)
  const unknown = await post(api.endpoint, 'Action=NoSuchThing&Version=2012-06-01')
  assert.match(unknown.text, /The action NoSuchThing is not valid for this web service/)
  // The same action name under ELBv2's version is ELBv2's.
  const v2 = await post(api.endpoint, 'Action=DescribeLoadBalancers&Version=2015-12-01')
  assert.equal(v2.status, 200)
  assert.match(v2.text, /<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/">/)
})

test('AWS CLI v2: aws elb describe-load-balancers fails with InvalidAction and says why', async (t) => {
  if (!existsSync('/usr/bin/aws')) {
    const reason = 'SKIPPED: the AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it)'
    console.warn(reason)
    return t.skip(reason)
  }
  const api = await startAwsApi()
  const home = mkdtempSync(join(tmpdir(), 'openalb-elb-'))
  t.after(async () => {
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const env = { PATH: process.env.PATH ?? '', HOME: home, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' }
  const failed = await run('/usr/bin/aws', ['--endpoint-url', api.endpoint, 'elb', 'describe-load-balancers'], { env, timeout: 30_000 }).then(
    () => undefined,
    (e: { stderr?: string }) => e.stderr ?? '',
  )
  assert.ok(failed !== undefined, 'the CLI must fail')
  assert.match(failed, /\(InvalidAction\).*Classic Load Balancer API/)
})
