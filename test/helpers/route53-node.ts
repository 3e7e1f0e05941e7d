import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { promisify } from 'node:util'
import pino from 'pino'
import { startOpenalb } from '../../src/main.js'
import { awsCli, cliVersion } from '../aws/cli-tutorial-steps.js'
import { recordingProxy } from '../aws/recording-proxy.js'

const run = promisify(execFile)

/**
 * One openalb node for the Route 53 e2e files: its control endpoint behind a recording proxy (the
 * wire checks against botocore), SDK client settings, and dig against its DNS from a chosen
 * loopback source address (-b).
 */
export async function route53Node(t: Pick<TestContext, 'after'>, prefix: string, options: { geoTableFile?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), `openalb-${prefix}-`))
  const lb = await startOpenalb({ dataDir: dir, control: '127.0.0.1:0', dns: '127.0.0.1:0', log: pino({ level: 'warn' }), ...options })
  const proxy = await recordingProxy(lb.controlUrl)
  t.after(async () => {
    await proxy.close()
    await lb.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const config = { endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }
  const dig = async (from: string, ...args: string[]) => (await run('dig', ['@127.0.0.1', '-p', String(lb.dnsPort), '-b', from, '+norec', '+time=2', '+tries=1', ...args])).stdout
  /** A name's A answers from a source address, sorted and joined by commas, or the status when there are none. */
  const digA = async (name: string, from: string) => {
    const out = await dig(from, name, 'A')
    const answers = [...out.matchAll(/^\S+\s+\d+\s+IN\s+A\s+(\S+)$/gm)].map((m) => m[1]).sort()
    return answers.length > 0 ? answers.join(',') : (/status: (\w+)/.exec(out)?.[1] ?? out)
  }
  return { lb, proxy, config, dig, digA }
}

/** AWS CLI v2 against the node's proxy, or undefined after skipping the test loudly. */
export async function awsCliV2(t: TestContext, endpoint: string, prefix: string): Promise<ReturnType<typeof awsCli> | undefined> {
  const bin = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws'
  const version = await cliVersion(bin)
  if (!version?.startsWith('aws-cli/2')) {
    const reason = `SKIPPED: AWS CLI v2 is not at ${bin} (found: ${version ?? 'none'})`
    console.warn(reason)
    t.skip(reason)
    return undefined
  }
  const home = mkdtempSync(join(tmpdir(), `openalb-${prefix}-cli-`))
  t.after(() => rmSync(home, { recursive: true, force: true }))
  return awsCli(bin, { endpoint } as Parameters<typeof awsCli>[1], home)
}
