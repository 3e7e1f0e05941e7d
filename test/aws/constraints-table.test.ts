import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { serviceModel } from './service-models.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

test('src/api/aws/models/constraints.ts is what scripts/gen-aws-constraints.mjs makes of the installed botocore', async (t) => {
  if (!serviceModel('elbv2')) {
    const reason = 'SKIPPED: python3 botocore is not installed (.ci/run installs python3-botocore)'
    console.warn(reason)
    return t.skip(reason)
  }
  type Botocore = { data: string; version: string }
  const gen = (await import(`${root}scripts/gen-aws-constraints.mjs`)) as { render: (b: Botocore) => string; botocoreData: () => Botocore }
  const current = readFileSync(`${root}src/api/aws/models/constraints.ts`, 'utf8')
  const botocore = gen.botocoreData()
  const made = /from botocore (\S+)'s models/.exec(current)?.[1]
  if (made !== botocore.version) {
    const reason = `SKIPPED: constraints.ts was made from botocore ${made ?? '?'}, the installed one is ${botocore.version}`
    console.warn(reason)
    return t.skip(reason)
  }
  const fresh = gen.render(botocore)
  assert.ok(current === fresh, 'constraints.ts is stale: run node scripts/gen-aws-constraints.mjs')
})
