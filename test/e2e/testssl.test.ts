// testssl.sh (Debian's testssl.sh) scans HTTPS listeners under ALB's restricted security policies:
// protocols, cipher lists, forward secrecy and the known vulnerabilities (renegotiation, BEAST,
// LUCKY13, ...), with openalb's CA trusted and the certificate's name asked for. Nothing may be
// rated MEDIUM or worse. The certificate checks (-S) are left out: openalb's own CA issues
// certificates without CRL or OCSP URLs, which testssl rates HIGH (docs/certificates.md says so).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import pino from 'pino'
import { applyConfig } from '../../src/config/apply.js'
import { loadConfig } from '../../src/config/load.js'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { needs } from '../helpers/shared.js'

const run = promisify(execFile)

const POLICIES = ['ELBSecurityPolicy-TLS13-1-2-Res-2021-06', 'ELBSecurityPolicy-TLS13-1-3-2021-06'] as const
/** The protocols each policy offers, as testssl reports them. */
const OFFERED: Record<(typeof POLICIES)[number], { TLS1_2: boolean; TLS1_3: boolean }> = {
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06': { TLS1_2: true, TLS1_3: true },
  'ELBSecurityPolicy-TLS13-1-3-2021-06': { TLS1_2: false, TLS1_3: true },
}

interface Finding {
  readonly id: string
  readonly severity: string
  readonly finding: string
}

test(`testssl.sh rates nothing MEDIUM or worse on HTTPS listeners with ${POLICIES.join(' and ')}`, { skip: needs('testssl', 'testssl.sh') || needs('openssl'), timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-testssl-'))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const ports = await Promise.all(POLICIES.map(() => freePort()))
  const file = join(dir, 'openalb.yaml')
  writeFileSync(
    file,
    `
securityGroups:
  - name: sg
    ingress: [{ protocol: tcp, fromPort: 1, toPort: 65535, cidrs: [0.0.0.0/0] }]
certificates:
  - { name: api, domainName: api.example.test }
loadBalancers:
  - name: web-alb
    securityGroups: [sg]
    listeners:
${POLICIES.map(
  (policy, i) => `      - port: ${ports[i]}
        protocol: HTTPS
        certificates: [api]
        sslPolicy: ${policy}
        defaultActions: [{ type: fixed-response, fixedResponse: { statusCode: 200, contentType: text/plain, messageBody: ok } }]`,
).join('\n')}
`,
  )
  await applyConfig(lb.control, loadConfig(file))
  await eventually(async () => (await lb.control.view()).find('certificate', 'api')?.status === 'ISSUED', { timeoutMs: 10_000, message: 'the certificate is issued' })
  const ca = join(dir, 'ca', 'root.pem')

  const scans = await Promise.all(
    POLICIES.map(async (policy, i) => {
      const json = join(dir, `testssl-${i}.json`)
      // testssl exits with the count of findings it rated; the JSON file is what is judged.
      await run('testssl', ['--quiet', '--color', '0', '--warnings', 'off', '-p', '-s', '-f', '-U', '--add-ca', ca, '--ip', '127.0.0.1', '--jsonfile', json, `https://api.example.test:${ports[i]}/`], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }).catch((e: { killed?: boolean; message: string }) => {
        if (e.killed) throw new Error(`testssl on ${policy} did not finish: ${e.message}`)
      })
      return { policy, findings: JSON.parse(readFileSync(json, 'utf8')) as Finding[] }
    }),
  )
  for (const { policy, findings } of scans) {
    // The scan reached the listener: the protocols are the policy's.
    const offered = (id: string) => findings.find((f) => f.id === id)?.finding
    for (const old of ['SSLv2', 'SSLv3', 'TLS1', 'TLS1_1']) assert.match(offered(old) ?? '', /^not offered/, `${policy}: ${old}`)
    assert.match(offered('TLS1_2') ?? '', OFFERED[policy].TLS1_2 ? /^offered/ : /^not offered/, `${policy}: TLS1_2`)
    assert.match(offered('TLS1_3') ?? '', OFFERED[policy].TLS1_3 ? /^offered/ : /^not offered/, `${policy}: TLS1_3`)
    const bad = findings.filter((f) => ['MEDIUM', 'HIGH', 'CRITICAL'].includes(f.severity))
    assert.deepEqual(bad.map((f) => `${f.severity} ${f.id}: ${f.finding}`), [], `${policy}: testssl found`)
    assert.ok(!findings.some((f) => f.severity === 'FATAL'), `${policy}: testssl could not scan: ${JSON.stringify(findings.filter((f) => f.severity === 'FATAL'))}`)
  }
})
