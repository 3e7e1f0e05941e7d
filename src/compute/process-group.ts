import type { ChildProcess } from 'node:child_process'

/** Sends a signal to a child's whole process group (it was spawned detached); a gone group is no error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // the group is already gone
  }
}

/**
 * Ends a process started in its own group (STYLE habit 18): SIGTERM to the group, SIGKILL after
 * `timeoutMs` (0: at once), then SIGKILL again for whatever it left behind in its group. Resolves
 * once the process has exited.
 */
export async function stopGroup(child: ChildProcess, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  const pid = child.pid
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  signalGroup(pid, timeoutMs === 0 ? 'SIGKILL' : 'SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL')
      resolve()
    }, timeoutMs)
  })
  await Promise.race([exited, killed])
  clearTimeout(timer)
  await exited
  signalGroup(pid, 'SIGKILL')
}
