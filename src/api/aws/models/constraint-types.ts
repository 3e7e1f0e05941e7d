/** One shape of a botocore model, trimmed to what input validation reads. */
export interface ConstraintShape {
  /** structure, list, map, string, integer, long, boolean, timestamp, blob, double. */
  readonly t: string
  readonly min?: number
  readonly max?: number
  readonly pattern?: string
  readonly enum?: readonly string[]
  /** Structure members: [shape] or [shape, location (uri, querystring, header), wire name]. */
  readonly m?: Readonly<Record<string, readonly string[]>>
  /** Required members. */
  readonly r?: readonly string[]
  /** List member: [shape] or [shape, the XML element name of each item]. */
  readonly l?: readonly string[]
  readonly k?: string
  readonly v?: string
}

export interface ServiceConstraints {
  /** Operation -> its input shape. */
  readonly ops: Readonly<Record<string, string>>
  readonly shapes: Readonly<Record<string, ConstraintShape>>
}
