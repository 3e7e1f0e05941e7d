import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline/promises'

const TARGET = '/usr/local/share/ca-certificates/openalb-local-ca.crt'

/** Installs the local CA's root in the system store, after saying exactly what it will do. */
export async function trustCa(dataDir: string, yes: boolean, out: (s: string) => void): Promise<void> {
  const root = join(dataDir, 'ca', 'root.pem')
  if (!existsSync(root)) throw new Error(`no CA yet in ${dataDir}: it is created by the first \`openalb up\``)
  out(`This will copy ${root}\n  to ${TARGET}\n  and run update-ca-certificates, so that this machine trusts certificates openalb issues.`)
  if (!yes) {
    if (!process.stdin.isTTY) throw new Error('not confirmed: run again with --yes to proceed')
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    const answer = await rl.question('Proceed? [y/N] ')
    rl.close()
    if (!/^y(es)?$/i.test(answer.trim())) return out('Nothing changed.')
  }
  copyFileSync(root, TARGET)
  const r = spawnSync('update-ca-certificates', [], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`update-ca-certificates failed (exit ${r.status ?? 'signal'}); it needs root`)
  out('Installed. Browsers with their own store (Firefox, Chromium profiles) may need it imported separately: see docs/certificates.md.')
}
