import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { startOpenalb, type OpenalbHandle } from '../../src/main.js'
import { eventually } from './eventually.js'
import { freePort } from './ports.js'
import { repoRoot } from './shared.js'

export interface TutorialPorts {
  readonly http: number
  readonly https: number
  readonly backends: readonly [number, number]
}

export interface RunningTutorial {
  readonly lb: OpenalbHandle
  readonly ports: TutorialPorts
  readonly dataDir: string
  /** openalb's CA root (`<dataDir>/ca/root.pem`): trust it to verify the HTTPS listener. */
  readonly caFile: string
  readonly configFile: string
  readonly backends: Map<number, Server>
  startBackend(port: number): Promise<Server>
  stopBackend(port: number): Promise<void>
  targetStates(): Promise<Record<string, string>>
  close(): Promise<void>
}

/** examples/tutorial.yaml with its fixed ports moved to free ones, so tests run side by side. */
export async function tutorialConfig(dir: string): Promise<{ file: string; ports: TutorialPorts }> {
  const ports: TutorialPorts = { http: await freePort(), https: await freePort(), backends: [await freePort(), await freePort()] }
  const text = readFileSync(join(repoRoot, 'examples', 'tutorial.yaml'), 'utf8')
    .replace(/\$schema=\S+/, `$schema=${join(repoRoot, 'schema', 'openalb.schema.json')}`)
    // One pass: a free port replaced in may itself contain 4000 or 8080.
    .replace(/\b(8443|8080|4001|4000)\b/g, (p) => String({ 8443: ports.https, 8080: ports.http, 4001: ports.backends[1], 4000: ports.backends[0] }[p]))
  const file = join(dir, 'tutorial.yaml')
  writeFileSync(file, text)
  return { file, ports }
}

export function backend(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': String(port) })
    res.end(`hello from ${port}: ${req.method} ${req.url} xff=${req.headers['x-forwarded-for'] ?? ''} proto=${req.headers['x-forwarded-proto'] ?? ''}\n`)
  })
  return new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve(server)))
}

/** The tutorial running in-process: backends, openalb on free ports, targets healthy. */
/** accessKeys: 'AKID:SECRET' as OPENALB_ACCESS_KEYS has it (the AWS API and the console then ask for them). */
/** workers: `--workers N` (data-plane processes). */
export async function startTutorial(options: { accessKeys?: string; workers?: number } = {}): Promise<RunningTutorial> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-e2e-'))
  const { file, ports } = await tutorialConfig(dataDir)
  const backends = new Map<number, Server>()
  for (const p of ports.backends) backends.set(p, await backend(p))
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'silent' }), ...options })
  const targetStates = async () => {
    const view = await lb.control.view()
    const tg = view.find('target-group', 'web-tg')
    const res = await fetch(`${lb.controlUrl}/admin/v1/target-health?targetGroup=${encodeURIComponent(tg?.arn ?? '')}`)
    const body = (await res.json()) as { targets: { target: { id: string; port: number }; state: string }[] }
    return Object.fromEntries(body.targets.map((t) => [`${t.target.id}:${t.target.port}`, t.state]))
  }
  await eventually(async () => Object.values(await targetStates()).every((s) => s === 'healthy'), { timeoutMs: 20000, message: 'both targets healthy' })
  return {
    lb,
    ports,
    dataDir,
    caFile: join(dataDir, 'ca', 'root.pem'),
    configFile: file,
    backends,
    startBackend: async (port) => {
      const s = await backend(port)
      backends.set(port, s)
      return s
    },
    stopBackend: async (port) => {
      const s = backends.get(port)
      backends.delete(port)
      if (!s) return
      s.closeAllConnections()
      await new Promise<void>((r) => s.close(() => r()))
    },
    targetStates,
    close: async () => {
      await lb.close()
      for (const s of backends.values()) {
        s.closeAllConnections()
        await new Promise<void>((r) => s.close(() => r()))
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
