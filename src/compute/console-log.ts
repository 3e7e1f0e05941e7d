import { closeSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** EC2's GetConsoleOutput returns the most recent 64 KB. */
export const CONSOLE_OUTPUT_BYTES = 64 * 1024

/** Where an instance's files live: its user data script and its console log. */
export function instanceDir(dataDir: string, instanceId: string): string {
  return join(dataDir, 'instances', instanceId)
}

export function consoleLogPath(dataDir: string, instanceId: string): string {
  return join(instanceDir(dataDir, instanceId), 'console.log')
}

/** Opens the instance's console log for appending (the process writes to it directly). */
export function openConsoleLog(dataDir: string, instanceId: string): number {
  mkdirSync(instanceDir(dataDir, instanceId), { recursive: true, mode: 0o700 })
  return openSync(consoleLogPath(dataDir, instanceId), 'a', 0o600)
}

/** A line from openalb itself in the instance's console (start, exit, refusal), as a boot log would show. */
export function consoleLine(dataDir: string, instanceId: string, text: string, now = new Date()): void {
  const fd = openConsoleLog(dataDir, instanceId)
  try {
    writeSync(fd, `[${now.toISOString()}] openalb: ${text}\n`)
  } finally {
    closeSync(fd)
  }
}

/** The last `max` bytes of the console log, or undefined when the instance never wrote one. */
export function readConsoleTail(dataDir: string, instanceId: string, max = CONSOLE_OUTPUT_BYTES): Buffer | undefined {
  const path = consoleLogPath(dataDir, instanceId)
  let size: number
  try {
    size = statSync(path).size
  } catch {
    return undefined
  }
  const length = Math.min(size, max)
  const buf = Buffer.alloc(length)
  const fd = openSync(path, 'r')
  try {
    readSync(fd, buf, 0, length, size - length)
  } finally {
    closeSync(fd)
  }
  return buf
}
