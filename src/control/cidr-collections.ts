import { randomUUID } from 'node:crypto'
import { parseCidr } from '../lib/cidr.js'
import { CIDR_PREFIX_RANGE, COLLECTION_NAME, DEFAULT_CIDR_LOCATION, LOCATION_NAME, ROUTE53_CIDR_LIMITS, type CidrCollection } from '../model/cidr-collection.js'
import { DuplicateError, InUseError, LimitExceededError, NotFoundError, ValidationFailed } from './errors.js'
import type { Draft } from './draft.js'

const invalid = (path: string, message: string) => new ValidationFailed([{ path, message }])

export function findCidrCollection(d: Draft, id: string): CidrCollection {
  const c = d.get('cidr-collection', id)
  if (!c) throw new NotFoundError('cidr-collection', id)
  return c
}

/** CreateCidrCollection: a retry with the same name and caller reference gets the same collection. */
export function createCidrCollection(d: Draft, name: string, callerReference: string): { collection: CidrCollection; created: boolean } {
  if (!COLLECTION_NAME.test(name)) throw invalid('Name', `Name '${name}' must be 1-64 characters of letters, digits, _ and -`)
  const all = d.list('cidr-collection')
  const same = all.find((c) => c.name === name)
  if (same) {
    if (same.callerReference === callerReference) return { collection: same, created: false }
    throw new DuplicateError('cidr-collection', name)
  }
  if (all.length >= ROUTE53_CIDR_LIMITS.collections) throw new LimitExceededError('cidr-collections', ROUTE53_CIDR_LIMITS.collections, 'CIDR collections')
  const collection = d.put({ kind: 'cidr-collection', id: randomUUID(), name, callerReference, version: 1, locations: {} })
  return { collection, created: true }
}

export interface CidrChange {
  readonly locationName: string
  readonly action: 'PUT' | 'DELETE_IF_EXISTS'
  readonly cidrs: readonly string[]
}

/** A block as Route 53 takes it: a network address with a prefix of /1-/24 (IPv4) or /1-/48 (IPv6); lower case. */
function canonicalBlock(text: string): string {
  const range = parseCidr(text)
  if (!range) throw invalid('CidrList', `${text} is not a valid CIDR block`)
  const prefix = Number(text.slice(text.indexOf('/') + 1))
  const { min, max } = CIDR_PREFIX_RANGE[range.family]
  if (prefix < min || prefix > max) {
    throw invalid('CidrList', `${text}: IPv4 blocks must be /1 to /24 and IPv6 blocks /1 to /48 (the default location "*" covers every other address)`)
  }
  const address = text.slice(0, text.indexOf('/'))
  const again = parseCidr(`${address}/${range.family === 4 ? 32 : 128}`)
  if (again?.low !== range.low) throw invalid('CidrList', `${text} has bits set past its prefix: give the network address`)
  return text.toLowerCase()
}

/** Locations and the record sets that route by them: a location in use keeps at least one block. */
function locationsInUse(d: Draft, collectionId: string): Set<string> {
  const used = new Set<string>()
  for (const r of d.list('record-set')) if (r.cidrRouting?.collectionId === collectionId) used.add(r.cidrRouting.locationName)
  return used
}

/**
 * ChangeCidrCollection: PUT adds blocks to a location (made if new), DELETE_IF_EXISTS removes
 * them (a location left empty goes). A block belongs to one location of the collection. Refused
 * whole when one change is wrong.
 */
export function changeCidrCollection(d: Draft, id: string, changes: readonly CidrChange[]): CidrCollection {
  const collection = findCidrCollection(d, id)
  const locations = new Map(Object.entries(collection.locations).map(([k, v]) => [k, [...v]]))
  for (const change of changes) {
    if (!LOCATION_NAME.test(change.locationName)) throw invalid('LocationName', `LocationName '${change.locationName}' must be 1-16 characters of letters, digits, _ and - (the default location "*" has no blocks)`)
    const blocks = change.cidrs.map(canonicalBlock)
    const current = locations.get(change.locationName) ?? []
    if (change.action === 'PUT') {
      for (const block of blocks) {
        const owner = [...locations].find(([name, list]) => name !== change.locationName && list.includes(block))
        if (owner) throw new InUseError('cidr-block', block, `location ${owner[0]}`)
        if (!current.includes(block)) current.push(block)
      }
      locations.set(change.locationName, current)
    } else {
      const left = current.filter((b) => !blocks.includes(b))
      if (left.length > 0) locations.set(change.locationName, left)
      else locations.delete(change.locationName)
    }
  }
  const total = [...locations.values()].reduce((n, l) => n + l.length, 0)
  if (total > ROUTE53_CIDR_LIMITS.blocksPerCollection) throw new LimitExceededError('cidr-blocks-per-collection', ROUTE53_CIDR_LIMITS.blocksPerCollection, `CIDR blocks in collection ${collection.name}`)
  for (const used of locationsInUse(d, collection.id)) {
    if (used !== DEFAULT_CIDR_LOCATION && !locations.has(used)) throw new InUseError('cidr-block', used, `a record set that routes by location ${used}`)
  }
  return d.put({ ...collection, version: collection.version + 1, locations: Object.fromEntries(locations) })
}

/** DeleteCidrCollection: refused while it holds blocks or a record set routes by it. */
export function deleteCidrCollection(d: Draft, id: string): void {
  const collection = findCidrCollection(d, id)
  const user = d.list('record-set').find((r) => r.cidrRouting?.collectionId === collection.id)
  if (user) throw new InUseError('cidr-collection', collection.id, `record set ${user.name} ${user.type}`)
  if (Object.keys(collection.locations).length > 0) throw new InUseError('cidr-collection', collection.id, 'its CIDR blocks')
  d.remove('cidr-collection', collection.id)
}
