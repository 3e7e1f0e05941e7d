import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { openalb } from '../../helpers/cli.js'
import { needs } from '../../helpers/shared.js'

function pair(dir: string, name: string, keyArgs: string[], extra: string[] = ['-nodes']): void {
  execFileSync('openssl', ['req', '-x509', ...keyArgs, ...extra, '-days', '2', '-subj', `/CN=${name}.example.test`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`)], { stdio: 'ignore' })
}

test('openalb validate checks imported certificates as apply does and reports every problem at once, each at its line with the certificate\'s name', { skip: needs('openssl') }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-validate-certs-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
  pair(dir, 'good', ec)
  pair(dir, 'other', ec)
  pair(dir, 'weak', ['-newkey', 'rsa:1024'])
  pair(dir, 'locked', ec, ['-passout', 'pass:secret'])
  const file = join(dir, 'certs.yaml')
  writeFileSync(
    file,
    [
      'certificates:',
      '  - { name: good, source: imported, certificate: good.pem, privateKey: good.key }',
      '  - { name: missing, source: imported, certificate: nowhere.pem, privateKey: good.key }',
      '  - { name: mismatch, source: imported, certificate: good.pem, privateKey: other.key }',
      '  - { name: weak, source: imported, certificate: weak.pem, privateKey: weak.key }',
      '  - { name: locked, source: imported, certificate: locked.pem, privateKey: locked.key }',
      '',
    ].join('\n'),
  )
  const r = openalb(['validate', 'certs.yaml'], { cwd: dir })
  assert.equal(r.code, 1, r.stdout)
  assert.match(r.stderr, /certs\.yaml:3:\d+: certificates\[1\]\.certificate: certificate missing: cannot read nowhere\.pem: ENOENT/)
  assert.match(r.stderr, /certs\.yaml:4:\d+: certificates\[2\]\.privateKey: certificate mismatch: privateKey does not match the certificate/)
  assert.match(r.stderr, /certs\.yaml:5:\d+: certificates\[3\]\.certificate: certificate weak: certificate has an unsupported key: RSA 1024 bits is too small/)
  assert.match(r.stderr, /certs\.yaml:6:\d+: certificates\[4\]\.privateKey: certificate locked: privateKey is encrypted/)
  assert.match(r.stderr, /^4 errors$/m)
  assert.doesNotMatch(r.stderr, /certificates\[0\]/, 'the good one is not reported')
  assert.doesNotMatch(r.stderr, /BEGIN/, 'no key material in the messages')

  writeFileSync(file, 'certificates:\n  - { name: good, source: imported, certificate: good.pem, privateKey: good.key }\n')
  const ok = openalb(['validate', 'certs.yaml'], { cwd: dir })
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /is valid/)
})
