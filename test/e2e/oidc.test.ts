// authenticate-oidc end to end: a real OpenID provider (the oidc-provider package) on loopback over
// HTTPS, `openalb up` in front of a real target, and Debian's chromium signing in through the
// provider's login form.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createHttpsServer, request } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { importSPKI, jwtVerify, decodeProtectedHeader } from 'jose'
import Provider from 'oidc-provider'
import { browserSkip, launchChromium } from '../helpers/browser.js'
import { eventually } from '../helpers/eventually.js'
import { openalb } from '../helpers/cli.js'
import { freePort } from '../helpers/ports.js'
import { stopChild } from '../helpers/processes.js'
import { needs, repoRoot } from '../helpers/shared.js'

const HOST = 'app.example.test'

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

function get(port: number, path: string, ca: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: HOST, ca, agent: false, headers: { host: `${HOST}:${port}`, ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

/** A self-signed certificate for the provider on 127.0.0.1. */
function idpCertificate(dir: string): { cert: string; key: string; certPath: string } {
  const certPath = join(dir, 'idp.pem')
  const keyPath = join(dir, 'idp-key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=idp.test', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2', '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' })
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath }
}

const skip = needs('openssl') || browserSkip()

test('authenticate-oidc: a browser signs in at a real OpenID provider and the target sees the identity; deny answers 401, allow forwards without claims', { skip, timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-oidc-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const [lbPort, controlPort] = [await freePort(), await freePort()]

  // The IdP: any login and password at its own form, then its consent page.
  const idpCert = idpCertificate(dir)
  const idpServer = createHttpsServer({ cert: idpCert.cert, key: idpCert.key })
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve))
  const issuer = `https://127.0.0.1:${(idpServer.address() as AddressInfo).port}`
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'openalb', client_secret: 'openalb-secret', redirect_uris: [`https://${HOST}:${lbPort}/oauth2/idpresponse`], response_types: ['code'], grant_types: ['authorization_code'] }],
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string) => Promise.resolve({ accountId: id, claims: () => Promise.resolve({ sub: id, email: `${id}@example.test` }) }),
    cookies: { keys: ['openalb-test'] },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  })
  idpServer.on('request', provider.callback())
  t.after(() => {
    idpServer.closeAllConnections()
    idpServer.close()
  })

  // The target: the headers it got, as JSON.
  const target = createHttpServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, headers: req.headers })))
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  t.after(() => target.close())

  const oidc = (on: string, tokenEndpoint = `${issuer}/token`) => `{ issuer: "${issuer}", authorizationEndpoint: "${issuer}/auth", tokenEndpoint: "${tokenEndpoint}", userInfoEndpoint: "${issuer}/me", clientId: openalb, clientSecret: openalb-secret, scope: "openid email", onUnauthenticatedRequest: ${on} }`
  const file = join(dir, 'openalb.yaml')
  const accessLog = join(dir, 'access.log')
  writeFileSync(
    file,
    `certificates:
  - { name: app, domainName: ${HOST} }
targetGroups:
  - { name: web, protocol: HTTP, port: ${(target.address() as AddressInfo).port}, targetType: ip, targets: [{ id: 127.0.0.1 }] }
loadBalancers:
  - name: alb
    attributes: { accessLogs: { enabled: true, bucket: ${accessLog} } }
    listeners:
      - port: ${lbPort}
        protocol: HTTPS
        certificates: [app]
        defaultActions:
          - { type: authenticate-oidc, order: 1, authenticateOidc: ${oidc('authenticate')} }
          - { type: forward, order: 2, targetGroup: web }
        rules:
          - priority: 5
            conditions: [{ field: host-header, values: [broken.example.test] }]
            actions:
              - { type: authenticate-oidc, order: 1, authenticateOidc: ${oidc('authenticate', 'https://127.0.0.1:1/token')} }
              - { type: forward, order: 2, targetGroup: web }
          - priority: 10
            conditions: [{ field: path-pattern, values: ["/api/*"] }]
            actions:
              - { type: authenticate-oidc, order: 1, authenticateOidc: ${oidc('deny')} }
              - { type: forward, order: 2, targetGroup: web }
          - priority: 20
            conditions: [{ field: path-pattern, values: ["/public/*"] }]
            actions:
              - { type: authenticate-oidc, order: 1, authenticateOidc: ${oidc('allow')} }
              - { type: forward, order: 2, targetGroup: web }
`,
  )
  const dataDir = join(dir, 'data')
  // The provider's certificate is trusted the way an operator trusts a private IdP's CA.
  let stderr = ''
  const up = () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'openalb.js'), 'up', '--data', dataDir, '--control', `127.0.0.1:${controlPort}`, '--dns', '127.0.0.1:0', '-c', file], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: idpCert.certPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
    child.stdout?.on('data', (c: Buffer) => (stderr += c.toString()))
    return child
  }
  let lb = up()
  t.after(() => stopChild(lb, 'SIGTERM'))
  const caFile = join(dataDir, 'ca', 'root.pem')
  await eventually(async () => (await get(lbPort, '/public/ready', readFileSync(caFile, 'utf8')).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, message: `the listener answers (${stderr})` })
  const ca = readFileSync(caFile, 'utf8')

  // Unauthenticated: to the IdP with state and nonce, the nonce cookie set.
  const start = await get(lbPort, '/hello?x=1', ca)
  assert.equal(start.status, 302)
  const to = new URL(String(start.headers.location))
  assert.equal(`${to.origin}${to.pathname}`, `${issuer}/auth`)
  assert.equal(to.searchParams.get('client_id'), 'openalb')
  assert.equal(to.searchParams.get('response_type'), 'code')
  assert.equal(to.searchParams.get('scope'), 'openid email')
  assert.equal(to.searchParams.get('redirect_uri'), `https://${HOST}:${lbPort}/oauth2/idpresponse`)
  assert.ok(to.searchParams.get('state'))
  const nonce = to.searchParams.get('nonce')
  assert.ok(nonce)
  assert.ok((start.headers['set-cookie'] ?? []).some((c) => c.startsWith(`AWSELBAuthNonce=${nonce};`) && c.includes('Secure') && c.includes('HttpOnly')))
  // deny: 401; allow: forwarded without claims, a client's own claims dropped.
  assert.equal((await get(lbPort, '/api/x', ca)).status, 401)
  const allowed = await get(lbPort, '/public/x', ca, { 'x-amzn-oidc-identity': 'forged', 'x-amzn-oidc-data': 'forged', 'x-amzn-oidc-accesstoken': 'forged' })
  assert.equal(allowed.status, 200)
  const seen = (JSON.parse(allowed.body) as { headers: IncomingHttpHeaders }).headers
  assert.equal(seen['x-amzn-oidc-identity'], undefined)
  assert.equal(seen['x-amzn-oidc-data'], undefined)
  assert.equal(seen['x-amzn-oidc-accesstoken'], undefined)
  // A callback without state, or with a state that is not the balancer's: 401.
  assert.equal((await get(lbPort, '/oauth2/idpresponse?code=abc', ca)).status, 401)
  assert.equal((await get(lbPort, `/oauth2/idpresponse?code=abc&state=forged`, ca, { cookie: `AWSELBAuthNonce=${nonce}` })).status, 401)

  // The IdP's errors as ALB answers them, with its error_reason in the access log: a code the
  // provider never issued (its invalid_grant) is 401; a token endpoint that cannot be reached, 500.
  const callbackWith = async (host: string) => {
    const started = await get(lbPort, '/page', ca, { host: `${host}:${lbPort}` })
    const q = new URL(String(started.headers.location)).searchParams
    return get(lbPort, `/oauth2/idpresponse?code=never-issued&state=${encodeURIComponent(q.get('state') ?? '')}`, ca, { host: `${host}:${lbPort}`, cookie: `AWSELBAuthNonce=${q.get('nonce') ?? ''}` })
  }
  assert.equal((await callbackWith(HOST)).status, 401)
  assert.equal((await callbackWith('broken.example.test')).status, 500)
  await eventually(() => existsSync(accessLog) && /"authenticate" .*"AuthInvalidGrantError"/.test(readFileSync(accessLog, 'utf8')) && readFileSync(accessLog, 'utf8').includes('"AuthTokenEpRequestConnectionError"'), { timeoutMs: 10_000, message: 'the access log has the error reasons' })

  // The browser: openalb's CA and the IdP's certificate trusted in a throwaway NSS database.
  const { context, cleanup } = await launchChromium([caFile, idpCert.certPath], [HOST])
  t.after(cleanup)
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(`https://${HOST}:${lbPort}/hello?x=1`, { waitUntil: 'load', timeout: 20_000 })
  assert.ok(page.url().startsWith(`${issuer}/interaction/`), `at the provider's login form: ${page.url()}`)
  await page.fill('input[name=login]', 'alice')
  await page.fill('input[name=password]', 'any')
  await page.click('button[type=submit]')
  await page.waitForLoadState('load')
  // The provider's consent page, then back through /oauth2/idpresponse to the page first asked for.
  if (page.url().startsWith(`${issuer}/interaction/`)) {
    await Promise.all([page.waitForURL(`https://${HOST}:${lbPort}/**`, { timeout: 20_000 }), page.click('button[type=submit]')])
  }
  assert.equal(page.url(), `https://${HOST}:${lbPort}/hello?x=1`)
  const got = JSON.parse((await page.textContent('body')) ?? '') as { url: string; headers: IncomingHttpHeaders }
  assert.equal(got.url, '/hello?x=1')
  assert.equal(got.headers['x-amzn-oidc-identity'], 'alice')
  assert.ok(got.headers['x-amzn-oidc-accesstoken'])
  // x-amzn-oidc-data: ES256, verified with the key the control endpoint serves for its kid.
  const data = String(got.headers['x-amzn-oidc-data'])
  const header = decodeProtectedHeader(data)
  assert.equal(header.alg, 'ES256')
  assert.equal(header.iss, issuer)
  assert.equal(header.client, 'openalb')
  assert.match(String(header.signer), /^arn:aws:elasticloadbalancing:[^:]+:\d{12}:loadbalancer\/app\/alb\//)
  const pemRes = await fetch(`http://127.0.0.1:${controlPort}/_openalb/public-keys/${String(header.kid)}`)
  assert.equal(pemRes.status, 200)
  const { payload } = await jwtVerify(data, await importSPKI(await pemRes.text(), 'ES256'))
  assert.equal(payload.sub, 'alice')
  assert.equal(payload.email, 'alice@example.test')
  assert.equal(payload.iss, issuer)
  assert.equal((await fetch(`http://127.0.0.1:${controlPort}/_openalb/public-keys/0000`)).status, 404)

  const cookies = await context.cookies(`https://${HOST}:${lbPort}/`)
  const session = cookies.find((c) => c.name === 'AWSELBAuthSessionCookie-0')
  assert.ok(session, `the session cookie: ${cookies.map((c) => c.name).join(', ')}`)
  assert.ok(session.secure && session.httpOnly)
  assert.ok(!cookies.some((c) => c.name === 'AWSELBAuthNonce'), 'the nonce cookie is gone')
  // The session survives a reload; the deny rule lets the signed-in browser in.
  await page.reload({ waitUntil: 'load' })
  assert.equal((JSON.parse((await page.textContent('body')) ?? '') as { headers: IncomingHttpHeaders }).headers['x-amzn-oidc-identity'], 'alice')
  await page.goto(`https://${HOST}:${lbPort}/api/me`, { waitUntil: 'load' })
  assert.equal((JSON.parse((await page.textContent('body')) ?? '') as { headers: IncomingHttpHeaders }).headers['x-amzn-oidc-identity'], 'alice')
  await eventually(() => readFileSync(accessLog, 'utf8').includes('"authenticate,forward"'), { timeoutMs: 10_000, message: 'a signed-in request is logged as authenticate,forward' })
  // The CLI never shows the client secret; the store keeps it sealed.
  for (const kind of ['listeners', 'rules']) {
    const listed = openalb(['get', kind, '-o', 'json', '--data', dataDir])
    assert.equal(listed.code, 0, listed.stderr)
    assert.ok(listed.stdout.includes('"clientId": "openalb"') && !listed.stdout.includes('openalb-secret'), listed.stdout)
  }
  const dbFiles = readdirSync(dataDir).filter((f) => f.startsWith('state.db'))
  assert.ok(dbFiles.some((f) => readFileSync(join(dataDir, f)).includes('"clientId":"openalb"')), `the store's files hold the action (${dbFiles.join(', ')})`)
  for (const f of dbFiles) assert.ok(!readFileSync(join(dataDir, f)).includes('openalb-secret'), `the client secret is sealed in ${f}`)
  // The keys follow from the data directory's store key: the session outlives a restart.
  await stopChild(lb, 'SIGTERM')
  lb = up()
  await eventually(async () => (await get(lbPort, '/public/ready', ca).catch(() => undefined))?.status === 200, { timeoutMs: 30_000, message: `the listener answers again (${stderr})` })
  await page.goto(`https://${HOST}:${lbPort}/api/me`, { waitUntil: 'load' })
  assert.equal((JSON.parse((await page.textContent('body')) ?? '') as { headers: IncomingHttpHeaders }).headers['x-amzn-oidc-identity'], 'alice', 'signed in after a restart')
  // Logout as ALB has it: the application expires the cookie; then deny answers 401 again.
  await context.clearCookies({ name: 'AWSELBAuthSessionCookie-0' })
  const after = await page.goto(`https://${HOST}:${lbPort}/api/me`, { waitUntil: 'load' })
  assert.equal(after?.status(), 401)
})
