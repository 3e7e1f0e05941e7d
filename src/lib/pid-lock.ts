import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'

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

/**
 * A pid file as a lock (nginx's and HAProxy's pidfile): created exclusively with this process's
 * pid; a file left by a process that is gone is taken over. Throws PidLockHeld naming the live
 * holder. release() removes the file if it is still ours.
 */
export function acquirePidLock(path: string): { release(): void } {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return {
        release: () => {
          if (holder(path) === process.pid) rmSync(path, { force: true })
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        const pid = holder(path)
        if (pid !== undefined && (e as NodeJS.ErrnoException).code === 'EEXIST') throw new PidLockHeld(path, pid)
        throw e
      }
      const pid = holder(path)
      if (pid !== undefined && alive(pid)) throw new PidLockHeld(path, pid)
      // Stale: its process is gone (kill -9, a crash). Take it over.
      rmSync(path, { force: true })
    }
  }
}
