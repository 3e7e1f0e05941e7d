// OPENALB_ACCOUNT_ID: the account every ARN names, for the CLI's own writes and for the AWS API.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import pino from 'pino'
import { startOpenalb } from '../../../src/main.js'
import { openalb } from '../../helpers/cli.js'

const ACCOUNT = '123456789012'
const group = ['targetGroups:', '  - { name: web, protocol: HTTP, port: 4000, targetType: ip, targets: [{ id: 127.0.0.1 }] }', ''].join('\n')

test('openalb apply names OPENALB_ACCOUNT_ID in the ARNs it makes; an id that is not 12 digits is refused and nothing is written', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-account-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'lb.yaml')
  writeFileSync(file, group)
  const data = join(dir, 'data')

  const refused = openalb(['apply', file, '--data', data], { env: { OPENALB_ACCOUNT_ID: '12345' } })
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /OPENALB_ACCOUNT_ID must be an AWS account id \(12 digits\), got '12345'/)
  assert.deepEqual(JSON.parse(openalb(['get', 'target-groups', '--data', data, '-o', 'json']).stdout || '[]'), [])

  const applied = openalb(['apply', file, '--data', data], { env: { OPENALB_ACCOUNT_ID: ACCOUNT } })
  assert.equal(applied.code, 0, applied.stderr)
  const groups = JSON.parse(openalb(['get', 'target-groups', '--data', data, '-o', 'json']).stdout) as { arn: string }[]
  assert.match(groups[0]?.arn ?? '', new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/web/`))
})

test('the AWS API answers for OPENALB_ACCOUNT_ID: STS caller identity, ELBv2 and ACM ARNs', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-account-api-'))
  const before = process.env.OPENALB_ACCOUNT_ID
  process.env.OPENALB_ACCOUNT_ID = ACCOUNT
  t.after(() => {
    if (before === undefined) delete process.env.OPENALB_ACCOUNT_ID
    else process.env.OPENALB_ACCOUNT_ID = before
    rmSync(dir, { recursive: true, force: true })
  })
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(() => lb.close())
  const config = { endpoint: lb.controlUrl, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }

  const me = await new STSClient(config).send(new GetCallerIdentityCommand({}))
  assert.equal(me.Account, ACCOUNT)
  assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:root`)
  const tg = await new ElasticLoadBalancingV2Client(config).send(new CreateTargetGroupCommand({ Name: 'api', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-0a1b2c3d4e5f60718' }))
  assert.match(tg.TargetGroups?.[0]?.TargetGroupArn ?? '', new RegExp(`^arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/api/`))
  const cert = await new ACMClient(config).send(new RequestCertificateCommand({ DomainName: 'app.example.test', ValidationMethod: 'DNS' }))
  assert.match(cert.CertificateArn ?? '', new RegExp(`^arn:aws:acm:[a-z0-9-]+:${ACCOUNT}:certificate/`))
})
