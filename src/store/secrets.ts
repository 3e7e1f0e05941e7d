import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Resource } from '../model/resources.js'
import { resourceKey } from '../model/resources.js'

const PREFIX = 'openalb-sealed:v1:'

/** The fields that hold private keys, by kind: sealed at rest, clear in memory. */
const SECRET_FIELDS: Readonly<Partial<Record<Resource['kind'], string>>> = { certificate: 'privateKeyPem', 'acme-account': 'keyPem' }
/** The action lists whose authenticate-oidc client secrets are sealed the same way. */
const ACTION_FIELDS: Readonly<Partial<Record<Resource['kind'], string>>> = { listener: 'defaultActions', rule: 'actions' }

/**
 * Seals private keys (and authenticate-oidc client secrets) before a store writes a resource and opens them when it reads one:
 * AES-256-GCM under the operator's key, with the resource's kind and key as associated data (a
 * sealed value moved to another resource does not open). A value written before sealing existed
 * reads as it is and is sealed on its next write.
 */
export class SecretSealer {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error(`the store key must be 32 bytes (base64 of 32 random bytes), got ${key.length}`)
  }

  encode(r: Resource): string {
    let out = r as unknown as Record<string, unknown>
    const field = SECRET_FIELDS[r.kind]
    const value = field ? out[field] : undefined
    if (field && typeof value === 'string' && !value.startsWith(PREFIX)) out = { ...out, [field]: this.seal(value, `${r.kind}\0${resourceKey(r)}`) }
    const list = ACTION_FIELDS[r.kind]
    if (list !== undefined) out = { ...out, [list]: this.mapSecrets(out[list], r, (v, aad) => (v.startsWith(PREFIX) ? v : this.seal(v, aad))) }
    return JSON.stringify(out)
  }

  decode(text: string): Resource {
    const r = JSON.parse(text) as Resource
    let out = r as unknown as Record<string, unknown>
    const field = SECRET_FIELDS[r.kind]
    const value = field ? out[field] : undefined
    if (field && typeof value === 'string' && value.startsWith(PREFIX)) out = { ...out, [field]: this.open(value, `${r.kind}\0${resourceKey(r)}`, `the private key of ${r.kind} ${resourceKey(r)}`) }
    const list = ACTION_FIELDS[r.kind]
    if (list !== undefined) {
      out = { ...out, [list]: this.mapSecrets(out[list], r, (v, aad) => (v.startsWith(PREFIX) ? this.open(v, aad, `the client secret of ${r.kind} ${resourceKey(r)}`) : v)) }
    }
    return out as unknown as Resource
  }

  /** Each authenticate-oidc action's clientSecret through `f`, with its own associated data (the resource and the action's place). */
  private mapSecrets(actions: unknown, r: Resource, f: (value: string, aad: string) => string): unknown {
    if (!Array.isArray(actions)) return actions
    return actions.map((a: unknown, i) => {
      const config = (a as { authenticateOidc?: { clientSecret?: unknown } } | null)?.authenticateOidc
      if (typeof config?.clientSecret !== 'string') return a
      return { ...(a as object), authenticateOidc: { ...config, clientSecret: f(config.clientSecret, `${r.kind}\0${resourceKey(r)}\0action ${i}`) } }
    })
  }

  private seal(value: string, aad: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    cipher.setAAD(Buffer.from(aad))
    const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
    return `${PREFIX}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${sealed.toString('base64')}`
  }

  private open(value: string, aad: string, what: string): string {
    const [iv = '', tag = '', data = ''] = value.slice(PREFIX.length).split(':')
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'))
      decipher.setAAD(Buffer.from(aad))
      decipher.setAuthTag(Buffer.from(tag, 'base64'))
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8')
    } catch {
      throw new Error(`cannot open ${what}: the store key (OPENALB_STORE_KEY, or the data directory's store.key) is not the one it was sealed with`)
    }
  }
}

/** OPENALB_STORE_KEY (base64 of 32 bytes), if the operator set it. */
export function keyFromEnvironment(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const text = env.OPENALB_STORE_KEY
  if (text === undefined || text === '') return undefined
  return Buffer.from(text, 'base64')
}

/** The embedded store's key: OPENALB_STORE_KEY, else `<dataDir>/store.key`, made (0600) on first open. */
export function dataDirKey(dataDir: string): Buffer {
  const fromEnv = keyFromEnvironment()
  if (fromEnv) return fromEnv
  const file = join(dataDir, 'store.key')
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600)
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
}
