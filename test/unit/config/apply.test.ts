import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyConfig, PruneAllRefused } from '../../../src/config/apply.js'
import { loadConfig } from '../../../src/config/load.js'
import { openControl } from '../control/fixture.js'
import { DEFAULT_SSL_POLICY } from '../../../src/model/ssl-policy.js'

// config apply writes only through control's operations; these pin what those operations do
// for the file's declarative view of certificates, zones and their records.

function configFile(t: TestContext): (yaml: string) => ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return (yaml) => {
    const file = join(dir, 'openalb.yaml')
    writeFileSync(file, yaml)
    return loadConfig(file)
  }
}

const zone = (records: string) => `hostedZones:
  - name: example.test
    comment: the test zone
    tags: { team: web }
    records:
${records}`

test('a zone re-applied unchanged keeps its serial; a changed or removed record moves it on once', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const two = '      - { name: a, type: A, ttl: 60, values: [127.0.0.5] }\n      - { name: b, type: A, ttl: 60, values: [127.0.0.6] }\n'
  await applyConfig(control, file(zone(two)))
  const serialOf = async () => (await control.read()).list('hosted-zone')[0]?.serial
  const first = await serialOf()
  const again = await applyConfig(control, file(zone(two)))
  assert.deepEqual(again.changes, [])
  assert.equal(await serialOf(), first)

  const oneLeft = await applyConfig(control, file(zone('      - { name: a, type: A, ttl: 60, values: [127.0.0.7] }\n')))
  assert.deepEqual(oneLeft.changes.map((c) => `${c.op} ${c.kind} ${c.name}`), ['~ record-set a.example.test. A', '- record-set b.example.test. A'])
  // The serial is openalb's own: plan does not show it, DNS does (SOA).
  assert.equal(await serialOf(), (first ?? 0) + 1)
  const view = await control.read()
  assert.deepEqual(view.list('record-set').map((r) => `${r.name} ${r.values.join(',')}`), ['a.example.test. 127.0.0.7'])
  assert.deepEqual(view.list('hosted-zone')[0]?.tags, { team: 'web' })
})

test('a zone the file no longer lists is deleted with its records', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  await applyConfig(control, file(zone('      - { name: a, type: A, ttl: 60, values: [127.0.0.5] }\n')))
  const result = await applyConfig(control, file('hostedZones: []\n'), { pruneAll: true })
  assert.deepEqual(result.changes.map((c) => `${c.op} ${c.kind} ${c.name}`), ['- hosted-zone example.test.', '- record-set a.example.test. A'])
  const view = await control.read()
  assert.equal(view.list('hosted-zone').length + view.list('record-set').length, 0)
})

test('an apply that would delete everything the store holds is refused unless pruneAll; one that keeps something is not', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const tg = (name: string) => `  - { name: ${name}, protocol: HTTP, port: 80, targetType: ip }\n`
  await applyConfig(control, file(`targetGroups:\n${tg('a')}${tg('b')}`))
  const revision = (await control.read()).revision
  for (const text of ['', 'targetGroups: []\n', `targetGroups:\n${tg('c')}`]) {
    await assert.rejects(applyConfig(control, file(text)), (e: Error) => e instanceof PruneAllRefused && e.deletes === 2 && /deletes all 2 resources/.test(e.message))
    assert.equal((await control.read()).revision, revision, 'a refused apply changes nothing')
  }
  // Deleting some while keeping one is an ordinary apply.
  const some = await applyConfig(control, file(`targetGroups:\n${tg('a')}`))
  assert.deepEqual(some.changes.map((c) => `${c.op} ${c.name}`), ['- b'])
  const all = await applyConfig(control, file(''), { pruneAll: true })
  assert.deepEqual(all.changes.map((c) => `${c.op} ${c.name}`), ['- a'])
  assert.equal((await control.read()).list('target-group').length, 0)
  // An empty store and an empty file: nothing to delete, nothing refused.
  assert.deepEqual((await applyConfig(control, file(''))).changes, [])
})

test('a certificate with new names is requested again under its ARN; the same names change only tags', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const cert = (names: string, tags: string) => `certificates:\n  - { name: api, domainName: api.example.test, subjectAlternativeNames: [${names}], source: local-ca, tags: { ${tags} } }\n`
  await applyConfig(control, file(cert('www.example.test', 'a: "1"')))
  const before = (await control.read()).list('certificate')[0]!
  // As if the CA had issued it: material and ISSUED.
  await control.mutate((d) => d.put({ ...before, status: 'ISSUED', certificatePem: 'PEM', privateKeyPem: 'KEY' }))

  await applyConfig(control, file(cert('www.example.test', 'a: "2"')))
  const retagged = (await control.read()).list('certificate')[0]!
  assert.equal(retagged.status, 'ISSUED')
  assert.deepEqual(retagged.tags, { a: '2' })

  await applyConfig(control, file(cert('www.example.test, docs.example.test', 'a: "2"')))
  const again = (await control.read()).list('certificate')[0]!
  assert.equal(again.arn, before.arn)
  assert.equal(again.status, 'PENDING_VALIDATION')
  assert.equal(again.certificatePem, undefined)
  assert.equal(again.privateKeyPem, undefined)
  assert.deepEqual(again.subjectAlternativeNames, ['api.example.test', 'www.example.test', 'docs.example.test'])
})

test('a listener whose sslPolicy is taken out of the file gets the default policy back', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const yaml = (policy: string) => `certificates:
  - { name: c, domainName: api.example.test }
loadBalancers:
  - name: alb
    listeners:
      - port: 8443
        protocol: HTTPS
        certificates: [c]
${policy}        defaultActions:
          - type: fixed-response
            fixedResponse: { statusCode: "200" }
`
  const policyOf = async () => (await control.read()).list('listener')[0]?.sslPolicy
  await applyConfig(control, file(yaml('        sslPolicy: ELBSecurityPolicy-TLS-1-0-2015-04\n')))
  assert.equal(await policyOf(), 'ELBSecurityPolicy-TLS-1-0-2015-04')
  const removed = await applyConfig(control, file(yaml('')))
  assert.ok(removed.changes.length > 0, 'plan shows the change')
  assert.equal(await policyOf(), DEFAULT_SSL_POLICY)
})

test('a rule\'s transforms are applied from the file, reported with file:line when wrong, and removed when taken out', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const yaml = (transforms: string) => `targetGroups:
  - { name: tg, protocol: HTTP, port: 80, targetType: ip }
loadBalancers:
  - name: alb
    listeners:
      - port: 8080
        defaultActions:
          - type: fixed-response
            fixedResponse: { statusCode: "404" }
        rules:
          - priority: 10
            conditions: [{ field: path-pattern, values: ['/api/*'] }]
            actions: [{ type: forward, targetGroup: tg }]
${transforms}`
  const transformsOf = async () => (await control.read()).list('rule')[0]?.transforms
  await applyConfig(control, file(yaml("            transforms:\n              - { type: url-rewrite, rewrites: [{ regex: '^/api/(.*)$', replace: '/$1' }] }\n")))
  assert.deepEqual(await transformsOf(), [{ type: 'url-rewrite', rewrites: [{ regex: '^/api/(.*)$', replace: '/$1' }] }])
  // A pattern RE2 cannot run (a backreference) is refused before anything changes, with its place in the file.
  assert.throws(
    () => file(yaml("            transforms:\n              - { type: url-rewrite, rewrites: [{ regex: '(a)\\1', replace: '/' }] }\n")),
    /openalb\.yaml:15:\d+: .*rules\[0\]\.transforms\[0\]\.rewrites\[0\]\.regex: is not a regular expression openalb can match in linear time/,
  )
  const removed = await applyConfig(control, file(yaml('')))
  assert.ok(removed.changes.some((c) => c.kind === 'rule'), 'plan shows the rule changed')
  assert.deepEqual(await transformsOf(), [])
})

test('listener attributes from the file: applied, reported at file:line when wrong, back to the defaults when taken out', async (t) => {
  const { control } = openControl(t)
  const file = configFile(t)
  const yaml = (attributes: string) => `loadBalancers:
  - name: alb
    listeners:
      - port: 8080
        defaultActions:
          - type: fixed-response
            fixedResponse: { statusCode: "404" }
${attributes}`
  const attributesOf = async () => (await control.read()).list('listener')[0]?.attributes
  await applyConfig(control, file(yaml('        attributes:\n          serverEnabled: false\n          responseHeaders: { xContentTypeOptions: nosniff, xFrameOptions: "" }\n')))
  assert.deepEqual(await attributesOf(), { serverEnabled: false, responseHeaders: { xContentTypeOptions: 'nosniff' } })
  // A value AWS's rules refuse, at its line.
  assert.throws(
    () => file(yaml('        attributes:\n          responseHeaders:\n            xFrameOptions: ALLOWALL\n')),
    /openalb\.yaml:10:\d+: loadBalancers\[0\]\.listeners\[0\]\.attributes\.responseHeaders\.xFrameOptions: X-Frame-Options must be 'DENY', 'SAMEORIGIN' or 'ALLOW-FROM ORIGIN'/,
  )
  assert.throws(() => file(yaml('        attributes:\n          serverHeader: false\n')), /openalb\.yaml:9:\d+: .*attributes/)
  // HSTS on a plain HTTP listener: refused with the listener's place, nothing changed.
  await assert.rejects(applyConfig(control, file(yaml('        attributes:\n          responseHeaders: { strictTransportSecurity: max-age=60 }\n'))), /openalb\.yaml:\d+:\d+: .*Strict-Transport-Security is sent only over HTTPS/)
  assert.deepEqual(await attributesOf(), { serverEnabled: false, responseHeaders: { xContentTypeOptions: 'nosniff' } })
  const removed = await applyConfig(control, file(yaml('')))
  assert.ok(removed.changes.some((c) => c.kind === 'listener'), 'plan shows the listener changed')
  assert.equal(await attributesOf(), undefined)
})
