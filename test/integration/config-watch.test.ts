import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { tutorialConfig } from '../helpers/tutorial.js'

test('up -c re-applies the file when it changes, and a broken edit changes nothing', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-watch-'))
  const { file } = await tutorialConfig(dataDir)
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const rejections = () => lines.filter((l) => l.includes('configuration rejected')).length
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', log })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const interval = async () => (await lb.control.view()).find('target-group', 'web-tg')?.healthCheck.intervalSeconds
  assert.equal(await interval(), 5)
  const original = readFileSync(file, 'utf8')

  writeFileSync(file, original.replace('intervalSeconds: 5', 'intervalSeconds: 10'))
  await eventually(async () => (await interval()) === 10, { timeoutMs: 5000, message: 'the edit applied' })
  const revision = (await lb.control.read()).revision

  // A typo: rejected whole, the running state stays as it was.
  writeFileSync(file, original.replace('intervalSeconds: 5', 'intervalSeconds: 7').replace('    healthCheck:', '    healtCheck:'))
  await eventually(() => rejections() === 1, { message: 'the typo rejected' })
  assert.match(lines.find((l) => l.includes('configuration rejected')) ?? '', /unknown key healtCheck; did you mean healthCheck/)
  assert.equal((await lb.control.read()).revision, revision)
  assert.equal(await interval(), 10)

  // A referential error (an HTTPS listener loses its certificate) is refused too.
  writeFileSync(file, original.replace('        certificates: [api-example-test]\n', ''))
  await eventually(() => rejections() === 2, { message: 'the missing certificate rejected' })
  assert.match(lines.filter((l) => l.includes('configuration rejected'))[1] ?? '', /a certificate must be specified for HTTPS listeners/)
  assert.equal((await lb.control.read()).revision, revision)

  // An emptied file (a truncated save) would delete everything: rejected, nothing deleted.
  writeFileSync(file, '')
  await eventually(() => rejections() === 3, { message: 'the empty file rejected' })
  assert.match(lines.filter((l) => l.includes('configuration rejected'))[2] ?? '', /deletes all \d+ resources in the store and keeps none.*--prune-all/)
  assert.equal((await lb.control.read()).revision, revision)
  assert.equal(await interval(), 10)
})

test('up -c follows the path: saves that replace the file (write a new file, rename it over) keep applying, each logged with its revision', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-watch-'))
  const { file } = await tutorialConfig(dataDir)
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', log })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const interval = async () => (await lb.control.view()).find('target-group', 'web-tg')?.healthCheck.intervalSeconds
  const original = readFileSync(file, 'utf8')
  // As sed -i and editors save: a new file beside it, renamed over the old path (a new inode each time).
  const replace = (text: string) => {
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
  }
  for (const seconds of [10, 15, 20]) {
    replace(original.replace('intervalSeconds: 5', `intervalSeconds: ${seconds}`))
    await eventually(async () => (await interval()) === seconds, { timeoutMs: 5000, message: `the save to ${seconds}s applied` })
    const revision = (await lb.control.read()).revision
    await eventually(() => lines.some((l) => l.includes(`configuration re-applied as revision ${revision}`)), { message: `revision ${revision} logged` })
  }
})
