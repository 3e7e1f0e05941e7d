import { zipSync, strToU8 } from 'fflate'

/** A deployment package (.zip) of the given files, as `zip -r` would make one. */
export function zipOf(files: Record<string, string>): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)]))))
}

/** Node.js handlers the Lambda tests deploy. */
export const NODE_ECHO = `exports.handler = async (event, context) => {
  console.log('event', JSON.stringify(event))
  if (event.fail) throw new Error('boom: ' + event.fail)
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs))
  return { echo: event, name: context.functionName, version: process.env.VERSION ?? 'v1', remaining: context.getRemainingTimeInMillis() > 0, pid: process.pid }
}
`

export const PYTHON_ECHO = `import os

def handler(event, context):
    print('python got', event)
    if event.get('fail'):
        raise ValueError('boom: ' + str(event['fail']))
    return {'echo': event, 'name': context.function_name, 'lang': 'python', 'pid': os.getpid()}
`
