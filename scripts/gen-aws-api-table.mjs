#!/usr/bin/env node
// Generates the operation table of docs/aws-api.md from botocore's service models, so that the
// page says exactly which operations openalb answers (supported / partial / not supported).
//   node scripts/gen-aws-api-table.mjs          rewrite the table in docs/aws-api.md
//   node scripts/gen-aws-api-table.mjs --check  exit 1 when the page is out of date
// Needs a build (npm run build) for dist/src/api/aws/coverage.js, and botocore's data directory:
// BOTOCORE_DATA, else the python3 botocore module, else Debian's python3-botocore.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

const root = new URL('..', import.meta.url).pathname
const docPath = join(root, 'docs', 'aws-api.md')
const BEGIN = '<!-- BEGIN GENERATED OPERATION TABLE: scripts/gen-aws-api-table.mjs -->'
const END = '<!-- END GENERATED OPERATION TABLE -->'

const SERVICES = [
  { key: 'elbv2', dir: 'elbv2', version: '2015-12-01', title: 'Elastic Load Balancing v2 (ELBv2)', protocol: 'Query, `Version=2015-12-01`' },
  { key: 'elb', dir: 'elb', version: '2012-06-01', title: 'Classic Load Balancers (elb; see [classic.md](classic.md))', protocol: 'Query, `Version=2012-06-01`' },
  { key: 'acm', dir: 'acm', version: '2015-12-08', title: 'AWS Certificate Manager (ACM)', protocol: 'JSON 1.1, `X-Amz-Target: CertificateManager.*`' },
  { key: 'route53', dir: 'route53', version: '2013-04-01', title: 'Route 53', protocol: 'REST-XML under `/2013-04-01/`' },
  { key: 'ec2', dir: 'ec2', version: '2016-11-15', title: 'EC2 (security groups, VPCs, subnets, zones, regions, gateways, route tables, tags, instances, launch templates)', protocol: 'EC2 Query, `Version=2016-11-15`', collapse: 'EC2' },
  { key: 'autoscaling', dir: 'autoscaling', version: '2011-01-01', title: 'Auto Scaling', protocol: 'Query, `Version=2011-01-01`' },
  { key: 'cloudwatch', dir: 'cloudwatch', version: '2010-08-01', title: 'CloudWatch (alarms and the metrics openalb publishes; see [autoscaling.md](autoscaling.md))', protocol: 'Query, `Version=2010-08-01`; JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.*` (AWS Query compatible)', collapse: 'CloudWatch' },
  { key: 'lambda', dir: 'lambda', version: '2015-03-31', title: 'Lambda (functions, invocations, permissions, concurrency, tags; see [lambda.md](lambda.md))', protocol: 'REST-JSON under `/2015-03-31/`, `/2017-10-31/`, `/2019-09-30/`, `/2017-03-31/tags/`', collapse: 'Lambda' },
  { key: 'sts', dir: 'sts', version: '2011-06-15', title: 'STS (who the caller is)', protocol: 'Query, `Version=2011-06-15`', collapse: 'STS' },
]

function botocoreData() {
  if (process.env.BOTOCORE_DATA) return process.env.BOTOCORE_DATA
  try {
    const dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim()
    if (existsSync(join(dir, 'data'))) return join(dir, 'data')
  } catch {
    // fall through to Debian's copy
  }
  const debian = '/usr/lib/python3/dist-packages/botocore/data'
  if (existsSync(debian)) return debian
  throw new Error('botocore data not found: install python3-botocore or set BOTOCORE_DATA')
}

function loadModel(data, dir, version) {
  const base = join(data, dir, version, 'service-2.json')
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8'))
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8'))
  throw new Error(`no model at ${base}(.gz)`)
}

const coveragePath = join(root, 'dist', 'src', 'api', 'aws', 'coverage.js')
if (!existsSync(coveragePath)) {
  console.error('dist/src/api/aws/coverage.js is missing: run `npm run build` first')
  process.exit(2)
}
const { awsApiCoverage } = await import(coveragePath)
const coverage = awsApiCoverage()
const data = botocoreData()

const lines = []
const escape = (s) => s.replace(/\|/g, '\\|')
for (const s of SERVICES) {
  const model = loadModel(data, s.dir, s.version)
  const ops = Object.keys(model.operations).sort()
  const answered = coverage[s.key]
  const unknown = Object.keys(answered).filter((op) => !ops.includes(op))
  if (unknown.length > 0) throw new Error(`${s.key}: openalb answers operations its model does not have: ${unknown.join(', ')}`)
  const count = (status) => Object.values(answered).filter((c) => c.status === status).length
  lines.push(`### ${s.title}`, '')
  lines.push(`Model \`${s.dir}/${s.version}\` (${s.protocol}): ${ops.length} operations, ${count('supported')} supported, ${count('partial')} partial, ${ops.length - count('supported') - count('partial')} not supported.`, '')
  lines.push('| Operation | openalb | Notes |', '| --- | --- | --- |')
  const notSupported = []
  for (const op of ops) {
    const c = answered[op]
    if (c) lines.push(`| ${op} | ${c.status} | ${escape(c.note ?? '')} |`)
    else if (s.collapse) notSupported.push(op)
    else lines.push(`| ${op} | not supported |  |`)
  }
  if (notSupported.length > 0) {
    lines.push('', `<details><summary>The other ${notSupported.length} ${s.collapse} operations: not supported</summary>`, '', notSupported.join(', '), '', '</details>')
  }
  lines.push('')
}
const table = `${BEGIN}\n\n${lines.join('\n').trim()}\n\n${END}`

const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : ''
const start = doc.indexOf(BEGIN)
const end = doc.indexOf(END)
if (start < 0 || end < 0) throw new Error(`docs/aws-api.md has no generated-table markers (${BEGIN} ... ${END})`)
const next = doc.slice(0, start) + table + doc.slice(end + END.length)
if (process.argv.includes('--check')) {
  if (next !== doc) {
    console.error('docs/aws-api.md is out of date: run node scripts/gen-aws-api-table.mjs')
    process.exit(1)
  }
  console.log('docs/aws-api.md is up to date')
} else {
  writeFileSync(docPath, next)
  console.log(`wrote the operation table of ${docPath}`)
}
