import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Whether the openssl binary is there (tests that need it skip loudly without it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const ossl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })

export interface TestCa {
  readonly dir: string
  readonly name: string
  /** ca.pem: the CA certificate. */
  readonly certPath: string
  issue(client: string, opts?: { days?: number; expired?: boolean }): { certPath: string; keyPath: string; serial: string }
  revoke(certPath: string): void
  /** Writes the CA's CRL (PEM) and returns its path. */
  crl(): string
  /** An intermediate CA this one signs (its own index and CRL). */
  intermediate(name: string): TestCa
}

/**
 * A CA made by openssl in `dir/NAME` (`openssl ca` with its own index, so it can revoke and
 * write a CRL), issuing client certificates with clientAuth.
 */
export function makeCa(root: string, name: string, parent?: TestCa): TestCa {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.txt'), '')
  writeFileSync(join(dir, 'crlnumber'), '01\n')
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = own\n[own]\ndir = .\ndatabase = ./index.txt\nnew_certs_dir = .\ncertificate = ./ca.pem\nprivate_key = ./ca.key\nserial = ./serial\ncrlnumber = ./crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\npolicy = any\nunique_subject = no\ncopy_extensions = none\nx509_extensions = client\n[any]\ncommonName = supplied\norganizationName = optional\n[client]\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\nextendedKeyUsage = clientAuth\n`,
  )
  if (parent) {
    ossl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.csr', '-subj', `/O=openalb tests/CN=${name}`])
    writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n')
    ossl(dir, ['x509', '-req', '-in', 'ca.csr', '-CA', parent.certPath, '-CAkey', join(parent.dir, 'ca.key'), '-CAcreateserial', '-days', '30', '-extfile', 'ca.ext', '-out', 'ca.pem'])
  } else {
    ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', `/O=openalb tests/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  }
  writeFileSync(join(dir, 'serial'), '1000\n')
  return {
    dir,
    name,
    certPath: join(dir, 'ca.pem'),
    issue(client, opts = {}) {
      ossl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${client}.key`, '-out', `${client}.csr`, '-subj', `/O=openalb tests/CN=${client}`])
      const serial = readFileSync(join(dir, 'serial'), 'utf8').trim()
      const dates = opts.expired ? ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z'] : ['-days', String(opts.days ?? 10)]
      ossl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-notext', '-in', `${client}.csr`, '-out', `${client}.pem`, ...dates])
      return { certPath: join(dir, `${client}.pem`), keyPath: join(dir, `${client}.key`), serial }
    },
    revoke(certPath) {
      ossl(dir, ['ca', '-config', 'ca.cnf', '-revoke', certPath])
    },
    crl() {
      ossl(dir, ['ca', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem'])
      return join(dir, 'crl.pem')
    },
    intermediate(child) {
      return makeCa(root, child, this)
    },
  }
}
