import { X509Certificate, createPrivateKey } from 'node:crypto'
import { Agent } from 'node:https'
import { rootCertificates } from 'node:tls'
import * as acme from 'acme-client'
import type { Control } from '../control/control.js'
import { changeRecordSets, zoneOfName } from '../control/hosted-zones.js'
import { saveAcmeAccount, setAcmeAlpnChallenge, setAcmeHttpChallenge, type IssuedMaterial } from '../control/certificates.js'
import { acmeAccountId, acmeDirectoryUrl, type AcmeAlpnChallenge, type AcmeHttpChallenge, type AcmeSettings } from '../model/acme.js'
import type { Certificate } from '../model/certificate.js'
import { fqdn } from '../model/hosted-zone.js'
import { formatSerial } from './serial.js'
import type { AcmeOrderer } from './manager.js'

/** `openalb up --acme-directory/--acme-email`: what a certificate without its own settings uses. */
export interface AcmeDefaults {
  readonly directoryUrl?: string | undefined
  readonly email?: string | undefined
  /** PEM trusted for the default directory's HTTPS (`--acme-ca-bundle`), for a private ACME CA. */
  readonly caBundlePem?: string | undefined
}

/** acme-client talks through one axios instance: the CAs trusted for directories are one set. */
const extraCas = new Set<string>()
function trust(bundlePem: string | undefined): void {
  if (!bundlePem || extraCas.has(bundlePem)) return
  extraCas.add(bundlePem)
  acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, ...extraCas], keepAlive: false })
}

/** A failure as one line, with the CA's RFC 7807 problem (type and detail) when it sent one. */
function describe(e: unknown): string {
  const err = e as { message?: string; response?: { data?: { type?: string; detail?: string } } }
  const problem = err.response?.data
  if (problem?.type) return `${problem.type}: ${problem.detail ?? ''}`.trim()
  return err.message ?? String(e)
}

/**
 * Orders certificates from an ACME CA (RFC 8555) with acme-client. DNS-01 is answered by
 * openalb's own DNS: the TXT record is written through control into the hosted zone that holds
 * the name, and removed when the order is done. HTTP-01 is answered by every HTTP listener: the
 * token is written on the certificate, compiled into each listener's router ahead of its rules,
 * and dropped when the order is done. TLS-ALPN-01 is answered by every HTTPS listener: the
 * challenge's certificate (acme-client makes it) is written on the certificate in the same way and
 * served to the CA's acme-tls/1 handshake for the name. The account key is made once per
 * directory and email and kept in the store.
 */
export class AcmeIssuer implements AcmeOrderer {
  constructor(
    private readonly control: Control,
    private readonly defaults: AcmeDefaults = {},
    /** Resolves once this node's DNS answers from this revision on: the CA may ask the moment we say ready. */
    private readonly served: (revision: number) => Promise<void> = async () => {},
  ) {}

  async order(cert: Certificate): Promise<IssuedMaterial> {
    const settings = cert.acme ?? { challenge: 'dns-01' as const }
    const directoryUrl = settings.directoryUrl ?? (this.defaults.directoryUrl ? acmeDirectoryUrl(this.defaults.directoryUrl) : undefined)
    if (!directoryUrl) throw new Error('no ACME directory: give acme.directoryUrl or start openalb with --acme-directory URL')
    const email = settings.email ?? this.defaults.email ?? ''
    const names = cert.subjectAlternativeNames.length > 0 ? [...cert.subjectAlternativeNames] : [cert.domainName]
    if (settings.challenge !== 'dns-01') {
      const wildcard = names.find((n) => n.startsWith('*.'))
      if (wildcard) throw new Error(`${settings.challenge} cannot validate the wildcard ${wildcard}: use dns-01`)
    } else for (const name of names) await this.zoneFor(name)
    trust(settings.caBundlePem ?? (settings.directoryUrl === undefined ? this.defaults.caBundlePem : undefined))

    const state = await this.control.read()
    const stored = state.get('acme-account', acmeAccountId(directoryUrl, email))
    const accountKey = stored?.keyPem ?? (await acme.crypto.createPrivateEcdsaKey('P-256')).toString()
    const client = new acme.Client({
      directoryUrl,
      accountKey,
      ...(stored?.accountUrl ? { accountUrl: stored.accountUrl } : {}),
      ...(settings.eab ? { externalAccountBinding: { kid: settings.eab.keyId, hmacKey: settings.eab.hmacKey } } : {}),
    })
    const [keyPem, csr] = await acme.crypto.createCsr({ commonName: cert.domainName, altNames: names }, await acme.crypto.createPrivateEcdsaKey('P-256'))
    let chainPem: string
    try {
      chainPem = await this.run(client, names, settings.challenge, email, csr, cert.arn)
    } catch (e) {
      throw new Error(`ACME order at ${directoryUrl} failed: ${describe(e)}`)
    } finally {
      if (!stored?.accountUrl) {
        let accountUrl: string | undefined
        try {
          accountUrl = client.getAccountUrl()
        } catch {
          accountUrl = undefined
        }
        if (accountUrl || !stored) await this.control.mutate((d) => void saveAcmeAccount(d, { directoryUrl, email, keyPem: accountKey, accountUrl }))
      }
    }
    return material(chainPem, keyPem.toString())
  }

  /**
   * RFC 8555 step by step (account, order, one challenge per authorization, finalize), so that a
   * refused authorization is reported with the CA's problem document (type and detail).
   */
  private async run(client: acme.Client, names: readonly string[], type: AcmeSettings['challenge'], email: string, csr: Buffer, arn: string): Promise<string> {
    await client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) })
    const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) })
    const authorizations = await client.getAuthorizations(order)
    const cleanups: (() => Promise<void>)[] = []
    try {
      for (const authz of authorizations) {
        if (authz.status === 'valid') continue
        const challenge = authz.challenges.find((c) => c.type === type)
        if (!challenge) throw new Error(`the CA offers no ${type} challenge for ${authz.identifier.value}`)
        const keyAuthorization = await client.getChallengeKeyAuthorization(challenge)
        const host = authz.identifier.value
        if (type === 'http-01') {
          const http = { host, token: (challenge as { token: string }).token, keyAuthorization }
          await this.setHttp(arn, http, true)
          cleanups.push(() => this.setHttp(arn, http, false))
        } else if (type === 'tls-alpn-01') {
          const [keyPem, certificatePem] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization)
          const alpn = { host, certificatePem: certificatePem.toString(), keyPem: keyPem.toString() }
          await this.setAlpn(arn, alpn, true)
          cleanups.push(() => this.setAlpn(arn, alpn, false))
        } else {
          await this.setTxt(host, keyAuthorization, 'add')
          cleanups.push(() => this.setTxt(host, keyAuthorization, 'remove'))
        }
        await client.completeChallenge(challenge)
      }
      for (const authz of authorizations) {
        if (authz.status === 'valid') continue
        try {
          await client.waitForValidStatus(authz)
        } catch (e) {
          throw (await refusal(client, order, authz.identifier.value)) ?? e
        }
      }
      const finalized = await client.finalizeOrder(order, csr)
      return await client.getCertificate(finalized)
    } finally {
      for (const cleanup of cleanups) await cleanup().catch(() => {})
    }
  }

  private async zoneFor(name: string) {
    const zone = zoneOfName(await this.control.view(), name.replace(/^\*\./, ''))
    if (!zone) throw new Error(`dns-01 for ${name}: no hosted zone openalb serves holds this name (create the zone, and delegate it to openalb's DNS)`)
    return zone
  }

  /** HTTP-01: every HTTP listener answers the token's path for the name while the order waits. */
  private async setHttp(arn: string, challenge: AcmeHttpChallenge, present: boolean): Promise<void> {
    const { revision } = await this.control.mutate((d) => void (d.get('certificate', arn) && setAcmeHttpChallenge(d, arn, challenge, present)))
    if (present) await this.served(revision)
  }

  /** TLS-ALPN-01: every HTTPS listener answers the name's acme-tls/1 handshake while the order waits. */
  private async setAlpn(arn: string, challenge: AcmeAlpnChallenge, present: boolean): Promise<void> {
    const { revision } = await this.control.mutate((d) => void (d.get('certificate', arn) && setAcmeAlpnChallenge(d, arn, challenge, present)))
    if (present) await this.served(revision)
  }

  /** Adds or removes one value of _acme-challenge.NAME (a wildcard and its base name share it). */
  private async setTxt(identifier: string, value: string, op: 'add' | 'remove'): Promise<void> {
    const name = fqdn(`_acme-challenge.${identifier.replace(/^\*\./, '')}`)
    const quoted = `"${value}"`
    const { revision } = await this.control.mutate((d) => {
      const zone = zoneOfName(d, name)
      if (!zone) throw new Error(`dns-01: no hosted zone holds ${name}`)
      const current = d.list('record-set').find((r) => r.zoneId === zone.id && r.name === name && r.type === 'TXT')
      const values = (current?.values ?? []).filter((v) => v !== quoted)
      if (op === 'add') values.push(quoted)
      if (values.length === 0) {
        if (current) changeRecordSets(d, zone.id, [{ action: 'DELETE', record: { name, type: 'TXT', ttl: current.ttl, values: current.values } }])
        return
      }
      changeRecordSets(d, zone.id, [{ action: 'UPSERT', record: { name, type: 'TXT', ttl: 1, values } }])
    })
    if (op === 'add') await this.served(revision)
  }
}

/** The problem the CA recorded on an identifier's failed challenge, as an error, if it recorded one. */
async function refusal(client: acme.Client, order: acme.Order, identifier: string): Promise<Error | undefined> {
  const fresh = await client.getAuthorizations(order).catch(() => [])
  const authz = fresh.find((a) => a.identifier.value === identifier)
  const problem = authz?.challenges.map((c) => c.error as { type?: string; detail?: string } | undefined).find((p) => p?.type)
  return problem ? new Error(`${problem.type}: ${problem.detail ?? ''} (${identifier})`.trim()) : undefined
}

/** The CA's PEM chain (leaf first) and our key, as control stores an issued certificate. */
function material(chainPem: string, privateKeyPem: string): IssuedMaterial {
  const [leafPem = '', ...rest] = acme.crypto.splitPemChain(chainPem)
  const leaf = new X509Certificate(leafPem)
  const key = createPrivateKey(privateKeyPem)
  if (!leaf.checkPrivateKey(key)) throw new Error('the CA returned a certificate for another key')
  return {
    certificatePem: leafPem.trim() + '\n',
    chainPem: rest.map((p) => p.trim() + '\n').join(''),
    privateKeyPem,
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    serial: formatSerial(leaf.serialNumber),
    keyAlgorithm: 'EC_prime256v1',
  }
}
