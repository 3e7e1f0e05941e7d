import { parseCidr } from '../lib/cidr.js'
import { CONTINENTS, COUNTRIES, geoLocationProblem } from '../model/geo-locations.js'
import { CidrMatcher, type ClientSubnet } from './cidr-match.js'

/** Where a client is, as the table says: its continent, country and (US) state. */
export interface GeoPlace {
  readonly continentCode: string
  readonly countryCode: string
  readonly subdivisionCode?: string | undefined
}

/**
 * openalb's source of client locations for geolocation routing (`openalb up --geo-table FILE`):
 * lines `CIDR,CONTINENT,COUNTRY[,US-STATE]` (`203.0.113.0/24,EU,DE`, `198.51.100.0/24,NA,US,WA`),
 * `#` comments. The longest block that holds the client (its EDNS client subnet, else its source
 * address) places it; a client no block holds has no known location and gets the default ("*")
 * record, as Route 53 answers a client it cannot place.
 */
export class GeoTable {
  private readonly matcher: CidrMatcher
  constructor(private readonly places: readonly GeoPlace[], blocks: readonly string[]) {
    const locations: Record<string, string[]> = {}
    blocks.forEach((b, i) => (locations[String(i)] = [b]))
    this.matcher = new CidrMatcher({ locations })
  }

  get size(): number {
    return this.places.length
  }

  locate(client: ClientSubnet): GeoPlace | undefined {
    const found = this.matcher.match(client)
    return found ? this.places[Number(found.location)] : undefined
  }
}

/** Parses a table file; errors name FILE:LINE. */
export function parseGeoTable(text: string, file: string): { ok: true; table: GeoTable } | { ok: false; errors: string[] } {
  const places: GeoPlace[] = []
  const blocks: string[] = []
  const errors: string[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim()
    if (line === '') return
    const at = `${file}:${i + 1}`
    const [cidr = '', continentCode = '', countryCode = '', subdivisionCode, ...rest] = line.split(',').map((f) => f.trim())
    if (rest.length > 0) return void errors.push(`${at}: expected CIDR,CONTINENT,COUNTRY[,US-STATE], got ${rest.length + 4} fields`)
    if (!parseCidr(cidr)) return void errors.push(`${at}: ${cidr} is not a CIDR block`)
    if (!CONTINENTS.some(([c]) => c === continentCode)) return void errors.push(`${at}: ${continentCode} is not a continent code (${CONTINENTS.map(([c]) => c).join(', ')})`)
    if (!COUNTRIES.some(([c]) => c === countryCode)) return void errors.push(`${at}: ${countryCode} is not an ISO 3166-1 country code`)
    const problem = geoLocationProblem({ countryCode, subdivisionCode: subdivisionCode || undefined })
    if (problem) return void errors.push(`${at}: ${problem}`)
    places.push({ continentCode, countryCode, ...(subdivisionCode ? { subdivisionCode } : {}) })
    blocks.push(cidr.toLowerCase())
  })
  return errors.length > 0 ? { ok: false, errors } : { ok: true, table: new GeoTable(places, blocks) }
}
