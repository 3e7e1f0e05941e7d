import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'

/** Another live process holds the lock file. */
export class PidLockHeld extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`${path} is held by process ${pid}`)
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms)
}

/** A takeover guard older than this was left by a process that died inside the takeover. */
const GUARD_STALE_MS = 5_000

/**
 * Removes a lock file left by `stalePid`, once: under a guard file created exclusively, and only if
 * the file still names `stalePid` (two processes that both found the same stale file must not
 * both remove it: the second would remove the lock the first has just taken). Returns false when
 * another process holds the guard.
 */
function removeStale(path: string, stalePid: number | undefined): boolean {
  const guard = `${path}.takeover`
  let fd: number
  try {
    fd = openSync(guard, 'wx', 0o644)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    try {
      if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true })
    } catch {
      // gone meanwhile
    }
    return false
  }
  try {
    if (holder(path) === stalePid) rmSync(path, { force: true })
  } finally {
    closeSync(fd)
    rmSync(guard, { force: true })
  }
  return true
}

/**
 * Creates `path` holding this process's pid, or throws EEXIST. The pid is written to a file of our
 * own first and linked into place, so the lock file is never seen empty.
 */
function createWithPid(path: string): void {
  const own = `${path}.${process.pid}`
  writeFileSync(own, `${process.pid}\n`, { mode: 0o644 })
  try {
    linkSync(own, path)
  } finally {
    rmSync(own, { force: true })
  }
}

/**
 * A pid file as a lock (nginx's and HAProxy's pidfile): created exclusively with this process's
 * pid; a file left by a process that is gone is taken over. Throws PidLockHeld naming the live
 * holder. release() removes the file if it is still ours.
 */
export function acquirePidLock(path: string): { release(): void } {
  for (let attempt = 0; ; attempt++) {
    try {
      createWithPid(path)
      return {
        release: () => {
          if (holder(path) === process.pid) rmSync(path, { force: true })
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const pid = holder(path)
      if (pid !== undefined && alive(pid)) throw new PidLockHeld(path, pid)
      // Stale: its process is gone (kill -9, a crash). Take it over, or let the process taking it
      // over finish and look again.
      if (attempt >= 200) throw new Error(`${path}: could not take over the lock left by process ${pid ?? '(unreadable)'}`)
      if (!removeStale(path, pid)) sleepSync(10)
    }
  }
}
