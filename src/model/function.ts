import { z } from 'zod'
import { tags, type Tags } from './schema-util.js'

/**
 * Lambda functions that run on this machine: each execution environment is a process of the
 * runtime's interpreter (Node.js runtimes with this machine's node, Python runtimes with its
 * python3), kept warm between invocations.
 */

/** The runtimes openalb runs, and the interpreter each runs with. */
export const FUNCTION_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13'] as const
export type FunctionRuntime = (typeof FUNCTION_RUNTIMES)[number]
export const isFunctionRuntime = (r: string): r is FunctionRuntime => (FUNCTION_RUNTIMES as readonly string[]).includes(r)
export const runtimeLanguage = (r: FunctionRuntime): 'node' | 'python' => (r.startsWith('nodejs') ? 'node' : 'python')

/** Lambda's defaults and bounds. */
export const FUNCTION_LIMITS = {
  /** Seconds, 1-900 (default 3). */
  timeoutSeconds: { min: 1, max: 900, default: 3 },
  /** MB, 128-10240 (default 128): reported to the handler; Node's heap is capped to it. */
  memorySizeMb: { min: 128, max: 10240, default: 128 },
  /** Lambda's account concurrency (1000), of which 100 always stay unreserved. */
  accountConcurrency: 1000,
  unreservedMinimum: 100,
  /** Environment variables: 4 KB in all, as Lambda. */
  environmentBytes: 4096,
  /** The zip given inline (Code.ZipFile): 50 MB; unpacked 250 MB. */
  zipBytes: 50 * 1024 * 1024,
  unpackedBytes: 250 * 1024 * 1024,
  /** Synchronous payload 6 MB, asynchronous 1 MB (Lambda's). */
  syncPayloadBytes: 6 * 1024 * 1024,
  asyncPayloadBytes: 1024 * 1024,
} as const

/**
 * How many processes one function may run at once on this node when it has no reserved
 * concurrency: openalb's local default (Lambda's account pool is 1000, too many for one machine).
 * With ReservedConcurrentExecutions the function runs at most that many; further requests are
 * throttled (TooManyRequestsException; a balancer answers 503).
 */
export const DEFAULT_FUNCTION_CONCURRENCY = 10

/** Lambda's function names: letters, digits, hyphens and underscores, 1-64. */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/
/** Lambda's handler pattern. */
export const HANDLER = /^[^\s]{1,128}$/
/** Environment variable names as Lambda takes them; the AWS_ and LAMBDA_ reserved ones are refused. */
export const ENV_NAME = /^[a-zA-Z]([a-zA-Z0-9_])+$/
/** Keys Lambda keeps for itself (the runtime sets them). */
export const RESERVED_ENV = new Set(['_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR'])

export const functionSpec = z.strictObject({
  /** 1-64 letters, digits, hyphens and underscores, unique. */
  name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, hyphens or underscores'),
  /** nodejs18.x, nodejs20.x, nodejs22.x (this machine's node) or python3.9-python3.13 (its python3). */
  runtime: z.enum(FUNCTION_RUNTIMES),
  /** FILE.EXPORT: index.handler runs the export handler of index.js/.mjs/.cjs (Node) or the function handler of index.py (Python). */
  handler: z.string().regex(HANDLER, 'must be FILE.FUNCTION without spaces, at most 128 characters'),
  /** The directory holding the code (relative to the file), used in place: a change to its files is a new version at the next apply. */
  code: z.string().min(1),
  /** Variables the handler's process gets (4 KB in all); AWS_ and Lambda's reserved names are refused. */
  environment: z.record(z.string().regex(ENV_NAME, 'must be a letter followed by letters, digits or underscores'), z.string()).default({}),
  /** Seconds an invocation may run before its process is killed, 1-900 (default 3). */
  timeoutSeconds: z.number().int().min(1, 'must be between 1 and 900').max(900, 'must be between 1 and 900').default(3),
  /** MB, 128-10240 (default 128): reported to the handler; a Node process's heap is capped to it. */
  memorySizeMb: z.number().int().min(128, 'must be between 128 and 10240').max(10240, 'must be between 128 and 10240').default(128),
  /** Processes the function may run at once, 0-900 (0 throttles every request); default: openalb's local 10. */
  reservedConcurrency: z.number().int().min(0).max(FUNCTION_LIMITS.accountConcurrency - FUNCTION_LIMITS.unreservedMinimum).optional(),
  description: z.string().max(256).default(''),
  tags,
})
export type FunctionSpec = z.input<typeof functionSpec>

/** One statement of a function's resource-based policy (AddPermission). */
export interface PolicyStatement {
  readonly sid: string
  /** lambda:InvokeFunction, lambda:GetFunction, lambda:* ... */
  readonly action: string
  /** A service principal (elasticloadbalancing.amazonaws.com), an account id, an ARN or *. */
  readonly principal: string
  readonly sourceArn?: string | undefined
  readonly sourceAccount?: string | undefined
}

export interface LambdaFunction {
  readonly kind: 'function'
  /** arn:aws:lambda:REGION:ACCOUNT:function:NAME */
  readonly arn: string
  readonly name: string
  readonly runtime: FunctionRuntime
  readonly handler: string
  /** The execution role: a label (openalb has no IAM). */
  readonly role: string
  readonly description: string
  /**
   * Where the code is: a directory of the configuration (YAML's code, used in place), or none for
   * a zip sent to the API, which is unpacked in the data directory under its CodeSha256.
   */
  readonly codeDirectory?: string | undefined
  /** Base64 SHA-256: of the zip, or of a directory's files (paths and contents). */
  readonly codeSha256: string
  /** Bytes: of the zip, or of a directory's files. */
  readonly codeSize: number
  readonly environment: Readonly<Record<string, string>>
  readonly timeoutSeconds: number
  readonly memorySizeMb: number
  readonly reservedConcurrency?: number | undefined
  readonly policy: readonly PolicyStatement[]
  readonly tags: Tags
  /** ISO 8601, when the code or configuration last changed. */
  readonly lastModified: string
  /** Changes with every update (Lambda's RevisionId). */
  readonly revisionId: string
}

export const functionArn = (region: string, accountId: string, name: string): string => `arn:aws:lambda:${region}:${accountId}:function:${name}`

/**
 * A function reference as Lambda takes one: a name, a full ARN or a partial ARN
 * (ACCOUNT:function:NAME), each optionally with :$LATEST. Returns the name, or undefined when the
 * text is none of these.
 */
export function functionNameOf(ref: string): { name: string; qualifier?: string | undefined } | undefined {
  const full = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/.exec(ref)
  if (full) return { name: full[1] ?? '', qualifier: full[2] }
  const partial = /^\d{12}:function:([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/.exec(ref)
  if (partial) return { name: partial[1] ?? '', qualifier: partial[2] }
  const plain = /^([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$/.exec(ref)
  if (plain) return { name: plain[1] ?? '', qualifier: plain[2] }
  return undefined
}

/** The processes a function may run at once: its reserved concurrency, or openalb's default. */
export const concurrencyOf = (fn: Pick<LambdaFunction, 'reservedConcurrency'>): number => fn.reservedConcurrency ?? DEFAULT_FUNCTION_CONCURRENCY

/** Whether a change to the function needs new processes (a cold start): its code or its configuration. */
export function environmentKey(fn: LambdaFunction): string {
  return JSON.stringify([fn.runtime, fn.handler, fn.codeDirectory, fn.codeSha256, fn.environment, fn.memorySizeMb, fn.timeoutSeconds])
}

/** Whether the policy lets a service principal invoke the function (ALB: elasticloadbalancing.amazonaws.com). */
export function allowsInvoke(fn: Pick<LambdaFunction, 'policy'>, principal: string, sourceArn?: string): boolean {
  return fn.policy.some(
    (s) =>
      (s.action === 'lambda:InvokeFunction' || s.action === 'lambda:*' || s.action === '*') &&
      (s.principal === principal || s.principal === '*') &&
      (s.sourceArn === undefined || sourceArn === undefined || arnLike(s.sourceArn, sourceArn)),
  )
}

/** IAM's ArnLike: * and ? wildcards. */
function arnLike(pattern: string, arn: string): boolean {
  let re = '^'
  for (const c of pattern) re += c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`${re}$`).test(arn)
}

/** Why an invocation was throttled (Lambda's TooManyRequestsException Reason). */
export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded'

/** Invoke's LogType Tail: the last 4 KB of what an invocation wrote to the log. */
export const LOG_TAIL_BYTES = 4096

/**
 * What one invocation came to: compute's runner answers it, the Lambda API and the balancer's
 * Lambda targets turn it into their own answers. Payloads are JSON text.
 */
export type InvokeOutcome =
  /** The handler returned: its value as JSON. */
  | { readonly kind: 'ok'; readonly payload: string; readonly log?: string | undefined }
  /** The handler threw, or its runtime could not load it (Lambda's FunctionError Unhandled). */
  | { readonly kind: 'function-error'; readonly payload: string; readonly errorType: string; readonly log?: string | undefined }
  /** The invocation ran past the function's timeout: its process was killed. */
  | { readonly kind: 'timeout'; readonly payload: string; readonly log?: string | undefined }
  /** Every process the function may run is busy. */
  | { readonly kind: 'throttled'; readonly reason: ThrottleReason }
  | { readonly kind: 'not-found' }
  /** The function cannot run on this node (openalb started without --run-user-data, or its code is missing here). */
  | { readonly kind: 'not-runnable'; readonly message: string }

export type InvocationType = 'RequestResponse' | 'Event'

/** What invokes functions: compute's runner implements it; the API and the data plane declare the parts they use. */
export interface FunctionInvoker {
  /** `ref` is the function's ARN or name; `event` is JSON text. Never throws. */
  invoke(ref: string, event: string, type?: InvocationType): Promise<InvokeOutcome>
}
