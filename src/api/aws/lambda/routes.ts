import {
  addPermission,
  ConstraintViolation,
  createFunction,
  deleteFunction,
  deleteFunctionConcurrency,
  PreconditionFailed,
  putFunctionConcurrency,
  removePermission,
  resolveFunction,
  StatementExists,
  updateFunctionCode,
  updateFunctionConfiguration,
  type FunctionCode,
  type FunctionConfig,
} from '../../../control/functions.js'
import { changeTags } from '../../../control/tags.js'
import { DuplicateError, NotFoundError } from '../../../control/errors.js'
import type { Draft } from '../../../control/draft.js'
import { FUNCTION_LIMITS, functionNameOf, type InvocationType, type LambdaFunction, type PolicyStatement } from '../../../model/function.js'
import { isRecord } from '../../../model/result.js'
import type { AwsApiDeps } from '../deps.js'
import { AwsError } from '../errors.js'
import { page } from '../paging.js'
import { Params } from '../protocol/params.js'

/** The path prefixes of Lambda's REST-JSON API (its operations carry the date they were added). */
export const LAMBDA_PREFIXES = ['/2015-03-31/functions', '/2017-10-31/functions', '/2019-09-30/functions', '/2017-03-31/tags/'] as const
export const isLambdaPath = (path: string): boolean => LAMBDA_PREFIXES.some((p) => path.startsWith(p))

/** Lambda's errors carry extra members (TooManyRequestsException's Reason) and a Type. */
export class LambdaError extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, status)
  }
}

const invalidParameter = (message: string) => new LambdaError('InvalidParameterValueException', message, 400)

/** Lambda's wire error: x-amzn-errortype names it, the body carries Type and message. */
export function lambdaErrorBody(error: AwsError): { body: string; headers: Record<string, string> } {
  const extra = error instanceof LambdaError ? error.extra : {}
  return {
    body: JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', message: error.message, ...extra }),
    headers: { 'x-amzn-errortype': error.code, ...(error instanceof LambdaError ? error.headers : {}) },
  }
}

/** control/'s errors in Lambda's words; anything else goes on to the shared table. */
function lambdaError(e: unknown): unknown {
  if (e instanceof PreconditionFailed) return new LambdaError('PreconditionFailedException', e.message, 412)
  if (e instanceof ConstraintViolation) return new LambdaError('ValidationException', e.message, 400)
  if (e instanceof StatementExists) return new LambdaError('ResourceConflictException', `The statement id (${e.resourceName}) provided already exists. Please provide a new statement id, or remove the existing statement.`, 409)
  if (e instanceof DuplicateError && e.kind === 'function') return new LambdaError('ResourceConflictException', `Function already exist: ${e.resourceName}`, 409)
  if (e instanceof NotFoundError && e.kind === 'function') return new LambdaError('ResourceNotFoundException', `Function not found: ${e.ref}`, 404)
  if (e instanceof NotFoundError && e.kind === 'policy-statement') return new LambdaError('ResourceNotFoundException', `Statement ${e.ref} is not found in resource policy.`, 404)
  if (e instanceof NotFoundError && e.kind === 'policy') return new LambdaError('ResourceNotFoundException', 'The resource you requested does not exist.', 404)
  return e
}

export interface LambdaReply {
  readonly status: number
  readonly body: string
  readonly contentType?: string
  readonly headers?: Record<string, string>
}

interface Ctx {
  readonly deps: AwsApiDeps
  readonly requestId: string
}

/** Lambda's timestamps: 2019-08-14T22:26:11.234+0000. */
const lambdaTime = (iso: string): string => iso.replace('Z', '+0000')

/** FunctionConfiguration as Lambda returns it. */
function configuration(fn: LambdaFunction, deps: AwsApiDeps): Record<string, unknown> {
  const runs = deps.functions?.runsCode === true
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.codeSize,
    Description: fn.description,
    Timeout: fn.timeoutSeconds,
    MemorySize: fn.memorySizeMb,
    LastModified: lambdaTime(fn.lastModified),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    ...(Object.keys(fn.environment).length > 0 ? { Environment: { Variables: fn.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: fn.revisionId,
    State: runs ? 'Active' : 'Inactive',
    ...(runs ? {} : { StateReason: 'openalb was started without --run-user-data: functions do not run', StateReasonCode: 'Idle' }),
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  }
}

function json(status: number, value: unknown): LambdaReply {
  return { status, body: value === undefined ? '' : JSON.stringify(value) }
}

function parseBody(body: Buffer): Params {
  const text = body.toString('utf8').trim()
  let raw: unknown = {}
  if (text !== '') {
    try {
      raw = JSON.parse(text)
    } catch {
      throw new LambdaError('InvalidRequestContentException', 'Could not parse request body into json: the body is not valid JSON', 400)
    }
  }
  if (!isRecord(raw)) throw new LambdaError('InvalidRequestContentException', 'Could not parse request body into json: the body must be a JSON object', 400)
  return new Params(raw, invalidParameter)
}

/** Members openalb does not act on are refused by name, unless at Lambda's defaults. */
function refuseUnsupported(p: Params, operation: string): void {
  const refuse = (member: string, why: string) => {
    throw invalidParameter(`openalb does not support ${member} in ${operation}: ${why}`)
  }
  const code = p.obj('Code')
  if (code) for (const k of ['S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri', 'SourceKMSKeyArn']) if (code.has(k)) refuse(`Code.${k}`, 'give the package inline as Code.ZipFile')
  for (const k of ['S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri', 'SourceKMSKeyArn']) if (p.has(k)) refuse(k, 'give the package inline as ZipFile')
  if (p.str('PackageType') !== undefined && p.str('PackageType') !== 'Zip') refuse('PackageType Image', 'functions run from .zip packages only')
  if (p.bool('Publish') === true) refuse('Publish', 'openalb keeps only $LATEST (no published versions)')
  if (p.bool('DryRun') === true) refuse('DryRun', 'the code is always updated')
  const vpc = p.obj('VpcConfig')
  if (vpc && ((vpc.list('SubnetIds')?.length ?? 0) > 0 || (vpc.list('SecurityGroupIds')?.length ?? 0) > 0)) refuse('VpcConfig', 'functions run on this machine, outside any VPC')
  if (p.obj('DeadLetterConfig')?.str('TargetArn')) refuse('DeadLetterConfig', 'there is no queue to send failed events to')
  if (p.str('KMSKeyArn')) refuse('KMSKeyArn', 'environment variables are not encrypted with KMS')
  const tracing = p.obj('TracingConfig')?.str('Mode')
  if (tracing !== undefined && tracing !== 'PassThrough') refuse('TracingConfig Active', 'there is no X-Ray')
  if ((p.list('Layers')?.length ?? 0) > 0) refuse('Layers', 'there are no layers')
  if ((p.list('FileSystemConfigs')?.length ?? 0) > 0) refuse('FileSystemConfigs', 'no file systems are mounted')
  if (p.obj('ImageConfig')) refuse('ImageConfig', 'functions run from .zip packages only')
  if (p.str('CodeSigningConfigArn')) refuse('CodeSigningConfigArn', 'code is not signed')
  const arch = p.list('Architectures')
  if (arch && !(arch.length === 1 && arch[0] === 'x86_64')) refuse('Architectures other than x86_64', 'the code runs on this machine\'s interpreter')
  const storage = p.obj('EphemeralStorage')?.int('Size')
  if (storage !== undefined && storage !== 512) refuse('EphemeralStorage', '/tmp is this machine\'s')
  const snap = p.obj('SnapStart')?.str('ApplyOn')
  if (snap !== undefined && snap !== 'None') refuse('SnapStart', 'there are no published versions to snapshot')
  const logging = p.obj('LoggingConfig')
  if (logging && ((logging.str('LogFormat') ?? 'Text') !== 'Text' || logging.has('LogGroup') || logging.has('ApplicationLogLevel') || logging.has('SystemLogLevel'))) refuse('LoggingConfig', 'the log is the function\'s file (openalb logs function NAME), in Text format')
  for (const k of ['CapacityProviderConfig', 'PublishTo', 'DurableConfig', 'TenancyConfig']) if (p.has(k)) refuse(k, 'not emulated')
}

function environmentOf(p: Params): Record<string, string> | undefined {
  const env = p.obj('Environment')
  if (!env) return undefined
  const vars = env.raw.Variables
  if (vars === undefined || vars === null) return {}
  if (!isRecord(vars)) throw invalidParameter('Environment.Variables must be a map of strings')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string') throw invalidParameter(`Environment.Variables.${k} must be a string`)
    out[k] = v
  }
  return out
}

function configOf(p: Params): FunctionConfig {
  return {
    runtime: p.str('Runtime'),
    handler: p.str('Handler'),
    role: p.str('Role'),
    description: p.str('Description'),
    environment: environmentOf(p),
    timeoutSeconds: p.int('Timeout'),
    memorySizeMb: p.int('MemorySize'),
  }
}

const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/

function checkRole(role: string | undefined): void {
  if (role !== undefined && !ROLE.test(role)) {
    throw new LambdaError('ValidationException', `1 validation error detected: Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`, 400)
  }
}

/** The zip of Code.ZipFile (CreateFunction) or ZipFile (UpdateFunctionCode), unpacked by compute/ into the data directory. */
function storeCode(deps: AwsApiDeps, zipBase64: string | undefined): FunctionCode {
  if (zipBase64 === undefined || zipBase64 === '') throw invalidParameter('Please provide a source for function code.')
  const functions = deps.functions
  if (!functions?.runsCode) throw invalidParameter('This openalb does not run functions: start it with `openalb up --run-user-data` (it executes the code sent to this API)')
  const zip = Buffer.from(zipBase64, 'base64')
  if (zip.length > FUNCTION_LIMITS.zipBytes) throw new LambdaError('RequestEntityTooLargeException', `Request must be smaller than ${FUNCTION_LIMITS.zipBytes} bytes for the CreateFunction operation`, 413)
  const stored = functions.storeZip(zip)
  if (!stored.ok) throw invalidParameter(stored.message)
  return { sha256: stored.sha256, size: stored.size }
}

function tagsOf(p: Params): Record<string, string> {
  const raw = p.raw.Tags
  if (raw === undefined || raw === null) return {}
  if (!isRecord(raw)) throw invalidParameter('Tags must be a map of strings')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) out[k] = String(v)
  if (Object.keys(out).length > 50) throw invalidParameter('Number of tags exceeds resource tag limit.')
  return out
}

/** The policy document GetPolicy answers (and AddPermission's Statement). */
function statementJson(fn: LambdaFunction, s: PolicyStatement): Record<string, unknown> {
  const service = /\.amazonaws\.com$/.test(s.principal)
  const condition: Record<string, unknown> = {}
  if (s.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': s.sourceArn }
  if (s.sourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': s.sourceAccount }
  return {
    Sid: s.sid,
    Effect: 'Allow',
    Principal: s.principal === '*' ? '*' : service ? { Service: s.principal } : { AWS: /^\d{12}$/.test(s.principal) ? `arn:aws:iam::${s.principal}:root` : s.principal },
    Action: s.action,
    Resource: fn.arn,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  }
}

async function read<T>(deps: AwsApiDeps, fn: (d: Draft) => T): Promise<T> {
  return fn(await deps.control.view())
}

async function write<T>(deps: AwsApiDeps, fn: (d: Draft) => T): Promise<T> {
  return (await deps.control.mutate(fn)).value
}

function qualifier(url: URL): void {
  const q = url.searchParams.get('Qualifier')
  if (q !== null && q !== '$LATEST') throw invalidParameter(`openalb keeps only $LATEST of a function: no published versions or aliases (got Qualifier ${q})`)
}

type Handler = (ctx: Ctx, name: string, url: URL, body: Buffer, headers: Record<string, string | string[] | undefined>, extra: string) => Promise<LambdaReply>

const createFunctionOp: Handler = async ({ deps }, _name, _url, body) => {
  const p = parseBody(body)
  refuseUnsupported(p, 'CreateFunction')
  const name = p.str('FunctionName')
  if (!name) throw new LambdaError('ValidationException', "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null", 400)
  const role = p.str('Role')
  if (!role) throw new LambdaError('ValidationException', "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null", 400)
  checkRole(role)
  const runtime = p.str('Runtime')
  const handler = p.str('Handler')
  if (!runtime) throw invalidParameter('Runtime is required for .zip deployment packages.')
  if (!handler) throw invalidParameter('Handler is required for .zip deployment packages.')
  const bare = functionNameOf(name)?.name ?? name
  await read(deps, (d) => {
    if (d.list('function').some((f) => f.name === bare)) throw new LambdaError('ResourceConflictException', `Function already exist: ${bare}`, 409)
  })
  const code = storeCode(deps, p.obj('Code')?.str('ZipFile'))
  const config = configOf(p)
  const fn = await write(deps, (d) =>
    createFunction(d, { ...config, name: bare, runtime, handler, role, code, tags: tagsOf(p) }),
  )
  return json(201, configuration(fn, deps))
}

const getFunctionOp: Handler = async ({ deps }, name, url) => {
  qualifier(url)
  const fn = await read(deps, (d) => resolveFunction(d, name))
  return json(200, {
    Configuration: configuration(fn, deps),
    Code: { RepositoryType: 'S3' },
    ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
    ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
  })
}

const getConfigurationOp: Handler = async ({ deps }, name, url) => {
  qualifier(url)
  return json(200, configuration(await read(deps, (d) => resolveFunction(d, name)), deps))
}

const listFunctionsOp: Handler = async ({ deps }, _name, url) => {
  const maxRaw = url.searchParams.get('MaxItems')
  const max = maxRaw === null ? undefined : Number(maxRaw)
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10000)) throw new LambdaError('ValidationException', `1 validation error detected: Value '${maxRaw ?? ''}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`, 400)
  if (url.searchParams.get('FunctionVersion') === 'ALL') throw invalidParameter('openalb keeps only $LATEST of a function: FunctionVersion ALL lists the same functions')
  const all = [...(await deps.control.read()).list('function')].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const { items, next } = page(all, url.searchParams.get('Marker') ?? undefined, Math.min(max ?? 50, 50), 'InvalidParameterValueException', 50)
  return json(200, { Functions: items.map((f) => configuration(f, deps)), ...(next ? { NextMarker: next } : {}) })
}

const updateCodeOp: Handler = async ({ deps }, name, _url, body) => {
  const p = parseBody(body)
  refuseUnsupported(p, 'UpdateFunctionCode')
  await read(deps, (d) => resolveFunction(d, name))
  const code = storeCode(deps, p.str('ZipFile'))
  const fn = await write(deps, (d) => updateFunctionCode(d, name, code, p.str('RevisionId')))
  return json(200, configuration(fn, deps))
}

const updateConfigurationOp: Handler = async ({ deps }, name, _url, body) => {
  const p = parseBody(body)
  refuseUnsupported(p, 'UpdateFunctionConfiguration')
  checkRole(p.str('Role'))
  const fn = await write(deps, (d) => updateFunctionConfiguration(d, name, configOf(p), p.str('RevisionId')))
  return json(200, configuration(fn, deps))
}

const deleteFunctionOp: Handler = async ({ deps }, name, url) => {
  qualifier(url)
  await write(deps, (d) => deleteFunction(d, name))
  return { status: 204, body: '' }
}

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

const invokeOp: Handler = async ({ deps }, name, url, body, headers) => {
  qualifier(url)
  const type = header(headers, 'x-amz-invocation-type') ?? 'RequestResponse'
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    throw new LambdaError('ValidationException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`, 400)
  }
  const logType = header(headers, 'x-amz-log-type')
  if (logType !== undefined && logType !== 'None' && logType !== 'Tail') {
    throw new LambdaError('ValidationException', `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`, 400)
  }
  const fn = await read(deps, (d) => resolveFunction(d, name))
  const limit = type === 'Event' ? FUNCTION_LIMITS.asyncPayloadBytes : FUNCTION_LIMITS.syncPayloadBytes
  if (body.length > limit) {
    throw new LambdaError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413)
  }
  const text = body.length === 0 ? '{}' : body.toString('utf8')
  try {
    JSON.parse(text)
  } catch (e) {
    throw new LambdaError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`, 400)
  }
  if (type === 'DryRun') return { status: 204, body: '' }
  const runner = deps.functions
  if (!runner) throw new LambdaError('ResourceConflictException', `The function ${fn.name} cannot run: nothing runs functions in this openalb`, 409)
  const outcome = await runner.invoke(fn.arn, text, type as InvocationType)
  const executed = { 'x-amz-executed-version': '$LATEST' }
  const tail = (): Record<string, string> => {
    if (logType !== 'Tail' || type !== 'RequestResponse' || !('log' in outcome) || outcome.log === undefined) return {}
    return { 'x-amz-log-result': Buffer.from(outcome.log).toString('base64') }
  }
  switch (outcome.kind) {
    case 'ok':
      if (type === 'Event') return { status: 202, body: '' }
      return { status: 200, body: outcome.payload, contentType: 'application/json', headers: { ...executed, ...tail() } }
    case 'function-error':
    case 'timeout':
      return { status: 200, body: outcome.payload, contentType: 'application/json', headers: { ...executed, 'x-amz-function-error': 'Unhandled', ...tail() } }
    case 'throttled':
      throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', 429, { Reason: outcome.reason }, { 'retry-after': '1' })
    case 'not-found':
      throw new LambdaError('ResourceNotFoundException', `Function not found: ${fn.arn}`, 404)
    case 'not-runnable':
      throw new LambdaError('ResourceConflictException', `The operation cannot be performed at this time. ${outcome.message}`, 409)
  }
}

const addPermissionOp: Handler = async ({ deps }, name, url, body) => {
  qualifier(url)
  const p = parseBody(body)
  for (const k of ['EventSourceToken', 'PrincipalOrgID', 'FunctionUrlAuthType', 'InvokedViaFunctionUrl']) if (p.has(k)) throw invalidParameter(`openalb does not support ${k} in AddPermission`)
  const need = (k: string, wire: string) => {
    const v = p.str(k)
    if (!v) throw new LambdaError('ValidationException', `1 validation error detected: Value null at '${wire}' failed to satisfy constraint: Member must not be null`, 400)
    return v
  }
  const statement: PolicyStatement = {
    sid: need('StatementId', 'statementId'),
    action: need('Action', 'action'),
    principal: need('Principal', 'principal'),
    sourceArn: p.str('SourceArn'),
    sourceAccount: p.str('SourceAccount'),
  }
  const result = await write(deps, (d) => {
    addPermission(d, name, statement, p.str('RevisionId'))
    return resolveFunction(d, name)
  })
  return json(201, { Statement: JSON.stringify(statementJson(result, statement)) })
}

const getPolicyOp: Handler = async ({ deps }, name, url) => {
  qualifier(url)
  const fn = await read(deps, (d) => resolveFunction(d, name))
  if (fn.policy.length === 0) throw new NotFoundError('policy', fn.arn)
  return json(200, {
    Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: fn.policy.map((s) => statementJson(fn, s)) }),
    RevisionId: fn.revisionId,
  })
}

const removePermissionOp: Handler = async ({ deps }, name, url, _body, _headers, sid) => {
  qualifier(url)
  await write(deps, (d) => removePermission(d, name, sid, url.searchParams.get('RevisionId') ?? undefined))
  return { status: 204, body: '' }
}

const putConcurrencyOp: Handler = async ({ deps }, name, _url, body) => {
  const p = parseBody(body)
  const n = p.int('ReservedConcurrentExecutions')
  if (n === undefined) throw new LambdaError('ValidationException', "1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null", 400)
  const fn = await write(deps, (d) => putFunctionConcurrency(d, name, n))
  return json(200, { ReservedConcurrentExecutions: fn.reservedConcurrency })
}

const getConcurrencyOp: Handler = async ({ deps }, name) => {
  const fn = await read(deps, (d) => resolveFunction(d, name))
  return json(200, fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency })
}

const deleteConcurrencyOp: Handler = async ({ deps }, name) => {
  await write(deps, (d) => deleteFunctionConcurrency(d, name))
  return { status: 204, body: '' }
}

/** Tags name the function by its ARN. */
const taggedArn = (d: Draft, arn: string): LambdaFunction => {
  if (!arn.startsWith('arn:')) throw invalidParameter(`1 validation error detected: Value '${arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)
  return resolveFunction(d, arn)
}

const tagResourceOp: Handler = async ({ deps }, arn, _url, body) => {
  const tags = tagsOf(parseBody(body))
  await write(deps, (d) => {
    const fn = taggedArn(d, arn)
    if (Object.keys({ ...fn.tags, ...tags }).length > 50) throw invalidParameter('Number of tags exceeds resource tag limit.')
    changeTags(d, 'function', fn.arn, tags)
  })
  return { status: 204, body: '' }
}

const untagResourceOp: Handler = async ({ deps }, arn, url) => {
  const keys = url.searchParams.getAll('tagKeys')
  await write(deps, (d) => changeTags(d, 'function', taggedArn(d, arn).arn, {}, keys))
  return { status: 204, body: '' }
}

const listTagsOp: Handler = async ({ deps }, arn) => json(200, { Tags: (await read(deps, (d) => taggedArn(d, arn))).tags })

/** [method, path pattern, operation name, handler]: the first group is the function name (or ARN), the second the statement id. */
const ROUTES: readonly (readonly [string, RegExp, string, Handler])[] = [
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction', createFunctionOp],
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions', listFunctionsOp],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'GetFunction', getFunctionOp],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/?$/, 'DeleteFunction', deleteFunctionOp],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'GetFunctionConfiguration', getConfigurationOp],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, 'UpdateFunctionConfiguration', updateConfigurationOp],
  ['PUT', /^\/2015-03-31\/functions\/([^/]+)\/code\/?$/, 'UpdateFunctionCode', updateCodeOp],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, 'Invoke', invokeOp],
  ['POST', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'AddPermission', addPermissionOp],
  ['GET', /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, 'GetPolicy', getPolicyOp],
  ['DELETE', /^\/2015-03-31\/functions\/([^/]+)\/policy\/([^/]+)\/?$/, 'RemovePermission', removePermissionOp],
  ['PUT', /^\/2017-10-31\/functions\/([^/]+)\/concurrency\/?$/, 'PutFunctionConcurrency', putConcurrencyOp],
  ['DELETE', /^\/2017-10-31\/functions\/([^/]+)\/concurrency\/?$/, 'DeleteFunctionConcurrency', deleteConcurrencyOp],
  ['GET', /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/, 'GetFunctionConcurrency', getConcurrencyOp],
  ['POST', /^\/2017-03-31\/tags\/([^/]+)\/?$/, 'TagResource', tagResourceOp],
  ['DELETE', /^\/2017-03-31\/tags\/([^/]+)\/?$/, 'UntagResource', untagResourceOp],
  ['GET', /^\/2017-03-31\/tags\/([^/]+)\/?$/, 'ListTags', listTagsOp],
]

/** The Lambda operations openalb answers (coverage). */
export const LAMBDA_OPERATIONS: readonly string[] = ROUTES.map((r) => r[2])

export async function routeLambda(method: string, url: URL, body: Buffer, headers: Record<string, string | string[] | undefined>, ctx: Ctx): Promise<LambdaReply> {
  for (const [m, pattern, , handler] of ROUTES) {
    if (m !== method) continue
    const match = pattern.exec(url.pathname)
    if (!match) continue
    try {
      return await handler(ctx, decodeURIComponent(match[1] ?? ''), url, body, headers, decodeURIComponent(match[2] ?? ''))
    } catch (e) {
      throw lambdaError(e)
    }
  }
  throw new LambdaError('UnknownOperationException', `openalb does not serve ${method} ${url.pathname}`, 400)
}
