import type { Call } from '../deps.js'
import type { XmlValue } from '../protocol/xml.js'
import type { Draft } from '../../../control/draft.js'

export type ElbResult = Record<string, XmlValue> | undefined
export type ElbHandler = (call: Call) => Promise<ElbResult>

export async function mutate<T>(call: Call, fn: (d: Draft) => T): Promise<T> {
  return (await call.deps.control.mutate(fn)).value
}

export const view = (call: Call): Promise<Draft> => call.deps.control.view()
