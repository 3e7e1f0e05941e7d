import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'
import { stopChild } from './processes.js'
import { needs } from './shared.js'

/** The skip reason when etcd is missing (Debian etcd-server; .ci/run installs it), else false. */
export const needsEtcd = (): string | false => needs('etcd', 'etcd-server')

export interface EtcdMember {
  readonly name: string
  readonly clientUrl: string
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>
  /** Starts the member again on its data directory. */
  restart(): Promise<void>
  readonly running: boolean
}

export interface EtcdCluster {
  /** etcd://host:port,... for --store (add a /PREFIX to share the cluster between stores). */
  readonly url: string
  readonly members: readonly EtcdMember[]
  stop(): Promise<void>
}

async function healthy(clientUrl: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs
  for (;;) {
    try {
      const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(500) })
      const body = (await res.json()) as { health?: string }
      if (body.health === 'true') return
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`etcd at ${clientUrl} did not become healthy in ${deadlineMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Starts a real etcd of `size` members on loopback, each in its own temp data directory, with
 * short heartbeats so a lost leader is replaced quickly. etcd cannot bind port 0, so ports are
 * picked free a moment before and the whole start is retried when one was taken meanwhile.
 */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(size)
    } catch (e) {
      lastError = e
    }
  }
  throw lastError
}

async function startOnce(size: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-etcd-'))
  const token = `openalb-test-${process.pid}-${Date.now()}`
  const specs: { name: string; client: number; peer: number }[] = []
  for (let i = 0; i < size; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() })
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',')
  const procs = new Map<string, ChildProcess>()
  const output = new Map<string, string>()

  const launch = (s: (typeof specs)[number]) => {
    const child = spawn(
      'etcd',
      [
        '--name', s.name,
        '--data-dir', join(dir, s.name),
        '--listen-client-urls', `http://127.0.0.1:${s.client}`,
        '--advertise-client-urls', `http://127.0.0.1:${s.client}`,
        '--listen-peer-urls', `http://127.0.0.1:${s.peer}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', token,
        '--initial-cluster-state', 'new',
        '--heartbeat-interval', '50',
        '--election-timeout', '500',
        '--max-txn-ops', '10000',
        '--logger', 'zap',
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    output.set(s.name, '')
    child.stderr?.on('data', (d: Buffer) => output.set(s.name, (output.get(s.name) ?? '').slice(-4000) + d.toString()))
    procs.set(s.name, child)
    return child
  }
  const stopOne = async (name: string, signal: NodeJS.Signals) => {
    const child = procs.get(name)
    procs.delete(name)
    await stopChild(child, signal)
  }
  const stop = async () => {
    for (const name of [...procs.keys()]) await stopOne(name, 'SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }

  try {
    for (const s of specs) launch(s)
    await Promise.all(
      specs.map(async (s) => {
        const child = procs.get(s.name)!
        const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`etcd ${s.name} exited (${code}): ${output.get(s.name)}`))))
        await Promise.race([healthy(`http://127.0.0.1:${s.client}`, 15000), exited])
      }),
    )
  } catch (e) {
    await stop()
    throw e
  }
  const members: EtcdMember[] = specs.map((s) => ({
    name: s.name,
    clientUrl: `http://127.0.0.1:${s.client}`,
    get running() {
      return procs.has(s.name)
    },
    kill: () => stopOne(s.name, 'SIGKILL'),
    restart: async () => {
      if (procs.has(s.name)) return
      launch(s)
      await healthy(`http://127.0.0.1:${s.client}`, 15000)
    },
  }))
  return { url: `etcd://${specs.map((s) => `127.0.0.1:${s.client}`).join(',')}`, members, stop }
}
