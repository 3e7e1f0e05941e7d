import { AwsError } from './errors.js'

/**
 * Marker/NextMarker paging over an already-ordered list. The marker is opaque to clients: the
 * offset of the next page, base64url-encoded as ALB's markers are opaque strings.
 */
export function page<T>(items: readonly T[], marker: string | undefined, pageSize: number | undefined, code: string, max = 400): { items: T[]; next?: string } {
  if (pageSize !== undefined && (pageSize < 1 || pageSize > max)) throw new AwsError(code, `page size must be between 1 and ${max}`)
  let start = 0
  if (marker !== undefined && marker !== '') {
    const n = Number(Buffer.from(marker, 'base64url').toString('utf8'))
    if (!Number.isInteger(n) || n < 0) throw new AwsError(code, `the marker '${marker}' is not valid`)
    start = n
  }
  const size = pageSize ?? max
  const slice = items.slice(start, start + size)
  const end = start + slice.length
  return end < items.length ? { items: slice, next: Buffer.from(String(end)).toString('base64url') } : { items: slice }
}
