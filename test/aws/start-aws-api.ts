import type { Quotas } from '../../src/model/quotas.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Control } from '../../src/control/control.js'
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { createAwsApi, type TargetHealthDescription } from '../../src/api/aws/server.js'
import type { CertificateCheck } from '../../src/control/draft.js'
import type { MetricReader } from '../../src/api/aws/deps.js'
import { SSL_POLICIES } from '../../src/model/ssl-policy.js'
import type { Exchange } from './wire-check.js'

export interface RunningAwsApi {
  readonly endpoint: string
  readonly port: number
  readonly control: Control
  /** Health the fake checker reports, by target group ARN. */
  readonly health: Map<string, TargetHealthDescription[]>
  readonly logged: { msg: string; obj: object }[]
  /** Every request and response, for the wire checks against botocore's models. */
  readonly exchanges: Exchange[]
  close(): Promise<void>
}

/** Dummy credentials the SDK clients sign with. */
export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

export function clientConfig(api: RunningAwsApi) {
  return { endpoint: api.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 }
}

/** The imported-certificate check from certs/, when that module is there. */
async function certificateCheck(): Promise<CertificateCheck | undefined> {
  try {
    const mod = (await import('../../src/certs/import.js')) as { validateImport?: CertificateCheck }
    return mod.validateImport
  } catch {
    return undefined
  }
}

/** openalb's AWS API on 127.0.0.1:0 over a fresh SQLite store. */
export async function startAwsApi(options: { accessKeys?: Map<string, string>; now?: () => Date; monitoring?: MetricReader; s3Dir?: string; quotas?: Quotas } = {}): Promise<RunningAwsApi> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-aws-'))
  const store = openSqliteStore(dir)
  const checkCertificate = await certificateCheck()
  const control = new Control(store, { ...(checkCertificate ? { checkCertificate } : {}), ...(options.quotas ? { quotas: options.quotas } : {}) })
  await control.ensureDefaults()
  const health = new Map<string, TargetHealthDescription[]>()
  const logged: { msg: string; obj: object }[] = []
  const log = {
    info: () => {},
    warn: (obj: object, msg: string) => logged.push({ obj, msg }),
    error: (obj: object, msg: string) => logged.push({ obj, msg }),
  }
  const api = createAwsApi({
    control,
    targetHealth: (arn) => (health.has(arn) ? (health.get(arn) as TargetHealthDescription[]) : []),
    sslPolicies: SSL_POLICIES,
    log,
    ...(options.accessKeys ? { accessKeys: options.accessKeys } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.monitoring ? { monitoring: options.monitoring } : {}),
    ...(options.s3Dir ? { s3Dir: options.s3Dir } : {}),
  })
  const exchanges: Exchange[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const end = res.end.bind(res) as (chunk: string) => ServerResponse
      ;(res as unknown as { end: (chunk: string) => ServerResponse }).end = (chunk: string) => {
        exchanges.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, requestBody: body.toString('utf8'), status: res.statusCode, responseBody: String(chunk) })
        return end(chunk)
      }
      void api.handle(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    control,
    health,
    logged,
    exchanges,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
