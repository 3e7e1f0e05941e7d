import type { Tags } from './schema-util.js'

/** A route added to a table (the VPC's local route is implied by the VPC's range). */
export interface Route {
  readonly destinationCidrBlock: string
  /** An internet gateway id, or `local`. */
  readonly gatewayId: string
  readonly origin: 'CreateRouteTable' | 'CreateRoute'
}

export interface RouteTableAssociation {
  /** rtbassoc-... */
  readonly id: string
  /** Absent on the main table's own association. */
  readonly subnetId?: string | undefined
}

/**
 * A route table: stored and described with AWS's shapes; openalb does not route by it. Every VPC
 * has a main table (created and deleted with it); a subnet is associated with at most one table.
 */
export interface RouteTable {
  readonly kind: 'route-table'
  readonly id: string
  readonly region: string
  readonly vpcId: string
  readonly main: boolean
  readonly routes: readonly Route[]
  readonly associations: readonly RouteTableAssociation[]
  readonly tags: Tags
}
