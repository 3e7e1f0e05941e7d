/** The admin client: how `openalb` commands find a running openalb on a data directory and ask it. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** What a running `openalb up` writes into its data directory so other commands find it. */
export interface ServerInfo {
  readonly pid: number
  readonly controlUrl: string
  readonly dnsAddress: string
  readonly startedAt: string
  /** Data-plane worker processes (`--workers`; absent from an older openalb: 1). */
  readonly workers?: number
}

export const serverInfoPath = (dataDir: string) => join(dataDir, 'server.json')

/** openalb's own log, beside its state (JSON lines, as on stderr): `openalb logs openalb`. */
export const openalbLogPath = (dataDir: string) => join(dataDir, 'openalb.log')

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The running server on this data directory, if there is one. */
export function runningServer(dataDir: string): ServerInfo | undefined {
  const p = serverInfoPath(dataDir)
  if (!existsSync(p)) return undefined
  try {
    const info = JSON.parse(readFileSync(p, 'utf8')) as ServerInfo
    return alive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}

/** The control endpoint a server.json names did not answer (openalb stopped, crashed or is starting). */
export class AdminUnreachable extends Error {
  constructor(readonly controlUrl: string, readonly reason: string) {
    super(`openalb's control endpoint ${controlUrl} does not answer (${reason})`)
    this.name = 'AdminUnreachable'
  }
}

export async function adminGet<T>(server: ServerInfo, path: string): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${server.controlUrl}${path}`, { signal: AbortSignal.timeout(5000) })
  } catch (e) {
    // fetch says only 'fetch failed'; the cause (ECONNREFUSED, a timeout) is what the user can act on.
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e
    const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined
    throw new AdminUnreachable(server.controlUrl, code ?? (cause instanceof Error ? cause.message : String(cause)))
  }
  const body = (await res.json()) as T & { error?: string }
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`)
  return body
}
