import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIP } from 'node:net'
import { ACM_OPERATIONS, ACM_TARGET_PREFIX } from './acm/operations.js'
import { refuseOtherRegions } from './regions.js'
import { AUTOSCALING_NAMESPACE, AUTOSCALING_OPERATIONS, AUTOSCALING_VERSION } from './autoscaling/operations.js'
import { CLOUDWATCH_NAMESPACE, CLOUDWATCH_OPERATIONS, CLOUDWATCH_TARGET_PREFIX, CLOUDWATCH_VERSION } from './cloudwatch/operations.js'
import { cloudwatchJsonError, JSON_10, toJsonValue, toXmlValue } from './protocol/json-1.0.js'
import { cborTextMap, isRpcV2Cbor } from './protocol/rpc-v2-cbor.js'
import type { AwsApiDeps, Call } from './deps.js'
import { EC2_NAMESPACE, EC2_OPERATIONS, EC2_VERSION } from './ec2/operations.js'
import { classicRefusal, ELB_CLASSIC_NAMESPACE, ELB_CLASSIC_VERSION, ELB_OPERATIONS } from './elb/classic.js'
import { ELBV2_NAMESPACE, ELBV2_OPERATIONS, ELBV2_VERSION } from './elbv2/operations.js'
import { TRUST_STORE_DOWNLOAD_PREFIX, trustStoreDownload } from './elbv2/trust-stores.js'
/** Where the control endpoint serves authenticate-oidc's public keys (dataplane/auth/keys.ts signs with them). */
export const PUBLIC_KEYS_PREFIX = '/_openalb/public-keys/'
import { AwsError, invalid, toAwsError } from './errors.js'
import type { AwsService } from './service.js'
import { checkModelInput } from './models/check.js'
import { JSON_11, jsonError, jsonOperation, parseJsonBody } from './protocol/json-1.1.js'
import { Params } from './protocol/params.js'
import { ec2Error, ec2Response, parseQueryParams, queryError, queryResponse } from './protocol/query.js'
import { restXmlError } from './protocol/rest-xml.js'
import { signingRegion, signingService, verifySigV4 } from './protocol/sigv4.js'
import { STS_NAMESPACE, STS_OPERATIONS, STS_VERSION } from './sts/operations.js'
import { ROUTE53_NAMESPACE, ROUTE53_PREFIX, routeRoute53 } from './route53/routes.js'
import { isLambdaPath, lambdaErrorBody, routeLambda } from './lambda/routes.js'

export type { AwsApiDeps, TargetHealthDescription, SslPolicyDescription } from './deps.js'
export { validationRecordFor } from '../../model/certificate-validation.js'

export interface AwsApi {
  /** Answers one request whose body has been read. Never throws. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>
  /** Whether a request is for this API (so a shared endpoint can route the rest elsewhere). */
  accepts(req: IncomingMessage): boolean
}

/** SigV4 credential scope service names -> services. */
const SCOPE: Record<string, AwsService> = { elasticloadbalancing: 'elbv2', ec2: 'ec2', acm: 'acm', route53: 'route53', autoscaling: 'autoscaling', lambda: 'lambda', sts: 'sts', monitoring: 'cloudwatch' }

/** The control API must not face a network without keys: the endpoint refuses such a bind. */
export function assertSafeBind(host: string, accessKeys: ReadonlyMap<string, string> | undefined): void {
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
  if (!loopback && (!accessKeys || accessKeys.size === 0)) {
    throw new Error(`the AWS API may bind ${host} only with access keys configured (it binds loopback without them): set OPENALB_ACCESS_KEYS=AKID:SECRET, or bind --control 127.0.0.1:PORT`)
  }
}

interface Reply {
  status: number
  contentType: string
  body: string
  headers?: Record<string, string>
}

export function createAwsApi(deps: AwsApiDeps): AwsApi {
  const now = deps.now ?? (() => new Date())

  function detect(req: IncomingMessage, query: URLSearchParams, form: URLSearchParams | undefined): AwsService | undefined {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const scope = signingService({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.alloc(0) })
    if (path.startsWith(ROUTE53_PREFIX) && (scope === undefined || scope === 'route53')) return 'route53'
    if (isLambdaPath(path) && (scope === undefined || scope === 'lambda')) return 'lambda'
    const target = req.headers['x-amz-target']
    if (typeof target === 'string' && target.startsWith(`${ACM_TARGET_PREFIX}.`)) return 'acm'
    if (typeof target === 'string' && target.startsWith(`${CLOUDWATCH_TARGET_PREFIX}.`)) return 'cloudwatch'
    const action = form?.get('Action') ?? query.get('Action')
    if (!action) return scope ? SCOPE[scope] : undefined
    const version = form?.get('Version') ?? query.get('Version')
    // The Classic API (elb) shares ELBv2's signing name and operation names: only Version tells them apart.
    if (version === ELB_CLASSIC_VERSION) return 'elb'
    if (version === ELBV2_VERSION) return 'elbv2'
    if (version === EC2_VERSION) return 'ec2'
    if (version === AUTOSCALING_VERSION) return 'autoscaling'
    if (version === STS_VERSION) return 'sts'
    if (version === CLOUDWATCH_VERSION) return 'cloudwatch'
    if (scope && SCOPE[scope]) return SCOPE[scope]
    if (action in EC2_OPERATIONS && !(action in ELBV2_OPERATIONS)) return 'ec2'
    return 'elbv2'
  }

  async function serve(req: IncomingMessage, body: Buffer, requestId: string): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const contentType = String(req.headers['content-type'] ?? '')
    const form = req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body.toString('utf8')) : undefined
    const service = detect(req, url.searchParams, form)
    const region = signingRegion({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.alloc(0) }) ?? deps.control.partition.region
    if (!service) return errorReply('elbv2', new AwsError('InvalidAction', `no AWS operation is served at ${req.method ?? 'GET'} ${url.pathname}`), requestId)
    try {
      if (deps.accessKeys && deps.accessKeys.size > 0) {
        const refusal = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, deps.accessKeys, now())
        if (refusal) throw service === 'acm' || service === 'lambda' || (service === 'cloudwatch' && !form) ? jsonAuthError(refusal) : refusal
      }
      switch (service) {
        case 'sts': {
          const all = queryAndForm(url, form)
          const action = all.get('Action') ?? ''
          const op = Object.hasOwn(STS_OPERATIONS, action) ? STS_OPERATIONS[action] : undefined
          if (!op) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service`)
          const result = await op({ deps, requestId, region, params: new Params(parseQueryParams(all), invalid(service)) })
          return { status: 200, contentType: 'text/xml', body: queryResponse(STS_NAMESPACE, action, result, requestId) }
        }
        case 'autoscaling': {
          const all = queryAndForm(url, form)
          const action = all.get('Action') ?? ''
          const op = Object.hasOwn(AUTOSCALING_OPERATIONS, action) ? AUTOSCALING_OPERATIONS[action] : undefined
          if (!op) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service`)
          const params = new Params(parseQueryParams(all), invalid(service))
          checkModelInput('autoscaling', action, params.raw)
          const result = await op({ deps, requestId, region, params })
          return { status: 200, contentType: 'text/xml', body: queryResponse(AUTOSCALING_NAMESPACE, action, result, requestId) }
        }
        case 'elb': {
          const all = new URLSearchParams(url.searchParams)
          if (form) for (const [k, v] of form) all.append(k, v)
          const action = all.get('Action') ?? ''
          const op = Object.hasOwn(ELB_OPERATIONS, action) ? ELB_OPERATIONS[action] : undefined
          if (!op) throw classicRefusal(action)
          const params = new Params(parseQueryParams(all), invalid(service))
          checkModelInput('elb', action, params.raw)
          const result = await op({ deps, requestId, region, params })
          return { status: 200, contentType: 'text/xml', body: queryResponse(ELB_CLASSIC_NAMESPACE, action, result, requestId) }
        }
        case 'cloudwatch': {
          // AWS CLI v2 (2.9) sends Query; the SDK v3 and CLI v1 send JSON 1.0 in its AWS Query compatible form.
          const target = req.headers['x-amz-target']
          const json = typeof target === 'string'
          let action: string
          let raw: Record<string, unknown>
          if (json) {
            action = jsonOperation(target, CLOUDWATCH_TARGET_PREFIX) ?? ''
            raw = parseJsonBody(body, 'ValidationError')
          } else {
            const all = queryAndForm(url, form)
            action = all.get('Action') ?? ''
            raw = parseQueryParams(all)
          }
          const op = Object.hasOwn(CLOUDWATCH_OPERATIONS, action) ? CLOUDWATCH_OPERATIONS[action] : undefined
          if (!op) throw new AwsError(json ? 'UnknownOperationException' : 'InvalidAction', json ? `${action} is not an operation openalb supports` : `The action ${action} is not valid for this web service`)
          const params = new Params(raw, invalid(service))
          checkModelInput('cloudwatch', action, params.raw)
          const result = await op({ deps, requestId, region, params })
          if (json) return { status: 200, contentType: JSON_10, body: JSON.stringify(toJsonValue(result ?? {})) }
          return { status: 200, contentType: 'text/xml', body: queryResponse(CLOUDWATCH_NAMESPACE, action, result === undefined ? undefined : toXmlValue(result), requestId) }
        }
        case 'elbv2':
        case 'ec2': {
          const all = queryAndForm(url, form)
          const action = all.get('Action') ?? ''
          const ops: Readonly<Record<string, (call: Call) => Promise<unknown>>> = service === 'elbv2' ? ELBV2_OPERATIONS : EC2_OPERATIONS
          const op = Object.hasOwn(ops, action) ? ops[action] : undefined
          if (!op) throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service`)
          const call = { deps, requestId, region, host: req.headers.host, params: new Params(parseQueryParams(all), invalid(service)) }
          if (service === 'elbv2') {
            checkModelInput('elbv2', action, call.params.raw)
            refuseOtherRegions(call.params.raw, region)
          }
          const result = (await op(call)) as Record<string, never> | undefined
          const xml = service === 'elbv2' ? queryResponse(ELBV2_NAMESPACE, action, result, requestId) : ec2Response(EC2_NAMESPACE, action, result ?? {}, requestId)
          return { status: 200, contentType: 'text/xml', body: xml }
        }
        case 'acm': {
          const name = jsonOperation(String(req.headers['x-amz-target'] ?? ''), ACM_TARGET_PREFIX) ?? ''
          const op = Object.hasOwn(ACM_OPERATIONS, name) ? ACM_OPERATIONS[name] : undefined
          if (!op) throw new AwsError('UnknownOperationException', `${name} is not an operation openalb supports`)
          const params = new Params(parseJsonBody(body, 'ValidationException'), invalid('acm'))
          checkModelInput('acm', name, params.raw)
          refuseOtherRegions(params.raw, region)
          const result = await op({ deps, requestId, region, params })
          return { status: 200, contentType: JSON_11, body: JSON.stringify(result ?? {}) }
        }
        case 'route53': {
          const r = await routeRoute53(req.method ?? 'GET', url, body, { deps, requestId })
          return { status: r.status, contentType: 'text/xml', body: r.body, headers: r.headers }
        }
        case 'lambda': {
          const r = await routeLambda(req.method ?? 'GET', url, body, req.headers, { deps, requestId })
          return { status: r.status, contentType: r.contentType ?? 'application/json', body: r.body, headers: r.headers }
        }
      }
    } catch (e) {
      const { error, unexpected } = toAwsError(service, e)
      if (unexpected) deps.log?.error({ err: e, requestId, service }, 'AWS API request failed unexpectedly')
      return errorReply(service, error, requestId, typeof req.headers['x-amz-target'] === 'string')
    }
  }

  return {
    accepts(req) {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      if (path.startsWith(ROUTE53_PREFIX) || isLambdaPath(path) || path.startsWith(TRUST_STORE_DOWNLOAD_PREFIX) || path.startsWith(PUBLIC_KEYS_PREFIX)) return true
      if (typeof req.headers['x-amz-target'] === 'string' || isRpcV2Cbor(path, req.headers)) return true
      if (path !== '/') return false
      const auth = req.headers.authorization
      return req.method === 'POST' || (req.url ?? '').includes('Action=') || (typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256'))
    },
    async handle(req, res, body) {
      const requestId = randomUUID()
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      if (path.startsWith(PUBLIC_KEYS_PREFIX)) {
        // ALB's https://public-keys.auth.elb.REGION.amazonaws.com/KID: the key x-amzn-oidc-data is signed with, as PEM.
        const pem = req.method === 'GET' ? deps.authPublicKey?.(path.slice(PUBLIC_KEYS_PREFIX.length)) : undefined
        res.writeHead(pem === undefined ? 404 : 200, { 'content-type': pem === undefined ? 'text/plain' : 'application/x-pem-file', 'x-amz-request-id': requestId })
        res.end(pem ?? 'NotFound: no signing key has this key id\n')
        return
      }
      if (path.startsWith(TRUST_STORE_DOWNLOAD_PREFIX)) {
        // The Location GetTrustStoreCaCertificatesBundle / GetTrustStoreRevocationContent answer (AWS: a presigned S3 URL).
        const pem = req.method === 'GET' ? await trustStoreDownload({ deps }, path) : undefined
        res.writeHead(pem === undefined ? 404 : 200, { 'content-type': pem === undefined ? 'text/plain' : 'application/x-pem-file', 'x-amz-request-id': requestId })
        res.end(pem ?? 'NoSuchKey: the trust store or revocation does not exist\n')
        return
      }
      if (isRpcV2Cbor(path, req.headers)) {
        // A Smithy RPC v2 CBOR client (CloudWatch's first protocol): refused in its own encoding, nothing done.
        const operation = path.split('/').pop() ?? ''
        const cbor = cborTextMap({
          __type: 'com.amazonaws.cloudwatch#InvalidAction',
          message: `openalb speaks CloudWatch's Query and JSON 1.0 protocols, not rpc-v2-cbor: ${operation} was not run. Configure the client for the JSON protocol (the SDK v3 and AWS CLI v1 use it) or Query (AWS CLI v2).`,
        })
        res.writeHead(400, { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', 'content-length': cbor.length, 'x-amzn-requestid': requestId, 'x-amzn-query-error': 'InvalidAction;Sender' })
        res.end(cbor)
        return
      }
      const reply = await serve(req, body, requestId)
      if (reply.status >= 400) deps.log?.info({ requestId, status: reply.status, method: req.method, url: req.url }, 'AWS API request refused')
      res.writeHead(reply.status, {
        'content-type': reply.contentType,
        'content-length': Buffer.byteLength(reply.body),
        'x-amzn-requestid': requestId,
        'x-amz-request-id': requestId,
        ...reply.headers,
      })
      res.end(reply.body)
    },
  }
}

/** A Query request's parameters: the URL's and the form body's together. */
function queryAndForm(url: URL, form: URLSearchParams | undefined): URLSearchParams {
  const all = new URLSearchParams(url.searchParams)
  if (form) for (const [k, v] of form) all.append(k, v)
  return all
}

function errorReply(service: AwsService, error: AwsError, requestId: string, json = false): Reply {
  switch (service) {
    case 'cloudwatch': {
      const e = error.code === 'InternalFailure' ? new AwsError('InternalServiceError', error.message, 500) : error
      if (!json) return { status: e.status, contentType: 'text/xml', body: queryError(CLOUDWATCH_NAMESPACE, e, requestId) }
      const { body, headers } = cloudwatchJsonError(e)
      return { status: e.status, contentType: JSON_10, body, headers }
    }
    case 'elbv2':
      return { status: error.status, contentType: 'text/xml', body: queryError(ELBV2_NAMESPACE, error, requestId) }
    case 'elb':
      return { status: error.status, contentType: 'text/xml', body: queryError(ELB_CLASSIC_NAMESPACE, error, requestId) }
    case 'ec2':
      return { status: error.status, contentType: 'text/xml', body: ec2Error(error, requestId) }
    case 'autoscaling':
      return { status: error.status, contentType: 'text/xml', body: queryError(AUTOSCALING_NAMESPACE, error, requestId) }
    case 'sts':
      return { status: error.status, contentType: 'text/xml', body: queryError(STS_NAMESPACE, error, requestId) }
    case 'acm':
      return { status: error.status, contentType: JSON_11, body: jsonError(error) }
    case 'route53':
      return { status: error.status, contentType: 'text/xml', body: restXmlError(ROUTE53_NAMESPACE, error, requestId) }
    case 'lambda': {
      // Lambda calls its unexpected failure ServiceException.
      const e = error.code === 'InternalFailure' ? new AwsError('ServiceException', error.message, 500) : error
      const { body, headers } = lambdaErrorBody(e)
      return { status: e.status, contentType: 'application/json', body, headers }
    }
  }
}

/** JSON services name the signature errors differently from the Query and REST-XML ones. */
function jsonAuthError(e: AwsError): AwsError {
  const names: Record<string, string> = {
    MissingAuthenticationToken: 'MissingAuthenticationTokenException',
    IncompleteSignature: 'IncompleteSignatureException',
    InvalidClientTokenId: 'UnrecognizedClientException',
    SignatureDoesNotMatch: 'InvalidSignatureException',
  }
  return new AwsError(names[e.code] ?? e.code, e.message, e.status)
}
