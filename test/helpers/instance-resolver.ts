import type { TargetResolver } from '../../src/health/resolver.js'
import type { Instance } from '../../src/model/instance.js'

/** For health tests without a runtime: ip targets are their own address; instance targets resolve by instance id or name. */
export function instanceResolver(instances: Iterable<Instance>): TargetResolver {
  const byRef = new Map<string, string>()
  for (const i of instances) {
    byRef.set(i.name, i.address)
    byRef.set(i.id, i.address)
  }
  return (group, target) => (group.targetType === 'ip' ? target.id : byRef.get(target.id))
}
