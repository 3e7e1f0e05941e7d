import { closeSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** EC2's GetConsoleOutput returns the most recent 64 KB. */
export const CONSOLE_OUTPUT_BYTES = 64 * 1024

/** Where an instance's files live: its user data script and its console log. */
export function instanceDir(dataDir: string, instanceId: string): string {
  return join(dataDir, 'instances', instanceId)
}

export function consoleLogPath(dataDir: string, instanceId: string): string {
  return join(instanceDir(dataDir, instanceId), 'console.log')
}

/** Where a function's files live: its log. */
export function functionDir(dataDir: string, name: string): string {
  return join(dataDir, 'functions', name)
}

export function functionLogPath(dataDir: string, name: string): string {
  return join(functionDir(dataDir, name), 'function.log')
}

/** Opens a log for appending (a process writes to it directly), making its directory. */
export function openLog(path: string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  return openSync(path, 'a', 0o600)
}

/** Appends text to a log. */
export function appendLog(path: string, text: string): void {
  const fd = openLog(path)
  try {
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
}

/** Opens the instance's console log for appending (the process writes to it directly). */
export function openConsoleLog(dataDir: string, instanceId: string): number {
  return openLog(consoleLogPath(dataDir, instanceId))
}

/** A line from openalb itself in the instance's console (start, exit, refusal), as a boot log would show. */
export function consoleLine(dataDir: string, instanceId: string, text: string, now = new Date()): void {
  appendLog(consoleLogPath(dataDir, instanceId), `[${now.toISOString()}] openalb: ${text}\n`)
}

/** The last `max` bytes of the console log, or undefined when the instance never wrote one. */
export function readConsoleTail(dataDir: string, instanceId: string, max = CONSOLE_OUTPUT_BYTES): Buffer | undefined {
  return readLogTail(consoleLogPath(dataDir, instanceId), max)
}

/** The last `max` bytes of a log, or undefined when there is none. */
export function readLogTail(path: string, max: number): Buffer | undefined {
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
