import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports.js'
import { stopChild } from './processes.js'
import { needs } from './shared.js'

/** The skip reason when pebble is missing (Debian pebble; .ci/run installs it), else false. */
export const needsPebble = (): string | false => needs('pebble', 'pebble') || needs('openssl', 'openssl')

export interface Pebble {
  readonly directoryUrl: string
  /** The PEM file that signs pebble's own HTTPS listener: give it as acme.caBundle. */
  readonly caBundleFile: string
  /** The root that signs the certificates pebble issues (a fresh one per run). */
  issuingRoot(): Promise<string>
  readonly output: () => string
  stop(): Promise<void>
}

/**
 * Starts Debian's pebble (a real ACME CA for tests) on loopback, its HTTPS listener signed by a
 * throwaway certificate, its validation lookups sent to `dnsServer` (openalb's DNS) and its
 * HTTP-01 requests to `httpPort`, its TLS-ALPN-01 handshakes to `tlsPort`. pebble
 * cannot bind port 0, so its ports are picked free a moment before.
 */
export async function startPebble(dnsServer: string, options: { httpPort?: number; tlsPort?: number } = {}): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-pebble-'))
  const cert = join(dir, 'listener.pem')
  const key = join(dir, 'listener.key')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=pebble test listener', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' })
  const port = await freePort()
  const management = await freePort()
  const config = join(dir, 'pebble.json')
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: cert,
        privateKey: key,
        // HTTP-01: the port pebble connects to on the name's address (an openalb HTTP listener's).
        httpPort: options.httpPort ?? (await freePort()),
        // TLS-ALPN-01: the port pebble's acme-tls/1 handshake goes to (an openalb HTTPS listener's).
        tlsPort: options.tlsPort ?? (await freePort()),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  )
  let output = ''
  const child = spawn('pebble', ['-config', config, '-dnsserver', dnsServer, '-strict=false'], {
    // 20% of good nonces refused: acme-client's badNonce retries run in every test.
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '20', PEBBLE_AUTHZREUSE: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (b: Buffer) => (output += b.toString()))
  child.stderr.on('data', (b: Buffer) => (output += b.toString()))
  const stop = async () => {
    await stopChild(child, 'SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  }
  const until = Date.now() + 10_000
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop()
      throw new Error(`pebble did not start:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  const agent = new Agent({ ca: readFileSync(cert, 'utf8') })
  return {
    directoryUrl: `https://127.0.0.1:${port}/dir`,
    caBundleFile: cert,
    output: () => output,
    issuingRoot: () =>
      new Promise((resolve, reject) => {
        import('node:https').then(({ get }) =>
          get(`https://127.0.0.1:${management}/roots/0`, { agent }, (res) => {
            let body = ''
            res.on('data', (c: Buffer) => (body += c.toString()))
            res.on('end', () => resolve(body))
          }).on('error', reject),
        )
      }),
    stop,
  }
}
