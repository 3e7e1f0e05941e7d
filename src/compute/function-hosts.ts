/**
 * The runtime hosts: the small program each function process runs. It loads the handler once
 * (the cold start), then answers one invocation at a time over fd 3, one JSON line each way:
 *   host -> openalb  {"type":"ready"} | {"type":"init-error","errorType","errorMessage"}
 *   openalb -> host  {"id","event":"<JSON text>","requestId","deadlineMs","functionArn"}
 *   host -> openalb  {"id","result":"<JSON text>"} | {"id","error":{errorType,errorMessage,...}}
 * The handler's console output goes to stdout and stderr, which are the function's log file.
 * They are kept here as text and written to the data directory, so the build needs no copy step.
 */

export const NODE_HOST = String.raw`import { Socket } from 'node:net'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { format as fmt } from 'node:util'

const chan = new Socket({ fd: 3, readable: true, writable: true })
const send = (msg) => chan.write(JSON.stringify(msg) + '\n')
const root = process.env.LAMBDA_TASK_ROOT
const spec = process.env._HANDLER ?? ''
let current = undefined

// Lambda's Node.js runtime prefixes each console line with the time, the request id and the level.
for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[name] = (...args) => process.stdout.write(new Date().toISOString() + '\t' + (current ?? 'undefined') + '\t' + level + '\t' + fmt(...args).replace(/\n/g, '\r') + '\n')
}

function errorOf(e) {
  if (e instanceof Error) return { errorType: e.name, errorMessage: e.message, trace: String(e.stack ?? '').split('\n') }
  return { errorType: 'string', errorMessage: typeof e === 'string' ? e : JSON.stringify(e) ?? String(e), trace: [] }
}

async function load() {
  const dot = spec.lastIndexOf('.')
  if (dot <= 0) throw Object.assign(new Error('Bad handler ' + spec), { lambdaType: 'Runtime.MalformedHandlerName' })
  const file = spec.slice(0, dot)
  const name = spec.slice(dot + 1)
  const found = ['.js', '.mjs', '.cjs'].map((ext) => join(root, file + ext)).find((p) => existsSync(p))
  if (!found) throw Object.assign(new Error("Cannot find module '" + file + "'"), { lambdaType: 'Runtime.ImportModuleError' })
  let mod
  try {
    mod = await import(pathToFileURL(found).href)
  } catch (e) {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { lambdaType: 'Runtime.ImportModuleError' })
  }
  const fn = mod[name] ?? mod.default?.[name]
  if (typeof fn !== 'function') throw Object.assign(new Error(spec + ' is undefined or not exported'), { lambdaType: 'Runtime.HandlerNotFound' })
  return fn
}

function contextFor(req) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: req.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: req.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, req.deadlineMs - Date.now()),
  }
}

function run(handler, event, context) {
  if (handler.length < 3) return Promise.resolve().then(() => handler(event, context))
  return new Promise((resolve, reject) => {
    const result = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)))
    if (result && typeof result.then === 'function') result.then(resolve, reject)
  })
}

let handler
try {
  handler = await load()
  send({ type: 'ready' })
} catch (e) {
  const err = errorOf(e)
  console.error(JSON.stringify({ ...err, errorType: e.lambdaType ?? err.errorType }))
  send({ type: 'init-error', errorType: e.lambdaType ?? err.errorType, errorMessage: (e.lambdaType === 'Runtime.ImportModuleError' ? 'Error: ' : '') + err.errorMessage })
}

let buffered = ''
chan.setEncoding('utf8')
chan.on('data', async (chunk) => {
  buffered += chunk
  let nl
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl)
    buffered = buffered.slice(nl + 1)
    const req = JSON.parse(line)
    current = req.requestId
    try {
      const value = await run(handler, JSON.parse(req.event), contextFor(req))
      send({ id: req.id, result: JSON.stringify(value) ?? 'null' })
    } catch (e) {
      const err = errorOf(e)
      process.stdout.write(new Date().toISOString() + '\t' + req.requestId + '\tERROR\tInvoke Error \t' + JSON.stringify(err) + '\n')
      send({ id: req.id, error: err })
    }
  }
})
chan.on('end', () => process.exit(0))
`

export const PYTHON_HOST = String.raw`import importlib, json, os, socket, sys, time, traceback

root = os.environ['LAMBDA_TASK_ROOT']
spec = os.environ.get('_HANDLER', '')
sys.path.insert(0, root)
sock = socket.socket(fileno=3)
chan = sock.makefile('rwb')

def send(msg):
    chan.write((json.dumps(msg) + '\n').encode('utf-8'))
    chan.flush()

class Context:
    def __init__(self, req):
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME')
        self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION')
        self.invoked_function_arn = req['functionArn']
        self.memory_limit_in_mb = os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
        self.aws_request_id = req['requestId']
        self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME')
        self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME')
        self._deadline = req['deadlineMs']
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline - time.time() * 1000))

handler = None
init_error = None
try:
    module, _, name = spec.rpartition('.')
    if not module:
        raise ValueError('Bad handler ' + spec)
    try:
        mod = importlib.import_module(module.replace('/', '.'))
    except Exception as e:
        init_error = {'errorType': 'Runtime.ImportModuleError', 'errorMessage': "Unable to import module '%s': %s" % (module, e)}
    else:
        handler = getattr(mod, name, None)
        if handler is None:
            init_error = {'errorType': 'Runtime.HandlerNotFound', 'errorMessage': "Handler '%s' missing on module '%s'" % (name, module)}
except Exception as e:
    init_error = {'errorType': 'Runtime.MalformedHandlerName', 'errorMessage': str(e)}

if init_error:
    print('[ERROR] %s: %s' % (init_error['errorType'], init_error['errorMessage']), flush=True)
    send(dict(init_error, type='init-error'))
else:
    send({'type': 'ready'})

for line in chan:
    req = json.loads(line)
    try:
        value = handler(json.loads(req['event']), Context(req))
        send({'id': req['id'], 'result': json.dumps(value)})
    except Exception as e:
        err = {'errorMessage': str(e), 'errorType': type(e).__name__, 'requestId': req['requestId'], 'stackTrace': traceback.format_tb(e.__traceback__)}
        print('[ERROR] %s: %s' % (err['errorType'], err['errorMessage']), flush=True)
        send({'id': req['id'], 'error': err})
`
