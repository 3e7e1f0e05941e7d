import { readFileSync, statSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import { TrustContentError } from '../../control/trust-stores.js'
import type { S3Location } from '../../model/trust-store.js'

/**
 * openalb is not an object store: where AWS reads an S3 object (a trust store's CA bundle, a CRL),
 * openalb reads DIR/BUCKET/KEY under the directory `openalb up --s3-dir DIR` names. A missing
 * object is AWS's NotFound code for what was asked (`missing`); S3ObjectVersion is refused, as a
 * directory keeps one version.
 */
export function readS3Object(dir: string | undefined, at: S3Location, missing: 'bundle-missing' | 'crl-missing'): Buffer {
  const what = missing === 'bundle-missing' ? 'CA certificates bundle' : 'revocation file'
  if (at.version !== undefined) throw new TrustContentError(missing, `S3 object versions are not supported by openalb (it reads one file per bucket and key): leave out the ${what}'s S3ObjectVersion`)
  if (dir === undefined) throw new TrustContentError(missing, `The ${what} s3://${at.bucket}/${at.key} cannot be read: openalb reads S3 objects from a local directory, and none was given (openalb up --s3-dir DIR reads DIR/BUCKET/KEY)`)
  const root = resolve(dir)
  const path = resolve(join(root, at.bucket, at.key))
  if (at.bucket === '' || at.key === '' || at.bucket.includes('/') || !path.startsWith(root + sep)) {
    throw new TrustContentError(missing, `The ${what} s3://${at.bucket}/${at.key} is not a valid bucket and key`)
  }
  try {
    if (!statSync(path).isFile()) throw new Error('not a file')
    return readFileSync(path)
  } catch {
    throw new TrustContentError(missing, `The specified ${what} s3://${at.bucket}/${at.key} does not exist (openalb read ${path})`)
  }
}
