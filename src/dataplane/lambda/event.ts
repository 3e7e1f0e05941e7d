import { statusText } from '../status-text.js'

/**
 * ALB's Lambda event and the function's answer, as ALB defines them
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html).
 */

/** ALB's limits: 1 MB of request body, 1 MB of response JSON. */
export const LAMBDA_BODY_LIMIT_BYTES = 1024 * 1024

/** What the gateway read of one request. */
export interface LambdaRequest {
  readonly method: string
  /** The request target as sent: path and query. */
  readonly target: string
  /** rawHeaders: name, value, name, value ... */
  readonly rawHeaders: readonly string[]
  readonly body: Buffer
}

/** Hop-by-hop headers of the balancer's own connection to the gateway, not the client's. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-connection'])

/** Bodies ALB passes as text; every other body (or any with a content-encoding) is base64. */
const TEXT = /^\s*(text\/|application\/(json|javascript|xml)\s*(;|$))/i

/** The event of one request; `multiValue`: the group's lambda.multi_value_headers.enabled. */
export function lambdaEvent(groupArn: string, req: LambdaRequest, multiValue: boolean, healthCheck: boolean): string {
  const q = req.target.indexOf('?')
  const path = q < 0 ? req.target : req.target.slice(0, q)
  const query = q < 0 ? '' : req.target.slice(q + 1)
  // ALB passes names and values as the client sent them: not decoded (the function decodes them).
  const params: [string, string][] = []
  if (query !== '') {
    for (const part of query.split('&')) {
      if (part === '') continue
      const eq = part.indexOf('=')
      params.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)])
    }
  }
  const headers: [string, string][] = []
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase()
    if (HOP.has(name)) continue
    // ALB's health check event carries only its User-Agent.
    if (healthCheck && name !== 'user-agent') continue
    headers.push([name, req.rawHeaders[i + 1] as string])
  }
  let contentType = ''
  let encoded = false
  for (const [n, v] of headers) {
    if (n === 'content-type') contentType = v
    else if (n === 'content-encoding') encoded = true
  }
  const text = req.body.length === 0 || (!encoded && TEXT.test(contentType))
  const event: Record<string, unknown> = { requestContext: { elb: { targetGroupArn: groupArn } }, httpMethod: req.method, path }
  if (multiValue) {
    event.multiValueQueryStringParameters = group(params)
    event.multiValueHeaders = group(headers)
  } else {
    // One value per name: the last one sent, as ALB does.
    event.queryStringParameters = Object.fromEntries(params)
    event.headers = Object.fromEntries(headers)
  }
  event.body = text ? req.body.toString('utf8') : req.body.toString('base64')
  event.isBase64Encoded = !text
  return JSON.stringify(event)
}

function group(pairs: readonly [string, string][]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of pairs) {
    const list = Object.hasOwn(out, k) ? out[k] : undefined
    if (list) list.push(v)
    else out[k] = [v]
  }
  return out
}

/** What the balancer answers for a function's result; undefined when it is not a valid ALB answer (502 LambdaInvalidResponse). */
export interface LambdaResponse {
  readonly status: number
  readonly reason: string
  /** Names and values, repeated names kept. */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Buffer
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
// eslint-disable-next-line no-control-regex
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const scalar = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined)

/** Reads the function's answer: statusCode, statusDescription, headers or multiValueHeaders, body, isBase64Encoded. */
export function lambdaResponse(payload: string, multiValue: boolean): LambdaResponse | undefined {
  let value: unknown
  try {
    value = JSON.parse(payload)
  } catch {
    return undefined
  }
  if (!isRecord(value)) return undefined
  const status = value.statusCode
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) return undefined
  let reason = statusText(status)
  if (value.statusDescription !== undefined) {
    if (typeof value.statusDescription !== 'string') return undefined
    // "200 OK": the code, then the reason phrase.
    const m = /^\d{3}\s+(.*)$/.exec(value.statusDescription)
    reason = m?.[1] ?? value.statusDescription
    if (BAD_VALUE.test(reason)) return undefined
  }
  const headers: [string, string][] = []
  const single = value.headers
  const multi = value.multiValueHeaders
  if (multiValue && multi !== undefined && multi !== null) {
    if (!isRecord(multi)) return undefined
    for (const [name, list] of Object.entries(multi)) {
      if (!Array.isArray(list)) return undefined
      for (const v of list) {
        const s = scalar(v)
        if (s === undefined) return undefined
        headers.push([name, s])
      }
    }
  } else if (single !== undefined && single !== null) {
    // Without multi-value headers ALB reads headers (and with them, a function that sends only headers).
    if (!isRecord(single)) return undefined
    for (const [name, v] of Object.entries(single)) {
      const s = scalar(v)
      if (s === undefined) return undefined
      headers.push([name, s])
    }
  }
  for (const [name, v] of headers) if (!TOKEN.test(name) || BAD_VALUE.test(v)) return undefined
  let body = Buffer.alloc(0)
  if (value.body !== undefined && value.body !== null) {
    if (typeof value.body !== 'string') return undefined
    if (value.isBase64Encoded !== undefined && typeof value.isBase64Encoded !== 'boolean') return undefined
    body = value.isBase64Encoded === true ? Buffer.from(value.body, 'base64') : Buffer.from(value.body, 'utf8')
  }
  return { status, reason, headers, body }
}
