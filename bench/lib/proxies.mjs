// The backend and the proxies under test: how each is configured, started and found ready.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { has, launch, stop } from './processes.mjs'
import { freePort, portInUse, waitFor200 } from './probe.mjs'

const bench = fileURLToPath(new URL('..', import.meta.url))
const repo = join(bench, '..')

export const BACKEND_PORT = 9000 // bench/openalb-bench.yaml's target
export const OPENALB_PORT = 8080 // bench/openalb-bench.yaml's listener
export const PROXIES = ['direct', 'openalb', 'nginx', 'haproxy', 'http-proxy', 'fastify', 'node-undici']
const NODE_PEERS = { 'http-proxy': ['http-proxy'], fastify: ['fastify', '@fastify/reply-from'], 'node-undici': ['undici'] }

// HAProxy refuses to start when 2 x maxconn exceeds the hard limit on open files.
const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 20_000
const HAPROXY_MAXCONN = Math.max(256, Math.min(20_000, Math.floor((fdLimit - 200) / 2)))

function render(template, vars, out) {
  let text = readFileSync(join(bench, 'conf', template), 'utf8')
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, String(v))
  writeFileSync(out, text)
  return out
}

/**
 * Starts the backend on 127.0.0.1:9000: nginx when installed and `kind` allows, else bench/backend.mjs.
 * Throws when the port is taken (by something this harness must not stop).
 */
export async function startBackend({ kind = 'auto', cpus, dir }) {
  if (await portInUse(BACKEND_PORT)) throw new Error(`port ${BACKEND_PORT} is in use: stop whatever listens there and run again`)
  mkdirSync(dir, { recursive: true })
  const useNginx = kind === 'nginx' || (kind === 'auto' && has('nginx'))
  const logFile = join(dir, 'backend.log')
  const proc = useNginx
    ? launch('nginx', ['-e', join(dir, 'nginx-backend.err'), '-p', dir, '-c', render('nginx-backend.conf', { DIR: dir, PORT: BACKEND_PORT }, join(dir, 'nginx-backend.conf'))], { cpus, logFile })
    : launch(process.execPath, [join(bench, 'backend.mjs'), String(BACKEND_PORT)], { cpus, logFile })
  const ready = await waitFor200(`http://127.0.0.1:${BACKEND_PORT}/`, { seconds: 10, exited: proc.exited })
  if (!ready.ok) {
    await stop(proc)
    throw new Error(`the backend did not start (${ready.reason}); see ${logFile}`)
  }
  return { name: useNginx ? 'nginx' : 'node', proc }
}

/**
 * Starts one proxy in front of the backend and waits for it to answer 200.
 * Resolves { name, proc, url, owned } or { name, skip } with the reason it is not measured.
 */
export async function startProxy(name, { cpus, workers, dir, readySeconds, backend }) {
  const d = join(dir, name)
  mkdirSync(d, { recursive: true })
  const logFile = join(d, 'out.log')
  const upstream = `127.0.0.1:${BACKEND_PORT}`
  let proc
  let port
  switch (name) {
    case 'direct':
      return { name, proc: backend.proc, url: `http://${upstream}/`, owned: false }
    case 'openalb':
      if (!existsSync(join(repo, 'dist', 'src', 'cli', 'main.js'))) return { name, skip: 'n/a (not built: npm run build)' }
      if (await portInUse(OPENALB_PORT)) return { name, skip: `n/a (port ${OPENALB_PORT} is in use by another process)` }
      port = OPENALB_PORT
      // Started as a user starts it: the bin's shebang carries openalb's node flags.
      proc = launch(join(repo, 'bin', 'openalb.js'), ['up', '-c', join(bench, 'openalb-bench.yaml'),
        '--data', join(d, 'data'), '--control', '127.0.0.1:0', '--dns', '127.0.0.1:0', '--workers', String(workers)], { cpus, logFile, cwd: repo })
      break
    case 'nginx':
      if (!has('nginx')) return { name, skip: 'skipped (nginx not installed: apt-get install nginx)' }
      port = await freePort()
      proc = launch('nginx', ['-e', join(d, 'nginx-proxy.err'), '-p', d, '-c',
        render('nginx-proxy.conf', { DIR: d, PORT: port, UPSTREAM: upstream, WORKERS: workers }, join(d, 'nginx-proxy.conf'))], { cpus, logFile })
      break
    case 'haproxy':
      if (!has('haproxy')) return { name, skip: 'skipped (haproxy not installed: apt-get install haproxy)' }
      port = await freePort()
      proc = launch('haproxy', ['-db', '-f', render('haproxy.cfg', { PORT: port, UPSTREAM: upstream, WORKERS: workers, MAXCONN: HAPROXY_MAXCONN }, join(d, 'haproxy.cfg'))], { cpus, logFile })
      break
    default: {
      const deps = NODE_PEERS[name]
      if (!deps) return { name, skip: `unknown proxy (known: ${PROXIES.join(', ')})` }
      const missing = deps.filter((p) => !existsSync(join(bench, 'peers', 'node_modules', p, 'package.json')))
      if (missing.length) return { name, skip: `skipped (${missing.join(', ')} not installed: npm --prefix bench/peers install)` }
      port = await freePort()
      proc = launch(process.execPath, [join(bench, 'peers', `${name}.mjs`)], { cpus, logFile, env: { PORT: String(port), UPSTREAM: upstream } })
    }
  }
  const url = `http://127.0.0.1:${port}/`
  // openalb answers 200 only once its health checks have found the target healthy.
  const ready = await waitFor200(url, { seconds: name === 'openalb' ? readySeconds : 10, exited: proc.exited })
  if (!ready.ok) {
    await stop(proc)
    return { name, skip: `n/a (${ready.reason}; log: ${logFile})` }
  }
  return { name, proc, url, owned: true }
}
