import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { ACMClient, ListCertificatesCommand } from '@aws-sdk/client-acm'
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53'
import { assertSafeBind } from '../../src/api/aws/server.js'
import { rejectsWith } from './assert-aws-error.js'
import { startAwsApi } from './start-aws-api.js'

const KEYS = new Map([['AKIDOPENALBTEST', 'the-secret']])
const good = { accessKeyId: 'AKIDOPENALBTEST', secretAccessKey: 'the-secret' }

test('with access keys, SigV4 signatures are verified and bad ones refused with each service error', async (t) => {
  const api = await startAwsApi({ accessKeys: KEYS })
  t.after(() => api.close())
  const config = (credentials: { accessKeyId: string; secretAccessKey: string }) => ({ endpoint: api.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 })

  const elb = new ElasticLoadBalancingV2Client(config(good))
  assert.deepEqual((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, [])
  assert.deepEqual((await new Route53Client(config(good)).send(new ListHostedZonesCommand({}))).HostedZones, [])
  assert.deepEqual((await new ACMClient(config(good)).send(new ListCertificatesCommand({}))).CertificateSummaryList, [])

  const wrongSecret = { ...good, secretAccessKey: 'wrong' }
  await rejectsWith(new ElasticLoadBalancingV2Client(config(wrongSecret)).send(new DescribeLoadBalancersCommand({})), 'SignatureDoesNotMatch')
  await rejectsWith(new Route53Client(config(wrongSecret)).send(new ListHostedZonesCommand({})), 'SignatureDoesNotMatch')
  await rejectsWith(new ACMClient(config(wrongSecret)).send(new ListCertificatesCommand({})), 'InvalidSignatureException')
  const unknownKey = { accessKeyId: 'AKIDNOBODY', secretAccessKey: 'the-secret' }
  await rejectsWith(new ElasticLoadBalancingV2Client(config(unknownKey)).send(new DescribeLoadBalancersCommand({})), 'InvalidClientTokenId')
  await rejectsWith(new ACMClient(config(unknownKey)).send(new ListCertificatesCommand({})), 'UnrecognizedClientException')

  const unsigned = await fetch(`${api.endpoint}/?Action=DescribeLoadBalancers&Version=2015-12-01`)
  assert.equal(unsigned.status, 403)
  assert.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/)
  const garbled = await fetch(`${api.endpoint}/?Action=DescribeLoadBalancers&Version=2015-12-01`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDOPENALBTEST' } })
  assert.equal(garbled.status, 400)
  assert.match(await garbled.text(), /<Code>IncompleteSignature<\/Code>/)
})

test('a presigned query-string request is accepted with the right key and refused once tampered with', async (t) => {
  const api = await startAwsApi({ accessKeys: KEYS })
  t.after(() => api.close())
  // botocore presigns: an implementation independent of the one under test.
  const script = [
    'import sys, botocore.session',
    's = botocore.session.get_session()',
    "c = s.create_client('elbv2', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])",
    "print(c.generate_presigned_url('describe_load_balancers', Params={}, ExpiresIn=300, HttpMethod='GET'))",
  ].join('\n')
  const out = spawnSync('python3', ['-c', script, api.endpoint, good.accessKeyId, good.secretAccessKey], { encoding: 'utf8' })
  if (out.status !== 0) return t.skip(`SKIPPED: python3 with botocore is needed to presign (${out.stderr.trim().split('\n').pop() ?? ''})`)
  const presigned = new URL(out.stdout.trim())
  const qs = presigned.search.slice(1)
  const okRes = await fetch(`${api.endpoint}/?${qs}`)
  assert.equal(okRes.status, 200, await okRes.clone().text())
  const tampered = await fetch(`${api.endpoint}/?${qs.replace('DescribeLoadBalancers', 'DescribeTargetGroups')}`)
  assert.equal(tampered.status, 403)
  assert.match(await tampered.text(), /SignatureDoesNotMatch/)
})

test('the AWS API refuses to bind beyond loopback without access keys', () => {
  assert.doesNotThrow(() => assertSafeBind('127.0.0.1', undefined))
  assert.throws(() => assertSafeBind('0.0.0.0', undefined), /access keys/)
  assert.doesNotThrow(() => assertSafeBind('0.0.0.0', KEYS))
})
