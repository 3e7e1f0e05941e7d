// docs/classic.md's AWS CLI walkthrough (the block after `<!-- docs-test: aws-cli -->`), run as the
// page prints it with AWS CLI v2 in bash against a fresh openalb started with --run-user-data.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { pino } from 'pino'
import { startOpenalb } from '../../src/main.js'
import { cliVersion } from '../aws/cli-tutorial-steps.js'
import { freePort } from '../helpers/ports.js'
import { repoRoot } from '../helpers/shared.js'

const run = promisify(execFile)

/** The sh block after the page's aws-cli marker (as docs-tutorial.test.ts reads the tutorial's). */
function markedBlock(markdown: string): string | undefined {
  const at = markdown.indexOf('<!-- docs-test: aws-cli -->')
  return at < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(markdown.slice(at))?.[1]
}

// Its own instance range: test files run side by side, each with its own openalb (docs/ec2.md).
process.env.OPENALB_INSTANCE_ADDRESSES = '127.117.0.0/16'

test('docs/classic.md: the AWS CLI walkthrough runs as written (InService, HTTP and HTTPS answered, 503 once stopped)', { timeout: 120_000 }, async (t) => {
  const block = markedBlock(readFileSync(join(repoRoot, 'docs/classic.md'), 'utf8'))
  assert.ok(block, 'docs/classic.md has a block marked <!-- docs-test: aws-cli -->')
  const version = await cliVersion('/usr/bin/aws')
  if (!version?.startsWith('aws-cli/2')) {
    const reason = 'SKIPPED: AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it)'
    console.warn(reason)
    return t.skip(reason)
  }
  if (!existsSync('/usr/bin/openssl') || !existsSync('/usr/bin/curl')) {
    const reason = 'SKIPPED: openssl and curl are needed (Debian packages openssl, curl)'
    console.warn(reason)
    return t.skip(reason)
  }
  const dir = mkdtempSync(join(tmpdir(), 'openalb-docs-classic-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  symlinkSync('/usr/bin/aws', join(bin, 'aws'))
  const [control, http, https] = [await freePort(), await freePort(), await freePort()]
  const lb = await startOpenalb({ dataDir: join(dir, 'data'), control: `127.0.0.1:${control}`, dns: '127.0.0.1:0', runUserData: true, log: pino({ level: 'silent' }) })
  t.after(() => lb.close())
  // The page's fixed ports moved to free ones, in one pass; the instance keeps 4000 on its own address.
  const script = block.replace(/\b(4566|8443|8080)\b/g, (p) => String({ 4566: control, 8443: https, 8080: http }[p]))
  let out: { stdout: string; stderr: string }
  try {
    out = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      timeout: 100_000,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir, AWS_PAGER: '', AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') },
    })
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string }
    assert.fail(`docs/classic.md's block failed:\n${err.stderr ?? ''}\n${err.stdout ?? ''}\n${err.message}`)
  }
  // What the page's comments say each curl prints.
  assert.match(out.stdout, /hello from i-[0-9a-f]+ via http\n/)
  assert.match(out.stdout, /hello from i-[0-9a-f]+ via https\n/)
  assert.match(out.stdout, /^503$/m)
  assert.match(out.stdout, /web-clb-\d{10}\.us-east-1\.elb\.openalb\.test/)
})
