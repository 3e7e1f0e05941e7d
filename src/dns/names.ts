/** Helpers on fqdn names (lower case, trailing dot), as model/hosted-zone.ts stores them. */

/** The name one label up: "a.b.test." -> "b.test.", "test." -> ".", "." -> undefined. */
export function parentName(name: string): string | undefined {
  if (name === '.') return undefined
  const dot = name.indexOf('.')
  return dot === name.length - 1 ? '.' : name.slice(dot + 1)
}

/** Whether name is zone or below it. */
export function isAtOrBelow(name: string, zone: string): boolean {
  return zone === '.' || name === zone || (name.endsWith(zone) && name[name.length - zone.length - 1] === '.')
}
