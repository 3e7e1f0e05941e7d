import { sign, type KeyObject } from 'node:crypto'

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url')

/**
 * x-amzn-oidc-data as ALB makes it: a JWT signed ES256 by the balancer. Its header carries, besides
 * alg and kid, ALB's `signer` (the balancer's ARN), `iss` (the IdP), `client` (the client id) and
 * `exp`; its payload is the user info claims with `exp` and `iss`.
 */
export function claimsToken(
  key: KeyObject,
  header: { readonly kid: string; readonly signer: string; readonly iss: string; readonly client: string; readonly exp: number },
  claims: Readonly<Record<string, unknown>>,
): string {
  const head = b64({ typ: 'JWT', kid: header.kid, alg: 'ES256', iss: header.iss, client: header.client, signer: header.signer, exp: header.exp })
  const body = b64({ ...claims, exp: header.exp, iss: header.iss })
  const input = `${head}.${body}`
  const signature = sign('sha256', Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${signature.toString('base64url')}`
}
