import type { Call } from '../deps.js'
import type { XmlValue } from '../protocol/xml.js'
import type { Draft } from '../../../control/draft.js'

export type ElbResult = Record<string, XmlValue> | undefined
export type ElbHandler = (call: Call) => Promise<ElbResult>

export async function mutate<T>(call: Call, fn: (d: Draft) => T): Promise<T> {
  return (await call.deps.control.mutate(fn)).value
}

/** The state as the caller's region sees it (other regions' balancers, groups and the rest are not there). */
export const view = (call: Call): Promise<Draft> => call.deps.control.view(call.region)
