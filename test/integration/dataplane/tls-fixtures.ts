import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadOrCreateCa, type LocalCa } from '../../../src/certs/ca.js'
import type { Certificate } from '../../../src/model/certificate.js'

let counter = 0

export interface TestCa {
  readonly ca: LocalCa
  readonly rootPem: string
  /** <dir>/ca/root.pem, for clients that read a file. */
  readonly rootFile: string
  /** An ISSUED certificate resource for these names (the first is the domain name). */
  certificate(names: string[], status?: Certificate['status']): Promise<Certificate>
}

/** openalb's own CA in a temp dir, issuing certificate resources as the store holds them. */
export async function testCa(t: { after(fn: () => void): void }): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), 'openalb-tls-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const ca = await loadOrCreateCa(dir)
  return {
    ca,
    rootPem: ca.rootPem,
    rootFile: join(dir, 'ca', 'root.pem'),
    certificate: async (names, status = 'ISSUED') => {
      const [domainName = 'example.test', ...rest] = names
      const issued = await ca.issue({ domainName, subjectAlternativeNames: rest })
      const id = (++counter).toString(16).padStart(8, '0')
      return {
        kind: 'certificate',
        arn: `arn:aws:acm:us-east-1:000000000000:certificate/${id}-0000-4000-8000-000000000000`,
        name: `cert-${id}`,
        domainName,
        subjectAlternativeNames: rest,
        source: 'local-ca',
        validationMethod: 'DNS',
        status,
        createdAt: new Date().toISOString(),
        ...(status === 'ISSUED'
          ? { certificatePem: issued.certificatePem, chainPem: issued.chainPem, privateKeyPem: issued.privateKeyPem, notBefore: issued.notBefore, notAfter: issued.notAfter }
          : {}),
        tags: {},
      }
    },
  }
}

/** The listener's certificate list, the first the default. */
export function certRefs(...certs: Certificate[]): { arn: string; isDefault: boolean }[] {
  return certs.map((c, i) => ({ arn: c.arn, isDefault: i === 0 }))
}
