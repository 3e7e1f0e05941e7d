import assert from 'node:assert/strict'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  ACMClient,
  DescribeCertificateCommand,
  ExportCertificateCommand,
  ImportCertificateCommand,
  RenewCertificateCommand,
  RequestCertificateCommand,
  ResendValidationEmailCommand,
  RevokeCertificateCommand,
  SearchCertificatesCommand,
  type SearchCertificatesCommandInput,
  UpdateCertificateOptionsCommand,
} from '@aws-sdk/client-acm'
import { loadOrCreateCa } from '../../src/certs/ca.js'
import { CertificateManager } from '../../src/certs/manager.js'
import { rejectsWith } from './assert-aws-error.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { clientConfig, startAwsApi, type RunningAwsApi } from './start-aws-api.js'

const quiet = { info: () => {}, error: () => {} }

/** The API with openalb's own CA and the certificate manager that issues for it. */
async function start(t: { after: (fn: () => unknown) => void }): Promise<{ api: RunningAwsApi; acm: ACMClient; manager: CertificateManager }> {
  const api = await startAwsApi()
  const dir = mkdtempSync(join(tmpdir(), 'openalb-acm-ca-'))
  t.after(async () => {
    await api.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const ca = await loadOrCreateCa(dir)
  return { api, acm: new ACMClient(clientConfig(api)), manager: new CertificateManager(api.control, ca, quiet) }
}

const enc = new TextEncoder()

test('ACM RenewCertificate re-issues an own-CA certificate now; ExportCertificate hands out the key encrypted under the passphrase; RevokeCertificate is permanent', async (t) => {
  const { api, acm, manager } = await start(t)
  const { CertificateArn: arn = '' } = await acm.send(new RequestCertificateCommand({ DomainName: 'renew.example.test', ValidationMethod: 'EMAIL' }))
  await rejectsWith(acm.send(new RenewCertificateCommand({ CertificateArn: arn })), 'RequestInProgressException', /not yet issued/)
  await rejectsWith(acm.send(new ExportCertificateCommand({ CertificateArn: arn, Passphrase: enc.encode('secret-pass') })), 'RequestInProgressException')
  await manager.reconcile()
  const issued = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(issued?.Status, 'ISSUED')
  assert.equal(issued?.Issuer, 'openalb', "the issuing organisation, as ACM shows 'Amazon'")
  assert.deepEqual(issued?.Options, { CertificateTransparencyLoggingPreference: 'ENABLED', Export: 'DISABLED' })
  assert.equal(issued?.RenewalSummary, undefined)

  await acm.send(new RenewCertificateCommand({ CertificateArn: arn }))
  const pending = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(pending?.RenewalSummary?.RenewalStatus, 'PENDING_AUTO_RENEWAL')
  await manager.reconcile()
  const renewed = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(renewed?.RenewalSummary?.RenewalStatus, 'SUCCESS')
  assert.notEqual(renewed?.Serial, issued?.Serial, 'a new certificate, not the old one')
  assert.equal(renewed?.Status, 'ISSUED')

  const exported = await acm.send(new ExportCertificateCommand({ CertificateArn: arn, Passphrase: enc.encode('secret-pass') }))
  assert.match(exported.PrivateKey ?? '', /^-----BEGIN ENCRYPTED PRIVATE KEY-----/)
  assert.throws(() => createPrivateKey({ key: exported.PrivateKey ?? '', passphrase: 'wrong-pass' }))
  const key = createPrivateKey({ key: exported.PrivateKey ?? '', passphrase: 'secret-pass' })
  const cert = new X509Certificate(exported.Certificate ?? '')
  assert.ok(cert.checkPrivateKey(key), 'the exported key belongs to the exported certificate')
  assert.equal(cert.serialNumber.toLowerCase().replace(/^0+/, ''), (renewed?.Serial ?? '').replace(/:/g, '').replace(/^0+/, ''))
  assert.match(exported.CertificateChain ?? '', /-----BEGIN CERTIFICATE-----/)

  const found = await acm.send(new SearchCertificatesCommand({ FilterStatement: { Filter: { AcmCertificateMetadataFilter: { Exported: true } } } }))
  assert.deepEqual(found.Results?.map((r) => r.CertificateArn), [arn])
  assert.equal(found.Results?.[0]?.X509Attributes?.Subject?.CommonName, 'renew.example.test')
  assert.equal(found.Results?.[0]?.X509Attributes?.Issuer?.Organization, 'openalb')

  await acm.send(new RevokeCertificateCommand({ CertificateArn: arn, RevocationReason: 'KEY_COMPROMISE' }))
  const revoked = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(revoked?.Status, 'REVOKED')
  assert.equal(revoked?.RevocationReason, 'KEY_COMPROMISE')
  assert.ok(revoked?.RevokedAt instanceof Date)
  assert.equal(revoked?.RenewalEligibility, 'INELIGIBLE')
  await rejectsWith(acm.send(new RevokeCertificateCommand({ CertificateArn: arn, RevocationReason: 'UNSPECIFIED' })), 'ConflictException', /already revoked/)
  await rejectsWith(acm.send(new ExportCertificateCommand({ CertificateArn: arn, Passphrase: enc.encode('secret-pass') })), 'ValidationException', /is revoked/)
  await rejectsWith(acm.send(new RenewCertificateCommand({ CertificateArn: arn })), 'ValidationException', /only an issued certificate can be renewed/)
  await rejectsWith(acm.send(new RevokeCertificateCommand({ CertificateArn: arn, RevocationReason: 'NOT_A_REASON' as 'UNSPECIFIED' })), 'ValidationException', /Member must satisfy enum value set/)
  assertWireMatchesModels(api)
})

test('ACM refuses to export, renew or revoke what AWS refuses, and keeps Export as it was created', async (t) => {
  const { api, acm, manager } = await start(t)
  const { selfSigned } = await import('./self-signed.js')
  const pem = await selfSigned('imported.example.test')
  const { CertificateArn: importedArn = '' } = await acm.send(new ImportCertificateCommand({ Certificate: enc.encode(pem.certificatePem), PrivateKey: enc.encode(pem.privateKeyPem) }))
  await rejectsWith(acm.send(new ExportCertificateCommand({ CertificateArn: importedArn, Passphrase: enc.encode('pass') })), 'ValidationException', /is not a private certificate/)
  await rejectsWith(acm.send(new RenewCertificateCommand({ CertificateArn: importedArn })), 'ValidationException', /imported certificate/)
  await rejectsWith(acm.send(new UpdateCertificateOptionsCommand({ CertificateArn: importedArn, Options: { Export: 'ENABLED' } })), 'InvalidStateException')
  await rejectsWith(acm.send(new ExportCertificateCommand({ CertificateArn: importedArn, Passphrase: enc.encode('abc') })), 'ValidationException', /Member must have length greater than or equal to 4/)

  const { CertificateArn: arn = '' } = await acm.send(new RequestCertificateCommand({ DomainName: 'opts.example.test', ValidationMethod: 'EMAIL', Options: { Export: 'ENABLED' } }))
  await manager.reconcile()
  await rejectsWith(acm.send(new RevokeCertificateCommand({ CertificateArn: arn, RevocationReason: 'UNSPECIFIED' })), 'ValidationException', /only exported certificates can be revoked/)
  await rejectsWith(acm.send(new UpdateCertificateOptionsCommand({ CertificateArn: arn, Options: { Export: 'DISABLED' } })), 'ValidationException', /^You cannot update the value of Export after the certificate is created\.$/)
  await acm.send(new UpdateCertificateOptionsCommand({ CertificateArn: arn, Options: { CertificateTransparencyLoggingPreference: 'DISABLED' } }))
  const detail = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.deepEqual(detail?.Options, { CertificateTransparencyLoggingPreference: 'DISABLED', Export: 'ENABLED' })

  await rejectsWith(
    acm.send(new ResendValidationEmailCommand({ CertificateArn: arn, Domain: 'opts.example.test', ValidationDomain: 'example.test' })),
    'InvalidStateException',
    /not waiting for email validation/,
  )
  assertWireMatchesModels(api)
})

test('ACM SearchCertificates filters by And/Or/Not over X.509 and ACM attributes, sorts and pages', async (t) => {
  const { api, acm, manager } = await start(t)
  const arns: [string, string, string] = ['', '', '']
  for (const [i, name] of (['alpha.example.test', 'beta.example.test', 'gamma.other.test'] as const).entries()) {
    arns[i] = (await acm.send(new RequestCertificateCommand({ DomainName: name, ValidationMethod: 'EMAIL' }))).CertificateArn ?? ''
  }
  const pendingArn = (await acm.send(new RequestCertificateCommand({ DomainName: 'pending.example.test', ValidationMethod: 'DNS' }))).CertificateArn ?? ''
  await manager.reconcile()
  const search = async (input: SearchCertificatesCommandInput) =>
    ((await acm.send(new SearchCertificatesCommand(input))).Results ?? []).map((r) => r.CertificateArn)

  assert.deepEqual(await search({ FilterStatement: { Filter: { X509AttributeFilter: { Subject: { CommonName: { Value: 'example.test', ComparisonOperator: 'CONTAINS' } } } } } }), [arns[0], arns[1]])
  assert.deepEqual(await search({ FilterStatement: { Filter: { X509AttributeFilter: { SubjectAlternativeName: { DnsName: { Value: 'GAMMA.other.test', ComparisonOperator: 'EQUALS' } } } } } }), [arns[2]])
  assert.deepEqual(await search({ FilterStatement: { Filter: { AcmCertificateMetadataFilter: { Status: 'PENDING_VALIDATION' } } } }), [pendingArn])
  assert.deepEqual(
    await search({
      FilterStatement: {
        And: [
          { Filter: { AcmCertificateMetadataFilter: { Status: 'ISSUED' } } },
          { Not: { Filter: { CertificateArn: arns[1] } } },
        ],
      },
      SortBy: 'COMMON_NAME',
      SortOrder: 'DESCENDING',
    }),
    [arns[2], arns[0]],
  )
  assert.deepEqual(
    await search({ FilterStatement: { Or: [{ Filter: { CertificateArn: arns[2] } }, { Filter: { CertificateArn: pendingArn } }] }, SortBy: 'CERTIFICATE_ARN' }),
    [arns[2], pendingArn].sort(),
  )
  const first = await acm.send(new SearchCertificatesCommand({ MaxResults: 3 }))
  assert.equal(first.Results?.length, 3)
  const rest = await acm.send(new SearchCertificatesCommand({ MaxResults: 3, NextToken: first.NextToken }))
  assert.equal(rest.Results?.length, 1)
  assert.equal(rest.NextToken, undefined)
  await rejectsWith(acm.send(new SearchCertificatesCommand({ FilterStatement: { Filter: { X509AttributeFilter: { KeyAlgorithm: 'EC_prime256v1', KeyUsage: 'DIGITAL_SIGNATURE' } } } } as never)), 'ValidationException', /exactly one of/)
  assertWireMatchesModels(api)
})
