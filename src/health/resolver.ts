import type { Target, TargetGroup } from '../model/target-group.js'

/**
 * The address a target is reached at, or undefined when it cannot be (an unknown instance). The
 * runtime gives health the same resolution the data plane's snapshot was compiled with.
 */
export type TargetResolver = (group: TargetGroup, target: Target) => string | undefined
