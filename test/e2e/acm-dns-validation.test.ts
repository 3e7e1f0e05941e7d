import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'

test('an ACM certificate validated through DNS is issued once its CNAME is in a zone openalb serves', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-acm-'))
  const lb = await startOpenalb({ dataDir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const config = { endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
  const acm = new ACMClient(config)
  const route53 = new Route53Client(config)

  const zone = await route53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'acm-e2e' }))
  const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'api.example.test', ValidationMethod: 'DNS' }))
  const described = await acm.send(new DescribeCertificateCommand({ CertificateArn }))
  const option = described.Certificate?.DomainValidationOptions?.[0]
  assert.equal(described.Certificate?.Status, 'PENDING_VALIDATION')
  assert.equal(option?.ValidationStatus, 'PENDING_VALIDATION')
  const record = option?.ResourceRecord
  assert.equal(record?.Type, 'CNAME')

  // Without the record it stays pending.
  await lb.settled()
  const still = await acm.send(new DescribeCertificateCommand({ CertificateArn }))
  assert.equal(still.Certificate?.Status, 'PENDING_VALIDATION')

  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone?.Id,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: record?.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: record?.Value }] } }] },
    }),
  )
  const issued = await eventually(
    async () => {
      const c = await acm.send(new DescribeCertificateCommand({ CertificateArn }))
      return c.Certificate?.Status === 'ISSUED' ? c.Certificate : undefined
    },
    { timeoutMs: 10000, message: 'certificate ISSUED' },
  )
  assert.equal(issued?.DomainValidationOptions?.[0]?.ValidationStatus, 'SUCCESS')
  assert.ok(issued?.NotAfter instanceof Date)
})
