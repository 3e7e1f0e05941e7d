import type { Instance } from '../model/instance.js'
import type { Target, TargetGroup } from '../model/target-group.js'

/** The address a target is reached at, or undefined when it cannot be (an unknown instance). */
export type TargetResolver = (group: TargetGroup, target: Target) => string | undefined

/** ip targets are their own address; instance targets resolve by instance id or name. */
export function instanceResolver(instances: Iterable<Instance>): TargetResolver {
  const byRef = new Map<string, string>()
  for (const i of instances) {
    byRef.set(i.name, i.address)
    byRef.set(i.id, i.address)
  }
  return (group, target) => (group.targetType === 'ip' ? target.id : byRef.get(target.id))
}
