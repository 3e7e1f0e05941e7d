import {
  addTrustStoreRevocations,
  createTrustStore,
  deleteTrustStore,
  findRevocation,
  findTrustStore,
  modifyTrustStore,
  readCrl,
  readTrustBundle,
  removeTrustStoreRevocations,
  trustStoreUsers,
  type NewRevocation,
} from '../../../control/trust-stores.js'
import { totalRevokedEntries, type S3Location, type TrustStore, type TrustStoreRevocation } from '../../../model/trust-store.js'
import type { Call } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import type { Params } from '../protocol/params.js'
import { readS3Object } from '../s3-objects.js'
import { mutate, view, type ElbHandler } from './handler.js'
import { tagsFromInput } from './inputs.js'

/** Where the control endpoint serves a trust store's bundle and CRLs (the Location of Get*): see trustStoreDownload. */
export const TRUST_STORE_DOWNLOAD_PREFIX = '/_openalb/trust-stores/'

const trustStoreShape = (t: TrustStore) => ({
  Name: t.name,
  TrustStoreArn: t.arn,
  Status: t.status,
  NumberOfCaCertificates: t.numberOfCaCertificates,
  TotalRevokedEntries: totalRevokedEntries(t),
})

const revocationShape = (t: TrustStore, r: TrustStoreRevocation) => ({
  TrustStoreArn: t.arn,
  RevocationId: r.id,
  RevocationType: r.type,
  NumberOfRevokedEntries: r.revokedSerials.length,
})

function bundleLocation(p: Params): S3Location {
  const version = p.str('CaCertificatesBundleS3ObjectVersion')
  return { bucket: p.required('CaCertificatesBundleS3Bucket'), key: p.required('CaCertificatesBundleS3Key'), ...(version !== undefined ? { version } : {}) }
}

/** Reads and checks the RevocationContents against a bundle (before the transaction: files are read outside it). */
function revocationsIn(call: Call, p: Params, bundlePem: string): NewRevocation[] {
  const out: NewRevocation[] = []
  for (const c of p.objs('RevocationContents')) {
    const type = c.str('RevocationType') ?? 'CRL'
    if (type !== 'CRL') throw new AwsError('ValidationError', `RevocationType '${type}' is not valid: CRL`)
    const bucket = c.str('S3Bucket')
    const key = c.str('S3Key')
    if (bucket === undefined || key === undefined) throw new AwsError('ValidationError', 'A revocation content needs S3Bucket and S3Key')
    const version = c.str('S3ObjectVersion')
    const source: S3Location = { bucket, key, ...(version !== undefined ? { version } : {}) }
    out.push({ crl: readCrl(readS3Object(call.deps.s3Dir, source, 'crl-missing'), bundlePem), source })
  }
  return out
}

export const CreateTrustStore: ElbHandler = async (call) => {
  const p = call.params
  const name = p.required('Name')
  const source = bundleLocation(p)
  const bundle = readTrustBundle(readS3Object(call.deps.s3Dir, source, 'bundle-missing'))
  const tags = tagsFromInput(p)
  const t = await mutate(call, (d) => createTrustStore(d, { name, bundle, source, tags }))
  return { TrustStores: [trustStoreShape(t)] }
}

export const DescribeTrustStores: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  const arns = p.strings('TrustStoreArns') ?? []
  const names = p.strings('Names') ?? []
  let stores: TrustStore[]
  if (arns.length > 0 || names.length > 0) {
    stores = [
      ...arns.map((a) => findTrustStore(d, a)),
      ...names.map((n) => {
        const t = d.list('trust-store').find((x) => x.name === n)
        if (!t) throw new AwsError('TrustStoreNotFound', 'One or more trust stores not found')
        return t
      }),
    ]
  } else stores = d.list('trust-store').sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name))
  const pg = page(stores, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { TrustStores: pg.items.map(trustStoreShape), NextMarker: pg.next }
}

export const ModifyTrustStore: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('TrustStoreArn')
  findTrustStore(await view(call), arn)
  const source = bundleLocation(p)
  const bundle = readTrustBundle(readS3Object(call.deps.s3Dir, source, 'bundle-missing'))
  const t = await mutate(call, (d) => modifyTrustStore(d, arn, bundle, source))
  return { TrustStores: [trustStoreShape(t)] }
}

export const DeleteTrustStore: ElbHandler = async (call) => {
  const arn = call.params.required('TrustStoreArn')
  await mutate(call, (d) => deleteTrustStore(d, arn))
  return {}
}

/** The download URL on the control endpoint this request came to. */
function location(call: Call, t: TrustStore, what: string): string {
  const id = t.arn.slice(t.arn.indexOf(':truststore/') + ':truststore/'.length)
  return `http://${call.host ?? '127.0.0.1'}${TRUST_STORE_DOWNLOAD_PREFIX}${id}/${what}`
}

export const GetTrustStoreCaCertificatesBundle: ElbHandler = async (call) => {
  const t = findTrustStore(await view(call), call.params.required('TrustStoreArn'))
  return { Location: location(call, t, 'ca-certificates-bundle') }
}

export const GetTrustStoreRevocationContent: ElbHandler = async (call) => {
  const p = call.params
  const t = findTrustStore(await view(call), p.required('TrustStoreArn'))
  const id = p.int('RevocationId')
  if (id === undefined) throw new AwsError('ValidationError', 'RevocationId is required')
  const r = findRevocation(t, id)
  return { Location: location(call, t, `revocations/${r.id}`) }
}

export const AddTrustStoreRevocations: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('TrustStoreArn')
  const t = findTrustStore(await view(call), arn)
  const added = revocationsIn(call, p, t.caCertificatesPem)
  const revocations = await mutate(call, (d) => {
    // The bundle may have changed since the CRLs were checked against it: check again inside.
    if (findTrustStore(d, arn).caCertificatesPem !== t.caCertificatesPem) throw new AwsError('ValidationError', 'The trust store changed while its revocations were read: try again')
    return addTrustStoreRevocations(d, arn, added)
  })
  return { TrustStoreRevocations: revocations.map((r) => revocationShape(t, r)) }
}

export const RemoveTrustStoreRevocations: ElbHandler = async (call) => {
  const p = call.params
  const arn = p.required('TrustStoreArn')
  const ids = (p.list('RevocationIds') ?? []).map(Number)
  if (ids.length === 0) throw new AwsError('ValidationError', 'RevocationIds must contain at least one id')
  await mutate(call, (d) => removeTrustStoreRevocations(d, arn, ids))
  return {}
}

export const DescribeTrustStoreRevocations: ElbHandler = async (call) => {
  const p = call.params
  const t = findTrustStore(await view(call), p.required('TrustStoreArn'))
  const ids = (p.list('RevocationIds') ?? []).map(Number)
  const items = ids.length > 0 ? ids.map((id) => findRevocation(t, id)) : [...t.revocations]
  const pg = page(items, p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { TrustStoreRevocations: pg.items.map((r) => revocationShape(t, r)), NextMarker: pg.next }
}

export const DescribeTrustStoreAssociations: ElbHandler = async (call) => {
  const p = call.params
  const d = await view(call)
  const t = findTrustStore(d, p.required('TrustStoreArn'))
  const pg = page(trustStoreUsers(d, t.arn), p.str('Marker'), p.int('PageSize'), 'ValidationError')
  return { TrustStoreAssociations: pg.items.map((ResourceArn) => ({ ResourceArn })), NextMarker: pg.next }
}

/**
 * openalb has no resource sharing (RAM): every trust store belongs to the one account, so there is
 * no shared association to delete. AWS answers DeleteAssociationSameAccount when the store is the
 * caller's own, TrustStoreNotFound when there is no such store.
 */
export const DeleteSharedTrustStoreAssociation: ElbHandler = async (call) => {
  const p = call.params
  const t = findTrustStore(await view(call), p.required('TrustStoreArn'))
  const resource = p.required('ResourceArn')
  throw new AwsError('DeleteAssociationSameAccount', `The association of trust store '${t.arn}' with '${resource}' is in the trust store's own account: only associations from another account can be deleted (openalb has no sharing)`)
}

/** No sharing, so no resource policy: AWS answers ResourceNotFound for a resource that has none. */
export const GetResourcePolicy: ElbHandler = async (call) => {
  const arn = call.params.required('ResourceArn')
  if (arn.includes(':truststore/')) findTrustStore(await view(call), arn)
  throw new AwsError('ResourceNotFound', `The resource '${arn}' has no resource policy (openalb has no sharing)`)
}

/** GET PREFIX NAME/ID/ca-certificates-bundle or PREFIX NAME/ID/revocations/N: the PEM, or undefined when no such store or revocation. */
export async function trustStoreDownload(call: Pick<Call, 'deps'>, path: string): Promise<string | undefined> {
  const m = /^([A-Za-z0-9-]+\/[0-9a-f]+)\/(ca-certificates-bundle|revocations\/(\d+))$/.exec(path.slice(TRUST_STORE_DOWNLOAD_PREFIX.length))
  if (!m) return undefined
  const d = await call.deps.control.view()
  const t = d.list('trust-store').find((x) => x.arn.endsWith(`:truststore/${m[1]}`))
  if (!t) return undefined
  if (m[3] === undefined) return t.caCertificatesPem
  return t.revocations.find((r) => r.id === Number(m[3]))?.crlPem
}
