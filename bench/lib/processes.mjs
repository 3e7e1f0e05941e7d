// Processes the benchmark starts: each in its own process group (so a proxy's workers are measured
// and stopped with it), optionally pinned with taskset; CPU time and RSS read from /proc.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs'

/** Set on Ctrl-C: scenarios stop starting new runs. */
export const interrupted = { value: false }

/** Process groups started here and not yet seen gone: the only ones this harness ever signals. */
const live = new Set()

export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

export function has(bin) {
  return spawnSync('sh', ['-c', `command -v "${bin}"`], { stdio: 'ignore' }).status === 0
}

/**
 * Starts `cmd args` as the leader of a new process group; `cpus` pins it (and everything it forks).
 * stderr (and stdout unless `pipe`) goes to `logFile`, or is dropped. Returns { pid, pgid, exited } where exited resolves on exit.
 */
export function launch(cmd, args, { cpus, logFile, pipe = false, env, cwd } = {}) {
  if (interrupted.value) throw new Error('interrupted')
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args]
  const fd = logFile ? openSync(logFile, 'a') : 'ignore'
  const stdio = ['ignore', pipe ? 'pipe' : fd, fd]
  const child = spawn(file, argv, { detached: true, stdio, env: { ...process.env, ...env }, cwd })
  if (typeof fd === 'number') closeSync(fd)
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', (error) => resolve({ code: -1, signal: null, error }))
  })
  if (child.pid !== undefined) live.add(child.pid)
  return { pid: child.pid, pgid: child.pid, child, exited }
}

/** Live (non-zombie) pids of a process group. */
export function groupPids(pgid) {
  const pids = []
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue
    const f = statFields(name)
    if (f && f[2] === String(pgid) && f[0] !== 'Z') pids.push(Number(name))
  }
  return pids
}

/** The fields of /proc/PID/stat after the command name: [state, ppid, pgrp, ...]. */
function statFields(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return s.slice(s.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** utime + stime (clock ticks) of each pid; a vanished pid is left out. */
export function cpuTicks(pids) {
  const ticks = new Map()
  for (const pid of pids) {
    const f = statFields(pid)
    if (f) ticks.set(pid, Number(f[11]) + Number(f[12]))
  }
  return ticks
}

/** CPU microseconds spent between two cpuTicks() snapshots. */
export function cpuMicros(before, after) {
  let ticks = 0
  for (const [pid, t] of after) ticks += Math.max(0, t - (before.get(pid) ?? t))
  return (ticks * 1e6) / CLK_TCK
}

/** Busy and total clock ticks of each CPU ('0', '1', ...) from /proc/stat. */
export function cpuStat() {
  const out = new Map()
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+) (.*)/.exec(line)
    if (!m) continue
    const f = m[2].split(' ').map(Number)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    out.set(m[1], { busy: total - f[3] - f[4], total })
  }
  return out
}

/** Sum of VmRSS over pids, in KiB (shared pages of forked workers count once per process). */
export function rssKiB(pids) {
  let total = 0
  for (const pid of pids) {
    try {
      const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (m) total += Number(m[1])
    } catch {}
  }
  return total
}

/** SIGTERM to the group, SIGKILL after graceMs; resolves once no process of the group is left. */
export async function stop(proc, graceMs = 5000) {
  if (!proc?.pgid || !live.has(proc.pgid)) return
  signalGroup(proc.pgid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (groupPids(proc.pgid).length > 0) {
    if (Date.now() > deadline) {
      signalGroup(proc.pgid, 'SIGKILL')
      break
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  await Promise.race([proc.exited, new Promise((r) => setTimeout(r, 2000))])
  live.delete(proc.pgid)
}

export async function stopAll() {
  await Promise.all([...live].map((pgid) => stop({ pgid, exited: Promise.resolve() })))
}

/** Last resort on exit: kill whatever of ours is still running. */
export function killAllSync() {
  for (const pgid of live) signalGroup(pgid, 'SIGKILL')
  live.clear()
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal)
  } catch {}
}

/** Pins this process (all its threads) to cpus, or lets it float when cpus is undefined. */
export function pinSelf(cpus, allCpus) {
  if (has('taskset')) spawnSync('taskset', ['-a', '-cp', cpus ?? allCpus, String(process.pid)], { stdio: 'ignore' })
}
