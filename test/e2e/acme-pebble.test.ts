import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { test } from 'node:test'
import pino from 'pino'
import { applyConfig } from '../../src/config/apply.js'
import { requestRenewal } from '../../src/control/certificates.js'
import { loadConfig } from '../../src/config/load.js'
import { startOpenalb, type OpenalbHandle } from '../../src/main.js'
import { eventually } from '../helpers/eventually.js'
import { needsPebble, startPebble, type Pebble } from '../helpers/pebble.js'
import { freePort } from '../helpers/ports.js'

interface Setup {
  readonly lb: OpenalbHandle
  readonly pebble: Pebble
  readonly dir: string
  readonly lines: string[]
}

/** openalb first (pebble needs its DNS address), then pebble asking openalb's DNS for the TXT records. */
async function setup(t: { after: (fn: () => unknown) => void }, ports: { httpPort?: number; tlsPort?: number } = {}): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-acme-'))
  const lines: string[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) })
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log })
  let pebble: Pebble
  try {
    pebble = await startPebble(`127.0.0.1:${lb.dnsPort}`, ports)
  } catch (e) {
    await lb.close()
    throw e
  }
  t.after(async () => {
    await lb.close()
    await pebble.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return { lb, pebble, dir, lines }
}

function apply(s: Setup, yaml: string) {
  const file = join(s.dir, 'openalb.yaml')
  writeFileSync(file, yaml)
  return applyConfig(s.lb.control, loadConfig(file))
}

/** The certificate an HTTPS listener serves for `servername`, checked against `ca`. */
function served(port: number, servername: string, ca: string): Promise<{ authorized: boolean; error?: string; issuer: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate()
      resolve({ authorized: socket.authorized, ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}), issuer: cert?.issuer ?? '' })
      socket.end()
    })
    socket.once('error', reject)
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')))
  })
}

test('source: acme orders the certificate from a real ACME CA (pebble) with DNS-01 answered by openalb\'s DNS, and the HTTPS listener serves it', { skip: needsPebble() }, async (t) => {
  const s = await setup(t)
  const https = await freePort()
  await apply(
    s,
    `
securityGroups:
  - name: web-sg
    ingress:
      - { protocol: tcp, fromPort: ${https}, toPort: ${https}, cidrs: [0.0.0.0/0] }
certificates:
  - name: api
    domainName: api.example.test
    subjectAlternativeNames: [www.example.test]
    source: acme
    acme:
      directoryUrl: ${s.pebble.directoryUrl}
      email: ops@example.test
      caBundle: ${s.pebble.caBundleFile}
targetGroups:
  - name: web
    protocol: HTTP
    port: 4000
    targetType: ip
loadBalancers:
  - name: web-alb
    securityGroups: [web-sg]
    listeners:
      - port: ${https}
        protocol: HTTPS
        certificates: [api]
        defaultActions:
          - type: fixed-response
            fixedResponse: { statusCode: "200", contentType: text/plain, messageBody: ok }
hostedZones:
  - name: example.test
`,
  )
  const cert = async () => (await s.lb.control.view()).find('certificate', 'api')
  try {
    await eventually(async () => (await cert())?.status === 'ISSUED', { timeoutMs: 20_000, message: 'the ACME order completed' })
  } catch (e) {
    throw new Error(`${String(e)}\nfailure: ${JSON.stringify((await cert())?.failure)}\npebble said:\n${s.pebble.output()}\nopenalb said:\n${s.lines.join('')}`)
  }
  const issued = await cert()
  const leaf = new X509Certificate(issued?.certificatePem ?? '')
  assert.match(leaf.issuer, /Pebble Intermediate CA/)
  assert.deepEqual(leaf.subjectAltName?.split(', ').sort(), ['DNS:api.example.test', 'DNS:www.example.test'])
  assert.ok(issued?.chainPem?.includes('BEGIN CERTIFICATE'), 'the intermediate is kept as the chain')

  const state = await s.lb.control.read()
  assert.deepEqual(
    state.list('record-set').filter((r) => r.name.startsWith('_acme-challenge.')),
    [],
    'the challenge TXT records are gone once the order is done',
  )
  const accounts = state.list('acme-account')
  assert.equal(accounts.length, 1, 'one account per directory and email, kept in the store')
  assert.equal(accounts[0]?.email, 'ops@example.test')
  assert.match(accounts[0]?.accountUrl ?? '', /^https:\/\/127\.0\.0\.1:\d+\/my-account\//)

  // The listener serves it on the next handshake, and it verifies against pebble's issuing root.
  const root = await s.pebble.issuingRoot()
  await eventually(async () => (await served(https, 'api.example.test', root)).authorized, { timeoutMs: 10_000, message: 'the HTTPS listener serves the ACME certificate' })
  const www = await served(https, 'www.example.test', root)
  assert.equal(www.authorized, true, www.error)

  // Renewal (ACM RenewCertificate's path): a new order, a new certificate, the same account.
  await s.lb.control.mutate((d) => requestRenewal(d, issued?.arn ?? ''))
  await eventually(async () => (await cert())?.serial !== issued?.serial && (await cert())?.renewal?.status === 'SUCCESS', { timeoutMs: 20_000, message: 'the renewal ordered a new certificate' })
  assert.equal((await s.lb.control.read()).list('acme-account').length, 1)
  await eventually(async () => (await served(https, 'api.example.test', root)).authorized, { timeoutMs: 10_000, message: 'the renewed certificate is served' })
})

test('challenge: http-01 is answered by the balancer\'s HTTP listener for the name, ahead of its rules, and only while the order waits', { skip: needsPebble() }, async (t) => {
  const http = await freePort()
  const s = await setup(t, { httpPort: http })
  await apply(
    s,
    `
securityGroups:
  - name: web-sg
    ingress:
      - { protocol: tcp, fromPort: ${http}, toPort: ${http}, cidrs: [0.0.0.0/0] }
certificates:
  - name: site
    domainName: site.example.test
    source: acme
    acme: { directoryUrl: ${s.pebble.directoryUrl}, caBundle: ${s.pebble.caBundleFile}, challenge: http-01 }
loadBalancers:
  - name: web-alb
    securityGroups: [web-sg]
    listeners:
      - port: ${http}
        protocol: HTTP
        defaultActions:
          - type: redirect
            redirect: { protocol: HTTPS, port: "443", statusCode: HTTP_301 }
hostedZones:
  - name: example.test
    records:
      - { name: site.example.test, type: A, alias: { loadBalancer: web-alb } }
`,
  )
  const cert = async () => (await s.lb.control.view()).find('certificate', 'site')
  try {
    await eventually(async () => (await cert())?.status === 'ISSUED', { timeoutMs: 20_000, message: 'the HTTP-01 order completed' })
  } catch (e) {
    throw new Error(`${String(e)}\nfailure: ${JSON.stringify((await cert())?.failure)}\npebble said:\n${s.pebble.output()}`)
  }
  assert.match(new X509Certificate((await cert())?.certificatePem ?? '').issuer, /Pebble Intermediate CA/)
  assert.equal((await cert())?.acmeHttpChallenges, undefined, 'the challenge is dropped once the order is done')
  assert.match(s.pebble.output(), /Attempting to validate w\/ HTTP: http:\/\/site\.example\.test:\d+\/\.well-known\/acme-challenge\//)
  // With no order waiting, the path is the listener's again: its default action redirects.
  const after = await fetch(`http://127.0.0.1:${http}/.well-known/acme-challenge/anything`, { headers: { host: 'site.example.test' }, redirect: 'manual' })
  assert.equal(after.status, 301)
})

test('an ACME order that cannot succeed stays PENDING_VALIDATION with the reason and a retry time that backs off', { skip: needsPebble() }, async (t) => {
  const s = await setup(t)
  await apply(
    s,
    `
certificates:
  - name: nozone
    domainName: api.nowhere.test
    source: acme
    acme: { directoryUrl: ${s.pebble.directoryUrl}, caBundle: ${s.pebble.caBundleFile} }
  - name: nodir
    domainName: api.example.test
    source: acme
hostedZones:
  - name: example.test
`,
  )
  const find = async (name: string) => (await s.lb.control.view()).find('certificate', name)
  await eventually(async () => (await find('nozone'))?.failure !== undefined && (await find('nodir'))?.failure !== undefined, { timeoutMs: 15_000, message: 'both failures recorded' })
  const nozone = await find('nozone')
  assert.equal(nozone?.status, 'PENDING_VALIDATION')
  assert.match(nozone?.failure?.reason ?? '', /dns-01 for api\.nowhere\.test: no hosted zone openalb serves holds this name/)
  assert.equal(nozone?.failure?.attempts, 1)
  const wait = Date.parse(nozone?.failure?.retryAt ?? '') - Date.parse(nozone?.failure?.at ?? '')
  assert.ok(wait >= 59_000 && wait <= 61_000, `the first retry waits a minute, got ${wait} ms`)
  assert.match((await find('nodir'))?.failure?.reason ?? '', /no ACME directory: give acme\.directoryUrl or start openalb with --acme-directory/)
  assert.ok(s.lines.some((l) => l.includes('certificate issue failed') && l.includes('api.nowhere.test')), 'the failure is logged')
  const metrics = await (await fetch(`${s.lb.controlUrl}/metrics`)).text()
  assert.match(metrics, /^openalb_certificate_issue_failures_total\{certificate="nozone",source="acme"\} 1$/m, 'and counted')

  // The CA refuses: an http-01 name that resolves nowhere. The reason carries pebble's problem document.
  await apply(
    s,
    `
certificates:
  - name: nozone
    domainName: api.example.test
    source: acme
    acme: { directoryUrl: ${s.pebble.directoryUrl}, caBundle: ${s.pebble.caBundleFile}, challenge: http-01 }
hostedZones:
  - name: example.test
`,
  )
  await eventually(async () => /urn:ietf:params:acme:error:/.test((await find('nozone'))?.failure?.reason ?? ''), { timeoutMs: 15_000, message: 'the CA refusal recorded' }).catch(async (e: unknown) => {
    throw new Error(`${String(e)}: ${JSON.stringify((await find('nozone'))?.failure)}`)
  })
  assert.match((await find('nozone'))?.failure?.reason ?? '', /^ACME order at https:\/\/127\.0\.0\.1:\d+\/dir failed: urn:ietf:params:acme:error:\w+: .+/)
  assert.equal((await find('nozone'))?.failure?.attempts, 1, 'new settings start the backoff over')
})

test('challenge: tls-alpn-01 is answered by the HTTPS listener (acme-tls/1, RFC 8737) before its certificate exists, and only while the order waits', { skip: needsPebble() }, async (t) => {
  const https = await freePort()
  const s = await setup(t, { tlsPort: https })
  await apply(
    s,
    `
securityGroups:
  - name: web-sg
    ingress:
      - { protocol: tcp, fromPort: ${https}, toPort: ${https}, cidrs: [0.0.0.0/0] }
targetGroups:
  - { name: web-tg, protocol: HTTP, port: 4000, targetType: ip }
certificates:
  - name: site
    domainName: site.example.test
    source: acme
    acme: { directoryUrl: ${s.pebble.directoryUrl}, caBundle: ${s.pebble.caBundleFile}, challenge: tls-alpn-01 }
loadBalancers:
  - name: web-alb
    securityGroups: [web-sg]
    listeners:
      - port: ${https}
        protocol: HTTPS
        certificates: [site]
        defaultActions: [{ type: forward, targetGroup: web-tg }]
hostedZones:
  - name: example.test
    records:
      - { name: site.example.test, type: A, alias: { loadBalancer: web-alb } }
`,
  )
  const cert = async () => (await s.lb.control.view()).find('certificate', 'site')
  try {
    await eventually(async () => (await cert())?.status === 'ISSUED', { timeoutMs: 20_000, message: 'the TLS-ALPN-01 order completed' })
  } catch (e) {
    throw new Error(`${String(e)}\nfailure: ${JSON.stringify((await cert())?.failure)}\npebble said:\n${s.pebble.output()}`)
  }
  // Only tls-alpn-01 was offered to the CA, so its authorization went valid through the listener.
  assert.match(s.pebble.output(), /set VALID by completed challenge/)
  assert.equal((await cert())?.acmeAlpnChallenges, undefined, 'the challenge is dropped once the order is done')
  // The listener then serves the CA's certificate on an ordinary handshake.
  const got = await eventually(async () => {
    const r = await served(https, 'site.example.test', await s.pebble.issuingRoot()).catch(() => undefined)
    return r && /Pebble Intermediate CA/.test(r.issuer) ? r : undefined
  }, { timeoutMs: 10_000, message: 'the HTTPS listener serves the ACME certificate' })
  assert.match(got?.issuer ?? '', /Pebble Intermediate CA/)
  // acme-tls/1 with no order waiting is an ordinary handshake whose ALPN the listener does not speak.
  const refused = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: https, servername: 'site.example.test', ALPNProtocols: ['acme-tls/1'], rejectUnauthorized: false }, () => resolve(`handshake with ${socket.alpnProtocol}`))
    socket.once('error', (e) => resolve(e.message))
  })
  assert.match(refused, /no application protocol|handshake with false/)
})

test('acme settings are refused where they cannot work, with the file and line', { skip: needsPebble() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-acme-bad-'))
  try {
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'certificates:\n  - name: a\n    domainName: a.example.test\n    source: acme\n    acme: { challenge: tls-sni-01, directoryUrl: http://plain.example.test/dir }\n  - name: b\n    domainName: b.example.test\n    acme: { email: ops@example.test }\n')
    assert.throws(() => loadConfig(file), (e: Error) => {
      assert.match(e.message, /bad\.yaml:5:\d+: certificates\[0\]\.acme\.challenge: .*dns-01.*http-01.*tls-alpn-01/)
      assert.match(e.message, /bad\.yaml:5:\d+: certificates\[0\]\.acme\.directoryUrl: must be an https:\/\/ URL, letsencrypt or letsencrypt-staging/)
      assert.match(e.message, /bad\.yaml:8:\d+: certificates\[1\]\.acme: is only for source: acme/)
      return true
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('--acm-issuer acme: ACM RequestCertificate is answered by the ACME CA once the validation CNAME is served', { skip: needsPebble() }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-acm-acme-'))
  const dnsPort = await freePort()
  const pebble = await startPebble(`127.0.0.1:${dnsPort}`)
  const { readFileSync } = await import('node:fs')
  const log = pino({ level: 'warn' })
  let lb: OpenalbHandle
  try {
    lb = await startOpenalb({
      dataDir: dir,
      control: '127.0.0.1:0',
      dns: `127.0.0.1:${dnsPort}`,
      log,
      acme: { directoryUrl: pebble.directoryUrl, email: 'ops@example.test', caBundlePem: readFileSync(pebble.caBundleFile, 'utf8') },
      acmIssuer: 'acme',
    })
  } catch (e) {
    await pebble.stop()
    throw e
  }
  t.after(async () => {
    await lb.close()
    await pebble.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const { ACMClient, RequestCertificateCommand, DescribeCertificateCommand } = await import('@aws-sdk/client-acm')
  const { Route53Client, CreateHostedZoneCommand, ChangeResourceRecordSetsCommand } = await import('@aws-sdk/client-route-53')
  const config = { endpoint: lb.controlUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }
  const acm = new ACMClient(config)
  const route53 = new Route53Client(config)
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: 'example.test', CallerReference: 'acm-acme' }))
  const { CertificateArn: arn } = await acm.send(new RequestCertificateCommand({ DomainName: 'api.example.test', ValidationMethod: 'DNS' }))
  const pending = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(pending?.Status, 'PENDING_VALIDATION')
  const record = pending?.DomainValidationOptions?.[0]?.ResourceRecord
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.HostedZone?.Id,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: record?.Name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: record?.Value }] } }] },
    }),
  )
  await eventually(async () => (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Status === 'ISSUED', { timeoutMs: 20_000, message: `the ACME order for the ACM request completed; pebble said:\n${pebble.output().slice(-2000)}` })
  const issued = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate
  assert.equal(issued?.Type, 'AMAZON_ISSUED')
  assert.match(issued?.Issuer ?? '', /Pebble/)
})
