// The web console in a real browser (Debian's chromium, driven by playwright-core) against the
// running tutorial: its resources on screen, the explain view, a target turning unhealthy live,
// an action through the admin API, and access keys asked for when configured.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { freePort } from '../helpers/ports.js'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { eventually } from '../helpers/eventually.js'
import { needs, repoRoot } from '../helpers/shared.js'
import { startTutorial } from '../helpers/tutorial.js'

const CHROMIUM = '/usr/bin/chromium'
const skip = existsSync(CHROMIUM) ? needs('chromium') : needs(CHROMIUM, 'chromium')
const artifacts = join(repoRoot, 'test-artifacts')

async function browser(t: TestContext): Promise<Browser> {
  const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] })
  t.after(() => b.close())
  return b
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true })
  await page.screenshot({ path: join(artifacts, `console-${name}.png`), fullPage: true })
}

test("the console shows the tutorial's resources, explains a URL, and follows target health live", { skip, timeout: 90_000 }, async (t) => {
  const tut = await startTutorial()
  t.after(() => tut.close())
  const b = await browser(t)
  const page = await b.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))

  await page.goto(`${tut.lb.controlUrl}/console/`, { waitUntil: 'load' })
  const http = page.getByTestId(`listener-HTTP-${tut.ports.http}`)
  await http.waitFor({ timeout: 10_000 })
  assert.match((await page.getByTestId('balancer-web-alb').textContent()) ?? '', /web-alb/)
  const rules = (await http.locator('table.rules').textContent()) ?? ''
  assert.match(rules, /Host is “api\.example\.test”/)
  assert.match(rules, new RegExp(`Redirect to https://#\\{host\\}:${tut.ports.https}/#\\{path\\}\\?#\\{query\\} \\(301`))
  assert.match(rules, /every other request\s*Forward to web-tg/)
  await page.getByTestId(`listener-HTTPS-${tut.ports.https}`).waitFor()

  // Explain: which rule takes http://api.example.test/, and why the default does not for another host.
  await page.getByTestId(`explain-url-${tut.ports.http}`).fill('http://api.example.test/')
  await page.getByTestId(`explain-go-${tut.ports.http}`).click()
  const result = page.getByTestId(`explain-result-${tut.ports.http}`)
  await result.getByTestId('explain-match').waitFor()
  assert.match((await result.textContent()) ?? '', /Rule 1 matches \(Host is “api\.example\.test”\): Redirect to https:/)
  await page.getByTestId(`explain-url-${tut.ports.http}`).fill('http://other.example.test/x')
  await page.getByTestId(`explain-go-${tut.ports.http}`).click()
  await eventually(async () => /default action/.test((await result.textContent()) ?? ''), { timeoutMs: 5000, message: 'the explain view answers the default action' })
  const other = (await result.textContent()) ?? ''
  assert.match(other, /Rule 1 does not match: Host is “api\.example\.test” is false/)
  assert.match(other, /web-tg: one of 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ \(healthy\) takes it/)
  await shot(page, 'balancers')

  // Target groups: both healthy; a backend stopped by the test turns unhealthy on screen, no reload.
  await page.evaluate(() => {
    ;(window as unknown as { marker: number }).marker = 42
  })
  await page.click('a[href="#target-groups"]')
  const [p1, p2] = tut.ports.backends
  const state = (port: number) => page.getByTestId(`target-state-127.0.0.1-${port}`)
  await eventually(async () => (await state(p1).textContent()) === 'healthy' && (await state(p2).textContent()) === 'healthy', { timeoutMs: 10_000, message: 'both targets healthy on screen' })
  await tut.stopBackend(p2)
  await eventually(async () => (await state(p2).textContent()) === 'unhealthy', { timeoutMs: 30_000, intervalMs: 250, message: 'the stopped target turns unhealthy on screen' })
  assert.equal(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 42, 'the page was not reloaded')
  assert.match((await page.getByTestId('history-web-tg').textContent()) ?? '', new RegExp(`127\\.0\\.0\\.1:${p2}: healthy → unhealthy \\(Target\\.(FailedHealthChecks|Timeout|ResponseCodeMismatch)\\)`))
  // Traffic through the balancer shows on the requests chart.
  for (let i = 0; i < 20; i++) await (await fetch(`http://127.0.0.1:${tut.ports.http}/`)).text()
  await eventually(async () => Number.parseFloat((await page.getByTestId('chart-requests-web-tg-value').textContent()) ?? '0') > 0, { timeoutMs: 10_000, message: 'the requests chart shows the traffic' })
  await shot(page, 'target-groups')

  await page.click('a[href="#certificates"]')
  const certs = (await page.getByTestId('certificates').textContent()) ?? ''
  assert.match(certs, /api-example-test\s*api\.example\.test, localhost\s*ISSUED/)
  assert.match(certs, /CN=openalb/)
  await page.click('a[href="#zones"]')
  await eventually(async () => /answers now: 127\.0\.0\.1/.test((await page.getByTestId('alias-answer-api.example.test.').textContent().catch(() => '')) ?? ''), {
    timeoutMs: 5000,
    message: 'the alias shows what openalb DNS answers for it',
  })
  await shot(page, 'zones')
  assert.deepEqual(errors, [], 'no script errors on the page')
})

test('with access keys the console asks for one, and its actions go through the admin API', { skip, timeout: 90_000 }, async (t) => {
  const tut = await startTutorial({ accessKeys: 'AKIDCONSOLE:console-secret' })
  t.after(() => tut.close())
  const denied = await fetch(`${tut.lb.controlUrl}/console/`)
  assert.equal(denied.status, 401)
  assert.match(denied.headers.get('www-authenticate') ?? '', /^Basic realm="openalb console/)
  const wrong = await fetch(`${tut.lb.controlUrl}/admin/v1/console/state`, { headers: { authorization: `Basic ${Buffer.from('AKIDCONSOLE:nope').toString('base64')}` } })
  assert.equal(wrong.status, 401)

  const b = await browser(t)
  const context = await b.newContext({ httpCredentials: { username: 'AKIDCONSOLE', password: 'console-secret' } })
  const page = await context.newPage()
  page.on('dialog', (d) => void d.accept())
  await page.goto(`${tut.lb.controlUrl}/console/#target-groups`, { waitUntil: 'load' })
  const [, p2] = tut.ports.backends
  const row = page.getByTestId(`target-state-127.0.0.1-${p2}`)
  await eventually(async () => (await row.textContent().catch(() => '')) === 'healthy', { timeoutMs: 10_000, message: 'target healthy on screen' })
  await page.locator('tr', { has: row }).getByRole('button', { name: 'Deregister' }).click()
  await eventually(async () => (await row.textContent().catch(() => '')) === 'draining', { timeoutMs: 10_000, message: 'the deregistered target drains on screen' })
  const view = await tut.lb.control.view()
  assert.deepEqual(view.find('target-group', 'web-tg')?.targets.map((x) => x.port), [tut.ports.backends[0]], 'the store no longer has the target')
  await shot(page, 'deregistered')
})

test('Auto Scaling groups and Lambda functions join the console', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-console-kinds-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // Both example files side by side in one configuration directory, their listeners on free ports.
  const examples = join(repoRoot, 'examples')
  const config = join(dir, 'config')
  mkdirSync(config)
  writeFileSync(join(config, 'autoscaling.yaml'), readFileSync(join(examples, 'autoscaling.yaml'), 'utf8').replace(/\b8080\b/g, String(await freePort())))
  writeFileSync(
    join(config, 'lambda.yaml'),
    readFileSync(join(examples, 'lambda.yaml'), 'utf8')
      .replace(/\b8080\b/g, String(await freePort()))
      .replace(/\.\/lambda\//g, `${join(examples, 'lambda')}/`)
      .replace(/\bweb-alb\b/g, 'fn-alb')
      .replace(/\bweb-sg\b/g, 'fn-sg'),
  )
  process.env.OPENALB_INSTANCE_ADDRESSES = '127.104.0.0/16'
  // The group's launch template runs a web server: launches need --run-user-data.
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), configFile: config, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(() => lb.close())
  const b = await browser(t)
  const page = await b.newPage()
  await page.goto(`${lb.controlUrl}/console/#auto-scaling`, { waitUntil: 'load' })
  const group = page.getByTestId('asg-web')
  await group.waitFor({ timeout: 10_000 })
  assert.match((await group.textContent()) ?? '', /min 1 · desired 1 · max 4 · health check ELB \(grace 30 s\)/)
  assert.match((await group.textContent()) ?? '', /Target groups: web-tg/)
  // A change (the launch) redraws the page at its new revision, without a reload.
  await eventually(async () => /Launching a new EC2 instance: i-[0-9a-f]{17}/.test((await page.getByTestId('asg-web').textContent()) ?? ''), { timeoutMs: 15_000, message: 'the launch activity shows' })
  assert.match((await group.textContent()) ?? '', /i-[0-9a-f]{17}\s*us-east-1[ab]\s*(Pending|InService)/)
  await page.click('a[href="#functions"]')
  const fns = (await page.getByTestId('functions').textContent()) ?? ''
  assert.match(fns, /hello\s*nodejs20\.x\s*index\.handler\s*3 s\s*128 MB\s*default\s*GREETING/)
  assert.match(fns, /report\s*python3\.12\s*app\.handler/)
  assert.doesNotMatch(fns, /hi from YAML/, 'environment values are not shown, only their names')
  await shot(page, 'functions')
})

test('network and Classic balancers in the console: a TCP listener forwards each connection, a Classic balancer lists its listeners and its instances turning InService live', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-console-l4-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const examples = join(repoRoot, 'examples')
  const config = join(dir, 'config')
  mkdirSync(config)
  const [clbHttp, clbTcp, nlbTcp] = [await freePort(), await freePort(), await freePort()]
  writeFileSync(join(config, 'classic.yaml'), readFileSync(join(examples, 'classic.yaml'), 'utf8').replace(/\b8080\b/g, String(clbHttp)).replace(/\b9000\b/g, String(clbTcp)))
  writeFileSync(join(config, 'nlb.yaml'), readFileSync(join(examples, 'nlb-tcp.yaml'), 'utf8').replace(/\b9000\b/g, String(nlbTcp)))
  process.env.OPENALB_INSTANCE_ADDRESSES = '127.122.0.0/16'
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), configFile: config, control: '127.0.0.1:0', dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(() => lb.close())
  const b = await browser(t)
  const page = await b.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  await page.goto(`${lb.controlUrl}/console/`, { waitUntil: 'load' })
  const tcp = page.getByTestId(`listener-TCP-${nlbTcp}`)
  await tcp.waitFor({ timeout: 10_000 })
  assert.match((await page.getByTestId('balancer-tcp-nlb').textContent()) ?? '', /tcp-nlb network · internet-facing/)
  assert.match((await tcp.textContent()) ?? '', /Each connection: Forward to tcp-tg\./)
  assert.equal(await tcp.locator('table.rules').count(), 0, 'a TCP listener has no rules table')

  const clb = page.getByTestId('classic-balancer-web-clb')
  const text = (await clb.textContent()) ?? ''
  assert.match(text, /web-clb classic · internet-facing/)
  assert.match(text, new RegExp(`HTTP : ${clbHttp}\\s*HTTP : 4000\\s*sticky-60s`))
  assert.match(text, new RegExp(`TCP : ${clbTcp}\\s*TCP : 4000`))
  assert.match(text, /Health check HTTP:4000\/ every 5 s \(timeout 2 s\), in service after 2, out after 2/)
  // The instances start OutOfService and turn InService on the page as the check passes, without a reload.
  await eventually(async () => (((await clb.textContent()) ?? '').match(/InService/g) ?? []).length === 2, { timeoutMs: 30_000, intervalMs: 250, message: 'both instances InService on the page' })
  await shot(page, 'classic')
  assert.deepEqual(errors, [])
})
