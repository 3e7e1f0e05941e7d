/**
 * Regions and availability zones as openalb answers them: every region has three zones, a, b and
 * c, whose zone ids follow AWS's form (use1-az1 for us-east-1a). Zones follow the caller's region.
 */

/** The commercial regions DescribeRegions lists (a caller signing for another region sees it too). */
export const REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  'me-south-1', 'af-south-1',
]

export const ZONE_LETTERS = ['a', 'b', 'c'] as const

export interface AvailabilityZone {
  /** us-east-1a */
  readonly name: string
  /** use1-az1 */
  readonly id: string
  readonly region: string
}

const DIRECTIONS: Record<string, string> = {
  north: 'n', south: 's', east: 'e', west: 'w', central: 'c',
  northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
}

/** AWS's short form of a region in zone ids: us-east-1 -> use1, ap-southeast-2 -> apse2. */
export function regionCode(region: string): string {
  const parts = region.split('-')
  if (parts.length !== 3) return region.replace(/-/g, '')
  const [geo = '', direction = '', n = ''] = parts
  return `${geo}${DIRECTIONS[direction] ?? direction.charAt(0)}${n}`
}

/** A region name as AWS spells them (us-east-1, eu-central-2, us-gov-west-1 is not served). */
export const isRegionName = (text: string): boolean => /^[a-z]{2}-[a-z]+-\d$/.test(text)

export function zonesOf(region: string): AvailabilityZone[] {
  const code = regionCode(region)
  return ZONE_LETTERS.map((letter, i) => ({ name: `${region}${letter}`, id: `${code}-az${i + 1}`, region }))
}

/** The zone a name (us-east-1a) or a zone id (use1-az1) stands for in a region. */
export function findZone(region: string, ref: string): AvailabilityZone | undefined {
  return zonesOf(region).find((z) => z.name === ref || z.id === ref)
}

/** The region a zone name belongs to (us-east-1a -> us-east-1). */
export function regionOfZone(zone: string): string {
  return zone.replace(/[a-z]$/, '')
}
