// Every shell block in README.md and docs/ runs here as a reader would paste it: page by page, in
// order, one shell per run (see test/helpers/docs-blocks.ts for the markers), and each block's
// output must show what the page's expect markers say it shows. A run gets its own network, PID
// and mount namespaces (unshare), so the docs' fixed ports (4566, 8080, 8443, 8053, 4000, ...) and
// addresses (127.0.0.2, 127.100.0.1) are its own, and every process it starts (openalb, instances,
// etcd, web servers) ends with it; its /etc/hosts points the docs' names at 127.0.0.1. `aws` is AWS CLI v2; `openalb` and `npx openalb` are this
// checkout's bin/openalb.js; `watch CMD` runs CMD once and `--follow` stops after 3 s; /tmp/ in a
// block is the run's own directory.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { cliVersion } from '../aws/cli-tutorial-steps.js'
import { AWS_CLI_OWN_TEST, docRuns, expectation, runnable, type DocRun } from '../helpers/docs-blocks.js'
import { hasBinary, repoRoot } from '../helpers/shared.js'

const pages = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`), 'docs/ko/tutorial.md']
  .filter((p) => existsSync(join(repoRoot, p)))

/** unshare's flags that give a run its own namespaces here, or undefined when none work. */
function namespaceFlags(): string[] | undefined {
  for (const flags of [['-npf', '--mount-proc', '--kill-child'], ['-rnpf', '--mount-proc', '--kill-child']]) {
    const r = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' })
    if (r.status === 0) return flags
  }
  return undefined
}
const unshare = namespaceFlags()

/** Tools a run needs besides bash and node, and the Debian package .ci/run installs each from. */
const TOOLS: Record<string, string> = {
  curl: 'curl', dig: 'dnsutils', nc: 'netcat-openbsd', zip: 'zip', etcd: 'etcd-server', openssl: 'openssl',
  python3: 'python3', ip: 'iproute2', base64: 'coreutils', timeout: 'coreutils',
}

/** The sources of the e2e tests (test/e2e/*.ts in the checkout), to find a page's own test. */
function ownTests(): { name: string; text: string }[] {
  const dir = join(repoRoot, 'test', 'e2e')
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') })) : []
}

/** Names the docs use that a reader points at 127.0.0.1 in /etc/hosts. */
const HOSTS = ['api.example.test', 'grpc.example.test', 'tcp.example.test']

// errexit, as a reader stops at a failing command; no pipefail, as a reader's shell has none
// (`curl ... | grep X` is judged by grep).
const PREAMBLE = String.raw`
set -eE
docs_wait_port() {   # HOST PORT: wait until something accepts there (an openalb up line's control endpoint)
  for i in $(seq 600); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "docs-test: nothing accepts on $1:$2 after 60 s" >&2; return 1
}
wait_for() {         # SECONDS PATTERN CMD...: run CMD until its output matches the extended regex PATTERN
  local secs=$1 pattern=$2 out; shift 2
  for i in $(seq $((secs * 2))); do out=$("$@" 2>&1) || true; grep -Eq -- "$pattern" <<< "$out" && return 0; sleep 0.5; done
  printf 'docs-test: "%s" never showed /%s/ in %s s; last output:\n%s\n' "$*" "$pattern" "$secs" "$out" >&2; return 1
}
trap 'echo "@@docs-error $LINENO" >&2' ERR
`

function shim(bin: string, name: string, body: string): void {
  writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(join(bin, name), 0o755)
}

/**
 * Runs a bash script as a reader's shell in a sandbox: its own namespaces, HOME, TMPDIR and working
 * directory (holding `examples/`), shims on PATH, and its own /etc/hosts. Ends when the script
 * ends (the kernel then ends every process it started) or after 270 s.
 */
async function inNamespace(t: TestContext, scriptFor: (tmp: string) => string, usesAws: boolean): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-docs-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const [bin, work, tmp] = [join(dir, 'bin'), join(dir, 'work'), join(dir, 'tmp')] as const
  for (const d of [bin, work, tmp]) mkdirSync(d)
  symlinkSync(join(repoRoot, 'examples'), join(work, 'examples'))
  const openalb = join(repoRoot, 'bin', 'openalb.js')
  shim(bin, 'openalb', `for a in "$@"; do [ "$a" = --follow ] && { timeout 3 node ${openalb} "$@"; r=$?; [ $r = 124 ] && exit 0; exit $r; }; done\nexec node ${openalb} "$@"`)
  const npx = spawnSync('sh', ['-c', 'command -v npx']).stdout.toString().trim() || 'false'
  shim(bin, 'npx', `if [ "$1" = openalb ]; then shift; exec ${join(bin, 'openalb')} "$@"; fi\nexec ${npx} "$@"`)
  shim(bin, 'watch', 'while [[ "${1:-}" == -* ]]; do case "$1" in -n|-d|--interval) shift;; esac; shift; done\nexec bash -c "$*"')
  // AWS CLI 2.13+ reads AWS_ENDPOINT_URL, as the docs say; Debian's 2.9 does not, so it is passed on.
  if (usesAws) shim(bin, 'aws', 'if [ -n "${AWS_ENDPOINT_URL:-}" ] && [[ " $* " != *" --endpoint-url"* ]]; then exec /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; fi\nexec /usr/bin/aws "$@"')
  writeFileSync(join(dir, 'run.sh'), scriptFor(tmp))
  // The run's own /etc/hosts names the tutorial's hosts, as the tutorial tells a reader to.
  writeFileSync(join(dir, 'hosts'), `${readFileSync('/etc/hosts', 'utf8')}\n127.0.0.1 ${HOSTS.join(' ')}\n`)
  const setup = `ip link set lo up && mount --bind ${join(dir, 'hosts')} /etc/hosts && cd ${work}`
  const env = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: dir, TMPDIR: tmp, TERM: 'dumb', COLUMNS: '200', AWS_PAGER: '',
    AWS_CONFIG_FILE: join(dir, 'aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
  }
  const child = spawn('unshare', [...unshare!, 'bash', '-c', `${setup} && exec bash ${join(dir, 'run.sh')} 2>&1`], {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  // The namespace's first process is bash: when it exits, the kernel ends every process of the run.
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const limit = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 270_000)
  const code = await ended
  clearTimeout(limit)
  return { code, output }
}

/** The run as one bash script, with a line map from script lines to page lines. */
function script(run: DocRun, tmp: string): { text: string; pageLine: (scriptLine: number) => number | undefined; markers: string[] } {
  const out: string[] = []
  const map: (number | undefined)[] = []
  const markers: string[] = []
  const push = (code: string, firstPageLine: number | undefined) =>
    code.split('\n').forEach((l, i) => {
      out.push(l)
      map.push(firstPageLine === undefined ? undefined : firstPageLine + i)
    })
  push(PREAMBLE, undefined)
  run.blocks.forEach((b, n) => {
    if (b.skip) return
    for (const before of b.before) push(runnable(before.code, tmp), before.line)
    markers[n] = `@@docs-block ${n}`
    push(`echo '${markers[n]}'`, undefined)
    push(runnable(b.code, tmp), b.line)
  })
  push(`echo '@@docs-end'`, undefined)
  return { text: out.join('\n') + '\n', pageLine: (l) => map[l - 1], markers }
}

/** Why this machine cannot run a script (a tool or namespaces missing), or undefined. */
async function cannotRun(code: string, usesAws: boolean): Promise<string | undefined> {
  if (!unshare) return 'unshare cannot make network/PID namespaces here (needs root or user namespaces)'
  const missing = Object.keys(TOOLS).filter((tool) => new RegExp(`(^|[\\s;|&(])${tool}\\s`, 'm').test(code) && !hasBinary(tool))
  if (missing.length) return `${missing.join(', ')} not installed (Debian ${missing.map((m) => TOOLS[m]).join(', ')}; .ci/run installs them)`
  if (usesAws && !(await cliVersion('/usr/bin/aws'))?.startsWith('aws-cli/2')) return 'AWS CLI v2 is not installed at /usr/bin/aws (Debian package awscli; .ci/run installs it)'
  return undefined
}

for (const page of pages) {
  const runs = docRuns(page, readFileSync(join(repoRoot, page), 'utf8'))
  for (const run of runs) {
    const toRun = run.blocks.filter((b) => !b.skip)
    const name = `${page}:${run.line}: ${toRun.length} of ${run.blocks.length} blocks run as written` +
      (toRun.length < run.blocks.length ? ` (not run: ${run.blocks.filter((b) => b.skip).map((b) => `${b.line} ${b.skip}`).join('; ')})` : '')
    test(name, { timeout: 300_000 }, async (t) => {
      for (const b of run.blocks) if (b.skip) assert.ok(b.skip.trim().length > 3, `${page}:${b.line}: a skipped block says why`)
      if (run.blocks.some((b) => b.skip === AWS_CLI_OWN_TEST))
        assert.ok(ownTests().some((f) => f.text.includes(page) && f.text.includes('markedBlock')), `${page} marks a block aws-cli, but no test under test/e2e runs the page's marked block`)
      if (toRun.length === 0) return
      const all = toRun.map((b) => [...b.before.map((x) => x.code), b.code].join('\n')).join('\n')
      const usesAws = /(^|[\s;|&($])aws\s/m.test(all)
      const reason = await cannotRun(all, usesAws)
      if (reason) {
        console.warn(`SKIPPED ${page}:${run.line}: ${reason}`)
        return t.skip(reason)
      }

      const { text, pageLine, markers } = script(run, join(tmpdir(), 'RUN-TMP'))
      const { code, output } = await inNamespace(t, (tmp) => text.replaceAll(join(tmpdir(), 'RUN-TMP'), tmp), usesAws)

      const failedAt = /@@docs-error (\d+)/.exec(output)
      const where = failedAt ? `${page}:${pageLine(Number(failedAt[1])) ?? `(runner line ${failedAt[1]})`}` : page
      assert.ok(code === 0 && output.includes('@@docs-end'), `${where}: the block failed (exit ${code}):\n${output.slice(-4000)}`)
      run.blocks.forEach((b, n) => {
        if (b.skip) return
        const from = output.indexOf(`${markers[n]}\n`)
        const next = markers.slice(n + 1).find((m) => m !== undefined)
        const to = next ? output.indexOf(`${next}\n`) : output.indexOf('@@docs-end')
        const shown = output.slice(from, to)
        for (const e of b.expects) assert.ok(expectation(e.text)(shown), `${page}:${e.line}: the output of the block at line ${b.line} does not show ${e.text}:\n${shown.slice(-3000)}`)
      })
    })
  }
}

// README's `npm install && npm start` is not run as such (it installs into and rebuilds this
// checkout); npm start then runs scripts/demo.mjs, which this runs, with the commands it prints.
const DEMO = String.raw`
OPENALB_DATA=$PWD/.openalb node ${join(repoRoot, 'scripts', 'demo.mjs')} < <(sleep 240) > demo.out 2>&1 &
for i in $(seq 600); do grep -q '^Try, from another terminal' demo.out && break; sleep 0.1; done
cat demo.out
wait_for 30 '127.0.0.1:4000 +healthy' npx openalb get targets web-tg
wait_for 30 '127.0.0.1:4001 +healthy' npx openalb get targets web-tg
wait_for 30 'ISSUED' npx openalb get certificates
sed -n '/^Try, from another terminal:/,/^$/p' demo.out | sed -n 's/^  //p' | sed 's/ *# .*$//' > try.sh
echo '@@docs-block try'
bash -e try.sh
echo '@@docs-end'
`

test('README.md: npm start\'s demo serves the tutorial, and the commands it prints work', { timeout: 300_000 }, async (t) => {
  const reason = await cannotRun('curl \ndig \n', false)
  if (reason) {
    console.warn(`SKIPPED README.md demo: ${reason}`)
    return t.skip(reason)
  }
  const { code, output } = await inNamespace(t, () => PREAMBLE + DEMO, false)
  assert.ok(code === 0 && output.includes('@@docs-end'), `the demo or a command it prints failed (exit ${code}):\n${output.slice(-4000)}`)
  const tried = output.slice(output.indexOf('@@docs-block try'))
  assert.match(tried, /Hello from the web server on port 400[01]/)
  assert.match(tried, /HTTP\/1\.1 301[\s\S]*[Ll]ocation: https:\/\/api\.example\.test:8443\//)
  assert.match(tried, /api\.example\.test\.\s+\d+\s+IN\s+A\s+127\.0\.0\.1/)
  assert.match(tried, /127\.0\.0\.1:4000\s+healthy/)
  assert.match(tried, /^openalb_http_requests_total|^# HELP/m)
})
