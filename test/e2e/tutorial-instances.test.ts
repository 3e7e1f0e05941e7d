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

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.102.0.0/16'

test('the instance-first tutorial from YAML: a VPC, two subnets, two instances running the web server on 4000, an instance target group and a balancer in both zones', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openalb-tutorial-instances-'))
  const port = await freePort()
  const file = join(dataDir, 'instances.yaml')
  // Instances serve on their own addresses (127.100.x.y:4000); only the listener's port is moved.
  writeFileSync(file, readFileSync(join(repoRoot, 'examples', 'instances.yaml'), 'utf8').replace(/\b8080\b/g, String(port)))
  const lb = await startOpenalb({ dataDir, configFile: file, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const view = await lb.control.read()
  const instances = view.list('instance')
  assert.deepEqual(instances.map((i) => i.name).sort(), ['web-1', 'web-2'])
  const subnets = Object.fromEntries(view.list('subnet').map((s) => [s.id, s.name]))
  assert.deepEqual(instances.map((i) => [i.name, subnets[i.subnetId], i.availabilityZone]).sort(), [['web-1', 'web-a', 'us-east-1a'], ['web-2', 'web-b', 'us-east-1b']])
  const balancer = view.list('load-balancer')[0]
  assert.deepEqual(balancer?.availabilityZones, ['us-east-1a', 'us-east-1b'])
  assert.equal(balancer?.vpcId, view.list('vpc')[0]?.id)

  const seen = new Set<string>()
  await eventually(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) seen.add(await res.text())
      return seen.size === 2
    },
    { timeoutMs: 20000, intervalMs: 100, message: 'answers from both instances through the balancer' },
  )
  for (const i of instances) assert.ok(seen.has(`hello from ${i.id} in ${i.availabilityZone}\n`), `${i.name} answered`)

  // The instance's console log, through the CLI.
  const web1 = instances.find((i) => i.name === 'web-1')
  const { stdout } = await run(process.execPath, [join(repoRoot, 'bin', 'openalb.js'), 'logs', 'instance', 'web-1', '--data', dataDir], { timeout: 15000 })
  assert.match(stdout, new RegExp(`web-1 is ${web1?.id ?? '?'} at ${(web1?.address ?? '?').replace(/\./g, '\\.')} in us-east-1a`))
})
