import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openalb } from '../../helpers/cli.js'
import { repoRoot } from '../../helpers/shared.js'

const tutorial = join(repoRoot, 'examples', 'tutorial.yaml')

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('openalb validate accepts the tutorial config', () => {
  const r = openalb(['validate', tutorial])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /is valid/)
})

test('a broken copy of the tutorial reports every error with file:line:col, path and a suggestion', (t) => {
  const dir = tempDir(t)
  const broken = readFileSync(tutorial, 'utf8')
    .replace('    healthCheck:', '    healtCheck:')
    .replace('priority: 1', 'priority: 0')
  const file = join(dir, 'broken.yaml')
  writeFileSync(file, broken)
  const r = openalb(['validate', file], { cwd: dir })
  assert.equal(r.code, 1)
  const lines = readFileSync(file, 'utf8').split('\n')
  const typoLine = lines.findIndex((l) => l.includes('healtCheck')) + 1
  const prioLine = lines.findIndex((l) => l.includes('priority: 0')) + 1
  assert.match(r.stderr, new RegExp(`broken\\.yaml:${typoLine}:5: targetGroups\\[0\\]\\.healtCheck: unknown key healtCheck; did you mean healthCheck\\?`))
  assert.match(r.stderr, new RegExp(`broken\\.yaml:${prioLine}:\\d+: loadBalancers\\[0\\]\\.listeners\\[0\\]\\.rules\\[0\\]\\.priority: must be between 1 and 50000`))
  assert.match(r.stderr, /2 errors/)
})

test('a reference to a missing target group is reported at its line with a near-miss suggestion', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'ref.yaml')
  writeFileSync(file, readFileSync(tutorial, 'utf8').replace('- { type: forward, targetGroup: web-tg }', '- { type: forward, targetGroup: web-tgg }'))
  const r = openalb(['validate', file], { cwd: dir })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /ref\.yaml:\d+:\d+: loadBalancers\[0\]\.listeners\[0\]\.defaultActions\[0\]\.targetGroup: unknown target group 'web-tgg'; did you mean 'web-tg'\?/)
})

test('plan, apply and get round-trip every kind through SQLite and survive a restart', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  const plan = openalb(['plan', tutorial, ...data])
  assert.equal(plan.code, 0, plan.stderr)
  for (const line of ['+ security-group web-sg', '+ target-group web-tg', '+ load-balancer web-alb', '+ listener web-alb:8080', '+ listener web-alb:8443', '+ rule web-alb:8080:1', '+ certificate api-example-test', '+ hosted-zone example.test.', '+ record-set api.example.test. A']) {
    assert.ok(plan.stdout.includes(line), `plan shows ${line}\n${plan.stdout}`)
  }
  const apply = openalb(['apply', tutorial, ...data])
  assert.equal(apply.code, 0, apply.stderr)
  assert.match(apply.stdout, /Applied at revision 1/)
  // A new process reads the same store: that is the restart.
  assert.match(openalb(['plan', tutorial, ...data]).stdout, /No changes/)
  const checks: [string, RegExp][] = [
    ['load-balancers', /web-alb\s+application\s+internet-facing/],
    ['listeners', /web-alb:8443\s+HTTPS\s+1\s+forward web-tg/],
    ['rules', /web-alb:8080:1\s+host-header=api\.example\.test\s+redirect HTTPS:8443 301/],
    ['target-groups', /web-tg\s+HTTP:4000\s+ip\s+2/],
    ['certificates', /api-example-test\s+api\.example\.test\s+local-ca/],
    ['hosted-zones', /example\.test\.\s+Z[A-Z0-9]{20}\s+\d/],
    ['records', /api\.example\.test\.\s+A\s+60\s+ALIAS web-alb-/],
    ['security-groups', /web-sg\s+sg-[0-9a-f]+\s+tcp:8080, tcp:8443, tcp:4000/],
  ]
  for (const [kind, pattern] of checks) {
    const r = openalb(['get', kind, ...data])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, pattern, `get ${kind}`)
    assert.ok(r.stdout.split('\n').every((l) => l.length <= 80), `get ${kind} fits 80 columns`)
  }
  const json = JSON.parse(openalb(['get', 'target-group', 'web-tg', '-o', 'json', ...data]).stdout) as { healthCheck: { intervalSeconds: number; matcher: string } }[]
  assert.equal(json[0]?.healthCheck.intervalSeconds, 5)
  assert.equal(json[0]?.healthCheck.matcher, '200')
  const yaml = openalb(['describe', 'load-balancer', 'web-alb', ...data])
  assert.match(yaml.stdout, /idleTimeoutSeconds: 60/)
})

test('a change to the file shows as ~ with its fields, and removing a resource as -', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  assert.equal(openalb(['apply', tutorial, ...data]).code, 0)
  const changed = join(dir, 'changed.yaml')
  const text = readFileSync(tutorial, 'utf8')
    .replace('intervalSeconds: 5', 'intervalSeconds: 10')
    .replace(/        rules:\n(.*\n){6}/, '')
  writeFileSync(changed, text)
  const plan = openalb(['plan', changed, ...data])
  assert.equal(plan.code, 0, plan.stderr)
  assert.match(plan.stdout, /~ target-group web-tg \(healthCheck\)/)
  assert.match(plan.stdout, /- rule web-alb:8080:1/)
  assert.match(plan.stdout, /0 to create, 1 to change, 1 to delete/)
})

test('an apply of an empty file is refused (it would delete everything) unless --prune-all, which says how many it deleted', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  assert.equal(openalb(['apply', tutorial, ...data]).code, 0)
  const empty = join(dir, 'empty.yaml')
  writeFileSync(empty, '')
  const plan = openalb(['plan', empty, ...data])
  assert.equal(plan.code, 0, plan.stderr)
  assert.match(plan.stdout, /0 to create, 0 to change, (\d+) to delete\.\n\napply would refuse this: the configuration deletes all \1 resources in the store and keeps none .*run openalb apply \S*empty\.yaml --prune-all$/m)
  const r = openalb(['apply', empty, ...data])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^error: refused: the configuration deletes all \d+ resources in the store and keeps none .*run openalb apply \S*empty\.yaml --prune-all\n$/)
  assert.match(openalb(['get', 'tg', ...data]).stdout, /web-tg/)
  const pruned = openalb(['apply', empty, '--prune-all', ...data])
  assert.equal(pruned.code, 0, pruned.stderr)
  assert.match(pruned.stdout, /0 to create, 0 to change, \d+ to delete/)
  assert.doesNotMatch(openalb(['get', 'tg', ...data]).stdout, /web-tg/)
})

test('deleting a target group in use is refused with the reason and changes nothing', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  assert.equal(openalb(['apply', tutorial, ...data]).code, 0)
  const r = openalb(['delete', 'target-group', 'web-tg', ...data])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /target-group .* is currently in use by listener/)
  assert.match(openalb(['get', 'tg', ...data]).stdout, /web-tg/)
  assert.equal(openalb(['delete', 'rule', 'web-alb:8080:1', ...data]).code, 0)
  assert.doesNotMatch(openalb(['get', 'rules', ...data]).stdout, /web-alb:8080:1/)
})

test('describe never shows a private key', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  assert.equal(openalb(['apply', tutorial, ...data]).code, 0)
  const r = openalb(['describe', 'certificate', 'api-example-test', '-o', 'json', ...data])
  assert.equal(r.code, 0, r.stderr)
  assert.doesNotMatch(r.stdout, /privateKey|PRIVATE KEY/)
})

test('usage errors exit 2, --help exits 0, version prints the version', () => {
  assert.equal(openalb(['get', 'widgets']).code, 2)
  assert.equal(openalb(['frobnicate']).code, 2)
  assert.equal(openalb(['get']).code, 2)
  const help = openalb(['apply', '--help'])
  assert.equal(help.code, 0, help.stderr + help.stdout)
  assert.match(help.stdout, /Usage: openalb apply/)
  assert.match(openalb(['version']).stdout, /^openalb \d+\.\d+\.\d+/)
})

test('get targets without a running openalb says that health is not being checked', (t) => {
  const dir = tempDir(t)
  const data = ['--data', join(dir, 'data')]
  assert.equal(openalb(['apply', tutorial, ...data]).code, 0)
  const r = openalb(['get', 'targets', 'web-tg', ...data])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /127\.0\.0\.1:4000\s+unavailable/)
})

test('a read-only command on a data directory that does not exist says so, exits 1 and creates nothing', (t) => {
  const dir = tempDir(t)
  const missing = join(dir, 'typo')
  for (const args of [['get', 'tg'], ['describe', 'tg', 'web-tg'], ['get', 'targets', 'web-tg'], ['delete', 'tg', 'web-tg']]) {
    const r = openalb([...args, '--data', missing])
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`)
    assert.match(r.stderr, /^error: no openalb data directory at \S*typo \(it does not exist\): check --data or \$OPENALB_DATA; openalb up or openalb apply creates it\n$/)
  }
  assert.equal(existsSync(missing), false, 'no empty store was created')
  // A directory that exists but holds no store (--data /tmp): the same, and no state.db appears.
  const r = openalb(['get', 'lb', '--data', dir])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^error: \S+ holds no openalb store \(no state\.db\)/)
  assert.equal(existsSync(join(dir, 'state.db')), false)
})

test('the CLI against an openalb that does not answer says so in one line, with what to do', async (t) => {
  const dir = tempDir(t)
  const dataDir = join(dir, 'data')
  assert.equal(openalb(['apply', tutorial, '--data', dataDir]).code, 0)
  // A server.json left by an openalb that no longer answers: a live pid (this test's), a closed port.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port
      s.close(() => resolve(p))
    })
  })
  writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ pid: process.pid, controlUrl: `http://127.0.0.1:${port}`, dnsAddress: '127.0.0.1:0', startedAt: new Date().toISOString() }))
  const r = openalb(['get', 'targets', 'web-tg', '--data', dataDir])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^error: openalb is not running on \S+data: openalb's control endpoint http:\/\/127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\); start it with openalb up --data \S+data \(or wait if it is starting\)\n$/)
})

test('up refusing a non-loopback control address without access keys is one line with what to do', (t) => {
  const dir = tempDir(t)
  const r = openalb(['up', '--data', join(dir, 'data'), '--control', '0.0.0.0:0', '--dns', '127.0.0.1:0'], { env: { OPENALB_ACCESS_KEYS: '' } })
  assert.equal(r.code, 1)
  assert.match(r.stderr, /^error: the AWS API may bind 0\.0\.0\.0 only with access keys configured .*: set OPENALB_ACCESS_KEYS=AKID:SECRET, or bind --control 127\.0\.0\.1:PORT\n$/)
})

test('the published JSON Schema and config reference match the model', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'gen-config-docs.mjs'), '--check'], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
})

test('validate runs the checks apply runs, each at its resource line, all at once; apply says the same', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'apply-checks.yaml')
  writeFileSync(
    file,
    [
      'targetGroups:',
      '  - { name: ip-tg, protocol: HTTP, port: 80, targetType: ip, targets: [{ id: 127.0.0.999, port: 80 }] }',
      '  - { name: ok-tg, protocol: HTTP, port: 80, targetType: ip, targets: [{ id: 127.0.0.1, port: 80 }] }',
      '  - { name: bad-tg, protocol: HTTP, port: 80, targetType: ip, targets: [{ id: "10.0.0.1x", port: 80 }] }',
      '',
    ].join('\n'),
  )
  const v = openalb(['validate', file], { cwd: dir })
  assert.equal(v.code, 1, v.stdout)
  assert.match(v.stderr, /apply-checks\.yaml:2:5: targetGroups\[0\]: target '127\.0\.0\.999' is not a valid IP address/)
  assert.match(v.stderr, /apply-checks\.yaml:4:5: targetGroups\[2\]: target '10\.0\.0\.1x' is not a valid IP address/)
  assert.match(v.stderr, /2 errors/)
  const a = openalb(['apply', file, '--data', join(dir, 'data')], { cwd: dir })
  assert.equal(a.code, 1)
  assert.match(a.stderr, /apply-checks\.yaml:2:5: targetGroups\[0\]: target '127\.0\.0\.999' is not a valid IP address/)
})
