#!/usr/bin/env node
// Counts the operations openalb answers per AWS service against botocore's models.
//   npm run build && node scripts/aws-coverage.mjs          one line per service
//   node scripts/aws-coverage.mjs --json                     the same as JSON
// An operation counts as implemented when openalb answers it (fully or partly, as docs/aws-api.md
// says); every other operation of the model answers InvalidAction / UnknownOperationException.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

const SERVICES = { elbv2: '2015-12-01', elb: '2012-06-01', acm: '2015-12-08', route53: '2013-04-01', ec2: '2016-11-15', autoscaling: '2011-01-01', lambda: '2015-03-31', sts: '2011-06-15', cloudwatch: '2010-08-01' }
const [dir, version] = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__));print(botocore.__version__)'], { encoding: 'utf8' }).trim().split('\n')
const { awsApiCoverage } = await import(new URL('../dist/src/api/aws/coverage.js', import.meta.url).pathname)
const coverage = awsApiCoverage()

const rows = []
for (const [service, v] of Object.entries(SERVICES)) {
  const base = join(dir, 'data', service, v, 'service-2.json')
  let text
  try {
    text = gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')
  } catch {
    text = readFileSync(base, 'utf8')
  }
  const model = Object.keys(JSON.parse(text).operations)
  const answered = coverage[service] ?? {}
  const implemented = model.filter((op) => op in answered)
  const unknown = Object.keys(answered).filter((op) => !model.includes(op))
  rows.push({
    service,
    implemented: implemented.length,
    total: model.length,
    partial: implemented.filter((op) => answered[op].status === 'partial').length,
    missing: model.filter((op) => !(op in answered)),
    notInModel: unknown,
  })
}
if (process.argv.includes('--json')) console.log(JSON.stringify({ botocore: version, services: rows }, null, 2))
else {
  console.log(`botocore ${version}`)
  for (const r of rows) console.log(`${r.service.padEnd(8)} ${String(r.implemented).padStart(3)}/${r.total}  (${r.partial} partial)${r.notInModel.length ? `  not in the model: ${r.notInModel.join(', ')}` : ''}`)
}
