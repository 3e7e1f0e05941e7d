import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { needs } from './shared.js'

export const CHROMIUM = '/usr/bin/chromium'

/** Why a browser test cannot run here (Debian's chromium and certutil), or false. */
export function browserSkip(): string | false {
  const noChromium = existsSync(CHROMIUM) ? needs('chromium') : needs(CHROMIUM, 'chromium')
  return noChromium || needs('certutil', 'libnss3-tools')
}

/** HOME with .pki/nssdb trusting each of `caFiles` as a CA for websites: where chromium on Linux looks. */
function homeTrusting(caFiles: readonly string[]): string {
  const home = mkdtempSync(join(tmpdir(), 'openalb-browser-home-'))
  const db = join(home, '.pki', 'nssdb')
  mkdirSync(db, { recursive: true })
  execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'])
  caFiles.forEach((caFile, i) => execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', `test CA ${i}`, '-t', 'C,,', '-i', caFile]))
  return home
}

/**
 * Headless Debian chromium (playwright-core) trusting `caFiles` through an NSS database in a
 * throwaway HOME (the system trust store is left alone), with `hosts` resolved to 127.0.0.1.
 * `cleanup` closes it and removes its directories.
 */
export async function launchChromium(caFiles: readonly string[], hosts: readonly string[]): Promise<{ context: BrowserContext; cleanup: () => Promise<void> }> {
  const home = homeTrusting(caFiles)
  const profile = mkdtempSync(join(tmpdir(), 'openalb-browser-profile-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, HOME: home },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--host-resolver-rules=${hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ')}`],
  })
  return {
    context,
    cleanup: async () => {
      await context.close()
      rmSync(home, { recursive: true, force: true })
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
