import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { acquirePidLock, PidLockHeld } from '../../../src/lib/pid-lock.js'

const moduleUrl = new URL('../../../src/lib/pid-lock.js', import.meta.url).href

/** A pid that no process has: past the kernel's pid_max. */
const DEAD_PID = 4_194_305

test('a live holder is named; a stale file is taken over; release removes only our own file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pid-lock-'))
  try {
    const path = join(dir, 'openalb.pid')
    const lock = acquirePidLock(path)
    assert.equal(readFileSync(path, 'utf8').trim(), String(process.pid))
    assert.throws(() => acquirePidLock(path), (e: unknown) => e instanceof PidLockHeld && e.pid === process.pid && e.message.includes(`held by process ${process.pid}`))
    lock.release()
    writeFileSync(path, `${DEAD_PID}\n`)
    const again = acquirePidLock(path)
    assert.equal(readFileSync(path, 'utf8').trim(), String(process.pid))
    writeFileSync(path, `${DEAD_PID}\n`)
    again.release()
    assert.equal(readFileSync(path, 'utf8').trim(), String(DEAD_PID), 'release leaves a file that is not ours')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

// Processes that find the same stale file at the same moment: exactly one takes it over (before
// the fix, the second removed the lock the first had just made, and both held it).
test('six processes taking over one stale lock at the same moment: exactly one holds it, each round', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pid-lock-race-'))
  const script = `
    const { acquirePidLock } = await import(${JSON.stringify(moduleUrl)})
    const [path, at] = process.argv.slice(1)
    while (Date.now() < Number(at)) {}
    try { acquirePidLock(path); process.stdout.write('held'); setTimeout(() => {}, 600) }
    catch (e) { process.stdout.write('refused ' + e.message) }`
  try {
    for (let round = 0; round < 8; round++) {
      const path = join(dir, `r${round}.pid`)
      writeFileSync(path, `${DEAD_PID}\n`)
      const at = Date.now() + 500
      const outputs = await Promise.all(
        Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, path, String(at)])
          let out = ''
          child.stdout.on('data', (d: Buffer) => (out += d))
          child.on('error', reject)
          child.on('exit', () => resolve(out))
        })),
      )
      const held = outputs.filter((o) => o === 'held').length
      assert.equal(held, 1, `round ${round}: ${outputs.join(' | ')}`)
      for (const o of outputs.filter((x) => x !== 'held')) assert.match(o, /^refused .* is held by process \d+$/)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
