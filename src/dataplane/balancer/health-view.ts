/**
 * What the balancer reads of target health; health/ implements it structurally. The data plane
 * caches the answer per target and re-reads it when told a target changed (Dataplane.healthChanged).
 */
export interface HealthView {
  isRoutable(targetGroupArn: string, targetKey: string): boolean
}

/** Every target routable: for tests and for groups nobody checks. */
export const ALL_ROUTABLE: HealthView = { isRoutable: () => true }
