import type { AwsError } from '../errors.js'
import type { XmlValue } from './xml.js'

/**
 * JSON 1.0 as CloudWatch speaks it, in its AWS Query compatible form: the body is the Query
 * protocol's data as JSON (timestamps as epoch seconds), and an error names its Query code in the
 * x-amzn-query-error header (`Code;Sender`) beside the modeled shape's name in __type, so that
 * clients of either protocol see the same code.
 */

export const JSON_10 = 'application/x-amz-json-1.0'

/** A handler's value with Dates: the JSON protocols write them as epoch seconds. */
export type DatedValue = string | number | boolean | null | undefined | Date | DatedValue[] | { readonly [key: string]: DatedValue }

export function toJsonValue(v: DatedValue): unknown {
  if (v instanceof Date) return v.getTime() / 1000
  if (Array.isArray(v)) return v.map(toJsonValue)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJsonValue(x)
    return out
  }
  return v
}

/** The Query protocol writes Dates as ISO 8601. */
export function toXmlValue(v: Record<string, DatedValue>): Record<string, XmlValue> {
  const conv = (x: DatedValue): XmlValue => {
    if (x instanceof Date) return x.toISOString()
    if (Array.isArray(x)) return x.map(conv)
    if (x !== null && typeof x === 'object') {
      const out: Record<string, XmlValue> = {}
      for (const [k, y] of Object.entries(x)) out[k] = conv(y)
      return out
    }
    return x
  }
  return conv(v) as Record<string, XmlValue>
}

/** CloudWatch's Query error codes -> the model's error shapes (the JSON __type). */
const SHAPES: Readonly<Record<string, string>> = {
  ResourceNotFound: 'ResourceNotFound',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  MissingParameter: 'MissingRequiredParameterException',
  LimitExceeded: 'LimitExceededFault',
  InvalidNextToken: 'InvalidNextToken',
  InvalidFormat: 'InvalidFormatFault',
  InternalServiceError: 'InternalServiceFault',
}

export function cloudwatchJsonError(e: AwsError): { body: string; headers: Record<string, string> } {
  const shape = SHAPES[e.code] ?? e.code
  return {
    body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${shape}`, message: e.message }),
    headers: { 'x-amzn-query-error': `${e.code};${e.type}` },
  }
}


