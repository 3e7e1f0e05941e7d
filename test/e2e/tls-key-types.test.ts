import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { applyConfig } from '../../src/config/apply.js'
import { loadConfig } from '../../src/config/load.js'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { peerSubject, sClient } from '../helpers/openssl.js'
import { freePort } from '../helpers/ports.js'
import { needs } from '../helpers/shared.js'

/** A self-signed certificate for `name` with a key of `kind`, made by openssl. */
function selfSigned(dir: string, file: string, name: string, kind: 'rsa' | 'ec'): void {
  const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-days', '2', '-subj', `/CN=${name}/O=${file}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', join(dir, `${file}.key`), '-out', join(dir, `${file}.pem`)], { stdio: 'ignore' })
}

test('one HTTPS listener serves RSA and ECDSA certificates side by side: by name first, then the key type the client supports', { skip: needs('openssl') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-keytypes-'))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  selfSigned(dir, 'same-rsa', 'api.example.test', 'rsa')
  selfSigned(dir, 'other-rsa', 'rsa.example.test', 'rsa')
  selfSigned(dir, 'other-ec', 'ec.example.test', 'ec')
  const port = await freePort()
  const file = join(dir, 'openalb.yaml')
  writeFileSync(
    file,
    `
securityGroups:
  - name: sg
    ingress: [{ protocol: tcp, fromPort: ${port}, toPort: ${port}, cidrs: [0.0.0.0/0] }]
certificates:
  - { name: api-ec, domainName: api.example.test }
  - { name: api-rsa, source: imported, certificate: same-rsa.pem, privateKey: same-rsa.key }
  - { name: rsa-only, source: imported, certificate: other-rsa.pem, privateKey: other-rsa.key }
  - { name: ec-only, source: imported, certificate: other-ec.pem, privateKey: other-ec.key }
loadBalancers:
  - name: alb
    securityGroups: [sg]
    listeners:
      - port: ${port}
        protocol: HTTPS
        certificates: [api-ec, api-rsa, rsa-only, ec-only]
        defaultActions:
          - type: fixed-response
            fixedResponse: { statusCode: "200", contentType: text/plain, messageBody: ok }
`,
  )
  await applyConfig(lb.control, loadConfig(file))
  await eventually(async () => (await lb.control.view()).find('certificate', 'api-ec')?.status === 'ISSUED', { message: 'the default certificate issued' })
  const served = async (args: string[]) => {
    const r = await sClient(port, args)
    return peerSubject(r.out) ?? `handshake failed: ${r.out.slice(0, 300)}`
  }
  await eventually(async () => /CN\s*=\s*api\.example\.test/.test(await served(['-servername', 'api.example.test'])), { message: 'the listener serves' })

  const ECDSA = ['-sigalgs', 'ECDSA+SHA256:ECDSA+SHA384']
  const RSA = ['-sigalgs', 'RSA-PSS+SHA256:RSA-PSS+SHA384:RSA+SHA256:RSA+SHA384']
  const cases: { desc: string; args: string[]; subject: RegExp }[] = [
    { desc: 'RSA-only name, TLS 1.3', args: ['-servername', 'rsa.example.test', '-tls1_3'], subject: /CN\s*=\s*rsa\.example\.test, O\s*=\s*other-rsa/ },
    { desc: 'RSA-only name, TLS 1.2', args: ['-servername', 'rsa.example.test', '-tls1_2'], subject: /CN\s*=\s*rsa\.example\.test, O\s*=\s*other-rsa/ },
    { desc: 'ECDSA-only name, TLS 1.3', args: ['-servername', 'ec.example.test', '-tls1_3'], subject: /CN\s*=\s*ec\.example\.test, O\s*=\s*other-ec/ },
    { desc: 'both keys for the name, a client that takes ECDSA', args: ['-servername', 'api.example.test', '-tls1_3', ...ECDSA], subject: /^CN\s*=\s*api\.example\.test$/ },
    { desc: 'both keys for the name, a TLS 1.3 client that takes only RSA', args: ['-servername', 'api.example.test', '-tls1_3', ...RSA], subject: /CN\s*=\s*api\.example\.test, O\s*=\s*same-rsa/ },
    { desc: 'both keys for the name, a TLS 1.2 client with only RSA ciphers', args: ['-servername', 'api.example.test', '-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], subject: /CN\s*=\s*api\.example\.test, O\s*=\s*same-rsa/ },
    { desc: 'both keys for the name, a TLS 1.2 client with only ECDSA ciphers', args: ['-servername', 'api.example.test', '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256'], subject: /^CN\s*=\s*api\.example\.test$/ },
    { desc: 'an unknown name gets the default', args: ['-servername', 'nothing.example.test', '-tls1_3'], subject: /^CN\s*=\s*api\.example\.test$/ },
    { desc: 'no SNI gets the default', args: ['-noservername', '-tls1_2'], subject: /^CN\s*=\s*api\.example\.test$/ },
  ]
  for (const c of cases) assert.match(await served(c.args), c.subject, c.desc)
})
