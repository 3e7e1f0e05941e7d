/** One openalb node as it registers itself in a shared store (and as `openalb get nodes` lists it). */
export interface NodeRecord {
  readonly name: string
  readonly zone: string
  /** The address its listeners, DNS server and control endpoint bind; DNS answers it. */
  readonly address: string
  readonly controlUrl: string
  readonly version: string
  /** ISO time the node started. */
  readonly startedAt: string
  readonly workers: number
}
