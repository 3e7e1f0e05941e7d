import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'

const run = promisify(execFile)

// Its own instance range; group passes every 200 ms.
process.env.OPENALB_INSTANCE_ADDRESSES = '127.106.0.0/16'
process.env.OPENALB_AUTOSCALING_INTERVAL_MS = '200'

test('examples/autoscaling.yaml: a launch template and a group from YAML serve behind the balancer, openalb get shows them, and a re-apply that raises minSize keeps the running instances', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-asg-yaml-'))
  const port = await freePort()
  const file = join(dataDir, 'autoscaling.yaml')
  const text = readFileSync(join(repoRoot, 'examples', 'autoscaling.yaml'), 'utf8').replace(/\b8080\b/g, String(port))
  writeFileSync(file, text)
  const node = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await node.close()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const answer = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
    return res.status === 200 ? await res.text() : ''
  }
  const first = (await eventually(async () => /^hello from (i-[0-9a-f]+) in us-east-1[ab]\n$/.exec(await answer())?.[1], { timeoutMs: 30000, intervalMs: 200, message: 'the group\'s instance answering' })) ?? ''
  const view = await node.control.read()
  const group = view.list('auto-scaling-group')[0]
  assert.equal(group?.name, 'web')
  assert.equal(group?.desiredCapacity, 1, 'no desiredCapacity in the file: minSize')
  assert.equal(view.list('scaling-policy')[0]?.targetTracking?.metric, 'ALBRequestCountPerTarget')
  const inst = view.get('instance', first)
  assert.equal(inst?.tags.app, 'web', 'the group\'s tags reach its instances')
  assert.equal(inst?.tags['aws:autoscaling:groupName'], 'web')

  const cli = (args: string[]) => run(process.execPath, [join(repoRoot, 'bin', 'openalb.js'), ...args, '--data', dataDir], { timeout: 15000 })
  const { stdout } = await cli(['get', 'auto-scaling-groups'])
  assert.match(stdout, /NAME\s+MIN\s+DESIRED\s+MAX\s+IN SERVICE/)
  assert.match(stdout, new RegExp(`web\\s+1\\s+1\\s+4\\s+1\\s+${first}:InService`))
  assert.match((await cli(['get', 'launch-templates'])).stdout, /web\s+lt-[0-9a-f]+\s+1\s+1/)

  // The running group is what the file says: no drift (its members, activities and registrations are its own).
  assert.match((await cli(['plan', file])).stdout, /No changes: the store matches the configuration\./)

  // Raise minSize in the file: the watcher re-applies, the group grows, and its first instance stays registered.
  writeFileSync(file, text.replace('minSize: 1', 'minSize: 2'))
  await eventually(
    async () => {
      const v = await node.control.read()
      const g = v.list('auto-scaling-group')[0]
      const tg = v.list('target-group')[0]
      return g?.members.length === 2 && g.members.every((m) => m.lifecycleState === 'InService') && tg?.targets.length === 2
    },
    { timeoutMs: 20000, intervalMs: 200, message: 'two instances in service and registered' },
  )
  const v = await node.control.read()
  assert.ok(v.list('auto-scaling-group')[0]?.members.some((m) => m.instanceId === first), 'the re-apply kept the running instance')
  assert.equal(v.get('instance', first)?.state, 'running')
  const seen = new Set<string>()
  await eventually(
    async () => {
      seen.add(await answer())
      return seen.size >= 2 && [...seen].filter((s) => s.startsWith('hello')).length === 2
    },
    { timeoutMs: 30000, intervalMs: 100, message: 'both instances answering' },
  )
})
