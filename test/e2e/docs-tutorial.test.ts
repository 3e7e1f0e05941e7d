// The tutorial's AWS CLI walkthrough, run as the docs print it (the block after
// `<!-- docs-test: aws-cli -->` in docs/tutorial.md and docs/ko/tutorial.md), with AWS CLI v2 in
// bash against a fresh openalb; then the redirect, HTTPS and DNS answer as step 4 says.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request } from 'node:https'
import { Resolver } from 'node:dns/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { cliVersion } from '../aws/cli-tutorial-steps.js'
import { eventually } from '../helpers/eventually.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'
import { backend } from '../helpers/tutorial.js'

const run = promisify(execFile)
const MARKER = '<!-- docs-test: aws-cli -->'

/** The sh block right after the marker, or undefined when the page has none. */
export function markedBlock(markdown: string): string | undefined {
  const at = markdown.indexOf(MARKER)
  if (at < 0) return undefined
  const m = /```sh\n([\s\S]*?)```/.exec(markdown.slice(at))
  return m?.[1]
}

const pages = ['docs/tutorial.md', 'docs/ko/tutorial.md'].filter((p) => existsSync(join(repoRoot, p)))

for (const page of pages) {
  test(`${page}: the AWS CLI walkthrough runs as written and serves the tutorial`, { timeout: 180_000 }, async (t) => {
    const block = markedBlock(readFileSync(join(repoRoot, page), 'utf8'))
    assert.ok(block, `${page} has a block marked ${MARKER}`)
    const version = await cliVersion('/usr/bin/aws')
    if (!version?.startsWith('aws-cli/2')) {
      const reason = `SKIPPED: AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it)`
      console.warn(reason)
      return t.skip(reason)
    }
    const dir = mkdtempSync(join(tmpdir(), 'openalb-docs-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    // `aws` in the block is v2, whatever else PATH holds.
    const bin = join(dir, 'bin')
    mkdirSync(bin)
    symlinkSync('/usr/bin/aws', join(bin, 'aws'))

    const [control, http, https, b1, b2] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()]
    const servers = [await backend(b1), await backend(b2)]
    t.after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())))
    const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: `127.0.0.1:${control}`, dns: '127.0.0.1:0', log: pino({ level: 'silent' }) })
    t.after(() => lb.close())
    // The docs' fixed ports moved to free ones, in one pass (a free port may contain 4000 or 8080).
    const script = block.replace(/\b(4566|8443|8080|4001|4000)\b/g, (p) => String({ 4566: control, 8443: https, 8080: http, 4001: b2, 4000: b1 }[p]))
    try {
      await run('bash', ['-euo', 'pipefail', '-c', script], {
        timeout: 150_000,
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, AWS_PAGER: '', AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') },
      })
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string }
      assert.fail(`${page}'s block failed:\n${err.stderr ?? ''}\n${err.stdout ?? ''}\n${err.message}`)
    }

    // Step 4, as the tutorial says it answers.
    // fetch() sends its own Host; node:http sends the one given, as curl -H does.
    const redirect = await new Promise<{ status?: number; location?: string }>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port: http, path: '/', headers: { host: 'api.example.test' }, agent: false }, (res) => {
        res.resume()
        resolve({ status: res.statusCode, location: res.headers.location })
      })
        .on('error', reject)
        .end()
    })
    assert.deepEqual(redirect, { status: 301, location: `https://api.example.test:${https}/` })
    const ca = readFileSync(join(dir, 'data', 'ca', 'root.pem'), 'utf8')
    const body = await eventually(
      () =>
        new Promise<string>((resolve) => {
          const req = request({ host: '127.0.0.1', port: https, path: '/', servername: 'api.example.test', ca, agent: false }, (res) => {
            let text = ''
            res.on('data', (c: Buffer) => (text += c.toString()))
            res.on('end', () => resolve(res.statusCode === 200 ? text : ''))
          })
          req.on('error', () => resolve(''))
          req.end()
        }),
      { timeoutMs: 20_000, message: 'HTTPS answers with the ACM certificate' },
    )
    assert.match(body, /^hello from \d+: GET \/ .*proto=https/)
    const resolver = new Resolver()
    resolver.setServers([`127.0.0.1:${lb.dnsPort}`])
    assert.deepEqual(await resolver.resolve4('api.example.test'), ['127.0.0.1'])
  })
}
