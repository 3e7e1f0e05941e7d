import { createHash } from 'node:crypto'

/**
 * The CNAME that proves control of `domain` for the certificate `certArn`, as ACM's DNS
 * validation asks for it. Pure and deterministic: DescribeCertificate shows it, and the certs
 * manager looks for it in the served zones before issuing.
 */
export function validationRecordFor(certArn: string, domain: string): { name: string; value: string } {
  const base = domain.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '')
  const hash = createHash('sha256').update(`${certArn}\n${base}`).digest('hex')
  return { name: `_${hash.slice(0, 32)}.${base}.`, value: `_${hash.slice(32, 64)}.acm-validations.openalb.test.` }
}
