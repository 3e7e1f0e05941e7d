import { execFile } from 'node:child_process'

/** Runs `openssl s_client` against 127.0.0.1:port; ok is false when the handshake failed. */
export function sClient(port: number, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ ok: !error, out: `${stdout}\n${stderr}` })
    })
    child.stdin?.end()
  })
}

/** The negotiated protocol in s_client's output (TLSv1.2, TLSv1.3, ...). */
export function protocolOf(out: string): string | undefined {
  return /Protocol\s*:\s*(\S+)/.exec(out)?.[1] ?? /New, (TLSv[\d.]+)/.exec(out)?.[1]
}

/** The served certificate's subject in s_client's output. */
export function peerSubject(out: string): string | undefined {
  return /^subject=\s*(.+)$/m.exec(out)?.[1]?.trim()
}

/** Lets OpenSSL 3's client offer TLS 1.0/1.1 at all, so the server's refusal is what is tested. */
export const LEGACY_CLIENT = ['-cipher', 'DEFAULT:@SECLEVEL=0']

/** The protocol versions a client may ask for, and whether ALB's default policy accepts each. */
export const DEFAULT_POLICY_VERSIONS: readonly { flag: string; version: string; accepted: boolean; extra?: string[] }[] = [
  { flag: '-tls1', version: 'TLSv1', accepted: false, extra: LEGACY_CLIENT },
  { flag: '-tls1_1', version: 'TLSv1.1', accepted: false, extra: LEGACY_CLIENT },
  { flag: '-tls1_2', version: 'TLSv1.2', accepted: true },
  { flag: '-tls1_3', version: 'TLSv1.3', accepted: true },
]
