import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { applyConfig } from '../../src/config/apply.js'
import { loadConfig } from '../../src/config/load.js'
import { startOpenalb } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { makeCa } from '../helpers/mtls-pki.js'
import { sClient } from '../helpers/openssl.js'
import { freePort } from '../helpers/ports.js'
import { needs } from '../helpers/shared.js'

interface Reply {
  ok: boolean
  headers?: IncomingHttpHeaders
  out: string
}

/** curl over HTTP/1.1 or HTTP/2 with a client certificate (or none); the target echoes the headers it got. */
function curl(port: number, http: '1.1' | '2', cert?: { certPath: string; keyPath: string }, extra: string[] = []): Promise<Reply> {
  const args = ['-sS', '-k', '--max-time', '10', http === '2' ? '--http2' : '--http1.1', ...(cert ? ['--cert', cert.certPath, '--key', cert.keyPath] : []), ...extra, `https://127.0.0.1:${port}/`]
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) return resolve({ ok: false, out: `${stdout}${stderr}` })
      try {
        resolve({ ok: true, headers: JSON.parse(stdout) as IncomingHttpHeaders, out: stdout })
      } catch {
        resolve({ ok: false, out: stdout })
      }
    })
  })
}

test('mutual TLS: verify refuses no certificate, another CA, expired and revoked ones, passes a good one with ALB\'s headers (HTTP/1.1 and HTTP/2); passthrough forwards the chain', { skip: needs('openssl') || needs('curl') }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-mtls-'))
  const target = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers)))
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }) })
  t.after(async () => {
    await lb.close()
    target.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const ca = makeCa(dir, 'Clients Root')
  const other = makeCa(dir, 'Other Root')
  const good = ca.issue('good-client')
  const expired = ca.issue('expired-client', { expired: true })
  const revoked = ca.issue('revoked-client')
  const stranger = other.issue('stranger')
  // A client of an intermediate CA sends its chain (leaf, then the intermediate): verify follows it to the root.
  const sub = ca.intermediate('Clients Issuing')
  const viaSub = sub.issue('sub-client')
  const chainPath = join(dir, 'sub-client-chain.pem')
  writeFileSync(chainPath, readFileSync(viaSub.certPath, 'utf8') + readFileSync(sub.certPath, 'utf8'))
  ca.revoke(revoked.certPath)
  ca.crl()
  const [verifyPort, passPort, lenientPort, sniPort] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const file = join(dir, 'openalb.yaml')
  const forward = '[{ type: forward, targetGroup: echo }]'
  writeFileSync(
    file,
    `
certificates:
  - { name: site, domainName: site.example.test }
  - { name: other-site, domainName: other.example.test }
trustStores:
  - name: clients
    caCertificatesBundle: Clients Root/ca.pem
    revocations: [Clients Root/crl.pem]
targetGroups:
  - { name: echo, protocol: HTTP, port: ${(target.address() as AddressInfo).port}, targetType: ip, targets: [{ id: 127.0.0.1 }] }
loadBalancers:
  - name: alb
    listeners:
      - port: ${verifyPort}
        protocol: HTTPS
        certificates: [site]
        mutualAuthentication: { mode: verify, trustStore: clients }
        defaultActions: ${forward}
      - port: ${passPort}
        protocol: HTTPS
        certificates: [site]
        mutualAuthentication: { mode: passthrough }
        defaultActions: ${forward}
      - port: ${lenientPort}
        protocol: HTTPS
        certificates: [site]
        mutualAuthentication: { mode: verify, trustStore: clients, ignoreClientCertificateExpiry: true, advertiseTrustStoreCaNames: "on" }
        defaultActions: ${forward}
      - port: ${sniPort}
        protocol: HTTPS
        certificates: [site, other-site]
        mutualAuthentication: { mode: verify, trustStore: clients }
        defaultActions: ${forward}
`,
  )
  await applyConfig(lb.control, loadConfig(file))
  await eventually(async () => (await curl(verifyPort, '1.1', good)).ok, { message: 'the verify listener serves a good client', timeoutMs: 20_000 })

  const leaf = new X509Certificate(readFileSync(good.certPath))
  for (const http of ['1.1', '2'] as const) {
    const r = await curl(verifyPort, http, good)
    assert.ok(r.ok, r.out)
    const h = r.headers!
    assert.equal(h['x-amzn-mtls-clientcert-serial-number'], leaf.serialNumber, `HTTP/${http}`)
    assert.equal(h['x-amzn-mtls-clientcert-issuer'], 'CN=Clients Root,O=openalb tests')
    // openssl ca writes the policy's order (CN, then O): RFC 2253 lists the last RDN first.
    assert.equal(h['x-amzn-mtls-clientcert-subject'], 'O=openalb tests,CN=good-client')
    assert.match(String(h['x-amzn-mtls-clientcert-validity']), /^NotBefore=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;NotAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(decodeURIComponent(String(h['x-amzn-mtls-clientcert-leaf'])), leaf.toString())
    assert.ok(!String(h['x-amzn-mtls-clientcert-leaf']).includes('%2B') && !String(h['x-amzn-mtls-clientcert-leaf']).includes(' '), '+=/ stay, spaces are encoded')
    assert.equal(h['x-amzn-mtls-clientcert'], undefined)

    for (const [who, cert] of [['no certificate', undefined], ['another CA', stranger], ['an expired certificate', expired], ['a revoked certificate', revoked]] as const) {
      const refused = await curl(verifyPort, http, cert)
      assert.equal(refused.ok, false, `verify lets in ${who} over HTTP/${http}: ${refused.out}`)
    }
    const chained = await curl(verifyPort, http, { certPath: chainPath, keyPath: viaSub.keyPath })
    assert.ok(chained.ok, `a chain through an intermediate: ${chained.out}`)
    assert.equal(chained.headers!['x-amzn-mtls-clientcert-issuer'], 'CN=Clients Issuing,O=openalb tests')
    assert.equal((await curl(verifyPort, http, viaSub)).ok, false, 'the leaf alone does not reach the root')
    const passChain = await curl(passPort, http, { certPath: chainPath, keyPath: viaSub.keyPath })
    assert.equal(decodeURIComponent(String(passChain.headers!['x-amzn-mtls-clientcert'])).trim(), readFileSync(chainPath, 'utf8').trim(), 'passthrough: the whole chain')
    // A client cannot forge the fields: its own are dropped.
    const forged = await curl(passPort, http, undefined, ['-H', 'X-Amzn-Mtls-Clientcert-Subject: CN=admin', '-H', 'X-Amzn-Mtls-Clientcert: forged'])
    assert.ok(forged.ok, forged.out)
    assert.equal(forged.headers!['x-amzn-mtls-clientcert-subject'], undefined)
    assert.equal(forged.headers!['x-amzn-mtls-clientcert'], undefined, 'passthrough without a certificate: no header')

    // passthrough: any certificate, unverified; the chain as sent.
    const pass = await curl(passPort, http, stranger)
    assert.ok(pass.ok, pass.out)
    assert.equal(decodeURIComponent(String(pass.headers!['x-amzn-mtls-clientcert'])).trim(), readFileSync(stranger.certPath, 'utf8').trim())
    assert.equal(pass.headers!['x-amzn-mtls-clientcert-serial-number'], undefined)

    // ignoreClientCertificateExpiry: the expired one passes, the revoked one still not.
    assert.ok((await curl(lenientPort, http, expired)).ok, 'expiry ignored')
    assert.equal((await curl(lenientPort, http, revoked)).ok, false, 'revoked even when expiry is ignored')
  }

  // A listener with several certificates (a server per name's selection) verifies the same way, for each name.
  await eventually(async () => (await curl(sniPort, '1.1', good)).ok, { message: 'the SNI listener serves', timeoutMs: 20_000 })
  for (const host of ['site.example.test', 'other.example.test']) {
    const at = `https://${host}:${sniPort}/`
    const viaName = (cert?: { certPath: string; keyPath: string }) =>
      new Promise<boolean>((resolve) => execFile('curl', ['-sSk', '--max-time', '10', '--resolve', `${host}:${sniPort}:127.0.0.1`, ...(cert ? ['--cert', cert.certPath, '--key', cert.keyPath] : []), at], (e, out) => resolve(!e && out.includes('x-amzn-mtls-clientcert-subject'))))
    assert.equal(await viaName(good), true, `${host}: a good client`)
    assert.equal(await viaName(stranger), false, `${host}: another CA`)
    assert.equal(await viaName(), false, `${host}: no certificate`)
  }

  // advertiseTrustStoreCaNames on: the CertificateRequest names the trust store's CA; off: none.
  const named = await sClient(lenientPort, ['-servername', 'site.example.test', '-tls1_2'])
  assert.match(named.out, /Acceptable client certificate CA names\s*\n\s*O\s*=\s*openalb tests, CN\s*=\s*Clients Root/)
  const unnamed = await sClient(verifyPort, ['-servername', 'site.example.test', '-tls1_2'])
  assert.match(unnamed.out, /No client certificate CA names sent/)

  // Removing mutualAuthentication from the file turns it off: a client without a certificate gets in.
  writeFileSync(file, readFileSync(file, 'utf8').replace('        mutualAuthentication: { mode: verify, trustStore: clients }\n', ''))
  await applyConfig(lb.control, loadConfig(file))
  await eventually(async () => (await curl(verifyPort, '1.1')).ok, { message: 'mutual TLS off again' })
})
