import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

/** The parts of a botocore service-2.json the wire checks read. */
export interface ShapeRef {
  readonly shape: string
  readonly locationName?: string
  readonly location?: string
  readonly flattened?: boolean
}
export interface Shape {
  readonly type: string
  readonly members?: Record<string, ShapeRef>
  readonly member?: ShapeRef
  readonly flattened?: boolean
  readonly enum?: readonly string[]
  readonly error?: { readonly code?: string }
  readonly exception?: boolean
}
export interface Operation {
  readonly name: string
  readonly http: { readonly method: string; readonly requestUri: string; readonly responseCode?: number }
  readonly output?: { readonly shape: string; readonly resultWrapper?: string }
  readonly errors?: readonly { readonly shape: string }[]
}
export interface ServiceModel {
  readonly metadata: { readonly protocol: string }
  readonly operations: Record<string, Operation>
  readonly shapes: Record<string, Shape>
}

const VERSIONS = { elbv2: '2015-12-01', elb: '2012-06-01', acm: '2015-12-08', route53: '2013-04-01', ec2: '2016-11-15', autoscaling: '2011-01-01', sts: '2011-06-15', cloudwatch: '2010-08-01' } as const
export type ModelService = keyof typeof VERSIONS

let dataDir: string | null | undefined
function botocoreData(): string | undefined {
  if (dataDir !== undefined) return dataDir ?? undefined
  dataDir = null
  const candidates = [process.env.BOTOCORE_DATA, '/usr/lib/python3/dist-packages/botocore/data']
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    candidates.unshift(join(dir, 'data'))
  } catch {
    // no python botocore: try the other places
  }
  for (const c of candidates) if (c && existsSync(join(c, 'elbv2'))) return (dataDir = c)
  return undefined
}

const cache = new Map<ModelService, ServiceModel>()

/** botocore's model of a service, or undefined when botocore is not installed. */
export function serviceModel(service: ModelService): ServiceModel | undefined {
  const cached = cache.get(service)
  if (cached) return cached
  const data = botocoreData()
  if (!data) return undefined
  const base = join(data, service, VERSIONS[service], 'service-2.json')
  const text = existsSync(base) ? readFileSync(base, 'utf8') : existsSync(`${base}.gz`) ? gunzipSync(readFileSync(`${base}.gz`)).toString('utf8') : undefined
  if (text === undefined) return undefined
  const model = JSON.parse(text) as ServiceModel
  cache.set(service, model)
  return model
}
