import { randomUUID } from 'node:crypto'
import {
  ENV_NAME,
  FUNCTION_LIMITS,
  FUNCTION_NAME,
  FUNCTION_RUNTIMES,
  functionArn,
  functionNameOf,
  HANDLER,
  isFunctionRuntime,
  RESERVED_ENV,
  type LambdaFunction,
  type PolicyStatement,
} from '../model/function.js'
import type { Tags } from '../model/schema-util.js'
import type { Draft } from './draft.js'
import { DuplicateError, InUseError, InvalidValueError, NotFoundError } from './errors.js'

/**
 * Lambda functions: their code, configuration, resource policy and concurrency. compute/ runs
 * them (one process per execution environment); this is only their record.
 */

/** Where a function's code is: a directory used in place (YAML), or a zip unpacked under its sha in the data directory. */
export interface FunctionCode {
  readonly directory?: string | undefined
  /** Base64 SHA-256. */
  readonly sha256: string
  readonly size: number
}

export interface FunctionConfig {
  readonly runtime?: string | undefined
  readonly handler?: string | undefined
  readonly role?: string | undefined
  readonly description?: string | undefined
  readonly environment?: Readonly<Record<string, string>> | undefined
  readonly timeoutSeconds?: number | undefined
  readonly memorySizeMb?: number | undefined
}

export interface FunctionInput extends FunctionConfig {
  readonly name: string
  readonly runtime: string
  readonly handler: string
  readonly code: FunctionCode
  readonly reservedConcurrency?: number | undefined
  readonly tags?: Tags | undefined
}

/** Lambda's PreconditionFailedException (a stale RevisionId). */
export class PreconditionFailed extends InvalidValueError {}

/** A value that breaks the Lambda model's constraints (Lambda's ValidationException, "1 validation error detected: ..."). */
export class ConstraintViolation extends InvalidValueError {}

/** The role YAML functions carry: openalb has no IAM, so it is a label. */
export const configRole = (accountId: string): string => `arn:aws:iam::${accountId}:role/openalb-function`

function checkConfig(c: FunctionConfig): void {
  if (c.runtime !== undefined && !isFunctionRuntime(c.runtime)) {
    throw new InvalidValueError(`The runtime parameter of ${c.runtime} is not supported by openalb: it runs ${FUNCTION_RUNTIMES.join(', ')}.`)
  }
  if (c.handler !== undefined && !HANDLER.test(c.handler)) throw new ConstraintViolation(`1 validation error detected: Value '${c.handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+`)
  const t = c.timeoutSeconds
  const lim = FUNCTION_LIMITS
  if (t !== undefined && (t < lim.timeoutSeconds.min || t > lim.timeoutSeconds.max)) {
    throw new ConstraintViolation(`1 validation error detected: Value '${t}' at 'timeout' failed to satisfy constraint: Member must have value ${t < 1 ? 'greater than or equal to 1' : 'less than or equal to 900'}`)
  }
  const m = c.memorySizeMb
  if (m !== undefined && (m < lim.memorySizeMb.min || m > lim.memorySizeMb.max)) {
    throw new InvalidValueError(`'MemorySize' value failed to satisfy constraint: Member must have value ${m < 128 ? 'greater than or equal to 128' : 'less than or equal to 10240'}`)
  }
  if (c.environment) {
    const reserved = Object.keys(c.environment).filter((k) => RESERVED_ENV.has(k))
    if (reserved.length > 0) {
      throw new InvalidValueError(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`)
    }
    const bad = Object.keys(c.environment).find((k) => !ENV_NAME.test(k))
    if (bad !== undefined) throw new InvalidValueError(`Lambda was unable to configure your environment variables because the environment variables you have provided contains invalid keys: ${bad}`)
    const text = JSON.stringify(c.environment)
    if (Buffer.byteLength(text) > lim.environmentBytes) {
      throw new InvalidValueError(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${text}`)
    }
  }
}

/** Lambda's answer for a missing function names its full ARN. */
export function functionNotFound(d: Draft, ref: string): NotFoundError {
  const name = functionNameOf(ref)?.name ?? ref
  return new NotFoundError('function', functionArn(d.partition.region, d.partition.accountId, name))
}

/** A function by name, full or partial ARN (with :$LATEST); Lambda's ResourceNotFoundException otherwise. */
export function resolveFunction(d: Draft, ref: string): LambdaFunction {
  const parsed = functionNameOf(ref)
  if (!parsed) throw new ConstraintViolation(`1 validation error detected: Value '${ref}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`)
  if (parsed.qualifier !== undefined && parsed.qualifier !== '$LATEST') {
    throw new InvalidValueError(`openalb keeps only $LATEST of a function: no published versions or aliases (got qualifier ${parsed.qualifier})`)
  }
  const fn = d.get('function', functionArn(d.partition.region, d.partition.accountId, parsed.name)) ?? d.list('function').find((f) => f.name === parsed.name)
  if (!fn) throw functionNotFound(d, parsed.name)
  return fn
}

function checkConcurrency(d: Draft, name: string, reserved: number | undefined): void {
  if (reserved === undefined) return
  if (!Number.isInteger(reserved) || reserved < 0) throw new ConstraintViolation(`1 validation error detected: Value '${reserved}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`)
  const others = d.list('function').filter((f) => f.name !== name).reduce((n, f) => n + (f.reservedConcurrency ?? 0), 0)
  const { accountConcurrency, unreservedMinimum } = FUNCTION_LIMITS
  if (accountConcurrency - others - reserved < unreservedMinimum) {
    throw new InvalidValueError(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${unreservedMinimum}].`)
  }
}

/** What a whole input says of a function, with Lambda's defaults for what it leaves out. */
function whole(input: FunctionInput) {
  return {
    runtime: input.runtime as LambdaFunction['runtime'],
    handler: input.handler,
    description: input.description ?? '',
    codeDirectory: input.code.directory,
    codeSha256: input.code.sha256,
    codeSize: input.code.size,
    environment: input.environment ?? {},
    timeoutSeconds: input.timeoutSeconds ?? FUNCTION_LIMITS.timeoutSeconds.default,
    memorySizeMb: input.memorySizeMb ?? FUNCTION_LIMITS.memorySizeMb.default,
    reservedConcurrency: input.reservedConcurrency,
    tags: input.tags ?? {},
  }
}

export function createFunction(d: Draft, input: FunctionInput): LambdaFunction {
  if (!FUNCTION_NAME.test(input.name)) throw new ConstraintViolation(`1 validation error detected: Value '${input.name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ (1-64 characters)`)
  checkConfig(input)
  const arn = functionArn(d.partition.region, d.partition.accountId, input.name)
  if (d.get('function', arn) || d.list('function').some((f) => f.name === input.name)) throw new DuplicateError('function', input.name)
  checkConcurrency(d, input.name, input.reservedConcurrency)
  return d.put({
    kind: 'function',
    arn,
    name: input.name,
    ...whole(input),
    role: input.role ?? configRole(d.partition.accountId),
    policy: [],
    lastModified: d.nowIso(),
    revisionId: randomUUID(),
  })
}

/** Lambda's RevisionId precondition: an update names the revision it read, or none. */
function checkRevision(fn: LambdaFunction, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== fn.revisionId) {
    throw new PreconditionFailed('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id')
  }
}

function touched(d: Draft, fn: LambdaFunction): LambdaFunction {
  return d.put({ ...fn, lastModified: d.nowIso(), revisionId: randomUUID() })
}

export function updateFunctionCode(d: Draft, ref: string, code: FunctionCode, revisionId?: string): LambdaFunction {
  const fn = resolveFunction(d, ref)
  checkRevision(fn, revisionId)
  return touched(d, { ...fn, codeDirectory: code.directory, codeSha256: code.sha256, codeSize: code.size })
}

export function updateFunctionConfiguration(d: Draft, ref: string, c: FunctionConfig, revisionId?: string): LambdaFunction {
  const fn = resolveFunction(d, ref)
  checkRevision(fn, revisionId)
  checkConfig(c)
  const next: LambdaFunction = {
    ...fn,
    runtime: (c.runtime ?? fn.runtime) as LambdaFunction['runtime'],
    handler: c.handler ?? fn.handler,
    role: c.role ?? fn.role,
    description: c.description ?? fn.description,
    environment: c.environment ?? fn.environment,
    timeoutSeconds: c.timeoutSeconds ?? fn.timeoutSeconds,
    memorySizeMb: c.memorySizeMb ?? fn.memorySizeMb,
  }
  return JSON.stringify(next) === JSON.stringify(fn) ? fn : touched(d, next)
}

/** Config: the file's function, code and configuration at once (unchanged, nothing is written). */
export function updateFunction(d: Draft, ref: string, input: FunctionInput): LambdaFunction {
  const fn = resolveFunction(d, ref)
  checkConfig(input)
  checkConcurrency(d, fn.name, input.reservedConcurrency)
  const next: LambdaFunction = {
    ...fn,
    ...whole(input),
  }
  return JSON.stringify(next) === JSON.stringify(fn) ? fn : touched(d, next)
}

/** DeleteFunction. A lambda target group that names it keeps the registration, as ELB does; its requests fail (502). */
export function deleteFunction(d: Draft, ref: string): LambdaFunction {
  const fn = resolveFunction(d, ref)
  d.remove('function', fn.arn)
  return fn
}

/** Deleting from config: refused while a target group of the same file still names it. */
export function deleteFunctionFromConfig(d: Draft, ref: string): void {
  const fn = resolveFunction(d, ref)
  const tg = d.list('target-group').find((g) => g.targetType === 'lambda' && g.targets.some((t) => t.id === fn.arn))
  if (tg) throw new InUseError('function', fn.name, `target group '${tg.name}'`)
  d.remove('function', fn.arn)
}

export function putFunctionConcurrency(d: Draft, ref: string, reserved: number): LambdaFunction {
  const fn = resolveFunction(d, ref)
  checkConcurrency(d, fn.name, reserved)
  return d.put({ ...fn, reservedConcurrency: reserved })
}

export function deleteFunctionConcurrency(d: Draft, ref: string): LambdaFunction {
  const fn = resolveFunction(d, ref)
  return d.put({ ...fn, reservedConcurrency: undefined })
}

/** A statement id already in the policy (ResourceConflictException). */
export class StatementExists extends DuplicateError {}

export function addPermission(d: Draft, ref: string, statement: PolicyStatement, revisionId?: string): PolicyStatement {
  const fn = resolveFunction(d, ref)
  checkRevision(fn, revisionId)
  if (!/^[a-zA-Z0-9-_.]{1,100}$/.test(statement.sid)) throw new ConstraintViolation(`1 validation error detected: Value '${statement.sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)`)
  if (!/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(statement.action)) throw new ConstraintViolation(`1 validation error detected: Value '${statement.action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`)
  if (fn.policy.some((s) => s.sid === statement.sid)) throw new StatementExists('statement', statement.sid)
  d.put({ ...fn, policy: [...fn.policy, statement], revisionId: randomUUID() })
  return statement
}

export function removePermission(d: Draft, ref: string, sid: string, revisionId?: string): void {
  const fn = resolveFunction(d, ref)
  checkRevision(fn, revisionId)
  if (!fn.policy.some((s) => s.sid === sid)) throw new NotFoundError('policy-statement', sid)
  d.put({ ...fn, policy: fn.policy.filter((s) => s.sid !== sid), revisionId: randomUUID() })
}
