import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  AddTrustStoreRevocationsCommand,
  CreateTrustStoreCommand,
  DeleteSharedTrustStoreAssociationCommand,
  DeleteTrustStoreCommand,
  DescribeTagsCommand,
  DescribeTrustStoreAssociationsCommand,
  DescribeTrustStoreRevocationsCommand,
  DescribeTrustStoresCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  GetResourcePolicyCommand,
  GetTrustStoreCaCertificatesBundleCommand,
  GetTrustStoreRevocationContentCommand,
  ModifyTrustStoreCommand,
  RemoveTrustStoreRevocationsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm'
import { clientConfig, startAwsApi } from './start-aws-api.js'
import { assertWireMatchesModels } from './assert-wire.js'
import { hasOpenssl, makeCa } from '../helpers/mtls-pki.js'

/** The AWS error code a call is refused with. */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as { Code?: string; name: string }).Code ?? (e as { name: string }).name
  }
  throw new Error('the call was accepted')
}

test('SDK v3: trust stores from the s3 directory, revocations, listeners in verify and passthrough mode, associations, AWS errors; wire matches botocore', async (t) => {
  if (!hasOpenssl()) {
    console.warn('SKIPPED: openssl is not installed')
    return t.skip('openssl is not installed')
  }
  const home = mkdtempSync(join(tmpdir(), 'openalb-truststore-'))
  const s3 = join(home, 's3')
  mkdirSync(join(s3, 'pki'), { recursive: true })
  const api = await startAwsApi({ s3Dir: s3 })
  const elb = new ElasticLoadBalancingV2Client(clientConfig(api))
  const acm = new ACMClient(clientConfig(api))
  t.after(async () => {
    elb.destroy()
    acm.destroy()
    await api.close()
    rmSync(home, { recursive: true, force: true })
  })
  const ca = makeCa(home, 'Test Root A')
  const other = makeCa(home, 'Test Root B')
  const bad = ca.issue('revoked-client')
  ca.revoke(bad.certPath)
  copyFileSync(ca.certPath, join(s3, 'pki', 'ca.pem'))
  writeFileSync(join(s3, 'pki', 'both.pem'), readFileSync(ca.certPath, 'utf8') + readFileSync(other.certPath, 'utf8'))
  copyFileSync(ca.crl(), join(s3, 'pki', 'crl.pem'))
  copyFileSync(other.crl(), join(s3, 'pki', 'other-crl.pem'))
  writeFileSync(join(s3, 'pki', 'junk.pem'), 'not a certificate\n')
  copyFileSync(bad.certPath, join(s3, 'pki', 'leaf.pem'))

  const created = (await elb.send(new CreateTrustStoreCommand({ Name: 'clients', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'ca.pem', Tags: [{ Key: 'team', Value: 'edge' }] }))) as unknown as { TrustStores: Record<string, unknown>[] }
  const store = created.TrustStores[0]!
  assert.match(String(store.TrustStoreArn), /^arn:aws:elasticloadbalancing:us-east-1:000000000000:truststore\/clients\/[0-9a-f]{16}$/)
  assert.deepEqual({ ...store, TrustStoreArn: undefined }, { Name: 'clients', TrustStoreArn: undefined, Status: 'ACTIVE', NumberOfCaCertificates: 1, TotalRevokedEntries: 0 })
  const arn = String(store.TrustStoreArn)

  assert.equal(await refusal(elb.send(new CreateTrustStoreCommand({ Name: 'clients', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'ca.pem' }))), 'DuplicateTrustStoreName')
  assert.equal(await refusal(elb.send(new CreateTrustStoreCommand({ Name: 'nofile', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'missing.pem' }))), 'CaCertificatesBundleNotFound')
  assert.equal(await refusal(elb.send(new CreateTrustStoreCommand({ Name: 'junk', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'junk.pem' }))), 'InvalidCaCertificatesBundle')
  // A leaf certificate (CA:FALSE) is no CA.
  assert.equal(await refusal(elb.send(new CreateTrustStoreCommand({ Name: 'leaf', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'leaf.pem' }))), 'InvalidCaCertificatesBundle')
  assert.equal(await refusal(elb.send(new CreateTrustStoreCommand({ Name: 'up', CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: '../../etc/passwd' }))), 'CaCertificatesBundleNotFound')

  const added = (await elb.send(new AddTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationContents: [{ S3Bucket: 'pki', S3Key: 'crl.pem', RevocationType: 'CRL' }] }))) as unknown as { TrustStoreRevocations: Record<string, unknown>[] }
  assert.deepEqual(added.TrustStoreRevocations, [{ TrustStoreArn: arn, RevocationId: 1, RevocationType: 'CRL', NumberOfRevokedEntries: 1 }])
  assert.equal(await refusal(elb.send(new AddTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationContents: [{ S3Bucket: 'pki', S3Key: 'none.pem' }] }))), 'RevocationContentNotFound')
  assert.equal(await refusal(elb.send(new AddTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationContents: [{ S3Bucket: 'pki', S3Key: 'junk.pem' }] }))), 'InvalidRevocationContent')
  // Another CA's CRL does not belong to this store.
  assert.equal(await refusal(elb.send(new AddTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationContents: [{ S3Bucket: 'pki', S3Key: 'other-crl.pem' }] }))), 'InvalidRevocationContent')

  const described = (await elb.send(new DescribeTrustStoresCommand({ Names: ['clients'] }))) as unknown as { TrustStores: Record<string, unknown>[] }
  assert.equal(described.TrustStores[0]!.TotalRevokedEntries, 1)
  const revs = (await elb.send(new DescribeTrustStoreRevocationsCommand({ TrustStoreArn: arn }))) as unknown as { TrustStoreRevocations: unknown[] }
  assert.equal(revs.TrustStoreRevocations.length, 1)
  assert.equal(await refusal(elb.send(new DescribeTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationIds: [7] }))), 'RevocationIdNotFound')

  // The Locations are served by the control endpoint: the bundle and the CRL as stored.
  const bundleAt = (await elb.send(new GetTrustStoreCaCertificatesBundleCommand({ TrustStoreArn: arn }))) as { Location: string }
  assert.equal((await (await fetch(bundleAt.Location)).text()).trim(), readFileSync(ca.certPath, 'utf8').trim())
  const crlAt = (await elb.send(new GetTrustStoreRevocationContentCommand({ TrustStoreArn: arn, RevocationId: 1 }))) as { Location: string }
  assert.match(await (await fetch(crlAt.Location)).text(), /-----BEGIN X509 CRL-----/)

  const modified = (await elb.send(new ModifyTrustStoreCommand({ TrustStoreArn: arn, CaCertificatesBundleS3Bucket: 'pki', CaCertificatesBundleS3Key: 'both.pem' }))) as unknown as { TrustStores: Record<string, unknown>[] }
  assert.equal(modified.TrustStores[0]!.NumberOfCaCertificates, 2)
  assert.equal(modified.TrustStores[0]!.TotalRevokedEntries, 1)

  const assoc = (await elb.send(new DescribeTrustStoreAssociationsCommand({ TrustStoreArn: arn }))) as unknown as { TrustStoreAssociations: unknown[] }
  assert.deepEqual(assoc.TrustStoreAssociations, [])
  assert.equal(await refusal(elb.send(new DeleteSharedTrustStoreAssociationCommand({ TrustStoreArn: arn, ResourceArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/x/0123456789abcdef/0123456789abcdef' }))), 'DeleteAssociationSameAccount')
  assert.equal(await refusal(elb.send(new GetResourcePolicyCommand({ ResourceArn: arn }))), 'ResourceNotFound')
  const tags = (await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }))) as unknown as { TagDescriptions: { Tags: unknown[] }[] }
  assert.deepEqual(tags.TagDescriptions[0]!.Tags, [{ Key: 'team', Value: 'edge' }])

  // A listener in verify mode uses the trust store: associations, TrustStoreInUse, DescribeListeners' MutualAuthentication.
  const cert = await acm.send(new RequestCertificateCommand({ DomainName: 'api.example.test', ValidationMethod: 'DNS' }))
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: 'mtls-alb', Subnets: ['subnet-0a1b2c3d4e5f60a01', 'subnet-0a1b2c3d4e5f60b02'] }))
  const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? ''
  const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200' } }]
  const listen = (port: number, protocol: 'HTTP' | 'HTTPS', MutualAuthentication: Record<string, unknown>) =>
    elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: protocol, Port: port, ...(protocol === 'HTTPS' ? { Certificates: [{ CertificateArn: cert.CertificateArn }] } : {}), DefaultActions: fixed, MutualAuthentication }))
  const verify = await listen(8443, 'HTTPS', { Mode: 'verify', TrustStoreArn: arn })
  const listenerArn = verify.Listeners?.[0]?.ListenerArn ?? ''
  assert.deepEqual(verify.Listeners?.[0]?.MutualAuthentication, { Mode: 'verify', TrustStoreArn: arn, IgnoreClientCertificateExpiry: false, TrustStoreAssociationStatus: 'active', AdvertiseTrustStoreCaNames: 'off' })
  const pass = await listen(9443, 'HTTPS', { Mode: 'passthrough' })
  assert.deepEqual(pass.Listeners?.[0]?.MutualAuthentication, { Mode: 'passthrough' })
  assert.equal(await refusal(listen(9444, 'HTTPS', { Mode: 'verify', TrustStoreArn: arn.replace(/\/[0-9a-f]+$/, '/0000000000000000') })), 'TrustStoreNotFound')
  assert.equal(await refusal(listen(9444, 'HTTPS', { Mode: 'verify' })), 'ValidationError')
  assert.equal(await refusal(listen(9444, 'HTTPS', { Mode: 'passthrough', TrustStoreArn: arn })), 'ValidationError')
  assert.equal(await refusal(listen(9444, 'HTTP', { Mode: 'verify', TrustStoreArn: arn })), 'ValidationError')
  assert.equal(await refusal(listen(9444, 'HTTPS', { Mode: 'sometimes' })), 'ValidationError')
  const users = (await elb.send(new DescribeTrustStoreAssociationsCommand({ TrustStoreArn: arn }))).TrustStoreAssociations
  assert.deepEqual(users, [{ ResourceArn: listenerArn }])
  assert.equal(await refusal(elb.send(new DeleteTrustStoreCommand({ TrustStoreArn: arn }))), 'TrustStoreInUse')
  const listed = await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))
  assert.equal(listed.Listeners?.[0]?.MutualAuthentication?.Mode, 'verify')
  const off = await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, MutualAuthentication: { Mode: 'off' } }))
  assert.deepEqual(off.Listeners?.[0]?.MutualAuthentication, { Mode: 'off' })
  assert.deepEqual((await elb.send(new DescribeTrustStoreAssociationsCommand({ TrustStoreArn: arn }))).TrustStoreAssociations, [])

  await elb.send(new RemoveTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationIds: [1] }))
  assert.equal(await refusal(elb.send(new RemoveTrustStoreRevocationsCommand({ TrustStoreArn: arn, RevocationIds: [1] }))), 'RevocationIdNotFound')
  await elb.send(new DeleteTrustStoreCommand({ TrustStoreArn: arn }))
  assert.equal(await refusal(elb.send(new DescribeTrustStoresCommand({ TrustStoreArns: [arn] }))), 'TrustStoreNotFound')
  assert.equal(await refusal(elb.send(new DeleteTrustStoreCommand({ TrustStoreArn: arn }))), 'TrustStoreNotFound')
  assertWireMatchesModels(api)
})
