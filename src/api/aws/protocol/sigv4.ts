import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { AwsError } from '../errors.js'

const ALGORITHM = 'AWS4-HMAC-SHA256'
/** AWS refuses header signatures dated more than 15 minutes from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000

export interface SignedRequest {
  readonly method: string
  /** The request target as sent: path and query, still percent-encoded. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

interface Signature {
  readonly form: 'header' | 'query'
  readonly accessKeyId: string
  readonly date: string
  readonly region: string
  readonly service: string
  readonly amzDate: string
  readonly signedHeaders: readonly string[]
  readonly signature: string
  readonly expiresSeconds?: number
}

function credentialScope(req: SignedRequest): string[] | undefined {
  const auth = header(req.headers, 'authorization')
  const credential = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : new URL(req.url, 'http://x').searchParams.get('X-Amz-Credential')
  return credential?.split('/')
}

/** The credential scope's service name (elasticloadbalancing, acm, route53, ec2), if the request is signed. */
export function signingService(req: SignedRequest): string | undefined {
  return credentialScope(req)?.[3]
}

/** The credential scope's region (us-east-1), if the request is signed: the region the caller addresses. */
export function signingRegion(req: SignedRequest): string | undefined {
  const region = credentialScope(req)?.[2]
  return region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined
}

/**
 * Checks a SigV4 signature (Authorization header or presigned query string) against the
 * configured access keys. Returns the refusal to send, or undefined when the signature holds.
 */
export function verifySigV4(req: SignedRequest, keys: ReadonlyMap<string, string>, now: Date): AwsError | undefined {
  const parsed = parseSignature(req)
  if (parsed === 'missing') return new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403)
  if (typeof parsed === 'string') return new AwsError('IncompleteSignature', parsed, 400)
  const secret = keys.get(parsed.accessKeyId)
  if (secret === undefined) return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
  const signedAt = parseAmzDate(parsed.amzDate)
  if (!signedAt) return new AwsError('IncompleteSignature', `X-Amz-Date '${parsed.amzDate}' is not in the form YYYYMMDD'T'HHMMSS'Z'`, 400)
  if (parsed.form === 'header' && Math.abs(now.getTime() - signedAt.getTime()) > MAX_SKEW_MS) {
    return new AwsError('SignatureDoesNotMatch', `Signature expired: ${parsed.amzDate} is now earlier or later than 15 minutes from ${toAmzDate(now)}.`, 403)
  }
  if (parsed.form === 'query' && parsed.expiresSeconds !== undefined && now.getTime() > signedAt.getTime() + parsed.expiresSeconds * 1000) {
    return new AwsError('SignatureDoesNotMatch', `Signature expired: the request was valid until ${toAmzDate(new Date(signedAt.getTime() + parsed.expiresSeconds * 1000))}.`, 403)
  }
  if (!parsed.signedHeaders.includes('host')) return new AwsError('IncompleteSignature', 'the host header must be signed', 400)
  const hashes = [header(req.headers, 'x-amz-content-sha256') ?? sha256(req.body)]
  if (parsed.form === 'query') hashes.push('UNSIGNED-PAYLOAD')
  for (const payloadHash of hashes) {
    const expected = signatureFor(req, parsed, secret, payloadHash)
    if (safeEqual(expected, parsed.signature)) return undefined
  }
  return new AwsError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    403,
  )
}

function parseSignature(req: SignedRequest): Signature | string {
  const auth = header(req.headers, 'authorization')
  if (auth !== undefined) {
    if (!auth.startsWith(`${ALGORITHM} `)) return `Authorization header requires the ${ALGORITHM} algorithm`
    const fields = new Map<string, string>()
    for (const part of auth.slice(ALGORITHM.length).split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
    const credential = fields.get('Credential')
    const signedHeaders = fields.get('SignedHeaders')
    const signature = fields.get('Signature')
    const amzDate = header(req.headers, 'x-amz-date') ?? ''
    if (!credential || !signedHeaders || !signature) {
      return `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${auth.split(' ')[0] ?? ''}`
    }
    if (!amzDate) return `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`
    return fromCredential('header', credential, amzDate, signedHeaders, signature)
  }
  const q = new URL(req.url, 'http://x').searchParams
  if (!q.has('X-Amz-Signature') && !q.has('X-Amz-Credential')) return 'missing'
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) return `X-Amz-Algorithm must be ${ALGORITHM}`
  const credential = q.get('X-Amz-Credential')
  const signedHeaders = q.get('X-Amz-SignedHeaders')
  const signature = q.get('X-Amz-Signature')
  const amzDate = q.get('X-Amz-Date')
  if (!credential || !signedHeaders || !signature || !amzDate) {
    return 'a presigned request needs X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature'
  }
  const expires = q.get('X-Amz-Expires')
  const parsed = fromCredential('query', credential, amzDate, signedHeaders, signature)
  if (typeof parsed === 'string' || expires === null) return parsed
  return { ...parsed, expiresSeconds: Number(expires) }
}

function fromCredential(form: Signature['form'], credential: string, amzDate: string, signedHeaders: string, signature: string): Signature | string {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts[4] !== 'aws4_request') {
    return `Credential should be scoped to a valid region, not '${parts[2] ?? ''}'. Credential should be of the form <key>/<date>/<region>/<service>/aws4_request`
  }
  const [accessKeyId = '', date = '', region = '', service = ''] = parts
  if (amzDate.slice(0, 8) !== date) return `Credential should be scoped to the date of X-Amz-Date (${amzDate.slice(0, 8)}), not ${date}`
  return { form, accessKeyId, date, region, service, amzDate, signedHeaders: signedHeaders.split(';'), signature }
}

function signatureFor(req: SignedRequest, s: Signature, secret: string, payloadHash: string): string {
  const target = new URL(req.url, 'http://x')
  const rawPath = req.url.split('?')[0] ?? '/'
  const canonicalHeaders = s.signedHeaders.map((h) => `${h}:${headerValues(req.headers, h)}\n`).join('')
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(target.searchParams, s.form === 'query'),
    canonicalHeaders,
    s.signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
  const scope = `${s.date}/${s.region}/${s.service}/aws4_request`
  const stringToSign = [ALGORITHM, s.amzDate, scope, sha256(canonicalRequest)].join('\n')
  let key: Buffer = hmac(`AWS4${secret}`, s.date)
  for (const part of [s.region, s.service, 'aws4_request']) key = hmac(key, part)
  return createHmac('sha256', key).update(stringToSign).digest('hex')
}

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Services other than S3 sign the path encoded once more, segment by segment, after normalising it. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = []
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') segments.pop()
    else segments.push(seg)
  }
  const path = `/${segments.join('/')}${rawPath.endsWith('/') && segments.length > 0 ? '/' : ''}`
  return path.split('/').map(uriEncode).join('/')
}

function canonicalQuery(q: URLSearchParams, presigned: boolean): string {
  const pairs: [string, string][] = []
  for (const [k, v] of q) if (!(presigned && k === 'X-Amz-Signature')) pairs.push([uriEncode(k), uriEncode(v)])
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v.join(',') : v
}

function headerValues(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name]
  const values = Array.isArray(v) ? v : v === undefined ? [] : [v]
  return values.map((x) => x.trim().replace(/\s+/g, ' ')).join(',')
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (!m) return undefined
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
}

export const toAmzDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
