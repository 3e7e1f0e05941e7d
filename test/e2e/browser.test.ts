// The tutorial in a real browser: Debian's chromium, driven by playwright-core, trusting openalb's
// CA through an NSS database in a throwaway HOME (the system trust store is left alone).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { request } from 'node:https'
import { chromium } from 'playwright-core'
import { eventually } from '../helpers/eventually.js'
import { needs, repoRoot } from '../helpers/shared.js'
import { startTutorial } from '../helpers/tutorial.js'

const CHROMIUM = '/usr/bin/chromium'
const noChromium = existsSync(CHROMIUM) ? needs('chromium') : needs(CHROMIUM, 'chromium')
const noCertutil = needs('certutil', 'libnss3-tools')
const skip = noChromium || noCertutil

/** HOME with .pki/nssdb trusting `caFile` as a CA for websites: where chromium on Linux looks. */
function homeTrusting(caFile: string): string {
  const home = mkdtempSync(join(tmpdir(), 'openalb-browser-home-'))
  const db = join(home, '.pki', 'nssdb')
  mkdirSync(db, { recursive: true })
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'])
  execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'openalb local CA', '-t', 'C,,', '-i', caFile])
  return home
}

function httpsReady(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: 'api.example.test', ca, agent: false }, (res) => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('error', () => resolve(false))
    req.end()
  })
}

test('a browser opening http://api.example.test lands on https:// with a valid certificate and sees the server\'s page', { skip }, async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const { http, https } = tut.ports
  const ca = readFileSync(tut.caFile, 'utf8')
  await eventually(() => httpsReady(https, ca), { timeoutMs: 20000, message: 'the HTTPS listener serves its certificate' })

  const home = homeTrusting(tut.caFile)
  const profile = mkdtempSync(join(tmpdir(), 'openalb-browser-profile-'))
  t.after(() => {
    rmSync(home, { recursive: true, force: true })
    rmSync(profile, { recursive: true, force: true })
  })
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP api.example.test 127.0.0.1',
    ],
  })
  t.after(() => context.close())
  const page = context.pages()[0] ?? (await context.newPage())
  // A certificate error makes goto throw (net::ERR_CERT_AUTHORITY_INVALID), so landing is the check.
  const response = await page.goto(`http://api.example.test:${http}/`, { waitUntil: 'load', timeout: 20000 })
  assert.ok(response)
  assert.equal(page.url(), `https://api.example.test:${https}/`)
  assert.equal(response.status(), 200)
  const security = await response.securityDetails()
  assert.match(security?.issuer ?? '', /openalb/i, 'issued by openalb\'s CA')
  assert.equal(security?.subjectName, 'api.example.test')
  // The browser offers h2 through ALPN and the listener takes it (routing.http2.enabled defaults to true).
  assert.equal(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol), 'h2')
  const text = await page.textContent('body')
  assert.match(text ?? '', /^hello from \d+: GET \/ xff=127\.0\.0\.1 proto=https/)

  const artifacts = join(repoRoot, 'test-artifacts')
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: join(artifacts, 'browser-tutorial-https.png') })
})
