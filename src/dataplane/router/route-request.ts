import type { IpAddress } from '../../lib/cidr.js'

/** What the router reads of a request; the connection keeps one and refills it per request. */
export interface RouteRequest {
  method: string
  /** The path without the query, as sent. */
  path: string
  /** The raw query without `?` ('' when absent). */
  query: string
  /** The first Host header, lower-cased, without its port ('' when absent). */
  host: string
  headerNames: readonly string[]
  headerValues: readonly string[]
  /** The TCP peer address (never X-Forwarded-For). */
  source: IpAddress | undefined
}
