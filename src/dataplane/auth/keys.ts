import { createECDH, createHash, createPrivateKey, createPublicKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto'

/**
 * The keys of authenticate-oidc, all derived from one 32-byte secret (HKDF-SHA256, with their own
 * labels, so the secret may be the store key), so that every worker and node given the same secret
 * seals and opens the same cookies and signs with the same key:
 * - `sealKey`: AES-256-GCM for the session cookies and the state parameter;
 * - the ES256 key pair that signs x-amzn-oidc-data, named by `kid` (a digest of the public key),
 *   whose public key the control endpoint serves at /_openalb/public-keys/KID as PEM
 *   (ALB: https://public-keys.auth.elb.REGION.amazonaws.com/KID).
 */
export class AuthKeys {
  readonly sealKey: Buffer
  readonly signingKey: KeyObject
  readonly publicKey: KeyObject
  readonly kid: string
  readonly publicKeyPem: string

  readonly secret: Buffer

  /** `secret`: 32 bytes (the node's store key: openalb derives its own keys from it); undefined: random. */
  constructor(secret?: Buffer) {
    if (secret !== undefined && secret.length !== 32) throw new Error('the authentication secret must be 32 bytes')
    this.secret = secret ?? randomBytes(32)
    secret = this.secret
    this.sealKey = Buffer.from(hkdfSync('sha256', secret, 'openalb', 'authenticate-oidc seal', 32))
    // A P-256 scalar from the secret; the chance that 32 HKDF bytes are not below the curve's order is ~2^-32.
    const d = Buffer.from(hkdfSync('sha256', secret, 'openalb', 'authenticate-oidc es256', 32))
    const ecdh = createECDH('prime256v1')
    ecdh.setPrivateKey(d)
    const pub = ecdh.getPublicKey()
    const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33, 65).toString('base64url') }
    this.signingKey = createPrivateKey({ key: jwk, format: 'jwk' })
    this.publicKey = createPublicKey(this.signingKey)
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    this.kid = createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32)
  }

  /** The PEM public key a kid names, or undefined for a kid this node does not sign with. */
  publicKeyFor(kid: string): string | undefined {
    return kid === this.kid ? this.publicKeyPem : undefined
  }
}
