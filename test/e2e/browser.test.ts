// The tutorial in a real browser: Debian's chromium, driven by playwright-core, trusting openalb's
// CA (test/helpers/browser.ts).
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { request } from 'node:https'
import { eventually } from '../helpers/eventually.js'
import { repoRoot } from '../helpers/shared.js'
import { browserSkip, launchChromium } from '../helpers/browser.js'
import { startTutorial } from '../helpers/tutorial.js'

const skip = browserSkip()

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

  const { context, cleanup } = await launchChromium([tut.caFile], ['api.example.test'])
  t.after(cleanup)
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
